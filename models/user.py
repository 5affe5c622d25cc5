"""Accountant users of the review app, and their sign-in sessions.

A user belongs to one account and sees only that account's documents (see
``models.access`` and ``security/``). Passwords are hashed with scrypt (random 16-byte
salt, parameters stored with the hash) and checked in constant time. Sessions are
DB-stored: the browser holds a random 256-bit token in an HttpOnly, SameSite=Lax cookie,
the database only its SHA-256; each session has its own CSRF token, required on every
state-changing request.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import Boolean, ForeignKey, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .account import Account, find_account, hash_token
from .base import Base, utcnow

# Group every accountant user is in (rows of security/ir.model.access.csv name it).
DEFAULT_GROUPS = "group_account_member"
SESSION_HOURS = 12
MIN_PASSWORD_LENGTH = 8
# scrypt cost: n=2**15, r=8, p=1 (≈32 MiB, tens of ms): OWASP's recommended minimum.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 15, 8, 1


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    login: Mapped[str] = mapped_column(String(128), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # Comma-separated group ids (Odoo-style), matched against security/ir.model.access.csv.
    groups: Mapped[str] = mapped_column(String(255), default=DEFAULT_GROUPS)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def group_ids(self) -> set[str]:
        return {g.strip() for g in (self.groups or "").split(",") if g.strip()}


class UserSession(Base):
    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class UserError(ValueError):
    """A user cannot be created as asked (unknown token, taken login, weak password)."""


# -- passwords --------------------------------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt$hash`` (url-safe base64)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                            maxmem=128 * 1024 * 1024, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = _unb64(digest)
        actual = hashlib.scrypt(password.encode("utf-8"), salt=_unb64(salt), n=int(n), r=int(r), p=int(p),
                                maxmem=128 * 1024 * 1024, dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


# A hash of nothing anyone knows: unknown logins cost the same time as wrong passwords.
_DUMMY_HASH = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_hex(16))
    return _DUMMY_HASH


# -- users ------------------------------------------------------------------------------
def normalize_login(login: str) -> str:
    return (login or "").strip().lower()


def create_user(session: Session, account_token: str, login: str, password: str) -> User:
    """A user of the account that owns ``account_token``."""
    account: Account | None = find_account(session, account_token)
    if account is None:
        raise UserError("no account has this token")
    login = normalize_login(login)
    if not login or len(login) > 128:
        raise UserError("the login must be 1 to 128 characters")
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if session.scalar(select(User.id).where(User.login == login)) is not None:
        raise UserError(f"the login {login!r} is taken")
    user = User(account_id=account.id, login=login, password_hash=hash_password(password),
                groups=DEFAULT_GROUPS)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, login: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.login == normalize_login(login)))
    if user is None or not user.active:
        verify_password(password or "", _dummy_hash())
        return None
    return user if verify_password(password or "", user.password_hash) else None


# -- sessions ---------------------------------------------------------------------------
def open_session(session: Session, user: User) -> tuple[str, UserSession]:
    """A new sign-in session; returns the cookie token (never stored) and the row."""
    now = utcnow()
    session.execute(delete(UserSession).where(UserSession.expires_at < now))  # housekeeping
    token = secrets.token_urlsafe(32)
    row = UserSession(token_hash=hash_token(token), user_id=user.id, csrf_token=secrets.token_urlsafe(32),
                      created_at=now, expires_at=now + timedelta(hours=SESSION_HOURS))
    session.add(row)
    session.flush()
    return token, row


def find_session(session: Session, token: str | None) -> tuple[UserSession, User] | None:
    """The live session of this cookie token and its (active) user, or None."""
    if not token or not isinstance(token, str) or len(token) > 128:
        return None
    digest = hash_token(token)
    row = session.scalar(select(UserSession).where(UserSession.token_hash == digest))
    if row is None or not hmac.compare_digest(row.token_hash, digest) or row.expires_at < utcnow():
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return row, user


def close_session(session: Session, token: str | None) -> None:
    if token and isinstance(token, str):
        session.execute(delete(UserSession).where(UserSession.token_hash == hash_token(token)))


def csrf_matches(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and isinstance(given, str) and hmac.compare_digest(
        expected.encode("utf-8"), given.encode("utf-8"))
