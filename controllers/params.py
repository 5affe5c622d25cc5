"""Reading Extract API parameters the way real clients send them (with their aliases)."""
from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from ..models.document_service import DocumentRef

_DATA_URL = re.compile(r"^data:[\w/+.-]+;base64,", re.I)


class BadParams(Exception):
    """A parameter the route cannot use; ``status`` is what the caller is told."""

    def __init__(self, status: str, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def decode_documents(params: dict) -> list[bytes]:
    documents = params.get("documents")
    if isinstance(documents, str):
        documents = [documents]
    if not isinstance(documents, list) or not documents:
        raise BadParams("error_unsupported_format", "'documents' must be a list with one base64 document.")
    decoded = []
    for doc in documents:
        if not isinstance(doc, str):
            raise BadParams("error_unsupported_format", "Each document must be a base64 string.")
        text = _DATA_URL.sub("", doc.strip())
        text = re.sub(r"\s+", "", text)
        try:
            decoded.append(base64.b64decode(text, validate=True))
        except (binascii.Error, ValueError):
            raise BadParams("error_unsupported_format", "A document is not valid base64.") from None
    return decoded


def file_names(params: dict) -> list[str]:
    names = params.get("file_names") or []
    return [str(n) for n in names] if isinstance(names, list) else []


def user_infos(params: dict) -> dict:
    """``user_infos`` with its aliases folded (older clients send ``user_company_VAT``)."""
    infos = params.get("user_infos")
    infos = dict(infos) if isinstance(infos, dict) else {}
    if "user_company_VAT" in infos and not infos.get("user_company_vat"):
        infos["user_company_vat"] = infos["user_company_VAT"]
    if infos.get("perspective") not in ("client", "supplier"):
        infos["perspective"] = "client"
    for key in ("purchase_order_regex",):
        if key in params and key not in infos:
            infos[key] = params[key]
    return {k: v for k, v in infos.items() if isinstance(v, (str, int, float, bool)) or v is None}


# Every integer the protocol carries (document ids, versions) fits Odoo's 32-bit integer
# columns; a larger one names nothing, and must not reach the database (SQLite refuses ints
# beyond 64 bits with an exception).
MAX_INT = 2**31 - 1


def as_int(value: Any) -> int | None:
    """A non-negative 32-bit integer sent as a number or a string of digits, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not (text.isdigit() and text.isascii() and len(text) <= 10):
            return None
        value = int(text)
    if isinstance(value, int) and 0 <= value <= MAX_INT:
        return value
    return None


def ref_from_key(key: Any) -> DocumentRef:
    """A batch key: integer ids (sent as strings by JSON) or uuids."""
    number = as_int(key)
    return DocumentRef(id=number) if number is not None else DocumentRef(uuid=str(key))


def account_token(params: dict) -> str | None:
    """The caller's ``account_token``: proof of the account on every call that sends it."""
    token = params.get("account_token")
    return token if isinstance(token, str) and token else None


def dbuuid(params: dict) -> str | None:
    """The Odoo database the call comes from (Odoo sends ``dbuuid``); binds a document at parse."""
    value = params.get("dbuuid")
    return value if isinstance(value, str) and value else None


def first_present(params: dict, *names: str):
    for name in names:
        if params.get(name) not in (None, "", []):
            return params[name]
    return None


def version(params: dict) -> int | None:
    """The client's protocol version; absent means the latest; junk raises."""
    raw = params.get("version")
    if raw in (None, ""):
        return None
    number = as_int(raw)
    if number is None:
        raise BadParams("error_unsupported_version", "'version' must be an integer.")
    return number
