"""A log with witnesses publishes its cosigned checkpoint and lists its witnesses' keys."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from keys.ed25519 import ED25519
from ledger.note import open_note
from ledger.settings import CONFIG_FILE, Settings, SettingsError
from tests.conftest import LogFixture, enrol, official_key
from tests.ledger.witness.fakes import WitnessNetwork
from tests.ledger.witness.test_submitter import submitter_for, witnessed_log

OFFICIAL = official_key("witnessed-api")


@pytest.fixture
def network() -> Iterator[WitnessNetwork]:
    net = WitnessNetwork()
    yield net
    net.close()


def test_the_cosigned_checkpoint_is_served_once_witnessed(
    sqlite_log: LogFixture, tmp_path: Path, network: WitnessNetwork
) -> None:
    ledger, witnesses = witnessed_log(sqlite_log, tmp_path, network, ["a", "b"])
    # The API process here only reads (the test drives the submitter itself).
    app = create_app(lambda: sqlite_log.open(sequence_in_process=False))
    with TestClient(app) as client:
        assert client.get("/log/checkpoint").status_code == 503
        assert "cosigned by its witnesses yet" in client.get("/v1/log/checkpoint").text
        listed = client.get("/v1/log/witnesses").json()["witnesses"]
        assert [(w["vkey"], w["cosigned_size"]) for w in listed] == [
            (w.vkey, None) for w in witnesses
        ]
        enrol(ledger, sqlite_log.registrar, OFFICIAL)
        assert submitter_for(ledger, network).run_round() == 2
        note = client.get("/log/checkpoint").text
        keys = [ledger.verifier_key, *(w.key for w in witnesses)]
        assert len(open_note(note, keys, ED25519).names) == 3
        as_json = client.get("/v1/log/checkpoint").json()
        assert as_json["checkpoint"] == note
        assert as_json["cosigned_by"] == [w.vkey for w in witnesses]
        assert as_json["size"] == ledger.log.require_head().size
        sizes = [w["cosigned_size"] for w in client.get("/v1/log/witnesses").json()["witnesses"]]
        assert sizes == [as_json["size"]] * 2
    ledger.close()


def test_without_witnesses_the_latest_checkpoint_is_served_as_before(
    sqlite_log: LogFixture,
) -> None:
    with TestClient(create_app(sqlite_log.open)) as client:
        assert client.get("/v1/log/checkpoint").json()["cosigned_by"] == []
        assert client.get("/v1/log/witnesses").json() == {"witnesses": []}
        assert client.get("/log/checkpoint").status_code == 200


WITNESS_VKEY = "witness.test/a+f7720140+BChmGSCQdni3fu3qgDW3HS7Tm6qkCbhwIb9KdBn4VoTZ"


@pytest.mark.parametrize(
    ("witnesses", "problem"),
    [
        ({}, "witnesses must be a list"),
        (["http://w"], r"witnesses\[0\] must be an object"),
        ([{"url": "http://w"}], "'vkey' is required"),
        ([{"url": "ftp://w", "vkey": "x"}], "http:// or https://"),
        ([{"url": "http://w", "vkey": "nonsense"}], "name\\+keyid\\+key"),
        ([{"url": "http://w", "vkey": "x", "name": "y"}], r"unknown settings \['name'\]"),
    ],
)
def test_witness_settings_are_checked_strictly(
    sqlite_log: LogFixture, witnesses: object, problem: str
) -> None:
    path = sqlite_log.settings.data_dir / CONFIG_FILE
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "witnesses": witnesses}))
    with pytest.raises(SettingsError, match=problem):
        Settings.load(sqlite_log.settings.data_dir)


def test_a_log_key_is_not_a_witness_key_and_no_witness_is_listed_twice(
    sqlite_log: LogFixture,
) -> None:
    ledger = sqlite_log.open()
    log_vkey = ledger.verifier_key.format()
    ledger.close()
    path = sqlite_log.settings.data_dir / CONFIG_FILE
    data = json.loads(path.read_text())
    path.write_text(json.dumps({**data, "witnesses": [{"url": "http://w", "vkey": log_vkey}]}))
    with pytest.raises(SettingsError, match="type 0x01; a witness's key for cosignature/v1"):
        Settings.load(sqlite_log.settings.data_dir)
    twice = [{"url": "http://w1", "vkey": WITNESS_VKEY}, {"url": "http://w2", "vkey": WITNESS_VKEY}]
    path.write_text(json.dumps({**data, "witnesses": twice}))
    with pytest.raises(SettingsError, match="listed twice"):
        Settings.load(sqlite_log.settings.data_dir)
    # A good entry loads, and saving writes it back unchanged.
    path.write_text(json.dumps({**data, "witnesses": twice[:1]}))
    settings = Settings.load(sqlite_log.settings.data_dir)
    assert settings.witnesses[0].key.name == "witness.test/a"
    settings.save()
    assert json.loads(path.read_text())["witnesses"] == twice[:1]
