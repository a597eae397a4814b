"""C2SP signed notes (c2sp.org/signed-note) with Ed25519 signatures and tlog-cosignature/v1.

A note is a text ending in a newline, a blank line, then signature lines
``— <key name> base64(key ID || signature)``. Verifier keys are written
``<name>+<hex key ID>+base64(signature type || public key)`` as in golang.org/x/mod/sumdb/note.
Witness cosignatures (signature type 0x04, c2sp.org/tlog-cosignature) are note signatures
whose bytes are ``key ID || uint64 big-endian timestamp || Ed25519 signature`` over
``"cosignature/v1\\ntime <timestamp>\\n" + checkpoint body``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from ledger.protocols import SignatureVerifier, Signer

ALG_ED25519 = 0x01
ALG_COSIGNATURE_V1 = 0x04
# Only the signature types this ledger uses; the spec asks implementations to select few.
_PUBLIC_KEY_SIZES = {ALG_ED25519: 32, ALG_COSIGNATURE_V1: 32}
ED25519_SIGNATURE_SIZE = 64
KEY_ID_SIZE = 4

SIGNATURE_PREFIX = "\u2014 "  # em dash, space
# The spec asks for a limit of at least 16 signatures; 100 is golang.org/x/mod/sumdb/note's.
MAX_SIGNATURES = 100
MAX_NOTE_SIZE = 1_000_000  # bytes of UTF-8, the same bound torchwood puts on checkpoints
MAX_TIMESTAMP = 2**63 - 1  # tlog-cosignature: the timestamp MUST NOT exceed 2^63 - 1
COSIGNATURE_HEADER = "cosignature/v1"

_HEX8 = re.compile(r"[0-9a-fA-F]{8}")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")  # ASCII controls other than newline


class VerifierKeyError(ValueError):
    """A verifier key (or signer key) string or its parts are not acceptable."""


class NoteError(ValueError):
    """A signed note could not be opened."""


class MalformedNoteError(NoteError):
    """The note does not follow the signed-note format."""


class UnverifiedNoteError(NoteError):
    """No signature from a known key is on the note."""

    def __init__(self, message: str, unverified: tuple[NoteSignature, ...] = ()) -> None:
        super().__init__(message)
        self.unverified = unverified


class InvalidSignatureError(NoteError):
    """A signature line from a known key (name and key ID match) does not verify."""

    def __init__(self, name: str, key_id: bytes) -> None:
        super().__init__(f"signature by known key {name}+{key_id.hex()} does not verify")
        self.name = name
        self.key_id = key_id


def is_valid_key_name(name: str) -> bool:
    """True if name is a key name by the spec: non-empty, without Unicode spaces or '+'."""
    return bool(name) and "+" not in name and not any(c.isspace() for c in name)


def _check_name(name: str) -> None:
    # Keys we accept are stricter than the spec's names (also printable), so a signature line
    # with an odd but legal name is simply an unknown key, as it is for Go's note.Open.
    if not name:
        raise VerifierKeyError("key name is empty")
    if "+" in name:
        raise VerifierKeyError(f"key name {name!r} contains '+'")
    for c in name:
        if c.isspace():
            raise VerifierKeyError(f"key name {name!r} contains whitespace U+{ord(c):04X}")
        if not c.isprintable():
            raise VerifierKeyError(f"key name {name!r} contains non-printable U+{ord(c):04X}")


def b64decode_strict(text: str, *, canonical: bool = True) -> bytes:
    """Decode standard padded base64, refusing any other spelling of the same bytes."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error) as exc:
        raise ValueError(f"not standard base64: {exc}") from None
    # Non-zero padding bits would let one signature be written several ways.
    if canonical and _b64(raw) != text:
        raise ValueError("non-canonical base64 (non-zero padding bits)")
    return raw


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def note_key_id(name: str, alg: int, public_key: bytes) -> bytes:
    """The 4-byte key ID: SHA-256(name || 0x0A || alg || public key)[:4]."""
    if not 0 <= alg <= 0xFF:
        raise VerifierKeyError(f"signature type must be one byte, got {alg}")
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([alg]) + public_key).digest()
    return digest[:KEY_ID_SIZE]


