"""`canbo report`: file a report sealed on this machine, check it, or reply, by receipt code.

The content (and identity, if given) is sealed with HPKE to the keys the server publishes
(GET /v1/reports/keys) before it leaves this machine. The receipt code is read from standard
input, never from the command line, where other users of the machine could see it.
"""

from __future__ import annotations

import argparse
import base64
import getpass
import json
import sys
from pathlib import Path
from typing import Any

import httpx

from ledger.reports.desk import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS
from ledger.reports.keys import COMMITTEE_INFO, IDENTITY_INFO
from ledger.reports.statements import CATEGORIES


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `report` command."""
    cmd = subparsers.add_parser(
        "report",
        help="file a report (sealed on this machine), check it, or reply",
        description=__doc__,
    )
    sub = cmd.add_subparsers(dest="report_command", required=True)
    new = sub.add_parser("file", help="file a report; prints the receipt code")
    new.add_argument("--url", required=True, help="the canbo server")
    new.add_argument("--category", required=True, choices=sorted(CATEGORIES))
    new.add_argument("--unit", required=True, help="the unit concerned (id)")
    new.add_argument("--text-file", type=Path, required=True, help="the report's text ('-': stdin)")
    new.add_argument("--attach", type=Path, action="append", default=[], help="a file (≤ 10 MiB)")
    new.add_argument("--concerns", help="official id of the person reported, if known")
    new.add_argument("--identity-name", help="your name (sealed to the protection key)")
    new.add_argument("--identity-contact", help="how to reach you (sealed)")
    new.add_argument("--identity-official", help="your official id, if you are one (protects you)")
    new.set_defaults(func=cmd_file)
    for name, helptext in (("status", "status and messages"), ("reply", "reply to the handlers")):
        p = sub.add_parser(name, help=f"{helptext}; the receipt code is asked for on stdin")
        p.add_argument("--url", required=True, help="the canbo server")
        if name == "reply":
            p.add_argument("--text-file", type=Path, required=True, help="the reply ('-': stdin)")
        p.set_defaults(func=cmd_status if name == "status" else cmd_reply)


def _text(path: Path) -> str:
    return sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")


def _post(url: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    response = httpx.post(url.rstrip("/") + path, json=body, timeout=120)
    return response.status_code, response.json()


def _fail(answer: Any) -> int:
    message = answer.get("message_en", answer) if isinstance(answer, dict) else answer
    print(f"error: {message}", file=sys.stderr)
    return 1


def cmd_file(args: argparse.Namespace) -> int:
    """Seal and file a report; print the receipt code."""
    from keys.sealing import seal

    if len(args.attach) > MAX_ATTACHMENTS:
        return _fail(f"at most {MAX_ATTACHMENTS} attachments")
    attachments = []
    for path in args.attach:
        data = path.read_bytes()
        if len(data) > MAX_ATTACHMENT_BYTES:
            return _fail(f"{path} is over 10 MiB")
        attachments.append({"name": path.name, "data": base64.b64encode(data).decode()})
    content: dict[str, Any] = {"text": _text(args.text_file), "attachments": attachments}
    if args.concerns:
        content["concerns"] = args.concerns
    try:
        answered = httpx.get(args.url.rstrip("/") + "/v1/reports/keys", timeout=30)
        keys = answered.json()
        if answered.status_code != 200 or not isinstance(keys, dict) or "committee" not in keys:
            # Say why (a log without a reporting channel answers 503), not a KeyError.
            return _fail(keys if isinstance(keys, dict) else f"{answered.status_code} from server")
        body: dict[str, Any] = {
            "category": args.category,
            "unit": args.unit,
            "sealed_content": base64.b64encode(
                seal(keys["committee"], json.dumps(content).encode(), COMMITTEE_INFO)
            ).decode(),
        }
        identity = {
            k: v
            for k, v in (
                ("name", args.identity_name),
                ("contact", args.identity_contact),
                ("official_id", args.identity_official),
            )
            if v
        }
        if identity:
            sealed = seal(keys["protection"], json.dumps(identity).encode(), IDENTITY_INFO)
            body["sealed_identity"] = base64.b64encode(sealed).decode()
        status, answer = _post(args.url, "/v1/reports", body)
    except httpx.HTTPError as exc:
        return _fail(f"cannot reach {args.url}: {exc}")
    if status != 201:
        return _fail(answer)
    print(f"receipt code: {answer['receipt']}")
    print("Keep it: it is the only way back to your report. / Hãy giữ mã này.")
    return 0


def _receipt() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("receipt code / mã biên nhận: ")
    return sys.stdin.readline().strip()


def cmd_status(args: argparse.Namespace) -> int:
    """Print the report's status and messages."""
    try:
        status, answer = _post(args.url, "/v1/reports/status", {"receipt": _receipt()})
    except httpx.HTTPError as exc:
        return _fail(f"cannot reach {args.url}: {exc}")
    if status != 200:
        return _fail(answer)
    print(json.dumps(answer, ensure_ascii=False, indent=2))
    return 0


def cmd_reply(args: argparse.Namespace) -> int:
    """Send a reply (the receipt code first on stdin when the text file is not stdin)."""
    receipt = _receipt()
    try:
        status, answer = _post(
            args.url, "/v1/reports/reply", {"receipt": receipt, "text": _text(args.text_file)}
        )
    except httpx.HTTPError as exc:
        return _fail(f"cannot reach {args.url}: {exc}")
    if status != 200:
        return _fail(answer)
    print(json.dumps(answer, ensure_ascii=False, indent=2))
    return 0
