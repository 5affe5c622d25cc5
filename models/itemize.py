"""What the Itemize Enterprise API keeps beside the shared accounts and documents.

- ``ItemizeAccount``: Itemize's account fields (company, contact, markets, country, data
  level, status) for one of our accounts, created with Itemize's defaults on first use.
- ``ItemizeDocument``: the upload's metadata (client_id, webhook_id, …) of a document parsed
  through the one ``DocumentService``; whether its events were scheduled.
- ``ItemizeWebhook``: an account's callback URLs (at most 3) and their signing tokens.

Events (``document.processed`` when a document finishes, ``document.updated`` when a
validation is stored for it) become scheduled deliveries (``models.webhook_delivery``), sent
by the one ``WebhookSender`` with Itemize's retry schedule and an HMAC signature.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import JSON, Boolean, ForeignKey, String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from .account import Account
from .base import Base, env_int, utcnow
from .db import Database
from .document import DONE, ERROR, Document
from .document_service import refund_credit
from .validation import Validation
from .webhook_delivery import schedule_delivery

VOCABULARY = json.loads((Path(__file__).resolve().parent.parent / "data" / "itemize_vocabulary.json")
                        .read_text(encoding="utf-8"))
SIGNATURE_HEADER = "X-Itemize-Signature"
DELIVERY_KIND = "itemize"


def _env_float_list(name: str, default: tuple) -> tuple:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return tuple(float(part) for part in raw.split(",") if part.strip())
    except ValueError:
        return default


@dataclass(frozen=True)
class ItemizeSettings:
    """INVOICE_EXTRACT_ITEMIZE_* settings (README, Itemize section)."""
    min_image_bytes: int = 100 * 1024
    max_image_bytes: int = 5 * 1024 * 1024
    max_document_bytes: int = 5 * 1024 * 1024  # PDF, HTML, text: strictly less
    # Offsets (seconds) of each delivery round from the first: now, 12 h and 36 h later.
    webhook_schedule: tuple = (0.0, 12 * 3600.0, 36 * 3600.0)
    webhook_tries: int = 3
    cors_origins: tuple = ()

    @classmethod
    def from_env(cls) -> "ItemizeSettings":
        origins = tuple(o.strip() for o in os.environ.get("INVOICE_EXTRACT_ITEMIZE_CORS_ORIGINS", "").split(",")
                        if o.strip())
        return cls(min_image_bytes=max(0, env_int("INVOICE_EXTRACT_ITEMIZE_MIN_IMAGE_BYTES", cls.min_image_bytes)),
                   max_image_bytes=max(1, env_int("INVOICE_EXTRACT_ITEMIZE_MAX_IMAGE_BYTES", cls.max_image_bytes)),
                   max_document_bytes=max(1, env_int("INVOICE_EXTRACT_ITEMIZE_MAX_DOCUMENT_BYTES",
                                                      cls.max_document_bytes)),
                   webhook_schedule=_env_float_list("INVOICE_EXTRACT_ITEMIZE_WEBHOOK_SCHEDULE", cls.webhook_schedule),
                   webhook_tries=max(1, env_int("INVOICE_EXTRACT_ITEMIZE_WEBHOOK_TRIES", cls.webhook_tries)),
                   cors_origins=origins)


class ItemizeAccount(Base):
    __tablename__ = "itemize_accounts"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    company: Mapped[str] = mapped_column(String(255), default="")
    primary_contact: Mapped[str] = mapped_column(String(255), default="")
    email_address: Mapped[str] = mapped_column(String(255), default="")
    markets: Mapped[list] = mapped_column(JSON, default=lambda: list(VOCABULARY["default_markets"]))
    country_code: Mapped[str] = mapped_column(String(8), default="US")
    data_set: Mapped[str] = mapped_column(String(16), default=VOCABULARY["default_data_set"])
    status: Mapped[str] = mapped_column(String(16), default="active")


class ItemizeDocument(Base):
    __tablename__ = "itemize_documents"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    format: Mapped[str] = mapped_column(String(64), default="")
    document_type: Mapped[str] = mapped_column(String(16), default="receipt")
    metadata_: Mapped[dict] = mapped_column("metadata", JSON, default=dict)
    processed_sent: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    updated_sent: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ItemizeWebhook(Base):
    __tablename__ = "itemize_webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    token: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def unix(moment: datetime | None) -> int:
    """A naive UTC datetime (as stored) as a Unix timestamp."""
    if moment is None:
        return 0
    return int(moment.replace(tzinfo=timezone.utc).timestamp()) if moment.tzinfo is None else int(moment.timestamp())


# -- accounts --------------------------------------------------------------------------------
def itemize_account(session, account_id: int) -> ItemizeAccount:
    """The account's Itemize fields, created with Itemize's defaults the first time."""
    row = session.get(ItemizeAccount, account_id)
    if row is None:
        account = session.get(Account, account_id)
        row = ItemizeAccount(account_id=account_id, company=account.name if account else "",
                             markets=list(VOCABULARY["default_markets"]), country_code="US",
                             data_set=VOCABULARY["default_data_set"], status="active")
        session.add(row)
        session.flush()
    return row


def set_data_set(session, account_id: int, data_set: str) -> ItemizeAccount:
    if data_set not in VOCABULARY["data_sets"]:
        raise ValueError(f"data_set must be one of {', '.join(VOCABULARY['data_sets'])}")
    row = itemize_account(session, account_id)
    row.data_set = data_set
    return row


def account_view(session, account_id: int, now: datetime | None = None) -> dict:
    """Itemize's account resource: processed counts are the account's finished documents."""
    row = itemize_account(session, account_id)
    account = session.get(Account, account_id)
    now = now or utcnow()
    month_start = datetime(now.year, now.month, 1)
    done = select(func.count(Document.id)).where(Document.account_id == account_id, Document.state == DONE)
    return {
        "id": account_id,
        "company": row.company,
        "primary_contact": row.primary_contact,
        "email_address": row.email_address,
        "markets": list(row.markets or []),
        "country": {"country_code": row.country_code},
        "monthly_processed": session.scalar(done.where(Document.done_at >= month_start)) or 0,
        "total_processed": session.scalar(done) or 0,
        "data_set": row.data_set,
        "status": row.status,
        "created": unix(account.created_at if account else None),
    }


# -- webhooks --------------------------------------------------------------------------------
def sign(body: str, token: str) -> str:
    return "sha256=" + hmac.new(token.encode("utf-8"), body.encode("utf-8"), hashlib.sha256).hexdigest()


def event_body(doc: Document, row: ItemizeDocument, event: str, data_level: str, now: float) -> dict:
    metadata = row.metadata_ or {}
    return {
        "id": str(uuid.uuid4()),
        "created": int(now),
        "type": event,
        "sent_for_human_verification": False,
        "data": {
            "client_token": metadata.get("webhook_id"),
            "url": f"/documents/{doc.uuid}",
            "processed": unix(doc.done_at),
            "id": doc.uuid,
            "client_id": metadata.get("client_id"),
            "client_country_id": metadata.get("client_country_id"),
            "data_level": data_level,
        },
    }


def _schedule_event(session, doc: Document, row: ItemizeDocument, event: str, settings: ItemizeSettings,
                    now: float) -> int:
    level = itemize_account(session, row.account_id).data_set
    hooks = session.scalars(select(ItemizeWebhook).where(ItemizeWebhook.account_id == row.account_id)
                            .order_by(ItemizeWebhook.id)).all()
    for hook in hooks:
        body = event_body(doc, row, event, level, now)
        text = json.dumps(body, separators=(",", ":"))
        headers = {"Content-Type": "application/json"}
        if hook.token:
            headers[SIGNATURE_HEADER] = sign(text, hook.token)
        schedule_delivery(session, DELIVERY_KIND, hook.url, body, headers, list(settings.webhook_schedule),
                          settings.webhook_tries, now)
    return len(hooks)


def schedule_events(db: Database, settings: ItemizeSettings | None = None, now: float | None = None) -> int:
    """The ``WebhookSender`` producer: schedules ``document.processed`` for every finished
    Itemize document, and ``document.updated`` once a validation is stored for one.
    Each event is scheduled once (a conditional flag), even with several server processes."""
    from sqlalchemy import update

    settings = settings or ItemizeSettings.from_env()
    now = time.time() if now is None else now
    scheduled = 0
    with db.session() as session:
        rows = session.execute(select(ItemizeDocument, Document).join(Document, Document.id == ItemizeDocument.document_id)
                               .where(ItemizeDocument.processed_sent.is_(False), Document.state.in_((DONE, ERROR)))
                               .limit(50)).all()
        for row, doc in rows:
            if session.execute(update(ItemizeDocument).where(ItemizeDocument.document_id == row.document_id,
                                                             ItemizeDocument.processed_sent.is_(False))
                               .values(processed_sent=True)).rowcount == 1:
                if doc.state == DONE and not str((doc.results or {}).get("full_text_annotation") or "").strip():
                    refund_credit(session, doc)  # nothing could be read: not a processed document, free
                scheduled += _schedule_event(session, doc, row, "document.processed", settings, now)
        rows = session.execute(select(ItemizeDocument, Document).join(Document, Document.id == ItemizeDocument.document_id)
                               .join(Validation, Validation.document_id == ItemizeDocument.document_id)
                               .where(ItemizeDocument.processed_sent.is_(True),
                                      ItemizeDocument.updated_sent.is_(False)).limit(50)).all()
        for row, doc in rows:
            if session.execute(update(ItemizeDocument).where(ItemizeDocument.document_id == row.document_id,
                                                             ItemizeDocument.updated_sent.is_(False))
                               .values(updated_sent=True)).rowcount == 1:
                scheduled += _schedule_event(session, doc, row, "document.updated", settings, now)
    return scheduled
