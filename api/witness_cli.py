"""`canbo witness`: create, configure and run a witness (wired in by api/cli.py)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from keys.keyfile import KeyFileError, passphrase_from
from ledger.witness.config import OverseenLog, WitnessConfig, WitnessConfigError

DEFAULT_PORT = 8001
EXIT_OK, EXIT_ERROR = 0, 2


def register(subparsers: Any) -> None:
    """Add `canbo witness` and its subcommands."""
    parser = subparsers.add_parser(
        "witness",
        help="run a witness that cosigns other logs' checkpoints (C2SP tlog-witness)",
        description=(
            "A witness keeps the latest checkpoint of each log it oversees, cosigns a new one "
            "only if it is consistent with it, and keeps the evidence when it is not."
        ),
    )
    commands = parser.add_subparsers(dest="witness_command", metavar="COMMAND", required=True)

    def data_dir(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data-dir", type=Path, required=True, help="the witness's directory")

    def passphrase_file(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--passphrase-file",
            type=Path,
            help="file holding the witness key's passphrase (else $CANBO_KEY_PASSPHRASE)",
        )

    init = commands.add_parser("init", help="create a witness: its key and witness.json")
    data_dir(init)
    init.add_argument(
        "--name", required=True, help="the cosigner name, a schema-less URL (fixed with its key)"
    )
    init.add_argument(
        "--unencrypted-keys",
        action="store_true",
        help="store the witness key without a passphrase (demos and tests only)",
    )
    passphrase_file(init)
    init.set_defaults(func=cmd_init)

    add = commands.add_parser("add-log", help="oversee one more log")
    data_dir(add)
    add.add_argument("--origin", required=True, help="the log's origin (checkpoint line 1)")
    add.add_argument("--vkey", required=True, help="the log's checkpoint verifier key")
    add.set_defaults(func=cmd_add_log)

    serve = commands.add_parser("serve", help="serve add-checkpoint and the evidence over HTTP")
    data_dir(serve)
    serve.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    passphrase_file(serve)
    serve.set_defaults(func=cmd_serve)

    status = commands.add_parser("status", help="the witness key and each log's cosigned size")
    data_dir(status)
    status.set_defaults(func=cmd_status)

    evidence = commands.add_parser("evidence", help="print kept evidence of inconsistent logs")
    data_dir(evidence)
    evidence.add_argument("--origin", help="only this log's evidence")
    evidence.set_defaults(func=cmd_evidence)


def _fail(exc: Exception) -> int:
    print(f"canbo witness: {exc}", file=sys.stderr)
    return EXIT_ERROR


def cmd_init(args: argparse.Namespace) -> int:
    """Create a witness directory."""
    from ledger.witness.bootstrap import init_witness_dir

    try:
        passphrase = passphrase_from(file=args.passphrase_file)
        if passphrase is None and not args.unencrypted_keys:
            raise KeyFileError(
                "no passphrase for the witness key: set CANBO_KEY_PASSPHRASE, use "
                "--passphrase-file, or pass --unencrypted-keys to store it unencrypted"
            )
        result = init_witness_dir(
            args.data_dir, args.name, passphrase, unencrypted_keys=args.unencrypted_keys
        )
    except (WitnessConfigError, KeyFileError) as exc:
        return _fail(exc)
    print(f"created witness {args.name} in {args.data_dir}")
    print(f"witness verifier key: {result.verifier_key}")
    print(f"next: canbo witness add-log --data-dir {args.data_dir} --origin ORIGIN --vkey VKEY")
    return EXIT_OK


def cmd_add_log(args: argparse.Namespace) -> int:
    """Add a log to witness.json."""
    try:
        config = WitnessConfig.load(args.data_dir)
        config = config.with_log(OverseenLog(args.origin, args.vkey))
        config.save()
    except WitnessConfigError as exc:
        return _fail(exc)
    print(f"{args.data_dir}: now oversees {len(config.logs)} log(s); restart the witness")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the witness over HTTP."""
    import uvicorn

    from api.witness_app import create_witness_app
    from ledger.witness.bootstrap import load_witness_signer, open_witness, witness_verifier_key

    try:
        config = WitnessConfig.load(args.data_dir)
        # The key opens before the server starts, so a wrong passphrase is an error here.
        signer = load_witness_signer(config, passphrase_from(file=args.passphrase_file))
        vkey = witness_verifier_key(config).format()
    except (WitnessConfigError, KeyFileError) as exc:
        return _fail(exc)
    if not config.logs:
        print("canbo witness: warning: no logs configured; every request will be refused (404)")
    app = create_witness_app(lambda: open_witness(config, signer=signer))
    print(f"witness {vkey}")
    print(f"  add-checkpoint at http://{args.host}:{args.port}/add-checkpoint")
    print(f"  evidence at       http://{args.host}:{args.port}/evidence")
    sys.stdout.flush()
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    """Print the witness key and the size cosigned per log."""
    from ledger.witness.bootstrap import witness_verifier_key
    from ledger.witness.store import WitnessStore, make_engine

    try:
        config = WitnessConfig.load(args.data_dir)
        vkey = witness_verifier_key(config).format()
    except (WitnessConfigError, KeyFileError) as exc:
        return _fail(exc)
    store = WitnessStore(make_engine(config.sqlalchemy_url()))
    try:
        latest = {cp.origin: cp for cp in store.all_latest()}
        kept = store.evidence()
    finally:
        store.close()
    print(f"witness verifier key: {vkey}")
    for log in config.logs:
        size = latest[log.origin].size if log.origin in latest else None
        print(f"log {log.origin}: " + (f"cosigned size {size}" if size is not None else "none"))
    print(f"evidence kept: {len(kept)}" + (" (see canbo witness evidence)" if kept else ""))
    return EXIT_OK


def cmd_evidence(args: argparse.Namespace) -> int:
    """Print kept evidence as JSON lines."""
    from ledger.witness.store import WitnessStore, make_engine

    try:
        config = WitnessConfig.load(args.data_dir)
    except WitnessConfigError as exc:
        return _fail(exc)
    store = WitnessStore(make_engine(config.sqlalchemy_url()))
    try:
        for item in store.evidence(args.origin):
            print(json.dumps(item.to_dict(), ensure_ascii=False))
    finally:
        store.close()
    return EXIT_OK
