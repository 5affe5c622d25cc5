"""The one document service behind every protocol generation.

Controllers (legacy 120, version 1, version 2, later other vendors' APIs) are thin
adapters: they decode their route's parameters, call this service, and encode its
outcome. Parse, result and validate logic lives here once.

Statuses are the Extract API's string statuses ('success', 'processing',
'error_internal', 'error_no_credit', 'error_document_not_found',
'error_unsupported_format', 'error_unsupported_size', 'error_password_protected',
'error_too_many_pages', 'error_invalid_account_token', 'error_validation_format',
'error_already_validated', 'error_maintenance'); each adapter maps them to its codes.
"""
from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select

from ..extraction.limits import DEFAULT_LIMITS, Limits
from ..extraction.reader import PDF, XML, sniff_mimetype
from ..extraction.structured.einvoice import is_einvoice
from .account import INTEGRATION_TOKEN, Account, find_account, give_credit, take_credit
from .db import Database
from .document import DONE, ERROR, PENDING, Document, new_document_id
from .validation import Validation
from .webhook import allowed_webhook_url

_logger = logging.getLogger(__name__)

DocumentType = Literal["invoice", "expense"]
# How the webhook URL is completed for this document: legacy routes append the integer
# id, version 1 routes the uuid, version 2 routes the document token.
WebhookKey = Literal["id", "uuid", "token"]

DATA = Path(__file__).resolve().parent.parent / "data"
STATUS_MESSAGES = {
    "success": "Success",
    "processing": "The document is still being processed",
    "error_internal": "An error occurred",
    "error_no_credit": "You don't have enough credit",
    "error_document_not_found": "The document could not be found",
    "error_unsupported_format": "Unsupported file format",
    "error_unsupported_size": "The document is too large",
    "error_password_protected": "The document is protected by a password",
    "error_too_many_pages": "The document has too many pages",
    "error_invalid_account_token": "Invalid account token",
    "error_validation_format": "Validation format is incorrect",
    "error_already_validated": "The document has already been validated",
    "error_maintenance": "Server is currently under maintenance. Please try again later.",
    "error_unsupported_version": "Unsupported version",
}
# Formats a document may have (sniffed from its bytes, never trusted from its name). XML only
# when it is an e-invoice (CII or UBL): any other XML would be charged for an empty result.
SUPPORTED_MIMETYPES = {PDF, XML, "image/png", "image/jpeg", "image/bmp", "image/tiff", "image/gif", "image/webp"}
TEXT_MIMETYPES = ("text/html", "text/plain")
DOCUMENT_TYPES = ("invoice", "expense")
WEBHOOK_KEYS = ("id", "uuid", "token")


@dataclass
class DocumentRef:
    """How a caller names a document: exactly one of the three is set."""
    id: int | None = None
    uuid: str | None = None
    token: str | None = None


@dataclass
class ParseRequest:
    account_token: str | None
    document_type: DocumentType
    documents: list[bytes]  # already base64-decoded
    file_names: list[str] = field(default_factory=list)
    user_infos: dict = field(default_factory=dict)
    webhook_url: str | None = None
    webhook_key: WebhookKey = "uuid"
    dbuuid: str | None = None
    version: int | None = None
    # Set instead of account_token by the review app: the signed-in user's account is charged.
    account_id: int | None = None
    # Digital receipts (HTML, plain text; extraction.text_reader) are accepted only from the
    # APIs that define them (Itemize): elsewhere such bytes stay an unsupported format.
    accept_text: bool = False


@dataclass
class ParseOutcome:
    status: str
    message: str = ""
    document_id: int | None = None
    document_uuid: str | None = None
    document_token: str | None = None


@dataclass
class ResultOutcome:
    status: str
    message: str = ""
    results: dict | None = None  # results[0], version 1 shape, when status == 'success'
    document_id: int | None = None
    document_uuid: str | None = None


@dataclass
class ValidateOutcome:
    status: str
    message: str = ""


def _outcome(cls, status: str, message: str | None = None, **kw):
    return cls(status=status, message=message or STATUS_MESSAGES.get(status, status), **kw)


def integration_sample(document_type: str) -> dict:
    """The fixed result served to ``integration_token`` documents (kept in data/)."""
    name = "integration_sample_expense.json" if document_type == "expense" else "integration_sample_invoice.json"
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def pick_document(documents: list[bytes], file_names: list[str]) -> tuple[bytes, str]:
    """As documented by Odoo: the first PDF of the list, else the first document.

    Known limitation: the other documents of a multi-document parse are not read (they
    are not merged into one PDF); Odoo clients send one attachment per parse.
    """
    for i, data in enumerate(documents):
        if sniff_mimetype(data) == PDF:
            return data, file_names[i] if i < len(file_names) else ""
    return documents[0], (file_names[0] if file_names else "")


