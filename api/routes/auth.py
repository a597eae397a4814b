"""Logging in: a challenge, signed with the official's enrolled key, buys a session token."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.auth import Session, login_message
from api.deps import ServicesDep, SessionDep
from api.schemas import ErrorBody
from ledger.statement import format_time

router = APIRouter(prefix="/v1/auth", tags=["auth"])

KeyId = Field(pattern=r"^[0-9a-f]{32}$", description="the enrolled key's id (32 hex characters)")


class ChallengeRequest(BaseModel):
    """Whose login the challenge is for."""

    key_id: str = KeyId

    model_config = {"json_schema_extra": {"examples": [{"key_id": "3f2a" * 8}]}}


class ChallengeIssued(BaseModel):
    """A challenge to sign: the signed message is `sign_prefix` followed by the challenge."""

    challenge: str
    expires_at: str
    origin: str
    sign_prefix: str = Field(description="'canbo-ledger/login/v1\\n' + origin + '\\n'")


class LoginRequest(BaseModel):
    """The key, the challenge it was given, and its base64 Ed25519 signature of the message."""

    key_id: str = KeyId
    challenge: str = Field(min_length=1, max_length=2048)
    signature: str = Field(min_length=1, max_length=200, description="base64 Ed25519 signature")


class SessionPublic(BaseModel):
    """Who a session is: key, official, role, unit scope, and until when."""

    key_id: str
    official_id: str
    role: str
    unit_scope: str
    expires_at: str


class LoginResult(SessionPublic):
    """A session token to send as `Authorization: Bearer <token>`."""

    token: str
    token_type: str = "Bearer"


@router.post("/challenge", response_model=ChallengeIssued, summary="Ask for a login challenge")
def challenge(body: ChallengeRequest, services: ServicesDep) -> ChallengeIssued:
    """A one-minute challenge for a key; sign `sign_prefix + challenge` and log in with it."""
    sessions = services.sessions
    token, expires = sessions.challenge(body.key_id)
    prefix = login_message(sessions.minter.origin, "").decode("utf-8")
    origin = sessions.minter.origin
    return ChallengeIssued(
        challenge=token, expires_at=_time(expires), origin=origin, sign_prefix=prefix
    )


@router.post(
    "/login",
    response_model=LoginResult,
    summary="Log in with a signed challenge",
    responses={
        401: {"model": ErrorBody, "description": "bad challenge, unknown key or bad signature"},
        403: {"model": ErrorBody, "description": "the key is revoked or not yet valid"},
    },
)
def login(body: LoginRequest, services: ServicesDep) -> LoginResult:
    """A short-lived session token for an enrolled, unrevoked key that signed its challenge."""
    token, session = services.sessions.login(body.key_id, body.challenge, body.signature)
    return LoginResult(token=token, **_public(session).model_dump())


@router.get("/session", response_model=SessionPublic, summary="The caller's session")
def current(session: SessionDep) -> SessionPublic:
    """Who the presented token says you are, as the key registry stands now."""
    return _public(session)


def _public(session: Session) -> SessionPublic:
    return SessionPublic(
        key_id=session.key_id,
        official_id=session.official_id,
        role=session.role,
        unit_scope=session.unit_scope,
        expires_at=_time(session.expires_at),
    )


def _time(moment: datetime) -> str:
    return format_time(moment.replace(microsecond=0))
