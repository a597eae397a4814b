"""The `canbo` command: init, serve, demo, sequencer, verify, witness and keys."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from api import projections_cli, witness_cli
from api.config import ApiConfigError
from canbo import cli as officials_cli
from keys import cli as keys_cli
from keys.keyfile import KeyFileError, passphrase_from, read_private_key
from ledger.personnel import cli as records_cli
from ledger.reports import cli as report_cli
from ledger.rules import cli as rules_cli
from ledger.settings import Settings, SettingsError
from ledger.verify import cli as verify_cli

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def _passphrase(args: argparse.Namespace) -> bytes | None:
    return passphrase_from(file=getattr(args, "passphrase_file", None))


def cmd_init(args: argparse.Namespace) -> int:
    """Create a new log in a data directory."""
    from api.services import migrate_read_models
    from ledger.datadir import init_data_dir

    passphrase = _passphrase(args)
    if passphrase is None and not args.unencrypted_keys:
        raise KeyFileError(
            "no passphrase for the new keys: set CANBO_KEY_PASSPHRASE, use --passphrase-file, "
            "or pass --unencrypted-keys to store them unencrypted"
        )
    result = init_data_dir(
        args.data_dir,
        origin=args.origin,
        database_url=args.database_url,
        passphrase=passphrase,
        unencrypted_keys=args.unencrypted_keys,
    )
    migrate_read_models(result.settings)
    print(f"created log {result.settings.origin} in {args.data_dir}")
    print(f"log verifier key: {result.verifier_key}")
    print(f"first registrar key: {result.registrar_key_id} ({result.registrar_key_file})")
    return 0


def _serve(
    settings: Settings, host: str, port: int, passphrase: bytes | None, workers: int = 1
) -> None:
    import uvicorn

    from api.app import create_app
    from api.config import ApiConfig
    from api.jsonlog import configure_logging
    from ledger.bootstrap import load_log_signer, open_ledger

    if workers > 1:
        from api.workers import serve_workers

        configure_logging()
        _print_urls(host, port)
        serve_workers(settings, host, port, workers)
        return
    # Load the log key before starting, so a wrong passphrase is an error here, not at start-up.
    log_signer = None if settings.is_postgres else load_log_signer(settings, passphrase)
    config = ApiConfig.from_env()
    app = create_app(
        lambda: open_ledger(settings, log_signer=log_signer), config=config, freeze_heap=True
    )
    _print_urls(host, port)
    configure_logging()
    # Keep-alive and header limits against slow or idle clients; request time is bounded by
    # the API's own timeout (CANBO_API_REQUEST_TIMEOUT_SECONDS).
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False, timeout_keep_alive=5)


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the API of an existing log."""
    settings = Settings.load(args.data_dir)
    if args.workers < 1:
        raise SettingsError(f"--workers must be at least 1, not {args.workers}")
    _serve(settings, args.host, args.port, _passphrase(args), args.workers)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Create (if needed) a demo log with seeded data, then serve it."""
    from ledger.bootstrap import open_ledger
    from ledger.datadir import REGISTRAR_KEY_FILE, init_data_dir
    from ops.demo.province import PROVINCE, Shape, commune_ids, seed_province
    from ops.demo.reports import seed_reports
    from ops.demo.seed import seed_demo

    data_dir: Path = args.data_dir
    if not (data_dir / "ledger.json").exists():
        print(f"demo: creating a log in {data_dir} with UNENCRYPTED demo keys (--unencrypted-keys)")
        init_data_dir(data_dir, origin="canbo.demo/vn-hn", unencrypted_keys=True)
        settings = Settings.load(data_dir)
        registrar = read_private_key(data_dir / REGISTRAR_KEY_FILE, None, allow_unencrypted=True)
        ledger = open_ledger(settings)
        try:
            result = seed_demo(ledger, registrar, seed=args.seed)
            started = time.monotonic()
            try:
                shape = Shape(args.communes, args.officials_per_commune, args.years)
            except ValueError as exc:
                raise SettingsError(f"demo: {exc}") from None
            province = seed_province(ledger, registrar, seed=args.seed, shape=shape)
            reports = seed_reports(ledger, registrar, commune_ids(shape), PROVINCE, seed=args.seed)
            seconds = time.monotonic() - started
            size = ledger.log.require_head().size
        finally:
            ledger.close()
        print(
            f"demo: enrolled {result.officials} officials, published {result.notices} notices; "
            f"province: {province.units} units, {province.officials} officials, "
            f"{province.decisions} decisions in {province.statements} signed statements "
            f"({province.batches} batches) in {seconds:.1f} s; log size {size}"
        )
        print(
            f"demo: {reports.filed} reports filed ({reports.concluded} concluded); try the status "
            f"page at /report with receipt code {reports.receipts[0]}"
        )
    else:
        print(f"demo: reusing the log in {data_dir}")
    settings = _start_demo_witness(Settings.load(data_dir), args.host, args.witness_port)
    _serve(settings, args.host, args.port, None)
    return 0


def _start_demo_witness(settings: Settings, host: str, port: int) -> Settings:
    """Run the province witness beside the demo log; the log sends it every checkpoint."""
    from ledger.bootstrap import open_ledger
    from ops.demo.witness import ensure_demo_witness, serve_demo_witness

    url = f"http://{host}:{port}"
    ledger = open_ledger(settings)
    try:
        settings = ensure_demo_witness(settings, ledger, url)
    finally:
        ledger.close()
    serve_demo_witness(settings, host, port)
    vkey = settings.witnesses[0].vkey
    print(f"demo: province witness {vkey} at {url}")
    print(f"demo: verify with its cosignature: canbo verify --url URL --witness '{vkey}'")
    return settings


def _print_urls(host: str, port: int) -> None:
    base = f"http://{host}:{port}"
    print("open:")
    print(f"  {base}/site/index.html      the transparency site (Vietnamese; English inside)")
    print(f"  {base}/report                file a report, or check one by receipt code")
    print(f"  {base}/docs                  the API and its OpenAPI document")
    print(f"  {base}/log/checkpoint        the latest signed checkpoint")
    print(f"  {base}/v1/log/vkey           the log's verifier key")
    print(f"  {base}/v1/log/entries/0      the genesis entry")
    print(f"  {base}/v1/log/witnesses      the log's witnesses and their keys")
    print(f"verify it: canbo verify --url {base}")
    sys.stdout.flush()


def cmd_sequencer(args: argparse.Namespace) -> int:
    """Run the sequencer (PostgreSQL deployments: a separate process, one leader at a time)."""
    from keys.ed25519 import ED25519
    from ledger.bootstrap import make_engines, make_sequencer, open_ledger
    from ledger.sequencer_service import run_sequencer
    from ledger.witness.submitter import start_witnessing

    settings = Settings.load(args.data_dir)
    ledger = open_ledger(settings, sequence_in_process=False, create_tables=False)
    # A batch that fails on a dropped connection is rolled back and retried by run_sequencer.
    _, writer = make_engines(settings, pre_ping=False)
    sequencer = make_sequencer(settings, writer, ledger.app.recorder, None, _passphrase(args))
    if args.once:
        added = sequencer.catch_up()
        print(f"sequenced {added} leaves")
        ledger.close()
        return 0
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())

    # The leader, which signs the checkpoints, sends them to the witnesses while it leads (a
    # standby does not).
    def start_witnessing_as_leader() -> Callable[[], None] | None:
        submitter = start_witnessing(settings.witnesses, ledger.log, ED25519)
        return submitter.stop if submitter is not None else None

    try:
        run_sequencer(
            sequencer,
            writer,
            stop,
            poll_interval=args.poll_interval,
            on_lead=start_witnessing_as_leader,
        )
    finally:
        writer.dispose()
        ledger.close()
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    """Bring the event store and the log's tables to the latest schema."""
    from api.services import migrate_read_models
    from keys.ed25519 import ED25519
    from ledger import migrate
    from ledger.application import LedgerApplication
    from ledger.bootstrap import make_engines

    settings = Settings.load(args.data_dir)
    # Constructing the application with CREATE_TABLE=y creates the event store's tables.
    LedgerApplication(
        settings.eventsourcing_env(create_table=True),
        origin=settings.origin,
        log_public_key=bytes(32),
        verifier=ED25519,
    ).close()
    _, writer = make_engines(settings)
    migrate.upgrade(writer)
    writer.dispose()
    migrate_read_models(settings)
    print(f"{args.data_dir}: schema is current")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `canbo`."""
    parser = argparse.ArgumentParser(
        prog="canbo", description="canbo-ledger: a signed, verifiable ledger of personnel work"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def data_dir(p: argparse.ArgumentParser, default: str | None = None) -> None:
        p.add_argument(
            "--data-dir",
            type=Path,
            required=default is None,
            default=default,
            help="the log's data directory" + (f" (default {default})" if default else ""),
        )

    def passphrase_file(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--passphrase-file",
            type=Path,
            help="file holding the key passphrase (else $CANBO_KEY_PASSPHRASE)",
        )

    def server(p: argparse.ArgumentParser) -> None:
        p.add_argument("--host", default=DEFAULT_HOST, help=f"default {DEFAULT_HOST}")
        p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")

    init = sub.add_parser("init", help="create a new log (keys, origin, database)")
    data_dir(init)
    init.add_argument("--origin", help="the log's origin line (fixed forever)")
    init.add_argument("--database-url", help="postgresql://user@host:port/db (default: SQLite)")
    init.add_argument(
        "--unencrypted-keys",
        action="store_true",
        help="store the new private keys without a passphrase (demos and tests only)",
    )
    passphrase_file(init)
    init.set_defaults(func=cmd_init)

    serve = sub.add_parser("serve", help="serve the HTTP API of a log")
    data_dir(serve)
    server(serve)
    passphrase_file(serve)
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="API processes on the port (PostgreSQL only; about one per core; default 1)",
    )
    serve.set_defaults(func=cmd_serve)

    demo = sub.add_parser("demo", help="create a demo log with seeded data and serve it")
    data_dir(demo, "demo-data")
    server(demo)
    demo.add_argument("--seed", type=int, default=1, help="seed of the demo data (default 1)")
    demo.add_argument(
        "--witness-port",
        type=int,
        default=DEFAULT_PORT + 1,
        help=f"port of the demo's province witness (default {DEFAULT_PORT + 1})",
    )
    demo.add_argument("--communes", type=int, default=20, help="communes and wards (default 20)")
    demo.add_argument(
        "--officials-per-commune", type=int, default=40, help="officials in each (default 40)"
    )
    demo.add_argument("--years", type=int, default=5, help="years of history (default 5)")
    demo.set_defaults(func=cmd_demo)

    mig = sub.add_parser("migrate", help="bring the database schema up to date")
    data_dir(mig)
    mig.set_defaults(func=cmd_migrate)

    seq = sub.add_parser("sequencer", help="run the sequencer process")
    data_dir(seq)
    passphrase_file(seq)
    seq.add_argument("--once", action="store_true", help="catch up once and exit")
    seq.add_argument(
        "--poll-interval",
        type=float,
        default=0.1,
        help="seconds between looks for new events that no NOTIFY announced",
    )
    seq.set_defaults(func=cmd_sequencer)

    verify_cli.register(sub)
    projections_cli.register(sub)
    witness_cli.register(sub)
    rules_cli.register(sub)
    records_cli.register(sub)
    report_cli.register(sub)
    keys_cli.register(sub)
    officials_cli.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for chatty in ("alembic", "httpx"):  # their per-step INFO lines bury what matters
        logging.getLogger(chatty).setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except (SettingsError, KeyFileError, ApiConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`canbo rules | head`): not an error; silence the final flush.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
