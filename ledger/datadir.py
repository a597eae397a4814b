"""`canbo init`: a new log's data directory, its keys, database and genesis enrolment."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from keys.ed25519 import Ed25519SigningKey
from keys.keyfile import public_key_path, write_private_key, write_public_key
from ledger.bootstrap import Ledger, open_ledger
from ledger.client import make_statement
from ledger.protocols import Signer
from ledger.settings import CONFIG_FILE, Settings, SettingsError
from ledger.statement import format_time

REGISTRAR_KEY_FILE = "keys/registrar.key"
INTAKE_OFFICIAL_ID = "intake-desk"


def enable_report_intake(ledger: Ledger, registrar: Signer, now: datetime) -> str:
    """Enrol the server's custodial intake key (role intake), signed by a registrar."""
    assert ledger.app.sealing is not None
    intake = ledger.app.sealing.intake_signer
    statement = make_statement(
        "key.enrol",
        {
            "public_key": base64.b64encode(intake.public_key).decode(),
            "official_id": INTAKE_OFFICIAL_ID,
            "role": "intake",
            "unit_scope": "*",
            "valid_from": format_time(now.replace(microsecond=0)),
        },
        registrar,
        origin=ledger.origin,
        time=now,
    )
    ledger.submit([statement])
    return statement.statement.signer


@dataclass(frozen=True)
class InitResult:
    """What `canbo init` made."""

    settings: Settings
    verifier_key: str
    registrar_key_id: str
    registrar_key_file: Path


def init_data_dir(
    data_dir: Path,
    *,
    origin: str | None = None,
    database_url: str | None = None,
    passphrase: bytes | None = None,
    unencrypted_keys: bool = False,
    registrar_official_id: str = "registrar",
    clock: Callable[[], datetime] | None = None,
    enable_reports: bool = True,
) -> InitResult:
    """Create a new log: log key, first registrar key, tables, and the genesis enrolment.

    With `enable_reports`, the registrar also enrols the server's custodial intake key, which
    signs anonymous reports (leaf 1).
    """
    if (data_dir / CONFIG_FILE).exists():
        raise SettingsError(f"{data_dir} already holds a log ({CONFIG_FILE} exists)")
    (data_dir / "keys").mkdir(parents=True, exist_ok=True)
    now = (clock or (lambda: datetime.now(UTC)))()
    settings = Settings(
        data_dir=data_dir,
        origin=origin or f"canbo.local/log-{secrets.token_hex(4)}",
        database_url=database_url,
        unencrypted_keys=unencrypted_keys,
    )
    log_key = Ed25519SigningKey.generate()
    registrar_key = Ed25519SigningKey.generate()
    for name, key in (("log", log_key), ("registrar", registrar_key)):
        path = data_dir / "keys" / f"{name}.key"
        write_private_key(path, key, passphrase, allow_unencrypted=unencrypted_keys)
        write_public_key(public_key_path(path), key, name)
    settings.save()
    ledger = open_ledger(
        settings, create_tables=True, log_signer=log_key, clock=clock, sequence_in_process=True
    )
    try:
        genesis = make_statement(
            "key.enrol",
            {
                "public_key": base64.b64encode(registrar_key.public_key).decode(),
                "official_id": registrar_official_id,
                "role": "registrar",
                "unit_scope": "*",
                "valid_from": format_time(now.replace(microsecond=0)),
            },
            log_key,
            origin=settings.origin,
            time=now,
        )
        ledger.submit([genesis])
        if enable_reports:
            enable_report_intake(ledger, registrar_key, now)
        return InitResult(
            settings=settings,
            verifier_key=ledger.verifier_key.format(),
            registrar_key_id=registrar_key.key_id,
            registrar_key_file=data_dir / REGISTRAR_KEY_FILE,
        )
    finally:
        ledger.close()
