"""The witness's composition root: a data directory in, a ready Witness out; and `init`."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from keys.ed25519 import ED25519, Ed25519SigningKey
from keys.keyfile import (
    public_key_path,
    read_private_key,
    read_public_key,
    write_private_key,
    write_public_key,
)
from ledger.note import ALG_COSIGNATURE_V1, VerifierKey, VerifierKeyError
from ledger.protocols import Signer
from ledger.registry import key_id_of
from ledger.witness.config import CONFIG_FILE, WitnessConfig, WitnessConfigError
from ledger.witness.store import WitnessStore, make_engine
from ledger.witness.witness import Witness


@dataclass(frozen=True)
class WitnessInit:
    """What `canbo witness init` made."""

    config: WitnessConfig
    verifier_key: str


def init_witness_dir(
    data_dir: Path, name: str, passphrase: bytes | None, *, unencrypted_keys: bool = False
) -> WitnessInit:
    """Create a witness: its key pair and witness.json (overseeing no log yet)."""
    if (data_dir / CONFIG_FILE).exists():
        raise WitnessConfigError(f"{data_dir} already holds a witness ({CONFIG_FILE} exists)")
    config = WitnessConfig(data_dir=data_dir, name=name, unencrypted_keys=unencrypted_keys)
    config.key_path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519SigningKey.generate()
    write_private_key(config.key_path, key, passphrase, allow_unencrypted=unencrypted_keys)
    write_public_key(public_key_path(config.key_path), key, "witness")
    config.save()
    return WitnessInit(config, witness_verifier_key(config).format())


def witness_verifier_key(config: WitnessConfig) -> VerifierKey:
    """The witness's cosignature verifier key (type 0x04), from its public key file."""
    public_key, _label = read_public_key(public_key_path(config.key_path))
    try:
        return VerifierKey.from_public_key(config.name, public_key, ALG_COSIGNATURE_V1)
    except VerifierKeyError as exc:
        raise WitnessConfigError(f"witness key: {exc}") from None


def load_witness_signer(config: WitnessConfig, passphrase: bytes | None) -> Signer:
    """The witness's private key, checked against its public key file."""
    public_key, _label = read_public_key(public_key_path(config.key_path))
    return read_private_key(
        config.key_path,
        passphrase,
        allow_unencrypted=config.unencrypted_keys,
        expected_key_id=key_id_of(public_key),
    )


def open_witness(
    config: WitnessConfig,
    *,
    passphrase: bytes | None = None,
    signer: Signer | None = None,
    clock: Callable[[], float] = time.time,
) -> Witness:
    """A witness over its store, with the logs of its configuration."""
    if signer is None:
        signer = load_witness_signer(config, passphrase)
    store = WitnessStore(make_engine(config.sqlalchemy_url()))
    return Witness(
        config.name,
        signer,
        {log.origin: [log.key] for log in config.logs},
        store,
        ED25519,
        clock,
    )
