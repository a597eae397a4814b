"""`canbo verify`: the command line of the outsider's check (wired in by api/cli.py)."""

from __future__ import annotations

import argparse
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from ledger.verify.report import ProgressPrinter
from ledger.verify.runner import DEFAULT_NONCE_WINDOW, DEFAULT_WORKERS, verify_log
from ledger.verify.sources import SourceError
from ledger.witness.policy import PolicyError, WitnessPolicy

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def register(subparsers: Any) -> None:
    """Add the `verify` subcommand to an argparse subparsers object."""
    parser = subparsers.add_parser(
        "verify",
        help="check a whole log: tree, checkpoint, signatures, key registry, nonces",
        description=(
            "Recompute the log's Merkle tree from its entries and check every tile, the signed "
            "checkpoint, every statement's signature and signer key, and nonce reuse. "
            "Exit 0 if everything holds, 1 at the first failure, 2 if the log cannot be read."
        ),
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--data-dir", type=Path, help="a log's data directory")
    source.add_argument("--url", help="a log server's base URL (C2SP tlog-tiles read API)")
    key = parser.add_mutually_exclusive_group()
    key.add_argument("--vkey", help="the trusted log verifier key (name+keyid+base64)")
    key.add_argument("--vkey-file", type=Path, help="a file holding the trusted verifier key")
    parser.add_argument(
        "--checkpoint",
        type=Path,
        metavar="FILE",
        help="an earlier signed checkpoint the log must extend",
    )
    parser.add_argument(
        "--workers",
        type=_count,
        default=DEFAULT_WORKERS,
        help=f"signature-checking processes (default {DEFAULT_WORKERS}; 0 checks in-process)",
    )
    parser.add_argument(
        "--nonce-window-seconds",
        type=_positive,
        default=int(DEFAULT_NONCE_WINDOW.total_seconds()),
        help="allowed gap between a statement's time and its recording (default 3600)",
    )
    parser.add_argument(
        "--witness",
        action="append",
        default=[],
        metavar="VKEY",
        help="a trusted witness's cosignature key (type 0x04); repeat for each witness",
    )
    parser.add_argument(
        "--witness-threshold",
        type=_positive,
        metavar="K",
        help="how many of the --witness keys must have cosigned the checkpoint (default: all)",
    )
    parser.add_argument("--progress", action="store_true", help="report progress on stderr")
    parser.add_argument("--quiet", action="store_true", help="print only failures and warnings")
    parser.set_defaults(func=run)


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {value}")
    return value


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {value}")
    return value


def run(args: argparse.Namespace) -> int:
    """Run `canbo verify` with parsed arguments; return the exit code."""
    try:
        vkey = args.vkey
        if args.vkey_file is not None:
            vkey = _read_text(args.vkey_file, "verifier key file")
        earlier = _read_text(args.checkpoint, "checkpoint file") if args.checkpoint else None
        policy = _witness_policy(args.witness, args.witness_threshold)
        show_progress = not args.quiet and (args.progress or sys.stderr.isatty())
        result = verify_log(
            data_dir=args.data_dir,
            url=args.url,
            vkey=vkey,
            earlier_checkpoint=earlier,
            workers=args.workers,
            nonce_window=timedelta(seconds=args.nonce_window_seconds),
            progress=ProgressPrinter() if show_progress else None,
            witness_policy=policy,
        )
    except SourceError as exc:
        print(f"canbo verify: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    if result.failure is not None:
        print(result.failure.line())
        return EXIT_FAIL
    if not args.quiet:
        for note in result.notes:
            print(f"note: {note}")
        print(result.summary())
    return EXIT_OK


def _witness_policy(vkeys: list[str], threshold: int | None) -> WitnessPolicy | None:
    if not vkeys:
        if threshold is not None:
            raise SourceError("--witness-threshold needs the witnesses: give --witness VKEY")
        return None
    try:
        return WitnessPolicy.parse(vkeys, threshold)
    except PolicyError as exc:
        raise SourceError(f"witness policy: {exc}") from None


def _read_text(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot read the {what} {path}: {exc}") from None
