"""A log's witnesses, as `ledger.json` lists them under "witnesses":

    "witnesses": [
      {"url": "https://witness.hanoi.gov.vn/w1", "vkey": "witness.hanoi.gov.vn/w1+…+BA…"}
    ]

`url` is the witness's submission prefix (add-checkpoint is POSTed to url + "/add-checkpoint");
`vkey` its cosignature verifier key (type 0x04), which every answer is checked against.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ledger.note import ALG_COSIGNATURE_V1, VerifierKey, VerifierKeyError
from ledger.witness.config import WitnessConfigError

_KEYS = ("url", "vkey")


@dataclass(frozen=True)
class LogWitness:
    """One witness of this log: where to submit, and the key its cosignatures must verify under."""

    url: str
    vkey: str

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise WitnessConfigError(
                f"witness url {self.url!r} must be an http:// or https:// URL with a host"
            )
        if parts.query or parts.fragment:
            raise WitnessConfigError(f"witness url {self.url!r} must have no query or fragment")
        parse_witness_vkey(self.vkey)

    @property
    def key(self) -> VerifierKey:
        """The parsed cosignature verifier key."""
        return parse_witness_vkey(self.vkey)

    @property
    def add_checkpoint_url(self) -> str:
        """Where add-checkpoint is POSTed."""
        return self.url.rstrip("/") + "/add-checkpoint"

    @classmethod
    def from_json(cls, value: Any, where: str) -> LogWitness:
        """One entry of "witnesses", checked strictly."""
        if isinstance(value, LogWitness):
            return value
        if not isinstance(value, dict):
            raise WitnessConfigError(f"{where} must be an object with url and vkey")
        unknown = sorted(set(value) - set(_KEYS))
        if unknown:
            raise WitnessConfigError(f"{where}: unknown settings {unknown} (known: {list(_KEYS)})")
        for key in _KEYS:
            if not isinstance(value.get(key), str):
                raise WitnessConfigError(f"{where}: {key!r} is required and must be a string")
        try:
            return cls(value["url"], value["vkey"])
        except WitnessConfigError as exc:
            raise WitnessConfigError(f"{where}: {exc}") from None


def parse_witness_vkey(vkey: str) -> VerifierKey:
    """A witness's cosignature verifier key (type 0x04), with a message saying what is wrong."""
    try:
        key = VerifierKey.parse(vkey)
    except VerifierKeyError as exc:
        raise WitnessConfigError(f"witness verifier key {vkey!r}: {exc}") from None
    if key.alg != ALG_COSIGNATURE_V1:
        raise WitnessConfigError(
            f"witness verifier key {vkey!r} has type 0x{key.alg:02x}; a witness's key for "
            "cosignature/v1 has type 0x04"
        )
    return key


def parse_log_witnesses(value: Any) -> tuple[LogWitness, ...]:
    """The "witnesses" setting: a list of witnesses, no key or URL twice."""
    if isinstance(value, tuple) and all(isinstance(v, LogWitness) for v in value):
        witnesses: Sequence[LogWitness] = value
    elif isinstance(value, list | tuple):
        witnesses = [LogWitness.from_json(v, f"witnesses[{i}]") for i, v in enumerate(value)]
    else:
        raise WitnessConfigError(f"witnesses must be a list, got {value!r}")
    keys: set[tuple[str, bytes]] = set()
    urls: set[str] = set()
    for w in witnesses:
        key = w.key
        if (key.name, key.key_id) in keys:
            raise WitnessConfigError(f"witness {key.name}+{key.key_id.hex()} is listed twice")
        if w.url.rstrip("/") in urls:
            raise WitnessConfigError(f"witness url {w.url} is listed twice")
        keys.add((key.name, key.key_id))
        urls.add(w.url.rstrip("/"))
    return tuple(witnesses)
