"""An HTTP client of one log: submissions signed here, sessions by challenge-response."""

from __future__ import annotations

import base64
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from canbo.errors import ApiError
from ledger.client import make_statement
from ledger.protocols import Signer
from ledger.registry import key_id_of
from ledger.statement import SignedStatement

LOGIN_CONTEXT = b"canbo-ledger/login/v1\n"  # api.auth.login_message; the SDK must not import api
# Log in again this long before the session's end, so a request never races its expiry.
RENEW_BEFORE = timedelta(seconds=30)
# A submission whose answer did not come is sent again, the same signed bytes, this many
# times in all, after these pauses (seconds).
SUBMIT_TRIES = 3
RESEND_PAUSES = (0.5, 2.0)
# Answers after which the statement may or may not be recorded: no answer, a timeout, or the
# database gone (whose commit's acknowledgement may have been lost on the way). The same
# envelope may always be sent again: the log refuses a nonce twice.
_RESEND_CODES = frozenset({"unreachable", "timeout", "database_unavailable"})


class LedgerClient:
    """Talks to one log's API; signs with `signer` (kept in memory, never sent)."""

    def __init__(
        self,
        url: str,
        *,
        signer: Signer | None = None,
        http: httpx.Client | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.url = url.rstrip("/")
        self.signer = signer
        self._owns_http = http is None  # a client handed in is its giver's to close
        self.http = http or httpx.Client(base_url=self.url, timeout=timeout)
        self._origin: str | None = None
        self._token: str | None = None
        self._token_expires = datetime.min.replace(tzinfo=UTC)

    def close(self) -> None:
        """Close the connection pool, if this client made it."""
        if self._owns_http:
            self.http.close()

    def __enter__(self) -> LedgerClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- the log ----------------------------------------------------------------------------

    def origin(self) -> str:
        """The log's origin (the first line of its checkpoint): statements are signed for it."""
        if self._origin is None:
            response = self._send("GET", "/log/checkpoint")
            self._origin = response.text.split("\n", 1)[0]
        return self._origin

    # --- writing ----------------------------------------------------------------------------

    def sign(self, type: str, payload: dict[str, Any]) -> SignedStatement:
        """A statement of `type` with `payload`, signed now for this log."""
        return make_statement(type, payload, self._signer(), origin=self.origin())

    def submit(self, type: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Sign and submit one statement; the receipt (or pending links, status 202)."""
        return self.submit_signed([self.sign(type, payload)])

    def submit_signed(
        self, statements: Sequence[SignedStatement], *, resending: bool = False
    ) -> dict[str, Any]:
        """Submit statements already signed: one alone, several as one all-or-nothing batch.

        When no answer comes (a timeout, a dropped connection) the statements may have been
        recorded or not. They are then sent again, the same signed bytes, never signed anew:
        the log refuses a nonce twice, so a statement is never recorded twice. A replayed_nonce
        answer to a resend means the lost attempt recorded them: ApiError recorded_earlier.
        If no attempt is answered: ApiError outcome_unknown, whose details hold the signed
        envelopes to send again later (submit_signed with resending=True, or `canbo resend`):
        resending says they were sent before without an answer, so that a replayed_nonce
        answer to the first attempt also means recorded_earlier.
        """
        if len(statements) == 1:
            body: Any = statements[0].envelope()
            path = "/v1/statements"
        else:
            body = {"statements": [s.envelope() for s in statements]}
            path = "/v1/statements/batch"
        sent_before = resending
        for attempt in range(SUBMIT_TRIES):
            if attempt:
                time.sleep(RESEND_PAUSES[min(attempt, len(RESEND_PAUSES)) - 1])
            try:
                answer: dict[str, Any] = self._send("POST", path, json=body).json()
                return answer
            except ApiError as exc:
                if exc.code == "replayed_nonce" and sent_before:
                    # These very bytes went before: whichever attempt it was recorded them.
                    raise _recorded_earlier(statements) from None
                if exc.code not in _RESEND_CODES:
                    raise
                sent_before = True
                last = exc
        raise _outcome_unknown(self.url, statements, last) from None

    # --- reading ----------------------------------------------------------------------------

    def get(self, path: str, params: dict[str, Any] | None = None, *, session: bool = False) -> Any:
        """GET a JSON read; with session=True, logged in as the signer (renewed as needed)."""
        headers = self._session_headers() if session else {}
        try:
            return self._send("GET", path, params=params, headers=headers).json()
        except ApiError as exc:
            if not (session and exc.code == "invalid_session"):
                raise
        # The session ended early (say, the server's secret was renewed): log in once more.
        self._token = None
        return self._send("GET", path, params=params, headers=self._session_headers()).json()

    def login(self) -> dict[str, Any]:
        """Log in with the signer's key: the session's identity (the token stays in here)."""
        signer = self._signer()
        key_id = key_id_of(signer.public_key)
        issued = self._send("POST", "/v1/auth/challenge", json={"key_id": key_id}).json()
        message = (
            LOGIN_CONTEXT + issued["origin"].encode("utf-8") + b"\n" + issued["challenge"].encode()
        )
        if issued["origin"] != self.origin():
            raise ApiError(
                0,
                "wrong_origin",
                f"the server's challenge names log {issued['origin']}, not {self.origin()}",
                "mã thử thách thuộc một sổ khác",
                {},
            )
        session: dict[str, Any] = self._send(
            "POST",
            "/v1/auth/login",
            json={
                "key_id": key_id,
                "challenge": issued["challenge"],
                "signature": base64.b64encode(signer.sign(message)).decode("ascii"),
            },
        ).json()
        self._token = session.pop("token")
        session.pop("token_type", None)
        self._token_expires = datetime.fromisoformat(session["expires_at"].replace("Z", "+00:00"))
        return session

    def _session_headers(self) -> dict[str, str]:
        if self._token is None or datetime.now(UTC) >= self._token_expires - RENEW_BEFORE:
            self.login()
        return {"Authorization": f"Bearer {self._token}"}

    def _signer(self) -> Signer:
        if self.signer is None:
            raise ValueError("this client has no key: give LedgerClient(signer=...)")
        return self.signer

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ApiError(
                0,
                "unreachable",
                f"cannot reach {self.url}: {type(exc).__name__}",
                f"không kết nối được tới {self.url}",
                {},
            ) from None
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = None
            raise ApiError.from_response(response.status_code, body)
        return response


def _recorded_earlier(statements: Sequence[SignedStatement]) -> ApiError:
    return ApiError(
        409,
        "recorded_earlier",
        "an earlier attempt whose answer was lost recorded these statements (once); their "
        "receipt was not received",
        "lần gửi trước (bị mất phản hồi) đã ghi các statement này (một lần); chưa nhận biên nhận",
        {"nonces": [s.statement.nonce for s in statements]},
    )


def _outcome_unknown(url: str, statements: Sequence[SignedStatement], last: ApiError) -> ApiError:
    return ApiError(
        0,
        "outcome_unknown",
        f"no answer from {url} after {SUBMIT_TRIES} tries ({last.message_en}): the statements "
        "may or may not be recorded; send the same signed envelopes again (details.envelopes), "
        "never newly signed ones, and a replayed_nonce answer confirms they were recorded",
        f"không nhận được phản hồi từ {url}: statement có thể đã hoặc chưa được ghi; hãy gửi "
        "lại đúng các phong bì đã ký (details.envelopes), không ký lại",
        {"envelopes": [s.envelope() for s in statements]},
    )
