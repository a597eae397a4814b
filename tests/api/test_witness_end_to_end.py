"""End to end over real HTTP: the log sends its checkpoints to two witness servers, publishes
them cosigned, and `canbo verify` holds the published checkpoint to k of n cosignatures."""

from __future__ import annotations

import base64
import dataclasses
import time
from pathlib import Path

import httpx
import pytest

from api.app import create_app
from api.cli import main
from api.witness_app import create_witness_app
from ledger.client import make_statement
from ledger.witness.bootstrap import init_witness_dir, open_witness
from ledger.witness.config import OverseenLog, WitnessConfig
from ledger.witness.log_config import LogWitness
from tests.conftest import LogFixture, official_key
from tests.servers import ServerThread

pytestmark = pytest.mark.slow
OFFICIAL = official_key("end-to-end")


def start_witness(
    directory: Path, name: str, origin: str, log_vkey: str
) -> tuple[ServerThread, str]:
    """A witness server overseeing the log; its URL and verifier key."""
    init = init_witness_dir(directory, name, None, unencrypted_keys=True)
    config = init.config.with_log(OverseenLog(origin, log_vkey))
    config.save()
    server = ServerThread(create_witness_app(lambda: open_witness(WitnessConfig.load(directory))))
    return server.start(), init.verifier_key


def wait_for(condition: object, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def statement(
    log: LogFixture, kind: str, payload: dict[str, object], key: object
) -> dict[str, str]:
    return make_statement(
        kind,
        payload,
        key,
        origin=log.settings.origin,
        time=log.clock(),  # type: ignore[arg-type]
    ).envelope()


def test_ledger_to_witnesses_to_cosigned_checkpoint_to_verify(
    sqlite_log: LogFixture, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = sqlite_log
    probe = log.open()
    log_vkey = probe.verifier_key.format()
    probe.close()
    origin = log.settings.origin
    province, inspector = (
        start_witness(tmp_path / "w1", "witness.test/province", origin, log_vkey),
        start_witness(tmp_path / "w2", "witness.test/inspection", origin, log_vkey),
    )
    (w1, w1_vkey), (w2, w2_vkey) = province, inspector
    stranger = init_witness_dir(
        tmp_path / "w3", "witness.test/stranger", None, unencrypted_keys=True
    )
    try:
        settings = dataclasses.replace(
            log.settings, witnesses=(LogWitness(w1.url, w1_vkey), LogWitness(w2.url, w2_vkey))
        )
        settings.save()
        log.settings = settings
        with ServerThread(create_app(log.open)) as ledger_server:
            http = httpx.Client(base_url=ledger_server.url, timeout=10)
            enrol = statement(
                log,
                "key.enrol",
                {
                    "public_key": base64.b64encode(OFFICIAL.public_key).decode(),
                    "official_id": "CB-0001",
                    "role": "official",
                    "unit_scope": "VN-HN/ba-dinh",
                    "valid_from": "2020-01-01T00:00:00Z",
                },
                log.registrar,
            )
            assert http.post("/v1/statements", json=enrol).status_code == 201
            wait_for(
                lambda: (
                    [w["cosigned_size"] for w in http.get("/v1/log/witnesses").json()["witnesses"]]
                    == [2, 2]
                ),
                "both witnesses to cosign size 2",
            )
            served = http.get("/v1/log/checkpoint").json()
            assert served["size"] == 2 and served["cosigned_by"] == [w1_vkey, w2_vkey]

            verify = ["verify", "--url", ledger_server.url, "--vkey", log_vkey, "--workers", "0"]
            witnesses = ["--witness", w1_vkey, "--witness", w2_vkey]
            assert main([*verify, *witnesses, "--witness-threshold", "2"]) == 0
            out = capsys.readouterr().out
            assert "cosigned by 2 of 2 trusted witnesses" in out and "OK: 2 leaves" in out
            # Three trusted, all three required: the stranger never cosigned.
            three = [*witnesses, "--witness", stranger.verifier_key]
            assert main([*verify, *three, "--witness-threshold", "3"]) == 1
            out = capsys.readouterr().out
            assert "FAIL at checkpoint: not trusted under the witness policy" in out
            assert "2 valid cosignature(s) from the trusted witnesses, 3 required" in out
            assert "missing: witness.test/stranger" in out
            assert main([*verify, *three, "--witness-threshold", "2"]) == 0
            capsys.readouterr()

            # One witness goes down: ingestion goes on, the other still cosigns.
            w2.stop()
            notice = statement(
                log,
                "notice.publish",
                {
                    "notice_id": "00000000-0000-4000-8000-000000000001",
                    "unit": "VN-HN/ba-dinh",
                    "title": "Lịch tiếp công dân",
                    "body": "Thứ Năm hằng tuần",
                },
                OFFICIAL,
            )
            assert http.post("/v1/statements", json=notice).status_code == 201
            wait_for(
                lambda: http.get("/v1/log/checkpoint").json()["size"] == 3,
                "the province witness to cosign size 3",
            )
            assert http.get("/v1/log/checkpoint").json()["cosigned_by"] == [w1_vkey]
            assert main([*verify, *witnesses, "--witness-threshold", "2"]) == 1
            assert "missing: witness.test/inspection" in capsys.readouterr().out
            assert main([*verify, *witnesses, "--witness-threshold", "1"]) == 0
            http.close()
    finally:
        w1.stop()
        w2.stop()


def test_verify_refuses_an_impossible_policy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    init = init_witness_dir(tmp_path / "w", "witness.test/w", None, unencrypted_keys=True)
    base = ["verify", "--url", "http://127.0.0.1:9", "--vkey", "x+00000000+AQ=="]
    assert main([*base, "--witness", init.verifier_key, "--witness-threshold", "2"]) == 2
    assert "between 1 and the 1 witness(es) given, got 2" in capsys.readouterr().err
    assert main([*base, "--witness-threshold", "1"]) == 2
    assert "--witness-threshold needs the witnesses" in capsys.readouterr().err
    assert main([*base, "--witness", "not a key"]) == 2
    assert "witness policy: witness key 'not a key'" in capsys.readouterr().err
    twice = ["--witness", init.verifier_key, "--witness", init.verifier_key]
    assert main([*base, *twice]) == 2
    assert "is given twice" in capsys.readouterr().err