def safe_webhook_url(url: Any) -> str | None:
    """The webhook URL to keep, or None: http(s) to an allowed network (models.webhook)."""
    if not url or not isinstance(url, str):
        return None
    problem = allowed_webhook_url(url)
    if problem:
        _logger.warning("ignoring webhook_url %r: %s", url[:200], problem)
        return None
    return url


def token_required() -> bool:
    """INVOICE_EXTRACT_REQUIRE_TOKEN=1: every call that names a document must send the
    account_token that sent it (for deployments whose clients always send it)."""
    return os.environ.get("INVOICE_EXTRACT_REQUIRE_TOKEN", "") not in ("", "0", "false", "no")


TOKEN_REQUIRED_MESSAGE = ("This server requires the account_token that sent the document on every call "
                          "(INVOICE_EXTRACT_REQUIRE_TOKEN is set).")


class DocumentService:
    """``require_token`` (default: INVOICE_EXTRACT_REQUIRE_TOKEN) refuses every read or
    validation that does not prove the document's account with its token."""

    def __init__(self, db: Database, limits: Limits = DEFAULT_LIMITS, require_token: bool | None = None):
        self.db = db
        self.limits = limits
        self.require_token = token_required() if require_token is None else require_token

    # -- parse ---------------------------------------------------------------------
    def parse(self, request: ParseRequest) -> ParseOutcome:
        if request.account_token == INTEGRATION_TOKEN and request.account_id is None:
            return self._parse_integration(request)
        if not request.documents or not all(isinstance(d, (bytes, bytearray)) for d in request.documents):
            return _outcome(ParseOutcome, "error_unsupported_format", "No document was sent.")
        if request.document_type not in DOCUMENT_TYPES:
            return _outcome(ParseOutcome, "error_unsupported_format",
                            f"Unknown document type {str(request.document_type)[:40]!r}: use invoice or expense.")
        file_names = [str(n) for n in request.file_names] if isinstance(request.file_names, list) else []
        data, file_name = pick_document([bytes(d) for d in request.documents], file_names)
        if not data:
            return _outcome(ParseOutcome, "error_unsupported_format", "The document is empty.")
        if len(data) > self.limits.max_bytes:
            return _outcome(ParseOutcome, "error_unsupported_size",
                            f"The document is larger than {self.limits.max_bytes // (1024 * 1024)} MB.")
        mimetype = sniff_mimetype(data)
        if request.accept_text and mimetype in (None, XML) and not (mimetype == XML and is_einvoice(data)):
            from ..extraction.text_reader import sniff_text

            text_type = sniff_text(data)  # a digital receipt: the engine reads it as text
            if text_type == "text/html" or (text_type and mimetype is None):
                mimetype = text_type
        if mimetype not in SUPPORTED_MIMETYPES and not (request.accept_text and mimetype in TEXT_MIMETYPES):
            return _outcome(ParseOutcome, "error_unsupported_format",
                            "Unsupported file format: send a PDF, an image (png, jpg, bmp, tiff) "
                            "or an e-invoice XML (CII, UBL).")
        if mimetype == XML and not is_einvoice(data):
            return _outcome(ParseOutcome, "error_unsupported_format",
                            "The XML is not an e-invoice: expected CII (Factur-X, ZUGFeRD, XRechnung) or UBL.")
        with self.db.session() as session:
            account = (session.get(Account, request.account_id) if request.account_id is not None
                       else find_account(session, request.account_token))
            if account is None:
                return _outcome(ParseOutcome, "error_invalid_account_token")
            if not take_credit(session, account.id):
                return _outcome(ParseOutcome, "error_no_credit")
            doc = self._new_document(session, request, account_id=account.id, content=data, mimetype=mimetype,
                                     file_name=file_name, credit_charged=True)
            return _outcome(ParseOutcome, "success", document_id=doc.id, document_uuid=doc.uuid,
                            document_token=doc.token)

    def _parse_integration(self, request: ParseRequest) -> ParseOutcome:
        """Test mode, as Odoo documents it: the document is not parsed, whatever its bytes, and
        costs nothing; its result is the documented sample."""
        if request.document_type not in DOCUMENT_TYPES:
            return _outcome(ParseOutcome, "error_unsupported_format",
                            f"Unknown document type {str(request.document_type)[:40]!r}: use invoice or expense.")
        with self.db.session() as session:
            names = request.file_names if isinstance(request.file_names, list) else []
            doc = self._new_document(session, request, account_id=None, content=b"", mimetype="",
                                     file_name=str(names[0]) if names else "", credit_charged=False,
                                     integration=True)
            doc.state, doc.status, doc.results = DONE, "success", integration_sample(request.document_type)
            doc.webhook_state = "pending" if doc.webhook_url else None
            return _outcome(ParseOutcome, "success", document_id=doc.id, document_uuid=doc.uuid,
                            document_token=doc.token)

    @staticmethod
    def _new_document(session, request: ParseRequest, account_id: int | None, content: bytes, mimetype: str,
                      file_name: str, credit_charged: bool, integration: bool = False) -> Document:
        doc = Document(
            id=_free_document_id(session),
            account_id=account_id,
            integration=integration,
            document_type=request.document_type,
            content=content,
            mimetype=mimetype,
            file_name=(str(file_name) or "")[:255],
            user_infos=request.user_infos if isinstance(request.user_infos, dict) else {},
            webhook_url=safe_webhook_url(request.webhook_url),
            webhook_key=request.webhook_key if request.webhook_key in WEBHOOK_KEYS else "uuid",
            dbuuid=(request.dbuuid or None) and str(request.dbuuid)[:64],
            version=request.version if isinstance(request.version, int) else None,
            credit_charged=credit_charged,
        )
        session.add(doc)
        session.flush()
        return doc

    # -- results -------------------------------------------------------------------
    def _find(self, session, ref: DocumentRef, account_token: str | None, dbuuid: str | None = None) -> Document | None:
        """The document ``ref`` names, if this caller may reach it.

        With an ``account_token``, only that account's documents exist; with a ``dbuuid``, a
        document sent from another Odoo database does not exist either. Without a token the
        document's key is the credential: uuids and tokens are random, legacy ids are random
        31-bit integers (new_document_id)."""
        if ref.id is not None:
            doc = session.get(Document, ref.id) if isinstance(ref.id, int) and 0 < ref.id < 2**31 else None
        elif ref.uuid:
            doc = session.scalar(select(Document).where(Document.uuid == str(ref.uuid)[:64]))
        elif ref.token:
            doc = session.scalar(select(Document).where(Document.token == str(ref.token)[:128]))
        else:
            return None
        if doc is None:
            return None
        if account_token and not self._owns(session, doc, account_token):
            return None  # another account's document does not exist for this caller
        if dbuuid and doc.dbuuid and str(dbuuid)[:64] != doc.dbuuid:
            return None  # bound at parse to another database
        return doc

    def _refused(self, account_token: str | None, access_checked: bool) -> bool:
        return self.require_token and not account_token and not access_checked

    @staticmethod
    def _owns(session, doc: Document, account_token: str) -> bool:
        if doc.integration:
            return account_token == INTEGRATION_TOKEN
        account = find_account(session, account_token)
        return account is not None and account.id == doc.account_id

    def get_result(self, ref: DocumentRef, account_token: str | None = None, *, dbuuid: str | None = None,
                   access_checked: bool = False) -> ResultOutcome:
        """Only reads. A document of another account (or bound to another ``dbuuid``) is
        'error_document_not_found'. ``access_checked``: the caller (the review app) enforced
        its own access rules."""
        if self._refused(account_token, access_checked):
            return _outcome(ResultOutcome, "error_invalid_account_token", TOKEN_REQUIRED_MESSAGE)
        with self.db.session() as session:
            doc = self._find(session, ref, account_token, dbuuid)
            if doc is None:
                return _outcome(ResultOutcome, "error_document_not_found")
            ids = {"document_id": doc.id, "document_uuid": doc.uuid}
            if doc.state == DONE:
                return _outcome(ResultOutcome, "success", results=doc.results or {}, **ids)
            if doc.state == ERROR:
                return _outcome(ResultOutcome, doc.status, doc.message or None, **ids)
            return _outcome(ResultOutcome, "processing", **ids)

    async def wait_result(self, ref: DocumentRef, timeout: float, poll: float = 0.25) -> ResultOutcome:
        """``get_result`` until the document is no longer processing or ``timeout`` seconds
        passed (then 'processing'): for APIs that answer synchronously. The workers do the
        work; this only polls, off the event loop, so a slow document never hangs a request."""
        import asyncio
        import time

        from starlette.concurrency import run_in_threadpool

        deadline = time.monotonic() + timeout
        while True:
            # The adapter waits for its own parse: the document's account is the caller's.
            outcome = await run_in_threadpool(self.get_result, ref, None, access_checked=True)
            if outcome.status != "processing" or time.monotonic() >= deadline:
                return outcome
            await asyncio.sleep(min(poll, max(0.0, deadline - time.monotonic())))

    def release_charge(self, ref: DocumentRef) -> bool:
        """Give back the credit of a document whose caller got no answer (a synchronous API
        that timed out), once: a conditional UPDATE, so the worker's own refund of a failed
        document cannot give it back a second time. True when a credit went back."""
        from sqlalchemy import update

        with self.db.session() as session:
            doc = self._find(session, ref, None)
            if doc is None or doc.account_id is None:
                return False
            released = session.execute(update(Document).where(Document.id == doc.id, Document.credit_charged.is_(True))
                                       .values(credit_charged=False)).rowcount == 1
            if released:
                give_credit(session, doc.account_id)
            return released

    def get_document(self, ref: DocumentRef, account_token: str | None = None) -> Document | None:
        with self.db.session() as session:
            return self._find(session, ref, account_token)

    # -- validate ------------------------------------------------------------------
    def validate(self, ref: DocumentRef, values: dict[str, Any], account_token: str | None = None, *,
                 dbuuid: str | None = None, access_checked: bool = False) -> ValidateOutcome:
        """``values`` maps feature -> {'content': ..., optional 'box' ...}, plus
        'invoice_lines', 'merged_lines', 'global_taxes' as clients send them. Only a caller
        that reaches the document (as for get_result) validates it; the validation is the
        document's account's, the only one learning reads it for."""
        if self._refused(account_token, access_checked):
            return _outcome(ValidateOutcome, "error_invalid_account_token", TOKEN_REQUIRED_MESSAGE)
        problem = validation_format_problem(values)
        if problem:
            return _outcome(ValidateOutcome, "error_validation_format", problem)
        with self.db.session() as session:
            doc = self._find(session, ref, account_token, dbuuid)
            if doc is None:
                return _outcome(ValidateOutcome, "error_document_not_found")
            if doc.state == PENDING or doc.state == "processing":
                return _outcome(ValidateOutcome, "error_validation_format",
                                "The document is still being processed; validate it once its result is ready.")
            if session.scalar(select(Validation.id).where(Validation.document_id == doc.id)) is not None:
                return _outcome(ValidateOutcome, "error_already_validated")
            session.add(Validation(document_id=doc.id, account_id=doc.account_id, values=values))
        return _outcome(ValidateOutcome, "success")

    def validation_of(self, ref: DocumentRef) -> dict | None:
        with self.db.session() as session:
            doc = self._find(session, ref, None)
            if doc is None:
                return None
            v = session.scalar(select(Validation).where(Validation.document_id == doc.id))
            return v.values if v else None

    # -- accounts ------------------------------------------------------------------
    def account_credits(self, account_token: str) -> int | None:
        with self.db.session() as session:
            account: Account | None = find_account(session, account_token)
            return account.credits if account else None



