"""Version 1 routes (protocol versions 121/122, expense 130–132): ``/api/extract/<type>/1/*``.

``document_uuid`` beside the deprecated integer ``document_id`` (int or numeric string);
string ``status`` beside the deprecated numeric ``status_code``; batch answers keyed by the
string form of what was asked. Webhooks are completed with the document uuid.
"""
from __future__ import annotations

from fastapi import APIRouter

from ..models.document_service import DocumentRef, DocumentService
from . import requests as service_requests
from . import result_shapes
from .jsonrpc import MAX_BATCH, endpoint
from .params import account_token, as_int, dbuuid, first_present, ref_from_key
from .status import with_code

DOCUMENT_TYPES = ("invoice", "expense")


def document_ref(params: dict) -> DocumentRef | None:
    uuid = params.get("document_uuid")
    if isinstance(uuid, str) and uuid:
        return DocumentRef(uuid=uuid)
    # `document_id` is the deprecated integer id — but Odoo's published version 122 sample
    # validates with ``document_id=<the document's uuid>``: a non-numeric id is a uuid.
    document_id = params.get("document_id")
    if isinstance(document_id, str) and document_id.strip() and as_int(document_id) is None:
        return DocumentRef(uuid=document_id.strip())
    number = as_int(document_id)
    return DocumentRef(id=number) if number is not None else None


def result_answer(outcome) -> dict:
    answer = with_code(outcome.status, outcome.message)
    if outcome.status == "success":
        answer["results"] = [result_shapes.v1(outcome.results)]
    return answer


def validate_answer(service: DocumentService, ref: DocumentRef | None, params: dict) -> dict:
    if ref is None:
        return with_code("error_document_not_found", "No document_uuid (or document_id) was given.")
    outcome = service.validate(ref, params.get("values"), account_token(params), dbuuid=dbuuid(params))
    return with_code(outcome.status, outcome.message)


def batch_validate(service: DocumentService, params: dict, encode, ref_of) -> dict:
    """validate_batch: ``documents`` maps a document key to its ``values``."""
    documents = params.get("documents")
    if not isinstance(documents, dict):
        return encode("error_validation_format", "'documents' must map documents to their values.")
    if len(documents) > MAX_BATCH:
        return encode("error_validation_format", f"At most {MAX_BATCH} documents per batch.")
    token, database = account_token(params), dbuuid(params)
    per_document = {}
    for key, values in documents.items():
        outcome = service.validate(ref_of(key), values, token, dbuuid=database)
        per_document[str(key)] = encode(outcome.status, outcome.message)
    failed = [a for a in per_document.values() if a["status"] != "success"]
    overall = encode(failed[0]["status"], failed[0]["status_msg"]) if failed else encode("success")
    overall["documents"] = per_document
    return overall


def router(service: DocumentService) -> APIRouter:
    api = APIRouter()
    for document_type in DOCUMENT_TYPES:
        prefix = f"/api/extract/{document_type}/1"

        def parse(params: dict, document_type=document_type) -> dict:
            outcome = service_requests.parse(service, params, document_type, "uuid", as_int(params.get("version")))
            extra = ({"document_uuid": outcome.document_uuid, "document_id": outcome.document_id}
                     if outcome.status == "success" else {})
            return with_code(outcome.status, outcome.message, **extra)

        def get_result(params: dict) -> dict:
            ref = document_ref(params)
            if ref is None:
                return with_code("error_document_not_found", "No document_uuid (or document_id) was given.")
            return result_answer(service.get_result(ref, account_token(params), dbuuid=dbuuid(params)))

        def get_result_batch(params: dict) -> dict:
            keys = first_present(params, "documents_uuids", "document_uuids", "documents_ids", "document_ids")
            if not isinstance(keys, list):
                return with_code("error_document_not_found", "'documents_uuids' must be a list.")
            token, database = account_token(params), dbuuid(params)
            return {str(key): result_answer(service.get_result(ref_from_key(key), token, dbuuid=database))
                    for key in keys[:MAX_BATCH]}

        def validate(params: dict) -> dict:
            return validate_answer(service, document_ref(params), params)

        def validate_batch(params: dict) -> dict:
            return batch_validate(service, params, with_code, ref_from_key)

        routes = (("parse", parse), ("get_result", get_result), ("get_result_batch", get_result_batch),
                  ("get_results", get_result_batch),  # deprecated alias of get_result_batch
                  ("validate", validate), ("validate_batch", validate_batch))
        for name, handler in routes:
            api.add_api_route(f"{prefix}/{name}", endpoint(handler, with_code), methods=["POST"],
                              name=f"v1_{document_type}_{name}")
    return api
