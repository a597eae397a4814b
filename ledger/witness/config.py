"""A witness's configuration: `WITNESS_DIR/witness.json`, written by `canbo witness init`.

    {
      "name": "witness.hanoi.gov.vn/w1",        the cosigner name (a schema-less URL)
      "key_file": "keys/witness.key",           encrypted PKCS#8; keys/witness.pub beside it
      "unencrypted_keys": false,                true only for demos and tests
      "database_url": null,                     null: WITNESS_DIR/witness.sqlite3
      "logs": [{"origin": "...", "vkey": "..."}] the logs it oversees and their log keys
    }

Every key is checked; an unknown or misspelt key is an error, not a silent default.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ledger.note import ALG_ED25519, VerifierKey, VerifierKeyError, is_valid_key_name

CONFIG_FILE = "witness.json"
SQLITE_FILE = "witness.sqlite3"
DEFAULT_KEY_FILE = "keys/witness.key"


class WitnessConfigError(ValueError):
    """The witness's data directory or configuration is missing or wrong."""


@dataclass(frozen=True)
class OverseenLog:
    """A log this witness cosigns for: its origin and the key that signs its checkpoints."""

    origin: str
    vkey: str

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin or not self.origin.isprintable():
            raise WitnessConfigError(f"a log's origin must be one printable line: {self.origin!r}")
        key = parse_log_vkey(self.vkey)
        del key

    @property
    def key(self) -> VerifierKey:
        """The parsed log verifier key."""
        return parse_log_vkey(self.vkey)


def parse_log_vkey(vkey: str) -> VerifierKey:
    """A log's checkpoint verifier key (Ed25519, type 0x01), with a message saying what is wrong."""
    try:
        key = VerifierKey.parse(vkey)
    except VerifierKeyError as exc:
        raise WitnessConfigError(f"log verifier key {vkey!r}: {exc}") from None
    if key.alg != ALG_ED25519:
        raise WitnessConfigError(
            f"log verifier key {vkey!r} has type 0x{key.alg:02x}; a log signs checkpoints with "
            "an Ed25519 key (type 0x01)"
        )
    return key


@dataclass(frozen=True)
class WitnessConfig:
    """Everything a witness needs: its name and key, its store, the logs it oversees."""

    data_dir: Path
    name: str
    key_file: str = DEFAULT_KEY_FILE
    unencrypted_keys: bool = False
    database_url: str | None = None
    logs: tuple[OverseenLog, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not is_valid_key_name(self.name) or not self.name.isprintable():
            raise WitnessConfigError(
                f"witness name {self.name!r} must be non-empty, printable, without spaces or '+'"
            )
        seen: set[str] = set()
        for log in self.logs:
            if log.origin in seen:
                raise WitnessConfigError(f"log {log.origin!r} is listed twice")
            seen.add(log.origin)

    @property
    def key_path(self) -> Path:
        """The witness's private key file."""
        return self.data_dir / self.key_file

    def sqlalchemy_url(self) -> str:
        """The store's SQLAlchemy URL."""
        if not self.database_url:
            return f"sqlite:///{self.data_dir / SQLITE_FILE}"
        scheme, sep, rest = self.database_url.partition("://")
        if sep and scheme in ("postgres", "postgresql"):
            return f"postgresql+psycopg://{rest}"
        return self.database_url

    def with_log(self, log: OverseenLog) -> WitnessConfig:
        """This configuration with one more log (an error if its origin is already listed)."""
        return WitnessConfig(
            self.data_dir,
            self.name,
            self.key_file,
            self.unencrypted_keys,
            self.database_url,
            (*self.logs, log),
        )

    def save(self) -> None:
        """Write witness.json."""
        data = {
            "name": self.name,
            "key_file": self.key_file,
            "unencrypted_keys": self.unencrypted_keys,
            "database_url": self.database_url,
            "logs": [{"origin": log.origin, "vkey": log.vkey} for log in self.logs],
        }
        (self.data_dir / CONFIG_FILE).write_text(json.dumps(data, indent=2) + "\n")

    @classmethod
    def load(cls, data_dir: Path) -> WitnessConfig:
        """Read and check witness.json."""
        path = data_dir / CONFIG_FILE
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            raise WitnessConfigError(
                f"{data_dir} is not a witness directory (no {CONFIG_FILE}); create one with: "
                f"canbo witness init --data-dir {data_dir} --name NAME"
            ) from None
        except (OSError, ValueError) as exc:
            raise WitnessConfigError(f"cannot read {path}: {exc}") from None
        if not isinstance(data, dict):
            raise WitnessConfigError(f"{path} must hold a JSON object")
        _only_known(data, {"name", "key_file", "unencrypted_keys", "database_url", "logs"}, path)
        _typed(data, "name", str, path, required=True)
        _typed(data, "key_file", str, path)
        _typed(data, "unencrypted_keys", bool, path)
        _typed(data, "database_url", (str, type(None)), path)
        _typed(data, "logs", list, path)
        logs = []
        for i, entry in enumerate(data.get("logs", [])):
            where = f"{path}: logs[{i}]"
            if not isinstance(entry, dict):
                raise WitnessConfigError(f"{where} must be an object with origin and vkey")
            _only_known(entry, {"origin", "vkey"}, where)
            for key in ("origin", "vkey"):
                _typed(entry, key, str, where, required=True)
            try:
                logs.append(OverseenLog(entry["origin"], entry["vkey"]))
            except WitnessConfigError as exc:
                raise WitnessConfigError(f"{where}: {exc}") from None
        try:
            return cls(
                data_dir=data_dir,
                name=data["name"],
                key_file=data.get("key_file", DEFAULT_KEY_FILE),
                unencrypted_keys=data.get("unencrypted_keys", False),
                database_url=data.get("database_url"),
                logs=tuple(logs),
            )
        except WitnessConfigError as exc:
            raise WitnessConfigError(f"{path}: {exc}") from None


def _only_known(data: dict[str, Any], known: set[str], where: object) -> None:
    unknown = sorted(set(data) - known)
    if unknown:
        raise WitnessConfigError(f"{where}: unknown settings {unknown} (known: {sorted(known)})")


def _typed(
    data: dict[str, Any],
    key: str,
    kind: type | tuple[type, ...],
    where: object,
    *,
    required: bool = False,
) -> None:
    if key not in data:
        if required:
            raise WitnessConfigError(f"{where}: {key!r} is required")
        return
    if not isinstance(data[key], kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise WitnessConfigError(f"{where}: {key!r} must be {names}, got {data[key]!r}")
