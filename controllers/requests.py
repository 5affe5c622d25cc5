"""Turning route parameters into service requests: shared by every route generation."""
from __future__ import annotations

from ..models.account import INTEGRATION_TOKEN
from ..models.document_service import DocumentService, ParseOutcome, ParseRequest, WebhookKey
from .params import BadParams, decode_documents, file_names, user_infos


def parse(service: DocumentService, params: dict, document_type: str, webhook_key: WebhookKey,
          version: int | None) -> ParseOutcome:
    token = params.get("account_token")
    try:
        documents = decode_documents(params)
    except BadParams as e:
        if token != INTEGRATION_TOKEN:
            return ParseOutcome(status=e.status, message=e.message)
        documents = []  # test mode parses nothing, so whatever was sent will do
    return service.parse(ParseRequest(
        account_token=token if isinstance(token, str) else None,
        document_type=document_type,
        documents=documents,
        file_names=file_names(params),
        user_infos=user_infos(params),
        webhook_url=params.get("webhook_url") if isinstance(params.get("webhook_url"), str) else None,
        webhook_key=webhook_key,
        dbuuid=params.get("dbuuid") if isinstance(params.get("dbuuid"), str) else None,
        version=version,
    ))
