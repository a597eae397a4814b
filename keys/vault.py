"""The crypto-shredding vault: personal data sealed under one key per subject, erasable by key.

Personal data never enters the log: the log holds a salted SHA-256 commitment, the vault holds
the data sealed with ChaCha20-Poly1305 under the subject's own random key (the subject id and
commitment are bound in as associated data, so rows cannot be swapped). Erasing a subject
deletes its key and its rows; the log still verifies, and the commitment reveals nothing.

On SQLite the vault is a file of its own beside the event store (with secure_delete, so erased
pages are zeroed); on PostgreSQL it is two tables in the ledger's database, and erased rows
leave the disk at the next VACUUM.
"""

from __future__ import annotations

import hmac
import os
import threading
from hashlib import sha256

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from sqlalchemy import (
    Column,
    Engine,
    LargeBinary,
    MetaData,
    String,
    Table,
    create_engine,
    delete,
    event,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError

_metadata = MetaData()
_keys = Table(
    "vault_keys",
    _metadata,
    Column("subject", String(200), primary_key=True),
    Column("key", LargeBinary, nullable=False),
)
_data = Table(
    "vault_data",
    _metadata,
    Column("subject", String(200), primary_key=True),
    Column("commitment", String(64), primary_key=True),
    Column("nonce", LargeBinary, nullable=False),
    Column("ciphertext", LargeBinary, nullable=False),
)
_receipts = Table(
    "report_receipts",
    _metadata,
    Column("locator", String(64), primary_key=True),  # Argon2id of the receipt code, hex
    Column("report_id", String(200), nullable=False),
)
_secrets = Table(
    "vault_secrets",
    _metadata,
    Column("name", String(100), primary_key=True),
    Column("value", LargeBinary, nullable=False),
)


class VaultError(Exception):
    """Sealed data that does not open (damaged, or swapped between subjects)."""


class Vault:
    """Seal, open and erase personal data by subject."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._secrets: dict[str, bytes] = {}
        _metadata.create_all(engine)

    @classmethod
    def open_sqlite(cls, path: os.PathLike[str] | str) -> Vault:
        """A vault in its own SQLite file."""
        engine = create_engine(
            f"sqlite:///{os.fspath(path)}",
            connect_args={"timeout": 30, "check_same_thread": False},
        )

        @event.listens_for(engine, "connect")
        def _connect(dbapi_connection: object, _record: object) -> None:
            cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
            cursor.execute("PRAGMA secure_delete=ON")  # erased rows are overwritten
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        vault = cls(engine)
        os.chmod(path, 0o600)
        return vault

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def seal(self, subject: str, commitment: str, plaintext: bytes) -> bool:
        """Store plaintext for subject under its key (made on first use); False if it was
        already stored under that commitment (the same data: the commitment is its hash), in
        which case the stored row is left as it is."""
        key = self._key(subject, create=True)
        assert key is not None
        nonce = os.urandom(12)
        sealed = ChaCha20Poly1305(key).encrypt(nonce, plaintext, _aad(subject, commitment))
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(_data).values(
                        subject=subject, commitment=commitment, nonce=nonce, ciphertext=sealed
                    )
                )
        except IntegrityError:
            return False
        return True

    def open(self, subject: str, commitment: str) -> bytes | None:
        """The plaintext, or None if never sealed or erased."""
        key = self._key(subject, create=False)
        if key is None:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(
                select(_data.c.nonce, _data.c.ciphertext).where(
                    _data.c.subject == subject, _data.c.commitment == commitment
                )
            ).first()
        if row is None:
            return None
        try:
            return ChaCha20Poly1305(key).decrypt(
                row.nonce, row.ciphertext, _aad(subject, commitment)
            )
        except InvalidTag:
            raise VaultError(f"sealed data of {subject} does not open: damaged or moved") from None

    def discard(self, subject: str, commitment: str) -> None:
        """Drop one sealed item (its statement was not recorded)."""
        with self.engine.begin() as conn:
            conn.execute(
                delete(_data).where(_data.c.subject == subject, _data.c.commitment == commitment)
            )

    def erase(self, subject: str) -> None:
        """Destroy the subject's key and sealed data; idempotent."""
        with self.engine.begin() as conn:
            conn.execute(delete(_keys).where(_keys.c.subject == subject))
            conn.execute(delete(_data).where(_data.c.subject == subject))

    def has_secrets(self) -> bool:
        """True once any server secret was made (by `canbo init`, with the log)."""
        with self.engine.connect() as conn:
            return conn.execute(select(_secrets.c.name).limit(1)).first() is not None

    def secret(self, name: str) -> bytes:
        """A named 32-byte server secret, made on first use (the same for every process)."""
        known = self._secrets.get(name)
        if known is not None:
            return known  # a secret never changes once made: no query per blind index
        with self.engine.connect() as conn:
            found = conn.execute(select(_secrets.c.value).where(_secrets.c.name == name)).first()
        if found is not None:
            self._secrets[name] = bytes(found.value)
            return self._secrets[name]
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(_secrets).values(name=name, value=os.urandom(32)))
        except IntegrityError:
            pass  # another process made it first: use theirs
        return self.secret(name)

    def put_receipt(self, locator: str, report_id: str) -> None:
        """Remember which report a receipt code's hash stands for."""
        with self.engine.begin() as conn:
            conn.execute(insert(_receipts).values(locator=locator, report_id=report_id))

    def drop_receipt(self, locator: str) -> None:
        """Forget a receipt code's hash (its report was not recorded)."""
        with self.engine.begin() as conn:
            conn.execute(delete(_receipts).where(_receipts.c.locator == locator))

    def find_receipt(self, locator: str) -> str | None:
        """The report a receipt code's hash stands for, if any."""
        with self.engine.connect() as conn:
            found = conn.execute(
                select(_receipts.c.report_id).where(_receipts.c.locator == locator)
            ).first()
        return str(found.report_id) if found is not None else None

    def blind_index(self, value: str) -> str:
        """A keyed index of a value (an official id), so rules can match it without knowing it."""
        return hmac.new(self.secret("blind-index"), value.encode(), sha256).hexdigest()

    def _key(self, subject: str, *, create: bool) -> bytes | None:
        with self.engine.connect() as conn:
            found = conn.execute(select(_keys.c.key).where(_keys.c.subject == subject)).first()
        if found is not None or not create:
            return bytes(found.key) if found is not None else None
        with self._lock:
            try:
                with self.engine.begin() as conn:
                    conn.execute(insert(_keys).values(subject=subject, key=os.urandom(32)))
            except IntegrityError:
                pass  # made meanwhile by another process
        return self._key(subject, create=False)


def _aad(subject: str, commitment: str) -> bytes:
    return b"canbo-ledger/vault/v1\n" + subject.encode() + b"\n" + commitment.encode()
