"""Service statuses ↔ the numeric ``status_code`` of the legacy and version 1 routes.

Codes follow Odoo's client constants (SUCCESS 0 … ERROR_INVALID_ACCOUNT_TOKEN 12,
ERROR_UNSUPPORTED_IMAGE_SIZE 14). Version 2 routes send the strings only.
"""
from __future__ import annotations

from ..models.document_service import STATUS_MESSAGES

STATUS_CODES = {
    "success": 0,
    "processing": 1,  # NOT_READY
    "error_internal": 2,
    "error_no_credit": 3,
    "error_document_not_found": 4,
    "error_unsupported_format": 6,
    "error_maintenance": 9,
    "error_password_protected": 10,
    "error_too_many_pages": 11,
    "error_invalid_account_token": 12,  # on parse
    "error_validation_format": 12,  # on validate
    "error_already_validated": 12,  # a validation whose document was validated already
    "error_unsupported_size": 14,
    "error_unsupported_version": 2,  # no code of its own before version 2
}


def status_code(status: str) -> int:
    return STATUS_CODES.get(status, 2)


def status_message(status: str, message: str | None = None) -> str:
    return message or STATUS_MESSAGES.get(status, status)


def with_code(status: str, message: str | None = None, **extra) -> dict:
    """A legacy / version 1 answer: string status, numeric code and message."""
    return {"status": status, "status_code": status_code(status), "status_msg": status_message(status, message), **extra}


def string_only(status: str, message: str | None = None, **extra) -> dict:
    """A version 2 answer: string status and message."""
    return {"status": status, "status_msg": status_message(status, message), **extra}
