"""The canbo SDK and the officials' commands, against the app over its HTTP interface."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import canbo.cli
from api.app import create_app
from api.cli import main
from canbo import ApiError, LedgerClient
from keys.keyfile import public_key_path, write_private_key, write_public_key
from tests.api.sessions import PERSONAS, UNLIMITED, enrol_personas
from tests.conftest import LogFixture

OFFICIAL = next(p for p in PERSONAS if p.name == "official").key
INSPECTOR = next(p for p in PERSONAS if p.name == "inspector_province").key


@pytest.fixture
def http(sqlite_log: LogFixture) -> Iterator[TestClient]:
    with TestClient(create_app(sqlite_log.open, config=UNLIMITED)) as client:
        enrol_personas(client, sqlite_log)
        yield client


def notice_payload(title: str = "Lịch tiếp công dân") -> dict[str, str]:
    return {"notice_id": str(uuid.uuid4()), "unit": "VN-HN/ba-dinh", "title": title, "body": "…"}


def test_the_sdk_signs_submits_logs_in_and_reads(http: TestClient) -> None:
    official = LedgerClient("http://testserver", signer=OFFICIAL, http=http)
    assert official.origin() == "canbo.test/log"
    receipt = official.submit("notice.publish", notice_payload())
    assert receipt["statements"][0]["signer"] == OFFICIAL.key_id
    # Two statements go as one all-or-nothing batch.
    batch = official.submit_signed(
        [official.sign("notice.publish", notice_payload()) for _ in range(2)]
    )
    assert len(batch["statements"]) == 2
    # A refusal comes back as ApiError with the server's code and both messages.
    with pytest.raises(ApiError) as refused:
        official.submit("notice.publish", {**notice_payload(), "unit": "VN-HCM"})
    assert (refused.value.status, refused.value.code) == (403, "not_authorised")
    assert refused.value.message_vi and refused.value.message_en
    # An official may not read inspection views; an inspector may.
    with pytest.raises(ApiError) as forbidden:
        official.get("/v1/inspection/keys", session=True)
    assert forbidden.value.code == "forbidden_role"
    inspector = LedgerClient("http://testserver", signer=INSPECTOR, http=http)
    keys = inspector.get("/v1/inspection/keys", {"unit": "VN-HN/ba-dinh"}, session=True)
    assert OFFICIAL.key_id in {k["key_id"] for k in keys["keys"]}
    # Public reads need no key.
    assert LedgerClient("http://testserver", http=http).get("/v1/log/entries/0")["index"] == 0


def test_the_sdk_logs_in_again_when_the_session_ends(http: TestClient) -> None:
    inspector = LedgerClient("http://testserver", signer=INSPECTOR, http=http)
    identity = inspector.login()
    assert identity["role"] == "inspector" and "token" not in identity
    inspector._token = "not-a-token"  # as after the server renewed its secret
    assert inspector.get("/v1/auth/session", session=True)["key_id"] == INSPECTOR.key_id


def _key_file(tmp_path: Path, key: object) -> Path:
    path = tmp_path / "me.key"
    write_private_key(path, key, None, allow_unencrypted=True)  # type: ignore[arg-type]
    write_public_key(public_key_path(path), key, "me")  # type: ignore[arg-type]
    return path


def test_officials_commands(
    http: TestClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(canbo.cli, "http_client", lambda url: http)
    monkeypatch.delenv("CANBO_KEY_PASSPHRASE", raising=False)
    key = _key_file(tmp_path, OFFICIAL)
    payload = tmp_path / "notice.json"
    payload.write_text(json.dumps(notice_payload("Thông báo tuyển dụng")), "utf-8")
    url = ["--url", "http://testserver"]

    assert (
        main(
            [
                "submit",
                "--type",
                "notice.publish",
                "--payload",
                str(payload),
                "--key",
                str(key),
                *url,
            ]
        )
        == 0
    )
    receipt = json.loads(capsys.readouterr().out)
    index = receipt["statements"][0]["leaf_index"]

    # The same payload again is a conflict: the command says so in both languages, exit 1.
    assert (
        main(
            [
                "submit",
                "--type",
                "notice.publish",
                "--payload",
                str(payload),
                "--key",
                str(key),
                *url,
            ]
        )
        == 1
    )
    err = capsys.readouterr().err
    assert "409 version_conflict" in err and "lỗi:" in err

    assert main(["get", f"/v1/log/entries/{index}", *url]) == 0
    assert json.loads(capsys.readouterr().out)["index"] == index

    assert main(["session", "--key", str(key), *url]) == 0
    shown = capsys.readouterr().out
    assert json.loads(shown)["role"] == "official" and "token" not in shown

    inspector = tmp_path / "inspector"
    inspector.mkdir()
    inspector_key = _key_file(inspector, INSPECTOR)
    args = [
        "get",
        "/v1/inspection/keys",
        "--param",
        "unit=VN-HCM",
        "--key",
        str(inspector_key),
        *url,
    ]
    assert main(args) == 1
    assert "403 out_of_scope" in capsys.readouterr().err
    assert main(["get", "/v1/rules", "--param", "oops", *url]) == 2
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    assert (
        main(["submit", "--type", "notice.publish", "--payload", str(bad), "--key", str(key), *url])
        == 2
    )
