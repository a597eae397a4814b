"""The SDK's one error: the server's refusal, with its code and bilingual message."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """The server refused a request (or could not be reached: status 0, code 'unreachable')."""

    def __init__(
        self, status: int, code: str, message_en: str, message_vi: str, details: dict[str, Any]
    ) -> None:
        super().__init__(f"{status} {code}: {message_en}")
        self.status = status
        self.code = code
        self.message_en = message_en
        self.message_vi = message_vi
        self.details = details

    @classmethod
    def from_response(cls, status: int, body: Any) -> ApiError:
        """From an error body; a body off the error shape (a proxy's page) is said so."""
        if isinstance(body, dict) and isinstance(body.get("code"), str):
            details = body.get("details")
            return cls(
                status,
                body["code"],
                str(body.get("message_en", "")),
                str(body.get("message_vi", "")),
                details if isinstance(details, dict) else {},
            )
        return cls(
            status,
            "unexpected_response",
            f"the server answered {status} without an error body",
            f"máy chủ trả lời {status} không kèm nội dung lỗi",
            {},
        )
