"""Keys of the Klippa-compatible API (``controllers/klippa.py``): who is calling, and what a
scan costs.

- An **API key** (``X-Auth-Key``) is an account token of ours (``models.account``): its scans
  are charged to that account's credits by the one ``DocumentService``.
- A **sub key** is another ``X-Auth-Key`` whose scans count against its parent account.
- A **public key** (``X-Auth-Public-Key``) is made by an API key for a public application:
  valid for 60–3600 s, with an optional number of scans, and usable on ``parseDocument*`` and
  ``GET /publicKey`` only. Its scans are charged to the account that made it.

Keys are random (256 bits) and stored only as their SHA-256, as account tokens are. A public
key's scans move through one conditional UPDATE (never more scans than its limit, whatever the
concurrency), and a scan that fails gives its public-key scan back.

``klippa_scans`` records every successful scan (which key, the document's hash) for the
statistics routes and ``hash_duplicate``.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from .account import Account, find_account, hash_token
from .base import Base, utcnow
from .db import Database
from .document import Document

API, SUB, PUBLIC = "api", "sub", "public"


class KlippaSubKey(Base):
    __tablename__ = "klippa_sub_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class KlippaPublicKey(Base):
    __tablename__ = "klippa_public_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    scan_limit: Mapped[int | None] = mapped_column(default=None)
    scans_used: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class KlippaScan(Base):
    __tablename__ = "klippa_scans"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    document_id: Mapped[int] = mapped_column(index=True)
    key_kind: Mapped[str] = mapped_column(String(16))
    key_id: Mapped[int | None] = mapped_column(default=None, index=True)
    # SHA-256 of the document's bytes, and of the caller's hash_duplicate_group_id ("" if none)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    group_hash: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@dataclass
class Caller:
    account_id: int
    kind: str  # API, SUB or PUBLIC
    key_id: int | None = None  # the sub key's or public key's id


class KeyError_(Exception):
    """A key that cannot be used: ``code`` is Klippa's error code."""

    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


