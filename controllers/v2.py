"""Version 2 routes (invoice 123, expense 132/133): ``/api/extract/<type>/2/*``.

``parse`` answers a ``document_token``; ``get_result`` needs it with the account token
that sent the document (another account's document is not found); string statuses only;
``invoice_lines`` as plain values. Webhooks are completed with the document token.
"""
from __future__ import annotations

from fastapi import APIRouter

from ..models.document_service import DocumentRef, DocumentService
from . import requests as service_requests
from . import result_shapes
from .jsonrpc import endpoint
from .params import BadParams, account_token, dbuuid, version as read_version
from .status import string_only
from .v1 import batch_validate

# The first protocol version each document type speaks on these routes.
MIN_VERSION = {"invoice": 123, "expense": 132}


def check_version(params: dict, document_type: str) -> int | None:
    number = read_version(params)
    if number is not None and number < MIN_VERSION[document_type]:
        raise BadParams("error_unsupported_version",
                        f"Version {number} is not served on these routes; use {MIN_VERSION[document_type]} or later.")
    return number


def token_ref(value) -> DocumentRef | None:
    if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value):
        return DocumentRef(token=str(value))
    return None


def router(service: DocumentService) -> APIRouter:
    api = APIRouter()
    for document_type in MIN_VERSION:
        prefix = f"/api/extract/{document_type}/2"

        def versioned(handler, document_type=document_type):
            def run(params: dict) -> dict:
                try:
                    number = check_version(params, document_type)
                except BadParams as e:
                    return string_only(e.status, e.message)
                return handler(params, number)
            return run

        def parse(params: dict, number, document_type=document_type) -> dict:
            outcome = service_requests.parse(service, params, document_type, "token", number)
            extra = {"document_token": outcome.document_token} if outcome.status == "success" else {}
            return string_only(outcome.status, outcome.message, **extra)

        def get_result(params: dict, number) -> dict:
            ref, token = token_ref(params.get("document_token")), account_token(params)
            if ref is None or token is None:
                return string_only("error_document_not_found",
                                   "Both 'document_token' and the 'account_token' that sent it are required.")
            outcome = service.get_result(ref, token, dbuuid=dbuuid(params))
            answer = string_only(outcome.status, outcome.message)
            if outcome.status == "success":
                answer["results"] = [result_shapes.v2(outcome.results)]
            return answer

        def validate(params: dict, number) -> dict:
            ref = token_ref(params.get("document_token"))
            if ref is None:
                return string_only("error_document_not_found", "'document_token' is required.")
            outcome = service.validate(ref, params.get("values"), account_token(params), dbuuid=dbuuid(params))
            return string_only(outcome.status, outcome.message)

        def validate_batch(params: dict, number) -> dict:
            return batch_validate(service, params, string_only, lambda key: DocumentRef(token=str(key)))

        for name, handler in (("parse", parse), ("get_result", get_result), ("validate", validate),
                              ("validate_batch", validate_batch)):
            api.add_api_route(f"{prefix}/{name}", endpoint(versioned(handler), string_only), methods=["POST"],
                              name=f"v2_{document_type}_{name}")
    return api
