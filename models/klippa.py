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

from sqlalchemy import JSON, ForeignKey, String, func, select, update
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


# -- user data sets ------------------------------------------------------------------------------
class KlippaUserDataSet(Base):
    """A caller's own list of relations, transactions, purchase orders … that a parse naming its
    ``ExternalID`` (``user_data_set_external_id``) matches the document against."""
    __tablename__ = "klippa_user_data_sets"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(255), index=True)
    type: Mapped[str] = mapped_column(String(32))
    last_sync_date: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class KlippaUserDataSetRecord(Base):
    __tablename__ = "klippa_user_data_set_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("klippa_user_data_sets.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(String(255), index=True)
    values: Mapped[dict] = mapped_column(JSON, default=dict)
    last_sync_date: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


USER_DATA_SET_TYPES = ("relation", "transaction", "product", "building", "purchase_order")
BULK_ACTIONS = ("create", "update", "upsert", "delete")
MAX_BULK_ACTIONS = 1000
MAX_RECORD_VALUES = 50
FILTER_COLUMNS = {"CreatedAt": "created_at", "UpdatedAt": "updated_at", "ID": "id", "ExternalID": "external_id",
                  "LastSyncDate": "last_sync_date"}
FILTER_OPERATORS = ("EQ", "NEQ", "GT", "GTE", "LT", "LTE", "LIKE", "NULL", "NOTNULL")
# How records of a set become ``user_data`` for a parse: (list name, key the ExternalID goes to)
SET_USER_DATA = {"relation": ("relations", "id"), "transaction": ("transactions", "identifier"),
                 "purchase_order": ("purchase_orders", "identifier")}


class UserDataError(ValueError):
    pass


def parse_datetime(value) -> datetime | None:
    """An RFC 3339 date-time (as Klippa asks) as naive UTC, None when empty."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise UserDataError("dates must be RFC 3339 strings")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as e:
        raise UserDataError(f"{value[:40]!r} is not an RFC 3339 date-time") from e
    if parsed.tzinfo is not None:
        from datetime import timezone
        parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    return parsed


def record_values(values) -> dict:
    """Klippa's ``[{"Name", "Value"}]`` as a dict (names and values at most 255 characters)."""
    if values in (None, ""):
        return {}
    if not isinstance(values, list) or len(values) > MAX_RECORD_VALUES:
        raise UserDataError(f"Values must be a list of at most {MAX_RECORD_VALUES} {{Name, Value}} objects")
    out = {}
    for item in values:
        if not isinstance(item, dict) or not isinstance(item.get("Name"), str) or not isinstance(item.get("Value"), str):
            raise UserDataError("each value must be {\"Name\": string, \"Value\": string}")
        if len(item["Name"]) > 255 or len(item["Value"]) > 255:
            raise UserDataError("a value's Name and Value are at most 255 characters")
        out[item["Name"]] = item["Value"]
    return out


def list_filters(model, filters: list[str]):
    """SQL conditions for Klippa's ``Field:{value}:{operator}`` filters."""
    conditions = []
    for text in filters:
        field, _, rest = str(text).partition(":")
        value, _, operator = rest.rpartition(":")
        column_name = FILTER_COLUMNS.get(field)
        if column_name is None or operator not in FILTER_OPERATORS:
            raise UserDataError(f"filter {str(text)[:80]!r}: expected Field:value:OPERATOR with Field one of "
                                f"{', '.join(FILTER_COLUMNS)} and OPERATOR one of {', '.join(FILTER_OPERATORS)}")
        column = getattr(model, column_name)
        if operator == "NULL":
            conditions.append(column.is_(None))
            continue
        if operator == "NOTNULL":
            conditions.append(column.isnot(None))
            continue
        if column_name == "id":
            if not value.isdigit() or len(value) > 12:
                raise UserDataError("an ID filter takes a number")
            typed = int(value)
        elif column_name in ("created_at", "updated_at", "last_sync_date") and operator != "LIKE":
            typed = parse_datetime(value)
        else:
            typed = value
        conditions.append({"EQ": lambda: column == typed, "NEQ": lambda: column != typed,
                           "GT": lambda: column > typed, "GTE": lambda: column >= typed,
                           "LT": lambda: column < typed, "LTE": lambda: column <= typed,
                           "LIKE": lambda: column.like(f"%{value}%")}[operator]())
    return conditions


