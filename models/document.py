"""Documents sent for extraction, their processing state and their result."""
from __future__ import annotations

import uuid
import secrets
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow

# Processing states (the protocol status is kept beside, in ``status``).
PENDING, PROCESSING, DONE, ERROR = "pending", "processing", "done", "error"


def new_uuid() -> str:
    return str(uuid.uuid4())


def new_document_id() -> int:
    """A random legacy ``document_id`` in 1 … 2**31-1, the range of Odoo's integer column that
    keeps it (``extract_remote_id``)."""
    return secrets.randbelow(2**31 - 1) + 1


def new_document_token() -> str:
    return secrets.token_hex(16)


class Document(Base):
    __tablename__ = "documents"

    # The legacy document_id: random (new_document_id), never sequential; set by the service.
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False, default=new_document_id)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, index=True, default=new_uuid)
    token: Mapped[str] = mapped_column(String(64), unique=True, index=True, default=new_document_token)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True, nullable=True)
    integration: Mapped[bool] = mapped_column(default=False)  # sent with integration_token
    document_type: Mapped[str] = mapped_column(String(16), default="invoice")
    state: Mapped[str] = mapped_column(String(16), default=PENDING, index=True)
    status: Mapped[str] = mapped_column(String(64), default="processing")
    message: Mapped[str] = mapped_column(Text, default="")
    # Deferred: only the worker needs the bytes; status polls must not load them.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    mimetype: Mapped[str] = mapped_column(String(64), default="")
    file_name: Mapped[str] = mapped_column(String(255), default="")
    user_infos: Mapped[dict] = mapped_column(JSON, default=dict)
    webhook_url: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    webhook_key: Mapped[str] = mapped_column(String(8), default="uuid")
    webhook_state: Mapped[str | None] = mapped_column(String(16), nullable=True)  # pending/sent/failed
    dbuuid: Mapped[str | None] = mapped_column(String(64), nullable=True)
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    attempts: Mapped[int] = mapped_column(default=0)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    lease_until: Mapped[datetime | None] = mapped_column(nullable=True, index=True)
    results: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    credit_charged: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(nullable=True)

    def webhook_target(self) -> str | None:
        if not self.webhook_url:
            return None
        key = {"id": str(self.id), "uuid": self.uuid, "token": self.token}[self.webhook_key]
        return self.webhook_url.rstrip("/") + "/" + key