@dataclass(frozen=True)
class VerifierKey:
    """A known public key: its name, key ID, signature type and raw key."""

    name: str
    key_id: bytes
    alg: int
    public_key: bytes

    def __post_init__(self) -> None:
        _check_name(self.name)
        _check_alg_and_key(self.alg, self.public_key)
        expected = note_key_id(self.name, self.alg, self.public_key)
        if self.key_id != expected:
            raise VerifierKeyError(
                f"key ID mismatch for {self.name}: expected {expected.hex()}, "
                f"got {self.key_id.hex()}"
            )

    @classmethod
    def from_public_key(cls, name: str, public_key: bytes, alg: int = ALG_ED25519) -> VerifierKey:
        """The verifier key of a raw public key under name (alg 0x01 log key, 0x04 witness)."""
        _check_name(name)
        _check_alg_and_key(alg, public_key)
        return cls(name, note_key_id(name, alg, public_key), alg, bytes(public_key))

    @classmethod
    def parse(cls, vkey: str) -> VerifierKey:
        """Parse ``name+hex8(key ID)+base64(alg || public key)``."""
        name, sep1, rest = vkey.partition("+")
        key_hex, sep2, key_b64 = rest.partition("+")
        if not sep1 or not sep2:
            raise VerifierKeyError("verifier key must have the form name+keyid+key")
        _check_name(name)
        if not _HEX8.fullmatch(key_hex):
            raise VerifierKeyError(f"key ID must be 8 hex digits, got {key_hex!r}")
        try:
            raw = b64decode_strict(key_b64, canonical=False)
        except ValueError as exc:
            raise VerifierKeyError(f"key data: {exc}") from None
        if not raw:
            raise VerifierKeyError("key data is empty")
        alg, public_key = raw[0], raw[1:]
        # Type and length are checked on the decoded bytes (as Go does) to say what is wrong;
        # a key of the right length is 33 bytes, which base64 spells only one way.
        _check_alg_and_key(alg, public_key)
        return cls(name, bytes.fromhex(key_hex), alg, public_key)

    def format(self) -> str:
        """The vkey string ``name+hex8(key ID)+base64(alg || public key)``."""
        return f"{self.name}+{self.key_id.hex()}+{_b64(bytes([self.alg]) + self.public_key)}"


def _check_alg_and_key(alg: int, public_key: bytes) -> None:
    size = _PUBLIC_KEY_SIZES.get(alg)
    if size is None:
        raise VerifierKeyError(f"unknown signature type 0x{alg:02x}")
    if len(public_key) != size:
        raise VerifierKeyError(
            f"wrong key length for type 0x{alg:02x}: expected {size} bytes, got {len(public_key)}"
        )


def parse_private_key(skey: str) -> tuple[str, bytes]:
    """Parse Go's ``PRIVATE+KEY+name+hex8(key ID)+base64(0x01 || seed32)`` into (name, seed).

    The key ID covers the public key, so the caller checks it after deriving that key.
    """
    prefix = "PRIVATE+KEY+"
    if not skey.startswith(prefix):
        raise VerifierKeyError("signer key must start with PRIVATE+KEY+")
    name, sep1, rest = skey[len(prefix) :].partition("+")
    key_hex, sep2, key_b64 = rest.partition("+")
    if not sep1 or not sep2:
        raise VerifierKeyError("signer key must have the form PRIVATE+KEY+name+keyid+key")
    _check_name(name)
    if not _HEX8.fullmatch(key_hex):
        raise VerifierKeyError(f"key ID must be 8 hex digits, got {key_hex!r}")
    try:
        raw = b64decode_strict(key_b64)
    except ValueError as exc:
        raise VerifierKeyError(f"key data: {exc}") from None
    if not raw or raw[0] != ALG_ED25519:
        raise VerifierKeyError("signer key is not an Ed25519 (0x01) key")
    if len(raw) != 33:
        raise VerifierKeyError(f"Ed25519 seed must be 32 bytes, got {len(raw) - 1}")
    return name, raw[1:]


@dataclass(frozen=True)
class NoteSignature:
    """One signature line: key name, key ID and the signature bytes after the key ID."""

    name: str
    key_id: bytes
    signature: bytes

    def line(self) -> str:
        """The signature line, with its final newline."""
        return f"{SIGNATURE_PREFIX}{self.name} {_b64(self.key_id + self.signature)}\n"


@dataclass(frozen=True)
class OpenedNote:
    """A note whose text is signed by at least one known key."""

    text: str
    signatures: tuple[NoteSignature, ...]  # verified, in note order
    unverified: tuple[NoteSignature, ...] = ()  # from unknown keys, ignored

    @property
    def names(self) -> tuple[str, ...]:
        """Names of the known keys whose signatures verified."""
        return tuple(s.name for s in self.signatures)


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise MalformedNoteError("note text must end with a newline")
    _check_characters(text)


