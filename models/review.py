"""The accountant review app's logic: sign-in, inbox, upload, the form's data, validate.

Everything goes through the one ``DocumentService`` the JSON-RPC routes use (parse charges
the account the same way, validate stores the same Validation rows); this module only adds
users, sessions and the access rules of ``security/`` (``models.access``): a document a
rule hides is reported as not found, an operation no group grants as forbidden.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from .access import AccessError, AccessRules
from .document import DONE, ERROR, Document
from .document_service import (STATUS_MESSAGES, DocumentRef, DocumentService, ParseOutcome, ParseRequest,
                               ValidateOutcome)
from .page_images import PageError, page_count, render_page
from .user import User, UserSession, authenticate, close_session, find_session, open_session
from .validation import Validation

# The header fields of the form, in its order (Odoo's feature names).
FEATURES = ("supplier", "VAT_Number", "invoice_id", "date", "due_date", "currency", "subtotal",
            "total_tax_amount", "total", "iban", "SWIFT_code", "payment_ref")
INBOX_STATES = ("processing", "to_review", "validated", "error")
INBOX_SORTS = ("created", "state", "supplier", "invoice_id", "date", "total", "currency", "file_name")


class NotFound(LookupError):
    """No such document for this user (unknown, or another account's)."""


__all__ = ["AccessError", "NotFound", "ReviewService", "Viewer", "InboxRow", "FEATURES"]


@dataclass
class Viewer:
    """The signed-in user of a request and the CSRF token of their session."""
    user: User
    csrf_token: str

    @property
    def login(self) -> str:
        return self.user.login


@dataclass
class InboxRow:
    uuid: str
    file_name: str
    state: str  # one of INBOX_STATES
    status_message: str
    supplier: str
    invoice_id: str
    date: str
    total: float | None
    currency: str
    created_at: datetime


def _content(value: Any) -> Any:
    """The content of a result feature ({'selected_value': …}) or a validation ({'content': …})."""
    if not isinstance(value, dict):
        return None
    if "selected_value" in value:
        selected = value.get("selected_value")
        return selected.get("content") if isinstance(selected, dict) else None
    return value.get("content")


def _text(value: Any) -> str:
    return "" if value is None or value is False else str(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value).replace(",", "")) if value not in (None, "") else None
    except ValueError:
        return None


