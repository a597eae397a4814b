"""A log whose personal-data vault was lost or replaced does not open with a new one."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from ledger.bootstrap import VAULT_FILE
from ledger.settings import SettingsError
from tests.conftest import LogFixture, make_log


def test_a_lost_vault_is_refused_with_what_to_do(any_log: LogFixture) -> None:
    settings = any_log.settings
    if settings.is_postgres:
        engine = create_engine(settings.sqlalchemy_url())
        with engine.begin() as conn:  # as if the vault's tables had been emptied
            for table in ("vault_secrets", "vault_keys", "vault_data"):
                conn.execute(text(f"DELETE FROM {table}"))
        engine.dispose()
    else:
        (settings.data_dir / VAULT_FILE).unlink()
    with pytest.raises(SettingsError, match="restore the vault") as refused:
        any_log.open()
    assert "has 1 leaves" in str(refused.value)
    with pytest.raises(SettingsError):  # and again: nothing was made meanwhile that hides it
        any_log.open()


def test_a_new_log_makes_its_vault(tmp_path) -> None:  # type: ignore[no-untyped-def]
    log = make_log(tmp_path / "fresh")
    ledger = log.open()
    try:
        assert ledger.app.vault is not None and ledger.app.vault.has_secrets()
    finally:
        ledger.close()
