"""Users of the Staple-compatible REST API and their signed tokens.

A Staple user owns one account of its own (created at registration with the free calls as
its credits), so ``/invoice`` is a parse charged like any other. Passwords are hashed as the
review app hashes them (``models.user``: scrypt, salted, checked in constant time).

Tokens are JWTs (PyJWT, HS256) signed with a secret generated on first use, at server start,
and kept in ``server_secrets`` so tokens survive restarts and every worker of a deployment
shares it. Each token says its kind (``type``: ``access`` or ``refresh``); the clock is
passed in so expiry can be tested without waiting.
"""
from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

import jwt
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from .account import create_account
from .base import Base, env_int, utcnow
from .db import Database
from .user import _dummy_hash, hash_password, verify_password

JWT_SECRET_NAME = "staple_jwt_secret"
ALGORITHM = "HS256"
ISSUER = "invoice_extract/staple"
ACCESS, REFRESH = "access", "refresh"
MIN_PASSWORD_LENGTH = 8
MAX_USERNAME_LENGTH = 128
MAX_PASSWORD_LENGTH = 1024  # scrypt of a megabyte password is a cheap way to burn CPU


class StapleUser(Base):
    __tablename__ = "staple_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    username: Mapped[str] = mapped_column(String(128), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ServerSecret(Base):
    __tablename__ = "server_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True)
class StapleSettings:
    """INVOICE_EXTRACT_STAPLE_* settings (README, Staple section)."""
    free_calls: int = 1000
    access_seconds: int = 7 * 24 * 3600
    refresh_seconds: int = 30 * 24 * 3600
    invoice_timeout: float = 60.0

    @classmethod
    def from_env(cls) -> "StapleSettings":
        try:
            timeout = float(os.environ.get("INVOICE_EXTRACT_STAPLE_TIMEOUT", cls.invoice_timeout))
        except ValueError:
            timeout = cls.invoice_timeout
        return cls(free_calls=max(0, env_int("INVOICE_EXTRACT_STAPLE_FREE_CALLS", cls.free_calls)),
                   access_seconds=max(1, env_int("INVOICE_EXTRACT_STAPLE_ACCESS_SECONDS", cls.access_seconds)),
                   refresh_seconds=max(1, env_int("INVOICE_EXTRACT_STAPLE_REFRESH_SECONDS", cls.refresh_seconds)),
                   invoice_timeout=max(0.1, timeout))


class StapleError(ValueError):
    """A registration or login that cannot be done as asked; the message is for the caller."""


class TokenError(ValueError):
    """A token that is missing, malformed, badly signed, expired or of the wrong kind."""


def server_secret(db: Database, name: str = JWT_SECRET_NAME) -> str:
    """The named secret, generated (256 bits) the first time it is asked for."""
    with db.session() as session:
        row = session.get(ServerSecret, name)
        if row is not None:
            return row.value
    try:
        with db.session() as session:
            session.add(ServerSecret(name=name, value=secrets.token_urlsafe(32)))
    except IntegrityError:
        pass  # another process made it first: theirs is the one
    with db.session() as session:
        return session.get(ServerSecret, name).value


def normalize_username(username) -> str:
    return username.strip().lower() if isinstance(username, str) else ""


class StapleUsers:
    """Registration, login and tokens of the Staple API over the shared database."""

    def __init__(self, db: Database, settings: StapleSettings | None = None,
                 clock: Callable[[], float] = time.time):
        self.db = db
        self.settings = settings or StapleSettings.from_env()
        self.clock = clock
        self.secret = server_secret(db)

    # -- users ---------------------------------------------------------------------------
    def register(self, username, password) -> StapleUser | None:
        """The new user (with its own account and the free calls), or None if the name is taken."""
        name = self._check(username, password)
        with self.db.session() as session:
            if session.scalar(select(StapleUser.id).where(StapleUser.username == name)) is not None:
                return None
        password_hash = hash_password(password)  # slow: outside the write transaction
        try:
            with self.db.session() as session:
                if session.scalar(select(StapleUser.id).where(StapleUser.username == name)) is not None:
                    return None
                account, _token = create_account(session, f"staple:{name}", self.settings.free_calls)
                user = StapleUser(account_id=account.id, username=name, password_hash=password_hash)
                session.add(user)
                session.flush()
                return user
        except IntegrityError:  # registered concurrently under the same name
            return None

    def authenticate(self, username, password) -> StapleUser | None:
        name = normalize_username(username)
        if not isinstance(password, str) or not name or len(password) > MAX_PASSWORD_LENGTH:
            return None
        with self.db.session() as session:
            user = session.scalar(select(StapleUser).where(StapleUser.username == name))
        if user is None:
            verify_password(password, _dummy_hash())  # unknown names cost the time of a wrong password
            return None
        return user if verify_password(password, user.password_hash) else None

    def user(self, user_id: int) -> StapleUser | None:
        with self.db.session() as session:
            return session.get(StapleUser, user_id)

    @staticmethod
    def _check(username, password) -> str:
        name = normalize_username(username)
        if not name or len(name) > MAX_USERNAME_LENGTH or not name.isprintable():
            raise StapleError(f"username must be 1 to {MAX_USERNAME_LENGTH} printable characters")
        if not isinstance(password, str) or not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
            raise StapleError(f"password must be a string of {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters")
        return name

    # -- tokens --------------------------------------------------------------------------
    def token(self, user: StapleUser, kind: str) -> str:
        now = int(self.clock())
        lifetime = self.settings.access_seconds if kind == ACCESS else self.settings.refresh_seconds
        claims = {"iss": ISSUER, "sub": user.username, "uid": user.id, "type": kind,
                  "iat": now, "nbf": now, "exp": now + lifetime, "jti": secrets.token_hex(8)}
        return jwt.encode(claims, self.secret, algorithm=ALGORITHM)

    def check(self, token: str | None, kind: str) -> StapleUser:
        """The user a valid token of ``kind`` names; TokenError otherwise."""
        if not token:
            raise TokenError("Missing Authorization header: send 'Authorization: Bearer <token>'")
        try:
            # the signature and the claims' presence are checked by PyJWT; time against our clock
            claims = jwt.decode(token, self.secret, algorithms=[ALGORITHM], issuer=ISSUER,
                                options={"require": ["exp", "iat", "sub", "type", "uid"],
                                         "verify_exp": False, "verify_nbf": False, "verify_iat": False})
        except jwt.PyJWTError:
            raise TokenError("Invalid token")
        if not isinstance(claims.get("exp"), int) or claims["exp"] <= self.clock():
            raise TokenError("Token has expired")
        if claims.get("type") != kind:
            raise TokenError(f"Only {kind} tokens are allowed here")
        user = self.user(claims["uid"]) if isinstance(claims.get("uid"), int) else None
        if user is None or user.username != claims.get("sub"):
            raise TokenError("Invalid token: no such user")
        return user
