"""The demo province: recorded through the application service, deterministic by seed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ledger.bootstrap import Ledger
from ledger.canonical import parse_json
from ledger.entry import parse_entry
from ops.demo.province import Shape, seed_province
from projections.inspection.decisions import held_decisions
from projections.inspection.posts import rotations_overdue
from projections.inspection.scope import Scope
from projections.public_read import DecisionQuery, PublicReader
from projections.service import open_read_models
from tests.conftest import make_log

SMALL = Shape(communes=2, officials_per_commune=12, years=3)


def _statements(ledger: Ledger) -> list[tuple[str, Any]]:
    size = ledger.log.require_head().size
    found = []
    for raw in ledger.log.entries(0, size):
        statement = parse_json(parse_entry(raw).statement_text)
        payload = statement["payload"]
        if statement["type"] == "key.enrol":
            continue  # signed by each log's own registrar key
        if statement["type"] == "protection.grant":
            payload = {**payload, "index": None}  # keyed by each vault's own secret
        found.append((statement["type"], payload))
    return found


def _seeded(tmp_path: Path, seed: int) -> list[tuple[str, Any]]:
    log = make_log(tmp_path)
    ledger = log.open()
    try:
        seed_province(ledger, log.registrar, seed=seed, shape=SMALL)
        return _statements(ledger)
    finally:
        ledger.close()


def test_the_same_seed_signs_the_same_statements(tmp_path: Path) -> None:
    first = _seeded(tmp_path / "a", 7)
    assert first == _seeded(tmp_path / "b", 7)
    assert first != _seeded(tmp_path / "c", 8)


def test_the_demo_has_history_flags_a_hold_and_overdue_rotations(tmp_path: Path) -> None:
    log = make_log(tmp_path / "data")
    ledger = log.open()
    models = open_read_models(ledger)
    try:
        seeded = seed_province(ledger, log.registrar, seed=1, shape=SMALL)
        assert (seeded.units, seeded.officials) == (3, 24) and seeded.decisions > 50
        models.catch_up()
        reader = PublicReader(models.reader)
        assert reader.decisions(DecisionQuery(kind="evaluation")).total == 2 * 9 * 3
        assert reader.decisions(DecisionQuery(flag="R11")).total >= 1  # recorded late
        (held,) = held_decisions(models.reader, Scope("*"))
        assert held["reasons"][0]["rule_id"] == "R15"
        today = ledger.personnel.today()
        # Land officers are never rotated in the demo: past the five-year period? Not in 3
        # years; the finance officer of the odd commune neither.
        assert rotations_overdue(models.reader, Scope("*"), today) == []
        record = reader.service_record("CB-01-003")  # finance officer of the first commune
        assert [r["rotation"] for r in record["rotations"]] == ["horizontal"]
        assert record["person"]["name"]  # a generated Vietnamese name
    finally:
        models.close()
        ledger.close()


def test_a_shape_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="officials per commune must be 12 to 500"):
        Shape(officials_per_commune=3)
