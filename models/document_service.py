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

from dataclasses import dataclass, field
from typing import Any, Literal

DocumentType = Literal["invoice", "expense"]
# How the webhook URL is completed for this document: legacy routes append the integer
# id, version 1 routes the uuid, version 2 routes the document token.
WebhookKey = Literal["id", "uuid", "token"]


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
    documents: list[bytes]  # already base64-decoded; the service merges several into one document
    file_names: list[str] = field(default_factory=list)
    user_infos: dict = field(default_factory=dict)
    webhook_url: str | None = None
    webhook_key: WebhookKey = "uuid"
    dbuuid: str | None = None
    version: int | None = None


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


class DocumentService:  # implemented in this module by the service work (see issue 2)
    def parse(self, request: ParseRequest) -> ParseOutcome: ...

    def get_result(self, ref: DocumentRef, account_token: str | None = None) -> ResultOutcome:
        """Only reads. With ``account_token`` set, a document of another account is
        'error_document_not_found'."""
        ...

    def validate(self, ref: DocumentRef, values: dict[str, Any], account_token: str | None = None) -> ValidateOutcome:
        """``values`` maps feature -> {'content': ..., optional 'box' ...}, plus
        'invoice_lines', 'merged_lines', 'global_taxes' as clients send them."""
        ...