def _check_characters(note: str) -> None:
    if len(note) > MAX_NOTE_SIZE:  # UTF-8 is never shorter: refuse before scanning
        raise MalformedNoteError(f"note is {len(note)} characters, more than {MAX_NOTE_SIZE}")
    control = _CONTROL.search(note)
    if control:
        raise MalformedNoteError(f"control character U+{ord(control.group()):04X} in note")
    try:
        size = len(note.encode("utf-8"))
    except UnicodeEncodeError:
        raise MalformedNoteError("note is not valid UTF-8") from None
    if size > MAX_NOTE_SIZE:
        raise MalformedNoteError(f"note is {size} bytes, more than {MAX_NOTE_SIZE}")


def _split(note: str) -> tuple[str, list[NoteSignature]]:
    """Split a note into text and parsed (unverified) signature lines."""
    _check_characters(note)
    # The text may hold blank lines itself; the signatures follow the last one.
    split = note.rfind("\n\n")
    if split < 0:
        raise MalformedNoteError("no blank line before the signatures")
    text, block = note[: split + 1], note[split + 2 :]
    if not block or not block.endswith("\n"):
        raise MalformedNoteError("signature block must be non-empty and end with a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNoteError(f"{len(lines)} signatures, more than {MAX_SIGNATURES}")
    return text, [_parse_line(line) for line in lines]


def _parse_line(line: str) -> NoteSignature:
    if not line.startswith(SIGNATURE_PREFIX):
        raise MalformedNoteError(f"signature line does not start with em dash and space: {line!r}")
    name, _, sig_b64 = line[len(SIGNATURE_PREFIX) :].partition(" ")
    if not is_valid_key_name(name):
        raise MalformedNoteError(f"bad key name in signature line: {name!r}")
    try:
        raw = b64decode_strict(sig_b64)
    except ValueError as exc:
        raise MalformedNoteError(f"signature of {name}: {exc}") from None
    if len(raw) <= KEY_ID_SIZE:
        raise MalformedNoteError(f"signature of {name} is too short ({len(raw)} bytes)")
    return NoteSignature(name, raw[:KEY_ID_SIZE], raw[KEY_ID_SIZE:])


def _ed25519_signature(signer: Signer, message: bytes) -> bytes:
    sig = signer.sign(message)
    if len(sig) != ED25519_SIGNATURE_SIZE:
        raise ValueError(f"signer returned {len(sig)} bytes, not an Ed25519 signature")
    return sig


@lru_cache(maxsize=64)
def _signing_key_id(name: str, public_key: bytes, alg: int) -> VerifierKey:
    # A log signs a checkpoint per batch with the same key: check and derive its id once.
    return VerifierKey.from_public_key(name, public_key, alg)


def _signature_line(text: str, name: str, signer: Signer, alg: int) -> NoteSignature:
    if alg != ALG_ED25519:
        # Cosignatures sign a different message; they have their own function.
        raise ValueError(f"sign_note signs with type 0x01 only, got 0x{alg:02x} (see cosign)")
    key = _signing_key_id(name, signer.public_key, alg)
    sig = _ed25519_signature(signer, text.encode("utf-8"))
    return NoteSignature(name, key.key_id, sig)


def sign_note(text: str, name: str, signer: Signer, alg: int = ALG_ED25519) -> str:
    """Sign text (ending in a newline) as a note with one Ed25519 signature line."""
    _check_text(text)
    note = text + "\n" + _signature_line(text, name, signer, alg).line()
    _check_characters(note)
    return note


def add_signature(note: str, name: str, signer: Signer, alg: int = ALG_ED25519) -> str:
    """Add an Ed25519 signature by name to an already signed note (replacing its own old one)."""
    text, sigs = _split(note)
    new = _signature_line(text, name, signer, alg)
    kept = [s for s in sigs if (s.name, s.key_id) != (new.name, new.key_id)]
    return _join(text, [*kept, new])


def append_signature_line(note: str, line: str) -> str:
    """Append a signature line made elsewhere (such as a witness's cosignature) to a note."""
    text, sigs = _split(note)
    if not line.endswith("\n") or "\n" in line[:-1]:
        raise MalformedNoteError("a signature line is one line ending in a newline")
    new = _parse_line(line[:-1])
    kept = [s for s in sigs if (s.name, s.key_id) != (new.name, new.key_id)]
    return _join(text, [*kept, new])


def _join(text: str, sigs: Sequence[NoteSignature]) -> str:
    if len(sigs) > MAX_SIGNATURES:
        raise MalformedNoteError(f"{len(sigs)} signatures, more than {MAX_SIGNATURES}")
    note = text + "\n" + "".join(s.line() for s in sigs)
    _check_characters(note)
    return note


def _verify(key: VerifierKey, sig: bytes, text: str, verifier: SignatureVerifier) -> bool:
    if key.alg == ALG_ED25519:
        return verifier.verify(key.public_key, sig, text.encode("utf-8"))
    # Cosignature/v1: the signature carries its timestamp in front.
    if len(sig) != 8 + ED25519_SIGNATURE_SIZE:
        return False
    (timestamp,) = struct.unpack(">Q", sig[:8])
    if timestamp > MAX_TIMESTAMP:
        return False
    return verifier.verify(key.public_key, sig[8:], cosignature_message(timestamp, text))


def open_note(
    note: str | bytes, known: Sequence[VerifierKey], verifier: SignatureVerifier
) -> OpenedNote:
    """Parse a signed note and verify every signature from a known key; unknown keys are ignored."""
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedNoteError("note is not valid UTF-8") from None
    by_id: dict[tuple[str, bytes], VerifierKey] = {}
    for k in known:
        if by_id.setdefault((k.name, k.key_id), k) != k:
            raise NoteError(f"two known keys share name and key ID {k.name}+{k.key_id.hex()}")
    text, sigs = _split(note)
    verified: list[NoteSignature] = []
    unverified: list[NoteSignature] = []
    seen: set[tuple[str, bytes]] = set()
    for sig in sigs:
        ident = (sig.name, sig.key_id)
        key = by_id.get(ident)
        if key is None:
            # A matching name or key ID alone is not the known key: ignore, as the spec says.
            if sig not in unverified:
                unverified.append(sig)
            continue
        if ident in seen:
            continue  # repeated signatures by one key are dropped, as Go's note.Open does
        seen.add(ident)
        if not _verify(key, sig.signature, text, verifier):
            raise InvalidSignatureError(sig.name, sig.key_id)
        verified.append(sig)
    if not verified:
        names = ", ".join(f"{k.name}+{k.key_id.hex()}" for k in known) or "none"
        raise UnverifiedNoteError(
            f"no signature from a known key (known: {names})", tuple(unverified)
        )
    return OpenedNote(text, tuple(verified), tuple(unverified))


def cosignature_message(timestamp: int, checkpoint_body: str) -> bytes:
    """The bytes a cosignature/v1 witness signs: header, time line, then the checkpoint body."""
    if not 0 <= timestamp <= MAX_TIMESTAMP:
        raise ValueError(f"cosignature timestamp {timestamp} is outside 0..2^63-1")
    if not checkpoint_body.endswith("\n"):
        raise ValueError("checkpoint body must end with a newline")
    header = f"{COSIGNATURE_HEADER}\ntime {timestamp}\n"
    return header.encode("ascii") + checkpoint_body.encode("utf-8")


def cosign(checkpoint_body: str, name: str, signer: Signer, timestamp: int) -> str:
    """A witness's cosignature/v1 signature line (ending in a newline) over checkpoint_body."""
    _check_text(checkpoint_body)
    key = VerifierKey.from_public_key(name, signer.public_key, ALG_COSIGNATURE_V1)
    sig = _ed25519_signature(signer, cosignature_message(timestamp, checkpoint_body))
    return NoteSignature(name, key.key_id, struct.pack(">Q", timestamp) + sig).line()


def cosignature_timestamp(sig: NoteSignature) -> int:
    """The timestamp carried in a cosignature/v1 signature."""
    if len(sig.signature) != 8 + ED25519_SIGNATURE_SIZE:
        raise MalformedNoteError(
            f"cosignature of {sig.name} is {len(sig.signature)} bytes, expected 72"
        )
    (timestamp,) = struct.unpack(">Q", sig.signature[:8])
    if timestamp > MAX_TIMESTAMP:
        raise MalformedNoteError(f"cosignature timestamp {timestamp} exceeds 2^63-1")
    return int(timestamp)


def verify_cosignature(
    checkpoint_body: str, line: str, witness: VerifierKey, verifier: SignatureVerifier
) -> int:
    """Check one cosignature line by witness over checkpoint_body; return its timestamp."""
    if witness.alg != ALG_COSIGNATURE_V1:
        raise ValueError(f"witness key must have type 0x04, got 0x{witness.alg:02x}")
    if not line.endswith("\n") or "\n" in line[:-1]:
        raise MalformedNoteError("a signature line is one line ending in a newline")
    sig = _parse_line(line[:-1])
    if (sig.name, sig.key_id) != (witness.name, witness.key_id):
        raise UnverifiedNoteError(
            f"line is by {sig.name}+{sig.key_id.hex()}, "
            f"expected {witness.name}+{witness.key_id.hex()}",
            (sig,),
        )
    timestamp = cosignature_timestamp(sig)
    message = cosignature_message(timestamp, checkpoint_body)
    if not verifier.verify(witness.public_key, sig.signature[8:], message):
        raise InvalidSignatureError(sig.name, sig.key_id)
    return timestamp
