"""A personnel desk for tests: officials with enrolled keys sign and submit statements."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from keys.ed25519 import Ed25519SigningKey
from ledger.bootstrap import Ledger
from ledger.client import make_statement
from ledger.personnel.private import commitment_of
from ledger.statement import format_time
from tests.conftest import LogFixture


def personal_data(name: str, relatives: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """Personal data with a fresh salt, ready to commit to."""
    data: dict[str, Any] = {
        "salt": base64.b64encode(secrets.token_bytes(16)).decode(),
        "name": name,
        "birth_date": "1985-03-02",
        "national_id": "001085012345",
    }
    if relatives:
        data["relatives"] = relatives
    return data


@dataclass
class Desk:
    """Signs statements as named officials and submits them to one ledger."""

    log: LogFixture
    ledger: Ledger
    keys: dict[str, Ed25519SigningKey] = field(default_factory=dict)

    @property
    def today(self) -> date:
        """The ledger's date in Vietnam."""
        from ledger.rules.dates import local_date

        return local_date(self.log.clock())

    def days(self, n: int) -> str:
        """The date n days from today, ISO."""
        return (self.today + timedelta(days=n)).isoformat()

    def enrol(self, who: str, role: str, scope: str) -> Ed25519SigningKey:
        """Enrol a key for official `who` (signed by the registrar)."""
        key = Ed25519SigningKey.from_seed(hashlib.sha256(f"desk/{who}/{role}".encode()).digest())
        statement = make_statement(
            "key.enrol",
            {
                "public_key": base64.b64encode(key.public_key).decode(),
                "official_id": who,
                "role": role,
                "unit_scope": scope,
                "valid_from": format_time(self.log.clock()),
            },
            self.log.registrar,
            origin=self.ledger.origin,
            time=self.log.clock(),
        )
        self.ledger.submit([statement])
        self.keys[who] = key
        return key

    def sign(
        self, who: str, type: str, payload: dict[str, Any], private: dict[str, Any] | None = None
    ) -> Any:
        """A signed statement by `who` ('registrar' signs with the first registrar's key)."""
        key = self.log.registrar if who == "registrar" else self.keys[who]
        return make_statement(
            type, payload, key, origin=self.ledger.origin, time=self.log.clock(), private=private
        )

    def submit(
        self, who: str, type: str, payload: dict[str, Any], private: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Submit one statement; the receipt of that statement."""
        receipt = self.ledger.submit([self.sign(who, type, payload, private)])
        statement_receipt: dict[str, Any] = receipt["statements"][0]
        return statement_receipt

    def register(self, who: str, official: str, unit: str, **extra: Any) -> dict[str, Any]:
        """Register an official with personal data (and declared relatives, if given)."""
        data = personal_data(f"Nguyễn Văn {official}", extra.pop("relatives", None))
        return self.submit(
            who,
            "official.register",
            {
                "official_id": official,
                "unit": unit,
                "title": extra.pop("title", "Chuyên viên"),
                "registered_on": extra.pop("registered_on", "2020-01-01"),
                "private_sha256": commitment_of(data),
            },
            data,
        )
