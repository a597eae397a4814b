"""An HTTP client of one log: submissions signed here, sessions by challenge-response."""

from __future__ import annotations

import base64
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

    def submit_signed(self, statements: Sequence[SignedStatement]) -> dict[str, Any]:
        """Submit statements already signed: one alone, several as one all-or-nothing batch."""
        if len(statements) == 1:
            body: Any = statements[0].envelope()
            path = "/v1/statements"
        else:
            body = {"statements": [s.envelope() for s in statements]}
            path = "/v1/statements/batch"
        answer: dict[str, Any] = self._send("POST", path, json=body).json()
        return answer

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
