"""Accounts: who may parse, and how many credits they have left.

Tokens are random (256 bits), shown once, stored only as their SHA-256 and compared in
constant time. Credits move only through single conditional UPDATEs so they never go
negative, whatever the number of concurrent parses.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from .base import Base, utcnow

# Odoo's documented test token: parse succeeds, nothing is parsed or charged.
INTEGRATION_TOKEN = "integration_token"


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    credits: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_account(session: Session, name: str = "", credits: int = 0) -> tuple[Account, str]:
    """Create an account; returns it with its clear token (never stored)."""
    token = secrets.token_hex(32)
    account = Account(name=name, token_hash=hash_token(token), credits=max(0, int(credits)))
    session.add(account)
    session.flush()
    return account, token


def find_account(session: Session, token: str | None) -> Account | None:
    if not token or not isinstance(token, str) or token == INTEGRATION_TOKEN:
        return None
    digest = hash_token(token)
    account = session.scalar(select(Account).where(Account.token_hash == digest))
    # The lookup is by hash; compare again in constant time so no timing tells how much matched.
    if account is not None and hmac.compare_digest(account.token_hash, digest):
        return account
    return None


def take_credit(session: Session, account_id: int) -> bool:
    """Atomically take one credit; False when the account has none left."""
    result = session.execute(
        update(Account).where(Account.id == account_id, Account.credits >= 1)
        .values(credits=Account.credits - 1)
    )
    return result.rowcount == 1


def give_credit(session: Session, account_id: int, amount: int = 1) -> None:
    session.execute(update(Account).where(Account.id == account_id)
                    .values(credits=Account.credits + amount))
