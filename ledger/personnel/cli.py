"""`canbo records`: read a personnel record as of a date or log index, or its history.

Reads a running server (--url) or a data directory directly (--data-dir); prints JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from ledger.errors import LedgerError
from ledger.personnel.queries import PUBLIC_KINDS


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `records` command."""
    cmd = subparsers.add_parser(
        "records",
        help="read a personnel record (as of a date or log index) or its history",
        description=(
            "Print a unit, post, framework, official, decision or register entry as JSON: its "
            "state on a date (--as-of, default today) as the log stood at a leaf index "
            "(--at-index, default now), or with --history every signed change with its log "
            "index."
        ),
    )
    cmd.add_argument("kind", choices=PUBLIC_KINDS)
    cmd.add_argument("record_id", help="the record's id, e.g. QN/an-binh or QD-2026-01")
    where = cmd.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="a canbo server, e.g. http://127.0.0.1:8000")
    where.add_argument("--data-dir", type=Path, help="a log's data directory")
    cmd.add_argument("--as-of", type=date.fromisoformat, help="effective date, YYYY-MM-DD")
    cmd.add_argument("--at-index", type=int, help="log leaf index of the recorded view")
    cmd.add_argument("--history", action="store_true", help="every change, with log indexes")
    cmd.set_defaults(func=cmd_records)


def cmd_records(args: argparse.Namespace) -> int:
    """Print the record or its history; exit 1 if it cannot be read."""
    try:
        found = _from_url(args) if args.url else _from_data_dir(args)
    except LedgerError as exc:
        print(f"error: {exc.message_en}", file=sys.stderr)
        return 1
    except httpx.HTTPError as exc:
        print(f"error: cannot reach {args.url}: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(found, ensure_ascii=False, indent=2))
    return 0


def _from_url(args: argparse.Namespace) -> Any:
    path = f"/v1/records/{args.kind}/{args.record_id}" + ("/history" if args.history else "")
    params: dict[str, str] = {}
    if args.as_of and not args.history:
        params["as_of"] = args.as_of.isoformat()
    if args.at_index is not None:
        params["at_index"] = str(args.at_index)
    response = httpx.get(args.url.rstrip("/") + path, params=params, timeout=30)
    body = response.json()
    if response.status_code != 200:
        raise LedgerError(body.get("message_en", response.text), body.get("message_vi", ""))
    return body


def _from_data_dir(args: argparse.Namespace) -> Any:
    from ledger.bootstrap import open_ledger
    from ledger.settings import Settings

    ledger = open_ledger(Settings.load(args.data_dir), sequence_in_process=False)
    try:
        reader = ledger.personnel
        if args.history:
            items = reader.history(args.kind, args.record_id, at_index=args.at_index)
            return {"kind": args.kind, "id": args.record_id, "history": items}
        return reader.record(args.kind, args.record_id, on=args.as_of, at_index=args.at_index)
    finally:
        ledger.close()
