"""`canbo projector` and `canbo projections`: catch up, rebuild, refuse unknown names."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.cli import main
from projections.public_read import PublicReader
from projections.service import open_read_models
from tests.conftest import LogFixture, make_log
from tests.ledger.personnel.conftest import build_province
from tests.ledger.personnel.desk import Desk


def _province(log: LogFixture) -> None:
    ledger = log.open()
    try:
        build_province(Desk(log, ledger))
    finally:
        ledger.close()


def _officials(log: LogFixture) -> list[str]:
    ledger = log.open()
    models = open_read_models(ledger)
    try:
        return [p["id"] for p in PublicReader(models.reader).officials()["persons"]]
    finally:
        models.close()
        ledger.close()


def test_projector_once_then_rebuild_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = make_log(tmp_path / "data")
    _province(log)
    data_dir = str(log.settings.data_dir)
    assert main(["projector", "--once", "--data-dir", data_dir]) == 0
    assert "CB-CHAIR" in _officials(log)
    assert main(["projections", "rebuild", "public_records", "--data-dir", data_dir]) == 0
    assert "public_records: rebuilt from 29 statements" in capsys.readouterr().out
    assert main(["projections", "status", "--data-dir", data_dir]) == 0
    assert "public_records: notification" in capsys.readouterr().out
    assert main(["projections", "rebuild", "everything", "--data-dir", data_dir]) == 2
    assert "unknown projection(s) ['everything']" in capsys.readouterr().err


@pytest.mark.postgres
def test_projector_process_on_postgres(tmp_path: Path, postgres_database_url: str) -> None:
    log = make_log(tmp_path / "data", postgres_database_url)
    data_dir = str(log.settings.data_dir)
    # `canbo migrate` creates the read models' tables; API processes and projectors never do.
    assert main(["migrate", "--data-dir", data_dir]) == 0
    _province(log)
    assert main(["projector", "--once", "--data-dir", data_dir]) == 0
    assert "CB-CHAIR" in _officials(log)
