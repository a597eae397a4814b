"""Fixtures of the projection tests: a province with history, and its read models."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from ledger.bootstrap import Ledger
from projections.schema import metadata, projection_positions
from projections.service import ReadModels, migrate_read_models, open_read_models
from tests.conftest import LogFixture
from tests.ledger.personnel.conftest import build_province
from tests.ledger.personnel.desk import Desk
from tests.projections.history import record_history


def dump(models: ReadModels) -> dict[str, list[str]]:
    """Every read-model row, as sorted JSON text per table (positions left out)."""
    tables: dict[str, list[str]] = {}
    with models.reader.connect() as conn:
        for table in metadata.sorted_tables:
            if table is projection_positions:
                continue
            rows = conn.execute(select(table)).mappings()
            text = (json.dumps(dict(r), sort_keys=True, ensure_ascii=False) for r in rows)
            tables[table.name] = sorted(text)
    return tables


def open_models(ledger: Ledger) -> ReadModels:
    """Read models of a ledger, their tables created first (as `canbo init` does)."""
    migrate_read_models(ledger.settings)
    return open_read_models(ledger)


class Province:
    """A ledger holding the province and its history, with read models caught up."""

    def __init__(self, log: LogFixture, ledger: Ledger, desk: Desk, models: ReadModels) -> None:
        self.log = log
        self.ledger = ledger
        self.desk = desk
        self.models = models
        self.recorded: dict[str, Any] = {}


@pytest.fixture
def province(sqlite_log: LogFixture) -> Iterator[Province]:
    """The province on SQLite, its history recorded, read models caught up."""
    ledger = sqlite_log.open()
    desk = Desk(sqlite_log, ledger)
    build_province(desk)
    models = open_models(ledger)
    p = Province(sqlite_log, ledger, desk, models)
    p.recorded = record_history(desk)
    models.catch_up()
    yield p
    models.close()
    ledger.close()
