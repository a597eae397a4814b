"""The reporting desk: intake without an account, and the reporter's anonymous status and replies.

Plain fields from the web form are sealed to the committee key at once, in memory; the CLI
sends content already sealed on the reporter's machine. Either way only the sealed text's hash,
the category, the unit and the times enter the log (`report.file`, signed by the server's
custodial intake key); the sealed text goes to the vault under the report's own key. An identity,
if given, is sealed to the separate protection key; if it names an official, that official is
protected through a blind index (`protection.grant`), so the retaliation guard (rule R15) holds
adverse decisions against them without anyone learning who reported what.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import secrets
from datetime import datetime
from typing import Any

from ledger.client import make_statement
from ledger.errors import InvalidPayload, LogUnavailable, NotFound
from ledger.personnel.private import commitment_of
from ledger.reports.checks import report_parameters
from ledger.reports.deadlines import deadlines
from ledger.reports.keys import (
    COMMITTEE_INFO,
    IDENTITY_INFO,
    content_subject,
    identity_subject,
    open_content,
)
from ledger.reports.statements import CATEGORIES
from ledger.rules.dates import local_date

MAX_TEXT = 20_000
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_SEALED_BYTES = MAX_ATTACHMENTS * MAX_ATTACHMENT_BYTES * 4 // 3 + 64 * 1024
NOT_FOUND_EN = "no report answers to this receipt code"
NOT_FOUND_VI = "không có báo cáo nào ứng với mã biên nhận này"


def _invalid(field: str, en: str, vi: str) -> InvalidPayload:
    return InvalidPayload(en, vi, field=field)


def _b64(value: Any, field: str, limit: int) -> bytes:
    if not isinstance(value, str) or len(value) > limit * 4 // 3 + 8:
        raise _invalid(field, f"{field} must be base64 of at most {limit} bytes", "quá lớn")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise _invalid(field, f"{field} is not base64", f"{field} không phải base64") from None


class ReportDesk:
    """Files reports and answers reporters; every write goes through the ledger."""

    def __init__(self, ledger: Any) -> None:
        self.ledger = ledger
        self.app = ledger.app

    @property
    def _keys(self) -> Any:
        if self.app.sealing is None or self.app.vault is None:
            raise LogUnavailable(
                "this ledger has no report keys", "sổ này chưa có khoá tiếp nhận báo cáo"
            )
        return self.app.sealing

    def public_keys(self) -> dict[str, str]:
        """The keys a reporter's machine seals to."""
        return {
            "committee": self._keys.committee_public(),
            "protection": self._keys.protection_public(),
            "content_info": COMMITTEE_INFO.decode(),
            "identity_info": IDENTITY_INFO.decode(),
        }

    # --- intake -------------------------------------------------------------------------------

    def file(self, form: dict[str, Any]) -> dict[str, Any]:
        """File a report from plain web-form fields or an envelope sealed by the CLI."""
        keys = self._keys
        if not isinstance(form, dict):
            raise _invalid("body", "the body must be a JSON object", "nội dung phải là JSON")
        category, unit = form.get("category"), form.get("unit")
        if category not in CATEGORIES:
            raise _invalid(
                "category", f"category must be one of {sorted(CATEGORIES)}", "loại không hợp lệ"
            )
        if not isinstance(unit, str) or not 0 < len(unit) <= 120:
            raise _invalid("unit", "unit must name the unit concerned", "thiếu đơn vị")
        if "sealed_content" in form:
            sealed, sealed_identity = self._sealed_form(form)
        else:
            sealed, sealed_identity = self._plain_form(form, keys)
        identity_official = None
        if sealed_identity is not None:
            identity_official = self._identity_official(sealed_identity, keys)
        report_id = f"TC-{secrets.token_hex(8)}"
        code = keys.new_receipt()
        digest = hashlib.sha256(sealed).hexdigest()
        vault = self.app.vault
        locator = keys.receipt_locator(code)
        try:
            # Stored before the statement is saved, so a recorded report always has its
            # content and a receipt that opens it; all dropped again if the save fails.
            vault.seal(content_subject(report_id), digest, sealed)
            if sealed_identity is not None:
                vault.seal(identity_subject(report_id), "identity", sealed_identity)
            vault.put_receipt(locator, report_id)
            now = self.app.clock()
            statements = [
                self._intake(
                    "report.file",
                    {
                        "report_id": report_id,
                        "category": category,
                        "unit": unit,
                        "sealed_sha256": digest,
                    },
                    now,
                )
            ]
            if identity_official is not None:
                statements.append(self._protect(report_id, unit, identity_official, now))
            self.ledger.save(statements)
        except BaseException:  # nothing recorded: drop the sealed text and the receipt too
            vault.erase(content_subject(report_id))
            vault.erase(identity_subject(report_id))
            vault.drop_receipt(locator)
            raise
        return {"receipt": code, **self._public_status(report_id)}

    def _plain_form(self, form: dict[str, Any], keys: Any) -> tuple[bytes, bytes | None]:
        allowed = {"category", "unit", "text", "attachments", "concerns", "identity"}
        extra = sorted(set(form) - allowed)
        if extra:
            raise InvalidPayload(
                f"unexpected fields {extra}; allowed {sorted(allowed)}",
                "có trường không hợp lệ",
                unexpected=extra,
            )
        content = _content_of(form)
        sealed = keys.seal_to(keys.committee_public(), json.dumps(content).encode(), COMMITTEE_INFO)
        identity = form.get("identity")
        if identity is None:
            return sealed, None
        if not isinstance(identity, dict) or set(identity) - {"name", "contact", "official_id"}:
            raise _invalid(
                "identity", "identity is {name, contact, official_id}, each optional", "sai"
            )
        sealed_identity = keys.seal_to(
            keys.protection_public(), json.dumps(identity).encode(), IDENTITY_INFO
        )
        return sealed, sealed_identity

    def _sealed_form(self, form: dict[str, Any]) -> tuple[bytes, bytes | None]:
        allowed = {"category", "unit", "sealed_content", "sealed_identity"}
        extra = sorted(set(form) - allowed)
        if extra:
            raise InvalidPayload(
                f"unexpected fields {extra}; a sealed report has {sorted(allowed)}",
                "có trường không hợp lệ",
                unexpected=extra,
            )
        sealed = _b64(form["sealed_content"], "sealed_content", MAX_SEALED_BYTES)
        # Opened here, in memory only, to hold it to the web form's rules: content that does
        # not open, or opens to something else, would make a report no one could handle.
        try:
            opened = json.loads(self._keys.open_committee(sealed, COMMITTEE_INFO))
        except Exception:  # any failure to open it is the reporter's error
            raise _invalid(
                "sealed_content",
                "sealed_content does not open with this log's committee key: seal the JSON "
                "{text, attachments, concerns} to the keys at GET /v1/reports/keys",
                "nội dung niêm phong không mở được bằng khoá của sổ này",
            ) from None
        _content_of(opened, "sealed_content.")
        identity = form.get("sealed_identity")
        return sealed, _b64(identity, "sealed_identity", 64 * 1024) if identity else None

    def _identity_official(self, sealed_identity: bytes, keys: Any) -> str | None:
        # Opened here only to compute the blind index; the identity is not kept in the clear.
        try:
            identity = json.loads(keys.open_protection(sealed_identity, IDENTITY_INFO))
        except Exception:  # any failure to open it is the reporter's error
            raise _invalid(
                "sealed_identity",
                "the identity is not sealed to this server's protection key",
                "danh tính không được niêm phong đúng khoá bảo vệ",
            ) from None
        official = identity.get("official_id") if isinstance(identity, dict) else None
        return official if isinstance(official, str) and official else None

    def _intake(self, type: str, payload: dict[str, Any], now: datetime) -> Any:
        return make_statement(
            type, payload, self._keys.intake_signer, origin=self.ledger.origin, time=now
        )

    def _protect(self, report_id: str, unit: str, official: str, now: datetime) -> Any:
        return self._intake(
            "protection.grant",
            {
                # Not derived from the report id: the grant must not point at the report.
                "protection_id": f"BV-{secrets.token_hex(8)}",
                "index": self.app.vault.blind_index(official),
                "unit": unit,
                "since": local_date(now).isoformat(),
            },
            now,
        )

    # --- the reporter, by receipt code --------------------------------------------------------

    def report_of(self, code: str) -> str:
        """The report a receipt code opens; NotFound (the same every time) otherwise."""
        if not isinstance(code, str) or len(code) > 64:
            code = ""
        report_id = self.app.vault.find_receipt(self._keys.receipt_locator(code))
        if report_id is None:
            raise NotFound(NOT_FOUND_EN, NOT_FOUND_VI)
        return str(report_id)

    def status(self, code: str) -> dict[str, Any]:
        """Status, deadlines and the handlers' messages, for the reporter."""
        report_id = self.report_of(code)
        shown = self._public_status(report_id)
        shown["messages"] = self._messages(report_id)
        return shown

    def reply(self, code: str, text: str) -> dict[str, Any]:
        """The reporter answers, still anonymous: sealed to the committee, hash in the log."""
        report_id = self.report_of(code)
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
            raise _invalid("text", f"text must be 1 to {MAX_TEXT} characters", "nội dung trống")
        keys = self._keys
        sealed = keys.seal_to(
            keys.committee_public(), json.dumps({"reply": text}).encode(), COMMITTEE_INFO
        )
        digest = hashlib.sha256(sealed).hexdigest()
        self.app.vault.seal(content_subject(report_id), digest, sealed)
        reply = self._intake(
            "report.reply", {"report_id": report_id, "sealed_sha256": digest}, self.app.clock()
        )
        try:
            self.ledger.save([reply])
        except BaseException:  # nothing recorded: drop the sealed reply too
            self.app.vault.discard(content_subject(report_id), digest)
            raise
        # Not status(code): that would pay for the receipt's Argon2id a second time.
        return {**self._public_status(report_id), "messages": self._messages(report_id)}

    def _public_status(self, report_id: str) -> dict[str, Any]:
        view = self.app.personnel_view
        with view.lock:
            view.catch_up()
            report = view.state.reports[report_id]
            work_state = view.state
            today = local_date(self.app.clock())
            params = report_parameters(work_state, report.unit, today)
            due = deadlines(report, params, today)
            return {
                "status": report.status,
                "category": report.category,
                "unit": report.unit,
                "received_on": report.received_on.isoformat(),
                "acknowledged": report.acknowledged_on is not None,
                "outcome": report.outcome,
                "deadlines": due.to_json(),
            }

    def _messages(self, report_id: str) -> list[dict[str, Any]]:
        view = self.app.personnel_view
        with view.lock:
            items = list(view.state.history.get(("report", report_id), []))
        messages = []
        for item in items:
            if item.type not in ("report.message", "report.conclude"):
                continue
            data = self.app.vault.open(content_subject(report_id), item.payload["private_sha256"])
            if data is None:
                continue
            messages.append(
                {"type": item.type, "at": item.time.isoformat(), "text": json.loads(data)["text"]}
            )
        return messages

    # --- handlers, after a recorded report.read or identity.open ------------------------------

    def content(self, report_id: str) -> dict[str, Any]:
        """What a recorded `report.read` opens: the content, replies and notes."""
        view = self.app.personnel_view
        with view.lock:
            report = view.state.reports[report_id]
            items = list(view.state.history.get(("report", report_id), []))
        keys, vault = self._keys, self.app.vault
        content = open_content(vault, keys, report_id, report.sealed_sha256) or {}
        replies, notes = [], []
        for item in items:
            if item.type == "report.reply":
                sealed = vault.open(content_subject(report_id), item.payload["sealed_sha256"])
                if sealed is not None:
                    replies.append(json.loads(keys.open_committee(sealed, COMMITTEE_INFO)))
            elif item.type in ("report.note", "report.message", "report.conclude"):
                data = vault.open(content_subject(report_id), item.payload["private_sha256"])
                if data is not None:
                    notes.append({"type": item.type, "text": json.loads(data)["text"]})
        return {"report_id": report_id, "content": content, "replies": replies, "notes": notes}

    def identity(self, report_id: str) -> dict[str, Any] | None:
        """What a recorded `identity.open` opens: the reporter's identity, if one was given."""
        sealed = self.app.vault.open(identity_subject(report_id), "identity")
        if sealed is None:
            return None
        identity: dict[str, Any] = json.loads(self._keys.open_protection(sealed, IDENTITY_INFO))
        return identity


