"""`canbo rules` and GET /v1/rules print and serve the same table."""

from __future__ import annotations

import argparse
import json

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.routes.rules import router
from ledger.rules import cli, rules_table


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="canbo")
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


def test_canbo_rules_prints_an_aligned_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "SEVERITY", "CONFIRMED", "TITLE", "SOURCE"]
    rows = [line for line in lines if line[:1] == "R"]
    assert [r.split()[0] for r in rows] == [row["id"] for row in rules_table()]
    title_column = lines[0].index("TITLE")
    assert all(r[title_column - 2 : title_column] == "  " for r in rows)
    assert "parameters: bar_months_reprimand=12" in "\n".join(lines)


def test_canbo_rules_in_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["rules", "--lang", "vi"]) == 0
    assert "Một hành vi vi phạm chỉ bị xử lý một hình thức kỷ luật" in capsys.readouterr().out


def test_canbo_rules_json_is_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["rules", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == rules_table()


def test_get_v1_rules_returns_the_table() -> None:
    app = FastAPI()
    app.include_router(router)
    response = TestClient(app).get("/v1/rules")
    assert response.status_code == 200
    body = response.json()
    assert body == rules_table()
    assert {"id", "severity", "message_vi", "message_en", "source", "parameters"} <= set(body[0])
