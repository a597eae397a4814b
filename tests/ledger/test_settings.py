"""Settings: read from the data directory, overridden by the environment, checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ledger.settings import Settings, SettingsError


def test_a_missing_data_directory_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="canbo init --data-dir"):
        Settings.load(tmp_path / "nowhere")


def test_a_damaged_config_is_named(tmp_path: Path) -> None:
    (tmp_path / "ledger.json").write_text("{not json")
    with pytest.raises(SettingsError, match=r"ledger\.json"):
        Settings.load(tmp_path)


def test_the_environment_overrides_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Settings(data_dir=tmp_path, origin="canbo.test/x").save()
    assert not Settings.load(tmp_path).is_postgres
    monkeypatch.setenv("CANBO_DATABASE_URL", "postgresql://canbo:s%40cret@db:5433/canbo")
    settings = Settings.load(tmp_path)
    assert settings.is_postgres
    env = settings.eventsourcing_env(create_table=False)
    assert (env["POSTGRES_HOST"], env["POSTGRES_PORT"], env["POSTGRES_PASSWORD"]) == (
        "db",
        "5433",
        "s@cret",
    )
    assert settings.sqlalchemy_url().startswith("postgresql+psycopg://")


@pytest.mark.parametrize("skew", [0, 1801])
def test_clock_skew_must_stay_within_what_verify_accepts(tmp_path: Path, skew: int) -> None:
    (tmp_path / "ledger.json").write_text(
        json.dumps({"origin": "canbo.test/x", "max_clock_skew_seconds": skew})
    )
    with pytest.raises(SettingsError, match="max_clock_skew_seconds"):
        Settings.load(tmp_path)


def test_a_misspelt_setting_is_named(tmp_path: Path) -> None:
    (tmp_path / "ledger.json").write_text(
        json.dumps({"origin": "canbo.test/x", "max_clock_skew_secs": 60})
    )
    with pytest.raises(SettingsError, match="max_clock_skew_secs"):
        Settings.load(tmp_path)
