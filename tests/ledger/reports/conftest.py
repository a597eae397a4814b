"""A province with a reporting channel: intake key enrolled, a committee, handlers, officers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import LogFixture, make_log
from tests.ledger.personnel.conftest import COMMUNE, PROVINCE, build_province
from tests.ledger.personnel.desk import Desk


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def reports_desk(request: pytest.FixtureRequest, tmp_path) -> Iterator[Desk]:  # type: ignore[no-untyped-def]
    """The small province, with the intake key enrolled as `canbo init` does."""
    url = request.getfixturevalue("postgres_database_url") if request.param == "postgres" else None
    log: LogFixture = make_log(tmp_path / "data", url, reports=True)
    ledger = log.open()
    desk = Desk(log, ledger)
    build_province(desk)
    desk.enrol("CB-H1", "handler", COMMUNE)
    desk.enrol("CB-H2", "handler", COMMUNE)
    desk.enrol("CB-PROT2", "protection_officer", PROVINCE)
    for official in ["CB-H1", "CB-H2"]:
        desk.register("CB-CLERK", official, COMMUNE)
    yield desk
    ledger.close()