class ReviewService:
    def __init__(self, service: DocumentService, rules: AccessRules | None = None):
        self.service = service
        self.db = service.db
        self.rules = rules or AccessRules.load()

    # -- sign-in ----------------------------------------------------------------------
    def sign_in(self, login: str, password: str) -> tuple[str, Viewer] | None:
        with self.db.session() as session:
            user = authenticate(session, login, password)
            if user is None:
                return None
            token, row = open_session(session, user)
            return token, Viewer(user, row.csrf_token)

    def viewer(self, cookie_token: str | None) -> Viewer | None:
        with self.db.session() as session:
            found = find_session(session, cookie_token)
            if found is None:
                return None
            row, user = found
            return Viewer(user, row.csrf_token)

    def sign_out(self, cookie_token: str | None) -> None:
        with self.db.session() as session:
            close_session(session, cookie_token)

    # -- documents a user reaches -------------------------------------------------------
    def _document(self, session, viewer: Viewer, uuid: str, operation: str = "read") -> Document:
        self.rules.check(viewer.user, Document, operation)
        if not isinstance(uuid, str) or len(uuid) > 64:
            raise NotFound(uuid)
        doc = session.scalar(select(Document).where(
            Document.uuid == uuid, self.rules.clause(viewer.user, Document, operation)))
        if doc is None:
            raise NotFound(uuid)
        return doc

    def _validated_ids(self, session, viewer: Viewer, document_ids: list[int]) -> dict[int, dict]:
        if not document_ids or not self.rules.allowed(viewer.user, Validation, "read"):
            return {}
        rows = session.execute(select(Validation.document_id, Validation.values).where(
            Validation.document_id.in_(document_ids), self.rules.clause(viewer.user, Validation, "read")))
        return {doc_id: values for doc_id, values in rows}

    def inbox(self, viewer: Viewer, state: str | None = None, q: str | None = None, sort: str = "created",
              descending: bool = True, limit: int = 500) -> list[InboxRow]:
        """The account's documents, newest first unless sorted otherwise; ``state`` one of
        INBOX_STATES, ``q`` matched against supplier, invoice number and file name."""
        self.rules.check(viewer.user, Document, "read")
        with self.db.session() as session:
            docs = session.execute(
                select(Document.id, Document.uuid, Document.file_name, Document.state, Document.status,
                       Document.message, Document.results, Document.created_at)
                .where(self.rules.clause(viewer.user, Document, "read"))
                .order_by(Document.created_at.desc(), Document.id.desc()).limit(limit)).all()
            validated = self._validated_ids(session, viewer, [d.id for d in docs])
        rows = []
        for d in docs:
            values = validated.get(d.id)
            source = values if values is not None else (d.results or {}) if d.state == DONE else {}
            if values is not None:
                row_state = "validated"
            elif d.state == DONE:
                row_state = "to_review"
            elif d.state == ERROR:
                row_state = "error"
            else:
                row_state = "processing"
            rows.append(InboxRow(
                uuid=d.uuid, file_name=d.file_name or "", state=row_state,
                status_message=(d.message or STATUS_MESSAGES.get(d.status, d.status)) if d.state == ERROR else "",
                supplier=_text(_content(source.get("supplier"))), invoice_id=_text(_content(source.get("invoice_id"))),
                date=_text(_content(source.get("date"))), total=_number(_content(source.get("total"))),
                currency=_text(_content(source.get("currency"))), created_at=d.created_at))
        if state in INBOX_STATES:
            rows = [r for r in rows if r.state == state]
        if q and q.strip():
            needle = q.strip().lower()
            rows = [r for r in rows if needle in f"{r.supplier}\n{r.invoice_id}\n{r.file_name}".lower()]
        if sort not in INBOX_SORTS:
            sort = "created"
        if sort == "created":
            key = lambda r: (r.created_at,)  # noqa: E731
        elif sort == "total":
            key = lambda r: (r.total is None, r.total or 0.0)  # noqa: E731
        else:
            key = lambda r: (getattr(r, sort) == "", str(getattr(r, sort)).lower())  # noqa: E731
        rows.sort(key=key, reverse=descending)
        if descending and sort != "created":
            # Empty values stay last whichever the direction.
            rows.sort(key=lambda r: (getattr(r, sort) in ("", None)))
        return rows

    # -- upload -------------------------------------------------------------------------
    def upload(self, viewer: Viewer, files: list[tuple[str, bytes]], document_type: str = "invoice") -> list[ParseOutcome]:
        """One parse per file, through DocumentService.parse, charged to the user's account."""
        self.rules.check(viewer.user, Document, "create")
        return [self.service.parse(ParseRequest(account_token=None, account_id=viewer.user.account_id,
                                                document_type=document_type, documents=[data],
                                                file_names=[name], user_infos={}))
                for name, data in files]

    # -- the form -------------------------------------------------------------------------
    def form_data(self, viewer: Viewer, uuid: str) -> dict:
        """What the form polls: state, status message, results when ready, the validation."""
        with self.db.session() as session:
            doc = self._document(session, viewer, uuid)
            mimetype, file_name, created_at = doc.mimetype, doc.file_name, doc.created_at
        ref = DocumentRef(uuid=uuid)
        outcome = self.service.get_result(ref, access_checked=True)
        validation = self.service.validation_of(ref) if self.rules.allowed(viewer.user, Validation, "read") else None
        pages = 0
        if outcome.status != "processing":
            try:
                pages = self.page_count(viewer, uuid)
            except PageError:
                pages = 0
        return {
            "uuid": uuid, "file_name": file_name, "mimetype": mimetype, "created_at": created_at.isoformat(),
            "status": outcome.status, "status_message": outcome.message,
            "state": "processing" if outcome.status == "processing" else
                     "done" if outcome.status == "success" else "error",
            "results": outcome.results if outcome.status == "success" else None,
            "pages": pages,
            "validation": validation,
            "read_only": validation is not None or not self.rules.allowed(viewer.user, Validation, "create"),
            "features": list(FEATURES),
        }

    def _content_of(self, viewer: Viewer, uuid: str) -> tuple[bytes, str]:
        with self.db.session() as session:
            doc = self._document(session, viewer, uuid)
            return doc.content, doc.mimetype

    def page_count(self, viewer: Viewer, uuid: str) -> int:
        content, mimetype = self._content_of(viewer, uuid)
        return page_count(uuid, content, mimetype, self.service.limits)

    def page_png(self, viewer: Viewer, uuid: str, index: int) -> bytes:
        content, mimetype = self._content_of(viewer, uuid)
        return render_page(uuid, content, mimetype, index, limits=self.service.limits)

    def validate(self, viewer: Viewer, uuid: str, values: Any) -> ValidateOutcome:
        """The JSON-RPC validate, on a document the user reaches (404 otherwise)."""
        self.rules.check(viewer.user, Validation, "create")
        with self.db.session() as session:
            self._document(session, viewer, uuid)
        return self.service.validate(DocumentRef(uuid=uuid), values, access_checked=True)


def user_sessions(db, user_id: int) -> int:
    """How many live sessions a user has (for tests and administration)."""
    with db.session() as session:
        return len(session.scalars(select(UserSession.id).where(UserSession.user_id == user_id)).all())
