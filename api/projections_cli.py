"""`canbo projector` and `canbo projections`: follow the log into the read models, rebuild them."""

from __future__ import annotations

import argparse
import logging
import signal
import threading
from typing import Any

from ledger.settings import Settings

log = logging.getLogger("canbo.projector")


def _open(args: argparse.Namespace) -> Any:
    from ledger.bootstrap import open_ledger
    from projections.service import open_read_models

    settings = Settings.load(args.data_dir)
    # Read-only use of the log: no sequencing here, and on PostgreSQL no table creation.
    ledger = open_ledger(
        settings, sequence_in_process=False, create_tables=not settings.is_postgres
    )
    try:
        return ledger, open_read_models(ledger)
    except BaseException:
        ledger.close()
        raise


def cmd_projector(args: argparse.Namespace) -> int:
    """Follow the log into the read models until stopped (PostgreSQL deployments)."""
    ledger, models = _open(args)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        succeeded = models.follow(stop, args.poll_interval, once=args.once)
    finally:
        models.close()
        ledger.close()
    return 0 if succeeded else 1


def cmd_rebuild(args: argparse.Namespace) -> int:
    """Drop and rebuild read models from the log."""
    ledger, models = _open(args)
    try:
        for name, applied in models.rebuild(args.names).items():
            print(f"{name}: rebuilt from {applied} statements")
    finally:
        models.close()
        ledger.close()
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """Where each read model stands against the log."""
    ledger, models = _open(args)
    try:
        head = ledger.log.head()
        print(
            f"log: {head.size if head else 0} leaves, notification {head.position if head else 0}"
        )
        for name, follower in models.followers.items():
            print(f"{name}: notification {follower.stored_position()}")
    finally:
        models.close()
        ledger.close()
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    """Render the transparency site and its data files into a directory."""
    from ledger.rules.dates import local_date
    from projections.site.publish import head_of, publish
    from projections.site.render import Site

    ledger, models = _open(args)
    try:
        models.catch_up()  # then the checkpoint: it covers every leaf the pages cite
        site = Site(models.reader, head_of(ledger, args.log_url), live=False)
        done = publish(site, args.out, local_date(ledger.app.clock()))
    finally:
        models.close()
        ledger.close()
    print(
        f"published {done.pages} pages ({done.total_bytes} bytes) to {args.out}; largest "
        f"{done.largest_page} ({done.largest_bytes} bytes); data in {args.out / 'data'}"
    )
    return 0


def register(sub: Any) -> None:
    """Add the commands to `canbo`."""
    projector = sub.add_parser("projector", help="follow the log into the read models")
    projector.add_argument("--data-dir", type=_path, required=True, help="the log's data directory")
    projector.add_argument("--once", action="store_true", help="catch up once and exit")
    projector.add_argument("--poll-interval", type=float, default=0.5, help="idle poll seconds")
    projector.set_defaults(func=cmd_projector)

    projections = sub.add_parser("projections", help="read models: rebuild, status")
    commands = projections.add_subparsers(dest="projections_command", required=True)
    rebuild = commands.add_parser("rebuild", help="drop and rebuild read models from the log")
    rebuild.add_argument("names", nargs="*", help="projections to rebuild (default: all)")
    rebuild.add_argument("--data-dir", type=_path, required=True, help="the log's data directory")
    rebuild.set_defaults(func=cmd_rebuild)
    status = commands.add_parser("status", help="where each read model stands")
    status.add_argument("--data-dir", type=_path, required=True, help="the log's data directory")
    status.set_defaults(func=cmd_status)

    publish = sub.add_parser("publish", help="render the transparency site to a directory")
    publish.add_argument("--data-dir", type=_path, required=True, help="the log's data directory")
    publish.add_argument("--out", type=_path, required=True, help="directory to write (replaced)")
    publish.add_argument(
        "--log-url",
        default="",
        help="where the log's API is served, for proof links (default: same host as the site)",
    )
    publish.set_defaults(func=cmd_publish)


def _path(value: str) -> Any:
    from pathlib import Path

    return Path(value)
