"""`python -m ops.backup`: back up a live log, and restore it somewhere new.

    python -m ops.backup create  --data-dir D  --to B
    python -m ops.backup restore --from B --data-dir D2 [--database-url postgresql://…/new]
    canbo verify --data-dir D2 --checkpoint B/checkpoint.txt

A backup directory holds `ledger.json`, `keys/` (the private keys are encrypted; keep the
passphrase elsewhere), `checkpoint.txt` (the log's latest checkpoint, read before the copy
starts, so the restored log must extend it) and the database: on SQLite `ledger.sqlite3` and
`vault.sqlite`, copied with SQLite's online backup API (consistent while the server writes);
on PostgreSQL `database.dump` from `pg_dump --format=custom` (one snapshot holds the events,
the log tables, the read models and the vault).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, select

from ledger.bootstrap import VAULT_FILE
from ledger.log_schema import log_state
from ledger.settings import CONFIG_FILE, Settings, libpq_url

SQLITE_FILE = "ledger.sqlite3"
DUMP_FILE = "database.dump"
CHECKPOINT_FILE = "checkpoint.txt"


class BackupError(Exception):
    """The backup or restore cannot go on; the message says why."""


def latest_checkpoint(settings: Settings) -> str:
    """The log's latest signed checkpoint, from its database."""
    engine = create_engine(settings.sqlalchemy_url())
    try:
        with engine.connect() as conn:
            row = conn.execute(select(log_state.c.checkpoint).where(log_state.c.id == 1)).first()
    finally:
        engine.dispose()
    if row is None:
        raise BackupError("the log has no checkpoint yet: nothing to back up")
    return str(row.checkpoint)


def create_backup(data_dir: Path, target: Path) -> Path:
    """Back up the log in data_dir into the new directory target."""
    settings = Settings.load(data_dir)
    target.mkdir(parents=True, exist_ok=False)
    # Read first: everything the copy holds is at least this checkpoint's tree.
    (target / CHECKPOINT_FILE).write_text(latest_checkpoint(settings))
    shutil.copy2(data_dir / CONFIG_FILE, target / CONFIG_FILE)
    shutil.copytree(data_dir / "keys", target / "keys")
    if settings.is_postgres:
        assert settings.database_url is not None
        _run(
            ["pg_dump", "--format=custom", "--file", str(target / DUMP_FILE)], settings.database_url
        )
    else:
        # The log first, then the vault: a vault copied later may hold a key for a subject the
        # log copy does not know yet (harmless), never lack one the log copy needs.
        _sqlite_copy(settings.sqlite_path, target / SQLITE_FILE)
        vault = data_dir / VAULT_FILE
        if vault.exists():
            _sqlite_copy(vault, target / VAULT_FILE)
    return target


def restore_backup(source: Path, data_dir: Path, database_url: str | None = None) -> Path:
    """Restore a backup into the new data directory data_dir (and, for PostgreSQL, into the
    existing empty database at database_url)."""
    config = json.loads((source / CONFIG_FILE).read_text())
    if data_dir.exists() and any(data_dir.iterdir()):
        raise BackupError(f"{data_dir} is not empty: restore into a new directory")
    data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source / "keys", data_dir / "keys")
    if (source / DUMP_FILE).exists():
        if not database_url:
            raise BackupError("a PostgreSQL backup needs --database-url of an empty database")
        config["database_url"] = database_url
        (data_dir / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n")
        # The URL given, not Settings.load: CANBO_DATABASE_URL must not redirect a restore.
        restore = ["pg_restore", "--no-owner", "--exit-on-error", str(source / DUMP_FILE)]
        _run(restore, database_url)
    else:
        if database_url:
            raise BackupError("this is a SQLite backup: --database-url does not apply")
        shutil.copy2(source / CONFIG_FILE, data_dir / CONFIG_FILE)
        for name in (SQLITE_FILE, VAULT_FILE):
            if (source / name).exists():
                shutil.copy2(source / name, data_dir / name)
    return data_dir


def _sqlite_copy(source: Path, target: Path) -> None:
    # The online backup API copies a consistent snapshot while writers go on (WAL included);
    # copying the file with cp could catch it between a WAL write and its checkpoint.
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        src.close()
        dst.close()


def _run(command: list[str], database_url: str) -> None:
    done = subprocess.run(
        [*command, "--dbname", libpq_url(database_url)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()}")


def main(argv: list[str] | None = None) -> int:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m ops.backup", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    create = sub.add_parser("create", help="back up a log into a new directory")
    create.add_argument("--data-dir", type=Path, required=True)
    create.add_argument("--to", type=Path, required=True, help="the new backup directory")
    restore = sub.add_parser("restore", help="restore a backup into a new data directory")
    restore.add_argument("--from", dest="source", type=Path, required=True)
    restore.add_argument("--data-dir", type=Path, required=True)
    restore.add_argument("--database-url", help="PostgreSQL: an existing, empty database")
    args = parser.parse_args(argv)
    try:
        if args.command == "create":
            path = create_backup(args.data_dir, args.to)
            print(f"backed up {args.data_dir} into {path}")
        else:
            path = restore_backup(args.source, args.data_dir, args.database_url)
            print(f"restored into {path}; check it with:")
            print(f"  canbo verify --data-dir {path} --checkpoint {args.source / CHECKPOINT_FILE}")
    except (BackupError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
