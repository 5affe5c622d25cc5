"""Version 120 routes: ``/iap/invoice_extract/*`` (and ``/iap/expense_extract/*``).

Integer ``document_id``; numeric ``status_code`` (the string ``status`` rides along);
results carry each feature's candidates under ``words`` as well, which these clients read.
Webhooks are completed with the document id.
"""
from __future__ import annotations

from fastapi import APIRouter

from ..models.document_service import DocumentRef, DocumentService
from . import requests as service_requests
from . import result_shapes
from .jsonrpc import MAX_BATCH, endpoint
from .params import account_token, as_int, dbuuid, first_present
from .status import with_code

PREFIXES = {"invoice": "/iap/invoice_extract", "expense": "/iap/expense_extract"}


def _result_answer(outcome) -> dict:
    answer = with_code(outcome.status, outcome.message)
    if outcome.status == "success":
        answer["results"] = [result_shapes.legacy(outcome.results)]
    return answer


def router(service: DocumentService) -> APIRouter:
    api = APIRouter()
    for document_type, prefix in PREFIXES.items():

        def parse(params: dict, document_type=document_type) -> dict:
            outcome = service_requests.parse(service, params, document_type, "id", as_int(params.get("version")))
            extra = {"document_id": outcome.document_id} if outcome.status == "success" else {}
            return with_code(outcome.status, outcome.message, **extra)

        def get_result(params: dict) -> dict:
            number = as_int(params.get("document_id"))
            if number is None:
                return with_code("error_document_not_found", "'document_id' must be an integer.")
            return _result_answer(service.get_result(DocumentRef(id=number), account_token(params),
                                                     dbuuid=dbuuid(params)))

        def get_results(params: dict) -> dict:
            ids = first_present(params, "documents_ids", "document_ids")
            if not isinstance(ids, list):
                return with_code("error_document_not_found", "'documents_ids' must be a list of document ids.")
            answer, token, database = {}, account_token(params), dbuuid(params)
            for key in ids[:MAX_BATCH]:
                number = as_int(key)
                outcome = (service.get_result(DocumentRef(id=number), token, dbuuid=database)
                           if number is not None else None)
                answer[str(key)] = (_result_answer(outcome) if outcome
                                    else with_code("error_document_not_found"))
            return answer

        def validate(params: dict) -> dict:
            number = as_int(params.get("document_id"))
            if number is None:
                return with_code("error_document_not_found", "'document_id' must be an integer.")
            outcome = service.validate(DocumentRef(id=number), params.get("values"), account_token(params),
                                       dbuuid=dbuuid(params))
            return with_code(outcome.status, outcome.message)

        for name, handler in (("parse", parse), ("get_result", get_result), ("get_results", get_results),
                              ("validate", validate)):
            api.add_api_route(f"{prefix}/{name}", endpoint(handler, with_code), methods=["POST"],
                              name=f"legacy_{document_type}_{name}")
    return api