class KlippaKeys:
    def __init__(self, db: Database, clock=utcnow):
        self.db = db
        self.clock = clock

    # -- who is calling ------------------------------------------------------------
    def api_caller(self, key: str | None) -> Caller:
        """The caller of an ``X-Auth-Key``: an account token, or a sub key of one."""
        if not key:
            raise KeyError_(100001)
        with self.db.session() as session:
            account = find_account(session, key)
            if account is not None:
                return Caller(account.id, API)
            sub = session.scalar(select(KlippaSubKey).where(KlippaSubKey.token_hash == hash_token(key)))
            if sub is not None:
                return Caller(sub.account_id, SUB, sub.id)
        raise KeyError_(100002)

    def public_caller(self, key: str, *, spend_scan: bool) -> Caller:
        """The caller of an ``X-Auth-Public-Key``; ``spend_scan`` takes one of its scans (give
        it back with ``give_back_scan`` when the scan fails)."""
        with self.db.session() as session:
            row = session.scalar(select(KlippaPublicKey).where(KlippaPublicKey.token_hash == hash_token(key)))
            if row is None:
                raise KeyError_(100005)
            if row.expires_at <= self.clock():
                raise KeyError_(100007)
            if spend_scan:
                taken = session.execute(
                    update(KlippaPublicKey).where(KlippaPublicKey.id == row.id,
                                                  (KlippaPublicKey.scan_limit.is_(None))
                                                  | (KlippaPublicKey.scans_used < KlippaPublicKey.scan_limit))
                    .values(scans_used=KlippaPublicKey.scans_used + 1)).rowcount == 1
                if not taken:
                    raise KeyError_(100006)
            elif row.scan_limit is not None and row.scans_used >= row.scan_limit:
                raise KeyError_(100006)
            return Caller(row.account_id, PUBLIC, row.id)

    def give_back_scan(self, caller: Caller) -> None:
        if caller.kind != PUBLIC:
            return
        with self.db.session() as session:
            session.execute(update(KlippaPublicKey).where(KlippaPublicKey.id == caller.key_id,
                                                          KlippaPublicKey.scans_used > 0)
                            .values(scans_used=KlippaPublicKey.scans_used - 1))

    # -- credits -------------------------------------------------------------------
    def credits(self, account_id: int) -> dict:
        """Klippa's credit counts: spendable is the account's credits, used the scans charged."""
        with self.db.session() as session:
            account = session.get(Account, account_id)
            spendable = account.credits if account else 0
            used = session.scalar(select(func.count(Document.id)).where(
                Document.account_id == account_id, Document.credit_charged.is_(True))) or 0
        return {"AvailableCredits": spendable + used, "SpendableCredits": spendable, "UsedCredits": used,
                "UsesCreditSystem": True}

    # -- scans ---------------------------------------------------------------------
    def record_scan(self, caller: Caller, document_id: int, content: bytes, group_id: str | None) -> tuple[str, bool]:
        """Record a successful scan; returns (its hash, whether that hash was seen before for
        this account and duplicate group)."""
        content_hash = hashlib.sha256(content).hexdigest()
        group_hash = _digest(group_id) if group_id else ""
        with self.db.session() as session:
            seen = session.scalar(select(KlippaScan.id).where(
                KlippaScan.account_id == caller.account_id, KlippaScan.content_hash == content_hash,
                KlippaScan.group_hash == group_hash).limit(1)) is not None
            session.add(KlippaScan(account_id=caller.account_id, document_id=document_id, key_kind=caller.kind,
                                   key_id=caller.key_id, content_hash=content_hash, group_hash=group_hash))
        return content_hash, seen

    def statistics(self, account_id: int, kind: str | None = None, key_id: int | None = None) -> list[dict]:
        """Scans per day (Klippa's StatRow: ``Date``, ``Count``... see the controller)."""
        with self.db.session() as session:
            query = select(KlippaScan.created_at).where(KlippaScan.account_id == account_id)
            if kind is not None:
                query = query.where(KlippaScan.key_kind == kind, KlippaScan.key_id == key_id)
            days: dict[str, int] = {}
            for (created,) in session.execute(query):
                day = created.strftime("%Y-%m-%d")
                days[day] = days.get(day, 0) + 1
        return [{"day": day, "count": count} for day, count in sorted(days.items())]

    # -- public keys ---------------------------------------------------------------
    def create_public_key(self, account_id: int, valid_time: int, scan_limit: int | None) -> tuple[KlippaPublicKey, str]:
        key = secrets.token_hex(32)
        with self.db.session() as session:
            row = KlippaPublicKey(account_id=account_id, token_hash=hash_token(key), scan_limit=scan_limit,
                                  expires_at=self.clock() + timedelta(seconds=valid_time))
            session.add(row)
            session.flush()
            session.expunge(row)
        return row, key

    def public_key(self, account_id: int, key_id: int) -> KlippaPublicKey | None:
        with self.db.session() as session:
            row = session.get(KlippaPublicKey, key_id)
            if row is None or row.account_id != account_id:
                return None
            session.expunge(row)
            return row

    def public_key_by_token(self, key: str) -> KlippaPublicKey | None:
        with self.db.session() as session:
            row = session.scalar(select(KlippaPublicKey).where(KlippaPublicKey.token_hash == hash_token(key)))
            if row is not None:
                session.expunge(row)
            return row

    def public_key_by_id(self, key_id: int) -> KlippaPublicKey | None:
        with self.db.session() as session:
            row = session.get(KlippaPublicKey, key_id)
            if row is not None:
                session.expunge(row)
            return row

    # -- sub keys ------------------------------------------------------------------
    def create_sub_key(self, account_id: int, name: str) -> tuple[KlippaSubKey, str]:
        key = secrets.token_hex(32)
        with self.db.session() as session:
            row = KlippaSubKey(account_id=account_id, name=name[:255], token_hash=hash_token(key))
            session.add(row)
            session.flush()
            session.expunge(row)
        return row, key

    def sub_keys(self, account_id: int) -> list[KlippaSubKey]:
        with self.db.session() as session:
            rows = session.scalars(select(KlippaSubKey).where(KlippaSubKey.account_id == account_id)
                                   .order_by(KlippaSubKey.id)).all()
            for row in rows:
                session.expunge(row)
            return list(rows)

    def sub_key(self, account_id: int, key_id: int) -> KlippaSubKey | None:
        with self.db.session() as session:
            row = session.get(KlippaSubKey, key_id)
            if row is None or row.account_id != account_id:
                return None
            session.expunge(row)
            return row

    def rename_sub_key(self, account_id: int, key_id: int, name: str) -> KlippaSubKey | None:
        with self.db.session() as session:
            row = session.get(KlippaSubKey, key_id)
            if row is None or row.account_id != account_id:
                return None
            row.name, row.updated_at = name[:255], utcnow()
            session.flush()
            session.expunge(row)
            return row

    def delete_sub_key(self, account_id: int, key_id: int) -> bool:
        with self.db.session() as session:
            row = session.get(KlippaSubKey, key_id)
            if row is None or row.account_id != account_id:
                return False
            session.delete(row)
            return True