def sealed_text(text: str) -> tuple[dict[str, Any], str]:
    """Private data {salt, text} and its commitment, for report.note/message/conclude."""
    data = {"salt": base64.b64encode(secrets.token_bytes(16)).decode(), "text": text}
    return data, commitment_of(data)


def _content_of(fields: Any, where: str = "") -> dict[str, Any]:
    """A report's content from the reporter's fields, held to the form's rules (`where`: the
    prefix naming them in errors, for content the reporter sealed)."""
    if not isinstance(fields, dict):
        raise _invalid(
            where.rstrip(".") or "body", "the content must be a JSON object", "nội dung sai"
        )
    text = fields.get("text")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
        raise _invalid(f"{where}text", f"text must be 1 to {MAX_TEXT} characters", "nội dung trống")
    attachments = fields.get("attachments", [])
    if not isinstance(attachments, list) or len(attachments) > MAX_ATTACHMENTS:
        raise _invalid(
            f"{where}attachments",
            f"at most {MAX_ATTACHMENTS} attachments",
            "quá nhiều tệp đính kèm",
        )
    files = []
    for n, item in enumerate(attachments):
        place = f"{where}attachments[{n}]"
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise _invalid(place, f"{place} must be {{name, data}}", "tệp đính kèm sai")
        data = _b64(item.get("data"), f"{place}.data", MAX_ATTACHMENT_BYTES)
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise _invalid(place, f"{place} is over 10 MiB", "tệp đính kèm quá 10 MiB")
        files.append({"name": item["name"][:200], "data": item["data"]})
    content: dict[str, Any] = {"text": text, "attachments": files}
    concerns = fields.get("concerns")
    if concerns is not None:
        if not isinstance(concerns, str) or len(concerns) > 120:
            raise _invalid(f"{where}concerns", "concerns is an official id", "mã cán bộ sai")
        content["concerns"] = concerns
    return content