def _free_document_id(session) -> int:
    """A random legacy id no document has: ids are not sequential, so they cannot be counted
    through (legacy clients may read a result with the id alone)."""
    while True:
        candidate = new_document_id()
        if session.get(Document, candidate) is None:
            return candidate


def refund_credit(session, doc: Document) -> None:
    """Give back the credit a document was charged (once: the flag is cleared by a conditional
    UPDATE, so this and ``DocumentService.release_charge`` never both give it back)."""
    from sqlalchemy import update

    if doc.credit_charged and doc.account_id is not None:
        cleared = session.execute(update(Document).where(Document.id == doc.id, Document.credit_charged.is_(True))
                                  .values(credit_charged=False)).rowcount == 1
        if cleared:
            give_credit(session, doc.account_id)
        doc.credit_charged = False


# Features whose validation is a list of values rather than one {'content': …}.
LIST_FEATURES = {"global_taxes", "purchase_order", "invoice_lines", "merged_lines"}


def validation_format_problem(values: Any) -> str | None:
    """Why ``values`` is not a validation Odoo's clients could send, or None."""
    if not isinstance(values, dict):
        return "values must be an object mapping features to validations."
    for feature, value in values.items():
        if not isinstance(feature, str):
            return "feature names must be strings."
        if feature == "merged_lines":
            if not isinstance(value, bool):
                return "merged_lines must be a boolean."
        elif feature == "invoice_lines":
            lines = value.get("lines") if isinstance(value, dict) else value
            if not isinstance(lines, list) or not all(isinstance(line, dict) for line in lines):
                return "invoice_lines must be {'lines': [line objects]}."
        elif feature in ("global_taxes", "purchase_order"):
            items = value.get("content") if isinstance(value, dict) and "content" in value else value
            if items is not None and not isinstance(items, (list, dict, str, int, float)):
                return f"{feature} has an unexpected shape."
        elif value is not None:
            if not isinstance(value, dict):
                return f"the validation of {feature} must be an object with a 'content' key."
            if "content" not in value:
                return f"the validation of {feature} has no 'content'."
            box = value.get("box")
            if box is not None and not (isinstance(box, (list, dict))):
                return f"the box of {feature} has an unexpected shape."
    return None
