"""A verifier's witness policy: trust a checkpoint only with k of n known cosignatures.

Cosignatures from keys outside the policy are ignored (the spec says so); a line by a policy
witness that does not verify counts as missing and is named in the error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ledger.note import ALG_COSIGNATURE_V1, NoteError, VerifierKey, verify_cosignature
from ledger.protocols import SignatureVerifier
from ledger.witness.cosignatures import checkpoint_text

SIGNATURE_PREFIX = "\u2014 "


class PolicyError(ValueError):
    """The policy itself is not acceptable (a bad key, an impossible threshold)."""


class NotEnoughCosignatures(ValueError):
    """The checkpoint carries fewer valid cosignatures from the policy's witnesses than needed."""


@dataclass(frozen=True)
class WitnessPolicy:
    """k of these n witnesses must have cosigned."""

    witnesses: tuple[VerifierKey, ...]
    threshold: int

    def __post_init__(self) -> None:
        if not self.witnesses:
            raise PolicyError("a witness policy needs at least one witness")
        seen = set()
        for key in self.witnesses:
            if key.alg != ALG_COSIGNATURE_V1:
                raise PolicyError(
                    f"{key.format()} has type 0x{key.alg:02x}, not a witness's cosignature "
                    "key (type 0x04)"
                )
            if (key.name, key.key_id) in seen:
                raise PolicyError(f"witness {key.name}+{key.key_id.hex()} is given twice")
            seen.add((key.name, key.key_id))
        if not 1 <= self.threshold <= len(self.witnesses):
            raise PolicyError(
                f"the witness threshold must be between 1 and the {len(self.witnesses)} "
                f"witness(es) given, got {self.threshold}"
            )

    @classmethod
    def parse(cls, vkeys: Sequence[str], threshold: int | None = None) -> WitnessPolicy:
        """From vkey strings; the threshold defaults to all of them."""
        keys = []
        for vkey in vkeys:
            try:
                keys.append(VerifierKey.parse(vkey.strip()))
            except ValueError as exc:
                raise PolicyError(f"witness key {vkey!r}: {exc}") from None
        return cls(tuple(keys), len(keys) if threshold is None else threshold)

    def check(self, note: str, verifier: SignatureVerifier) -> tuple[str, ...]:
        """Names of the policy's witnesses with a valid cosignature; raise if fewer than k."""
        text = checkpoint_text(note)
        lines = [
            line + "\n"
            for line in note[len(text) + 1 :].split("\n")
            if line.startswith(SIGNATURE_PREFIX)
        ]
        valid: list[str] = []
        problems: list[str] = []
        for key in self.witnesses:
            mine = [line for line in lines if line[2:].split(" ", 1)[0] == key.name]
            for line in mine:
                try:
                    verify_cosignature(text, line, key, verifier)
                except (NoteError, ValueError) as exc:
                    problems.append(str(exc))
                    continue
                valid.append(key.name)
                break
        if len(valid) < self.threshold:
            missing = [k.name for k in self.witnesses if k.name not in valid]
            detail = f"; {'; '.join(problems)}" if problems else ""
            raise NotEnoughCosignatures(
                f"{len(valid)} valid cosignature(s) from the trusted witnesses, "
                f"{self.threshold} required (of {len(self.witnesses)}); "
                f"missing: {', '.join(missing)}{detail}"
            )
        return tuple(valid)