class KlippaUserData:
    """User data sets and their records, each an account's own."""

    def __init__(self, db: Database):
        self.db = db

    @staticmethod
    def _detached(session, rows):
        for row in rows:
            session.expunge(row)
        return rows

    def _set(self, session, account_id: int, set_id: int) -> KlippaUserDataSet | None:
        row = session.get(KlippaUserDataSet, set_id)
        return row if row is not None and row.account_id == account_id else None

    # sets
    def create_set(self, account_id: int, external_id, set_type, last_sync_date=None) -> KlippaUserDataSet:
        if not isinstance(external_id, str) or not external_id or len(external_id) > 255:
            raise UserDataError("ExternalID is required (at most 255 characters)")
        if set_type not in USER_DATA_SET_TYPES:
            raise UserDataError(f"Type must be one of {', '.join(USER_DATA_SET_TYPES)}")
        with self.db.session() as session:
            row = KlippaUserDataSet(account_id=account_id, external_id=external_id, type=set_type,
                                    last_sync_date=parse_datetime(last_sync_date))
            session.add(row)
            session.flush()
            return self._detached(session, [row])[0]

    def list_sets(self, account_id: int, *, types=(), external_ids=(), filters=(), page=1, per_page=25,
                  sort_field="CreatedAt", sort_order="ASC") -> tuple[list[KlippaUserDataSet], int]:
        return self._list(KlippaUserDataSet, [KlippaUserDataSet.account_id == account_id]
                          + ([KlippaUserDataSet.type.in_(types)] if types else [])
                          + ([KlippaUserDataSet.external_id.in_(external_ids)] if external_ids else []),
                          filters, page, per_page, sort_field, sort_order)

    def _list(self, model, conditions, filters, page, per_page, sort_field, sort_order):
        conditions = conditions + list_filters(model, filters)
        column = getattr(model, FILTER_COLUMNS.get(sort_field, "created_at"))
        order = column.desc() if str(sort_order).upper() == "DESC" else column.asc()
        with self.db.session() as session:
            count = session.scalar(select(func.count(model.id)).where(*conditions)) or 0
            rows = session.scalars(select(model).where(*conditions).order_by(order, model.id)
                                   .offset((page - 1) * per_page).limit(per_page)).all()
            return self._detached(session, list(rows)), count

    def get_set(self, account_id: int, set_id: int) -> KlippaUserDataSet | None:
        with self.db.session() as session:
            row = self._set(session, account_id, set_id)
            return self._detached(session, [row])[0] if row else None

    def update_set(self, account_id: int, set_id: int, body: dict) -> KlippaUserDataSet | None:
        with self.db.session() as session:
            row = self._set(session, account_id, set_id)
            if row is None:
                return None
            if "ExternalID" in body:
                if not isinstance(body["ExternalID"], str) or not body["ExternalID"] or len(body["ExternalID"]) > 255:
                    raise UserDataError("ExternalID must be a string of 1 to 255 characters")
                row.external_id = body["ExternalID"]
            if "LastSyncDate" in body:
                row.last_sync_date = parse_datetime(body["LastSyncDate"])
            row.updated_at = utcnow()
            session.flush()
            return self._detached(session, [row])[0]

    def delete_set(self, account_id: int, set_id: int) -> bool:
        with self.db.session() as session:
            row = self._set(session, account_id, set_id)
            if row is None:
                return False
            session.execute(KlippaUserDataSetRecord.__table__.delete().where(KlippaUserDataSetRecord.set_id == row.id))
            session.delete(row)
            return True

    # records
    def _record(self, session, set_id: int, record_id: int) -> KlippaUserDataSetRecord | None:
        row = session.get(KlippaUserDataSetRecord, record_id)
        return row if row is not None and row.set_id == set_id else None

    def create_record(self, account_id: int, set_id: int, body: dict) -> KlippaUserDataSetRecord | None:
        external_id = body.get("ExternalID")
        if not isinstance(external_id, str) or not external_id or len(external_id) > 255:
            raise UserDataError("ExternalID is required (at most 255 characters)")
        values, synced = record_values(body.get("Values")), parse_datetime(body.get("LastSyncDate"))
        with self.db.session() as session:
            if self._set(session, account_id, set_id) is None:
                return None
            row = KlippaUserDataSetRecord(set_id=set_id, external_id=external_id, values=values, last_sync_date=synced)
            session.add(row)
            session.flush()
            return self._detached(session, [row])[0]

    def list_records(self, account_id: int, set_id: int, *, external_ids=(), filters=(), page=1, per_page=25,
                     sort_field="CreatedAt", sort_order="ASC"):
        if self.get_set(account_id, set_id) is None:
            return None
        return self._list(KlippaUserDataSetRecord, [KlippaUserDataSetRecord.set_id == set_id]
                          + ([KlippaUserDataSetRecord.external_id.in_(external_ids)] if external_ids else []),
                          filters, page, per_page, sort_field, sort_order)

    def get_record(self, account_id: int, set_id: int, record_id: int) -> KlippaUserDataSetRecord | None:
        with self.db.session() as session:
            if self._set(session, account_id, set_id) is None:
                return None
            row = self._record(session, set_id, record_id)
            return self._detached(session, [row])[0] if row else None

    def update_record(self, account_id: int, set_id: int, record_id: int, body: dict):
        values = record_values(body.get("Values")) if "Values" in body else None
        synced = parse_datetime(body.get("LastSyncDate")) if "LastSyncDate" in body else None
        with self.db.session() as session:
            if self._set(session, account_id, set_id) is None:
                return None
            row = self._record(session, set_id, record_id)
            if row is None:
                return None
            if values is not None:
                row.values = values
            if "LastSyncDate" in body:
                row.last_sync_date = synced
            row.updated_at = utcnow()
            session.flush()
            return self._detached(session, [row])[0]

    def delete_record(self, account_id: int, set_id: int, record_id: int) -> bool:
        with self.db.session() as session:
            if self._set(session, account_id, set_id) is None:
                return False
            row = self._record(session, set_id, record_id)
            if row is None:
                return False
            session.delete(row)
            return True

    def bulk(self, account_id: int, set_id: int, actions) -> list[dict] | None:
        """Klippa's bulk record actions, each answered by a result (failure codes: 1 internal
        error, 2 exists on create, 3 does not exist on update or delete)."""
        if not isinstance(actions, list) or len(actions) > MAX_BULK_ACTIONS:
            raise UserDataError(f"Actions must be a list of at most {MAX_BULK_ACTIONS} actions")
        results = []
        with self.db.session() as session:
            if self._set(session, account_id, set_id) is None:
                return None
            for action in actions:
                if not isinstance(action, dict) or action.get("Action") not in BULK_ACTIONS \
                        or not isinstance(action.get("ExternalID"), str) or not action["ExternalID"] \
                        or len(action["ExternalID"]) > 255:
                    results.append({"Action": action.get("Action") if isinstance(action, dict)
                                    and action.get("Action") in BULK_ACTIONS else "create",
                                    "ExternalID": str(action.get("ExternalID", ""))[:255] if isinstance(action, dict) else "",
                                    "Result": "failure", "FailureCode": 1,
                                    "FailureMessage": "an action needs Action (create, update, upsert, delete) and ExternalID"})
                    continue
                kind, external_id = action["Action"], action["ExternalID"]
                out = {"Action": kind, "ExternalID": external_id}
                try:
                    values = record_values(action.get("Values"))
                    synced = parse_datetime(action.get("LastSyncDate"))
                except UserDataError as e:
                    results.append({**out, "Result": "failure", "FailureCode": 1, "FailureMessage": str(e)})
                    continue
                row = session.scalar(select(KlippaUserDataSetRecord).where(
                    KlippaUserDataSetRecord.set_id == set_id, KlippaUserDataSetRecord.external_id == external_id))
                if kind == "create" and row is not None:
                    results.append({**out, "Result": "failure", "FailureCode": 2, "FailureMessage": "the record exists"})
                elif kind in ("update", "delete") and row is None:
                    results.append({**out, "Result": "failure", "FailureCode": 3,
                                    "FailureMessage": "the record does not exist"})
                elif kind == "delete":
                    session.delete(row)
                    session.flush()
                    results.append({**out, "Result": "deleted"})
                elif row is None:
                    row = KlippaUserDataSetRecord(set_id=set_id, external_id=external_id, values=values,
                                                  last_sync_date=synced)
                    session.add(row)
                    session.flush()
                    results.append({**out, "Result": "created", "Item": row})
                elif row.values == values and row.last_sync_date == synced:
                    results.append({**out, "Result": "no-change", "Item": row})
                else:
                    row.values, row.last_sync_date, row.updated_at = values, synced, utcnow()
                    session.flush()
                    results.append({**out, "Result": "updated", "Item": row})
            for result in results:
                if "Item" in result:
                    item = result["Item"]
                    result["Item"] = {"ID": item.id, "ExternalID": item.external_id,
                                      "CreatedAt": item.created_at, "UpdatedAt": item.updated_at,
                                      "LastSyncDate": item.last_sync_date, "DeletedAt": None}
        return results

    def user_data_of(self, account_id: int, external_id: str) -> dict:
        """The ``user_data`` lists the account's sets of that ExternalID hold."""
        out: dict = {}
        with self.db.session() as session:
            sets = session.scalars(select(KlippaUserDataSet).where(KlippaUserDataSet.account_id == account_id,
                                                                   KlippaUserDataSet.external_id == external_id)).all()
            for data_set in sets:
                target = SET_USER_DATA.get(data_set.type)
                if target is None:
                    continue
                name, id_key = target
                for record in session.scalars(select(KlippaUserDataSetRecord)
                                              .where(KlippaUserDataSetRecord.set_id == data_set.id)
                                              .limit(MAX_BULK_ACTIONS * 10)):
                    entry = dict(record.values or {})
                    entry[id_key] = record.external_id
                    if "amount" in entry:
                        try:
                            entry["amount"] = float(entry["amount"])
                        except (TypeError, ValueError):
                            entry.pop("amount")
                    out.setdefault(name, []).append(entry)
        return out
