"""witness.json: strict validation, each mistake named."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ledger.witness.config import CONFIG_FILE, OverseenLog, WitnessConfig, WitnessConfigError
from tests.ledger.witness.fakes import MemoryLog, fixed_key

LOG = MemoryLog("canbo.test/a", fixed_key("a"))
GOOD: dict[str, Any] = {
    "name": "witness.test/w",
    "logs": [{"origin": "canbo.test/a", "vkey": LOG.vkey.format()}],
}


def write(tmp_path: Path, data: object) -> Path:
    (tmp_path / CONFIG_FILE).write_text(json.dumps(data))
    return tmp_path


def test_a_good_configuration_loads_and_saves_unchanged(tmp_path: Path) -> None:
    config = WitnessConfig.load(write(tmp_path, GOOD))
    assert config.logs == (OverseenLog("canbo.test/a", LOG.vkey.format()),)
    assert config.sqlalchemy_url() == f"sqlite:///{tmp_path / 'witness.sqlite3'}"
    config.save()
    assert WitnessConfig.load(tmp_path) == config


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ([], "must hold a JSON object"),
        ({"logs": []}, "'name' is required"),
        ({**GOOD, "nmae": "x"}, r"unknown settings \['nmae'\]"),
        ({**GOOD, "name": "has space"}, "without spaces"),
        ({**GOOD, "unencrypted_keys": "yes"}, "'unencrypted_keys' must be bool"),
        ({**GOOD, "logs": {}}, "'logs' must be list"),
        ({**GOOD, "logs": ["x"]}, r"logs\[0\] must be an object"),
        ({**GOOD, "logs": [{"origin": "canbo.test/a"}]}, "'vkey' is required"),
        ({**GOOD, "logs": [{"origin": "o", "vkey": "nonsense"}]}, "name\\+keyid\\+key"),
        ({**GOOD, "logs": [{**GOOD["logs"][0], "url": "x"}]}, r"unknown settings \['url'\]"),
        ({**GOOD, "logs": GOOD["logs"] * 2}, "listed twice"),
    ],
)
def test_mistakes_are_named(tmp_path: Path, data: object, problem: str) -> None:
    with pytest.raises(WitnessConfigError, match=problem):
        WitnessConfig.load(write(tmp_path, data))


def test_a_witness_key_is_not_a_log_key(tmp_path: Path) -> None:
    from tests.ledger.witness.fakes import witness_vkey

    vkey = witness_vkey(fixed_key("w")).format()
    with pytest.raises(WitnessConfigError, match="type 0x04"):
        WitnessConfig.load(write(tmp_path, {**GOOD, "logs": [{"origin": "o", "vkey": vkey}]}))


def test_a_missing_directory_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(WitnessConfigError, match="canbo witness init --data-dir"):
        WitnessConfig.load(tmp_path / "none")
