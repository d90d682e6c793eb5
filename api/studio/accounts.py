"""The studio's two accounts (the artist and a studio manager), configured in settings, and
their sessions: a random token in an HttpOnly cookie, only its SHA-256 in the database."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from api.deps import EdgeState
from models import StudioSession
from settings import Settings
from stores import studio as store

Role = Literal["artist", "manager"]


@dataclass(frozen=True)
class Account:
    role: Role
    login: str
    password_hash: str  # empty: no password sign-in for this account


@dataclass(frozen=True)
class Visitor:
    """Whoever is signed in on this request."""

    role: Role
    login: str
    csrf: str
    token_hash: str


def accounts(settings: Settings) -> list[Account]:
    return [
        Account("artist", settings.STUDIO_ARTIST_LOGIN, settings.STUDIO_ARTIST_PASSWORD_HASH),
        Account("manager", settings.STUDIO_MANAGER_LOGIN, settings.STUDIO_MANAGER_PASSWORD_HASH),
    ]


def login_of(settings: Settings, role: str) -> str:
    return next((a.login for a in accounts(settings) if a.role == role), role)


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@cache
def _decoy() -> str:
    return _hasher().hash(secrets.token_urlsafe(16))


def check_password(settings: Settings, login: str, password: str) -> Account | None:
    """The account whose login and password these are, else None. An unknown login or an
    account without a password costs the same hash as a wrong password, so timing does not
    tell which logins exist."""
    account = next(
        (a for a in accounts(settings) if a.password_hash and a.login.lower() == login.lower()),
        None,
    )
    try:
        _hasher().verify(account.password_hash if account else _decoy(), password)
    except (VerificationError, InvalidHashError):
        return None
    return account


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def open_session(state: EdgeState, role: Role) -> str:
    """A new session for `role`; returns the cookie's token. Always a fresh token, so a token
    planted before sign-in is never the signed-in one."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    row = StudioSession(
        token_hash=token_hash(token),
        account=role,
        csrf_token=secrets.token_urlsafe(32),
        last_seen_at=now,
        expires_at=now + timedelta(hours=state.settings.STUDIO_SESSION_MAX_HOURS),
    )
    async with state.sessions.begin() as session:
        await store.add_session(session, row)
    return token


# A session's idle clock is written at most this often, not on every page.
TOUCH_EVERY = timedelta(minutes=1)


async def visitor(state: EdgeState, token: str | None) -> Visitor | None:
    if not token:
        return None
    hashed = token_hash(token)
    idle = timedelta(hours=state.settings.STUDIO_SESSION_IDLE_HOURS)
    async with state.sessions.begin() as session:
        row = await store.live_session(session, hashed, idle)
        if row is None:
            return None
        if datetime.now(UTC) - row.last_seen_at > TOUCH_EVERY:
            await store.touch_session(session, hashed)
    role: Role = "manager" if row.account == "manager" else "artist"
    return Visitor(role, login_of(state.settings, role), row.csrf_token, hashed)


async def close_session(state: EdgeState, hashed: str) -> None:
    async with state.sessions.begin() as session:
        await store.end_session(session, hashed)
