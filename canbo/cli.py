"""Commands for officials, on top of the SDK: submit a statement, log in, read a record.

Domain commands (propose or approve a decision, ...) are thin wrappers that build a payload
and call `submit`; the key file stays on the official's machine and is read only to sign.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import httpx

from canbo.client import LedgerClient
from canbo.errors import ApiError
from keys.keyfile import passphrase_from, read_private_key


def http_client(url: str) -> httpx.Client | None:
    """An HTTP client for the commands to use; None: the SDK makes (and closes) its own.

    A seam for tests, which hand in a client of the app itself."""
    return None


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `submit`, `session`, `get` and `decision`."""

    def common(p: argparse.ArgumentParser, *, key_required: bool) -> None:
        p.add_argument("--url", required=True, help="the log's API, e.g. https://ledger.gov.vn")
        p.add_argument(
            "--key", type=Path, required=key_required, metavar="KEYFILE", help="your private key"
        )
        p.add_argument("--passphrase-file", type=Path, metavar="F", help="key passphrase file")

    submit = subparsers.add_parser("submit", help="sign a statement with your key and submit it")
    common(submit, key_required=True)
    submit.add_argument("--type", required=True, help="statement type, e.g. notice.publish")
    submit.add_argument(
        "--payload", required=True, metavar="FILE", help="JSON payload file ('-': stdin)"
    )
    submit.set_defaults(func=cmd_submit)

    resend = subparsers.add_parser(
        "resend", help="send signed statements again, as they are (after outcome_unknown)"
    )
    common(resend, key_required=False)
    resend.add_argument(
        "envelopes",
        metavar="FILE",
        help='JSON: {"envelopes": [...]} as an outcome_unknown error printed it, a list of '
        "envelopes, or one ('-': stdin)",
    )
    resend.set_defaults(func=cmd_resend)

    session = subparsers.add_parser("session", help="log in with your key and show who you are")
    common(session, key_required=True)
    session.set_defaults(func=cmd_session)

    # `canbo records KIND ID` reads personnel records; `get` is any JSON read, logged in or not.
    get = subparsers.add_parser("get", help="GET a JSON read, e.g. /v1/inspection/keys")
    common(get, key_required=False)
    get.add_argument("path", help="the read's path, e.g. /v1/inspection/keys")
    get.add_argument(
        "--param", action="append", default=[], metavar="NAME=VALUE", help="a query parameter"
    )
    get.set_defaults(func=cmd_records_get)

    decision = subparsers.add_parser(
        "decision", help="draft, propose, approve or withdraw a personnel decision"
    )
    acts = decision.add_subparsers(dest="decision_command", required=True)
    for act in ("draft", "propose"):
        p = acts.add_parser(act, help=f"{act} a decision from a JSON payload file")
        common(p, key_required=True)
        p.add_argument("--payload", required=True, metavar="FILE", help="JSON payload ('-': stdin)")
        p.set_defaults(func=cmd_submit, type=f"decision.{act}")
    approve = acts.add_parser("approve", help="approve the revision of a decision you read")
    common(approve, key_required=True)
    approve.add_argument("decision_id")
    approve.add_argument("--revision", type=int, default=1, help="the revision approved")
    approve.set_defaults(func=cmd_decision_approve)
    withdraw = acts.add_parser("withdraw", help="withdraw your decision before approval")
    common(withdraw, key_required=True)
    withdraw.add_argument("decision_id")
    withdraw.add_argument("--reason", required=True)
    withdraw.set_defaults(func=cmd_decision_withdraw)


def _client(args: argparse.Namespace) -> LedgerClient:
    signer = None
    if args.key is not None:
        passphrase = passphrase_from(file=args.passphrase_file)
        # Without a passphrase, only a key file its owner chose to keep unencrypted will open.
        signer = read_private_key(args.key, passphrase, allow_unencrypted=passphrase is None)
    return LedgerClient(args.url, signer=signer, http=http_client(args.url))


def _run(args: argparse.Namespace, action: Any) -> int:
    client = _client(args)
    try:
        result = action(client)
    except ApiError as exc:
        if exc.code == "recorded_earlier":  # recorded, once: the outcome wanted
            print(f"note: {exc.message_en}", file=sys.stderr)
            print(json.dumps({"status": "recorded_earlier", **exc.details}, ensure_ascii=False))
            return 0
        print(f"error {exc.status} {exc.code}: {exc.message_en}", file=sys.stderr)
        if exc.message_vi:
            print(f"lỗi: {exc.message_vi}", file=sys.stderr)
        if exc.details:
            print(json.dumps(exc.details, ensure_ascii=False), file=sys.stderr)
        if exc.code == "outcome_unknown":
            print(
                f"save the JSON line above to a file (it holds the statements' personal data, if "
                f"any: keep it private) and run: canbo resend --url {args.url} FILE",
                file=sys.stderr,
            )
        return 1
    finally:
        client.close()
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def cmd_submit(args: argparse.Namespace) -> int:
    """Sign the payload file as a statement of --type and submit it; print the receipt."""
    text = sys.stdin.read() if args.payload == "-" else Path(args.payload).read_text("utf-8")
    try:
        payload = json.loads(text)
    except ValueError as exc:
        print(f"error: the payload is not JSON: {exc}", file=sys.stderr)
        return 2
    if not isinstance(payload, dict):
        print("error: the payload must be a JSON object", file=sys.stderr)
        return 2
    return _run(args, lambda client: client.submit(args.type, payload))


def cmd_decision_approve(args: argparse.Namespace) -> int:
    """Sign and submit decision.approve for the given revision."""
    payload = {"decision_id": args.decision_id, "revision": args.revision}
    return _run(args, lambda client: client.submit("decision.approve", payload))


def cmd_decision_withdraw(args: argparse.Namespace) -> int:
    """Sign and submit decision.withdraw with its reason."""
    payload = {"decision_id": args.decision_id, "reason": args.reason}
    return _run(args, lambda client: client.submit("decision.withdraw", payload))


def cmd_session(args: argparse.Namespace) -> int:
    """Log in and print the session's identity (never the token)."""
    return _run(args, lambda client: client.login())


def cmd_records_get(args: argparse.Namespace) -> int:
    """GET a read, logged in when --key is given."""
    params: dict[str, str] = {}
    for item in args.param:
        name, sep, value = item.partition("=")
        if not sep or not name:
            print(f"error: --param must be NAME=VALUE, got {item!r}", file=sys.stderr)
            return 2
        params[name] = value
    session = args.key is not None
    return _run(args, lambda client: client.get(args.path, params, session=session))


def cmd_resend(args: argparse.Namespace) -> int:
    """Post signed envelopes again, unchanged: a statement already recorded is refused as a
    replay, never recorded twice."""
    from ledger.errors import LedgerError
    from ledger.statement import parse_envelope

    text = sys.stdin.read() if args.envelopes == "-" else Path(args.envelopes).read_text("utf-8")
    try:
        found = json.loads(text)
        if isinstance(found, dict) and "envelopes" in found:
            found = found["envelopes"]
        envelopes = found if isinstance(found, list) else [found]
        statements = [parse_envelope(e) for e in envelopes]
    except (ValueError, LedgerError) as exc:
        print(f"error: {args.envelopes} holds no signed envelopes: {exc}", file=sys.stderr)
        return 2
    if not statements:
        print(f"error: {args.envelopes} holds no signed envelopes", file=sys.stderr)
        return 2
    return _run(args, lambda client: client.submit_signed(statements, resending=True))
