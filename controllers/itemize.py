"""Itemize's Enterprise API at its native paths under ``/api/enterprise/v1/``
(``../shared/vendor-docs/itemize-enterprise.md``).

A thin adapter: an upload is the one ``DocumentService`` parse charged to the account whose
token is the Basic-auth password; the workers read it asynchronously; a GET is the service's
``get_result`` mapped to Itemize's Document fields for the account's data level. What Itemize
keeps beside our accounts and documents is ``models.itemize``; its vocabulary
(``data/itemize_vocabulary.json``) is data. Webhooks are scheduled deliveries sent by the one
``WebhookSender`` (``models.itemize.schedule_events``).

Every receipt, invoice or folio is parsed with the neutral ``invoice`` feature set: it is the
one that reads subtotal, taxes, VAT number and lines, which Itemize's L2 and L3 return.
"""
from __future__ import annotations

import base64
import binascii
import logging
from datetime import date, datetime, timezone

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.middleware.cors import CORSMiddleware

from ..extraction.reader import sniff_mimetype
from ..extraction.text_reader import sniff_text
from ..models.account import find_account
from ..models.document_service import DocumentRef, DocumentService, ParseRequest
from ..models.itemize import (VOCABULARY, ItemizeDocument, ItemizeSettings, ItemizeWebhook, account_view,
                              itemize_account, set_data_set, unix)
from ..models.validation import corrected_results
from .jsonrpc import BadJson, decode_json, read_json_object
from ..models.webhook import allowed_webhook_url

_logger = logging.getLogger(__name__)

PREFIX = "/api/enterprise/v1"
MAX_JSON_BODY = 64 * 1024
MULTIPART_OVERHEAD = 64 * 1024
ALL_METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")

# The documented error bodies.
ACCESS_DENIED = {"error": "access denied - invalid token or account"}
NOT_FOUND = {"message": "Resource not found"}
METHOD_NOT_ALLOWED = {"message": "Method not allowed."}
NOT_MULTIPART = {"error": "multipart/form-data is the only content type allowed for document upload"}
BAD_MULTIPART = {"error": "Incorrect format for multipart/form-data. Please ensure document and metadata "
                          "parameters are uploaded."}
BAD_FORMAT = {"error": "Incorrect format/mime-type for receipt document."}
NO_FROM_ADDRESS = {"error": "'from_address' is missing in metadata. Please ensure the 'from_address' field is "
                            "included in the metadata parameter."}
UPLOAD_FAILED = {"error": "An error has occurred during document upload. Please try again."}


def error(body: dict, status_code: int) -> JSONResponse:
    return JSONResponse(body, status_code=status_code)


def size_label(n: int) -> str:
    """100 * 1024 -> '100KB', 5 * 1024 * 1024 -> '5MB', as the doc's messages print them."""
    if n >= 1024 * 1024 and n % (1024 * 1024) == 0:
        return f"{n // (1024 * 1024)}MB"
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024}KB"
    return f"{n}B"


def basic_token(request: Request) -> str | None:
    """The password of ``Authorization: Basic base64(":" + token)`` (the user name is empty),
    or the whole credential of ``Basic base64(token)``."""
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    # Itemize's own Java sample encodes the token alone, without the colon: that is the token too.
    _user, sep, password = decoded.partition(":")
    token = password if sep else decoded
    return token.strip() or None


# -- the neutral result in Itemize's fields ---------------------------------------------------
def _selected(results: dict, name: str):
    feature = results.get(name)
    if not isinstance(feature, dict):
        return None
    value = feature.get("selected_value")
    return value.get("content") if isinstance(value, dict) else None


def _amount(value) -> float | None:
    return round(float(value), 2) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _day(iso) -> date | None:
    try:
        return date.fromisoformat(str(iso)[:10])
    except ValueError:
        return None


def _line_amount(line: dict):
    for kind in ("subtotal", "total"):
        value = _amount(_selected(line, kind))
        if value is not None:
            return value
    quantity, price = _amount(_selected(line, "quantity")), _amount(_selected(line, "unit_price"))
    return round(quantity * price, 2) if quantity is not None and price is not None else None


def market_of(results: dict, default: str) -> str:
    """The country the document was issued in, in Itemize's market codes, else the account's."""
    country = str(_selected(results, "country") or "").upper()
    country = {"GB": "UK"}.get(country, country)
    return country if country in VOCABULARY["markets"] else default


def document_fields(*, uuid: str, row: ItemizeDocument, processed_at: datetime | None, results: dict,
                    data_set: str, account_country: str, failure: str | None = None) -> dict:
    """Itemize's Document for ``data_set`` (Base + the levels it includes)."""
    metadata = row.metadata_ or {}
    text = str(results.get("full_text_annotation") or "")
    total = _amount(_selected(results, "total"))
    is_document = bool(text.strip())
    reason = failure or (None if is_document else "No text could be read on the document.")
    if reason is None and total is None:
        reason = "No total could be found on the document."
    processed = unix(processed_at)
    out: dict = {
        "id": uuid,
        "format": row.format,
        "client_id": metadata.get("client_id"),
        "client_country_id": metadata.get("client_country_id"),
        "processed": processed,
        "processed_string": datetime.fromtimestamp(processed, timezone.utc).strftime("%Y-%m-%d") if processed else None,
        "market": market_of(results, account_country),
        "ocr_text": text,
        "is_document": is_document,
        "is_conforming": reason is None,
        "non_conforming_reason": reason,
        "is_final": True,  # no human verification here: the first data set is the final one
        "sent_for_human_verification": False,
        "document_type": row.document_type,
    }
    levels = VOCABULARY["levels_of_data_set"].get(data_set, VOCABULARY["levels_of_data_set"]["L2"])
    supplier = _selected(results, "supplier")
    name = str(supplier).strip() if supplier and str(supplier).strip() else VOCABULARY["unresolved_merchant_name"]
    if "L1" in levels:
        purchased = _day(_selected(results, "date"))
        out.update({
            "purchased": int(datetime(purchased.year, purchased.month, purchased.day, tzinfo=timezone.utc)
                             .timestamp()) if purchased else 0,
            "purchased_string": purchased.isoformat() if purchased else None,
            "total": total,  # the printed total, which includes any tip
            "currency": _selected(results, "currency"),
            "payment_type": None,  # the engine reads no payment method yet
            "merchant": {"name": name, "category": None, "is_tippable": 0},
        })
    if "L2" in levels:
        vat = _selected(results, "VAT_Number")
        out["merchant"].update({"normalized_name": name, "tax_id": vat,
                                "registered_name": name if vat and supplier else None, "branch": {"phone": None}})
        subtotal, tax = _amount(_selected(results, "subtotal")), _amount(_selected(results, "total_tax_amount"))
        financial = [{"financial_value_type": label, "financial_value": _amount(_selected(results, feature))}
                     for feature, label in VOCABULARY["financial_value_types"].items()
                     if _amount(_selected(results, feature)) is not None]
        attributes = [{"attribute_type": label, "attribute_value": _day(_selected(results, feature)).isoformat()}
                      for feature, label in VOCABULARY["attribute_types"].items()
                      if _day(_selected(results, feature)) is not None]
        out.update({"subtotal": subtotal, "tax": tax, "tip": None, "financial_values": financial,
                    "attributes": attributes or None})
    if "L3" in levels:
        items = []
        for line in results.get("invoice_lines") or []:
            if not isinstance(line, dict):
                continue
            item_name = _selected(line, "description")
            items.append({"item_name": str(item_name) if item_name is not None else None,
                          "item_subtotal": _line_amount(line), "item_date": None, "item_type": None})
        out["receipt_items"] = items
    return out


# -- routes --------------------------------------------------------------------------------
async def json_body(request: Request) -> dict | None:
    return await read_json_object(request, MAX_JSON_BODY)


def metadata_problem(metadata: dict, fmt: str) -> dict | None:
    """The 400 body for metadata Itemize would refuse, or None."""
    if fmt in VOCABULARY["digital_formats"] and not (isinstance(metadata.get("from_address"), str)
                                                      and metadata["from_address"].strip()):
        return NO_FROM_ADDRESS
    document_type = metadata.get("document_type", VOCABULARY["default_document_type"])
    if document_type not in VOCABULARY["document_types"]:
        return {"error": f"'document_type' must be one of {', '.join(VOCABULARY['document_types'])}."}
    client_id = metadata.get("client_id")
    if client_id is not None and (not isinstance(client_id, (str, int)) or isinstance(client_id, bool)
                                  or len(str(client_id)) > VOCABULARY["max_client_id_length"]):
        return {"error": f"'client_id' must be a string of {VOCABULARY['max_client_id_length']} characters or less."}
    webhook_id = metadata.get("webhook_id")
    if webhook_id is not None and (not isinstance(webhook_id, str)
                                   or len(webhook_id) > VOCABULARY["max_webhook_id_length"]):
        return {"error": f"'webhook_id' must be a string of {VOCABULARY['max_webhook_id_length']} characters or less."}
    for key, bound in (("latitude", 90), ("longitude", 180)):
        value = metadata.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                  or not -bound <= value <= bound):
            return {"error": f"'{key}' must be a number between -{bound} and {bound}."}
    for key in ("to_address", "subject", "from_address"):
        value = metadata.get(key)
        if value is not None and (not isinstance(value, str) or len(value) > 1024):
            return {"error": f"'{key}' must be a string of 1024 characters or less."}
    for key in ("client_country_id", "received_datetime"):
        value = metadata.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, str)) or len(str(value)) > 32):
            return {"error": f"'{key}' must be an integer."}
    return None


def document_format(data: bytes) -> str | None:
    """The upload's format from its bytes (the metadata's ``format`` is not trusted)."""
    mime = sniff_mimetype(data)
    if mime in VOCABULARY["paper_formats"]:
        return mime
    if mime is None or mime == "application/xml":
        text_type = sniff_text(data)
        if mime is not None and text_type != "text/html":
            return None  # XML that is no HTML page is no digital receipt
        return text_type if text_type in VOCABULARY["digital_formats"] else None
    return None


def size_problem(size: int, fmt: str, settings: ItemizeSettings) -> dict | None:
    if fmt in VOCABULARY["image_formats"]:
        if size < settings.min_image_bytes:
            return {"error": f"Minimum file size is {size_label(settings.min_image_bytes)}"}
        if size > settings.max_image_bytes:
            return {"error": f"Maximum file size is {size_label(settings.max_image_bytes)}"}
    elif size >= settings.max_document_bytes:  # PDF, HTML, text: "less than"
        return {"error": f"Maximum file size is {size_label(settings.max_document_bytes)}"}
    return None


def webhook_view(hook: ItemizeWebhook, with_token: bool) -> dict:
    out = {"id": hook.id, "url": hook.url, "account_id": hook.account_id}
    if with_token:
        out["token"] = hook.token
    return out


def webhook_problem(body: dict | None) -> dict | None:
    if body is None:
        return {"error": "Send a JSON object {\"url\": …, \"token\": …}."}
    url = body.get("url")
    if not isinstance(url, str) or not url.strip() or len(url) > 2048:
        return {"error": "'url' is required: the callback URL."}
    problem = allowed_webhook_url(url.strip())
    if problem:
        return {"error": f"'url' cannot be a callback URL: {problem}"}
    token = body.get("token", "")
    if token is not None and (not isinstance(token, str) or len(token) > VOCABULARY["max_webhook_token_length"]):
        return {"error": f"'token' must be a string of {VOCABULARY['max_webhook_token_length']} characters or less."}
    return None


def router(service: DocumentService, settings: ItemizeSettings | None = None) -> APIRouter:
    settings = settings or ItemizeSettings.from_env()
    db = service.db
    api = APIRouter(prefix=PREFIX, tags=["itemize"])

    def authorize(request: Request, account_id: str) -> tuple[int | None, str | None]:
        """(account id, token) when the Basic password is the token of account ``account_id``."""
        token = basic_token(request)
        if token is None or not account_id.isdigit() or len(account_id) > 12:
            return None, None
        with db.session() as session:
            account = find_account(session, token)
            if account is None or account.id != int(account_id):
                return None, None
            if itemize_account(session, account.id).status != "active":
                return None, None
            return account.id, token

    def account_country(owner: int) -> str:
        with db.session() as session:
            return itemize_account(session, owner).country_code

    def not_allowed(path: str, allowed: tuple) -> None:
        @api.api_route(path, methods=[m for m in ALL_METHODS if m not in allowed], include_in_schema=False)
        async def wrong_verb(request: Request):
            return error(METHOD_NOT_ALLOWED, 405)

    # -- accounts --
    @api.get("/accounts/{account_id}")
    async def get_account(account_id: str, request: Request):
        owner, _ = await run_in_threadpool(authorize, request, account_id)
        if owner is None:
            return error(ACCESS_DENIED, 401)

        def view():
            with db.session() as session:
                return account_view(session, owner)
        return JSONResponse(await run_in_threadpool(view))

    @api.put("/accounts/{account_id}")
    async def put_account(account_id: str, request: Request):
        owner, _ = await run_in_threadpool(authorize, request, account_id)
        if owner is None:
            return error(ACCESS_DENIED, 401)
        body = await json_body(request)
        if body is None:
            return error({"error": "Send the account fields as a JSON object."}, 400)
        problem = account_update_problem(body)
        if problem:
            return error(problem, 400)

        def update():
            with db.session() as session:
                row = itemize_account(session, owner)
                for key in ("company", "primary_contact", "email_address"):
                    if key in body:
                        setattr(row, key, body[key].strip())
                if "markets" in body:
                    row.markets = list(dict.fromkeys(body["markets"]))
                if "country" in body:
                    row.country_code = body["country"]["country_code"]
                if "data_set" in body:
                    set_data_set(session, owner, body["data_set"])
                session.flush()
                return account_view(session, owner)
        return JSONResponse(await run_in_threadpool(update))

    not_allowed("/accounts/{account_id}", ("GET", "PUT"))

    # -- documents --
    @api.post("/accounts/{account_id}/documents")
    async def upload(account_id: str, request: Request):
        owner, token = await run_in_threadpool(authorize, request, account_id)
        if owner is None:
            return error(ACCESS_DENIED, 401)
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != "multipart/form-data":
            return error(NOT_MULTIPART, 415)
        largest = max(settings.max_image_bytes, settings.max_document_bytes)
        declared = request.headers.get("content-length", "")
        if not declared.isdigit():
            return error({"error": "The upload must declare its Content-Length."}, 411)
        if int(declared) > largest + MULTIPART_OVERHEAD:
            return error({"error": f"Maximum file size is {size_label(largest)}"}, 400)
        try:
            form = await request.form(max_files=2, max_fields=20)
        except Exception:  # a malformed multipart body
            return error(BAD_MULTIPART, 400)
        try:
            raw_metadata, upload_file = form.get("metadata"), form.get("document")
            if isinstance(raw_metadata, UploadFile):  # some clients send the JSON as a file part
                raw_metadata = (await raw_metadata.read(MAX_JSON_BODY + 1)).decode("utf-8", "replace")
            if not isinstance(upload_file, UploadFile) or not isinstance(raw_metadata, str):
                return error(BAD_MULTIPART, 400)
            data = await upload_file.read(largest + 1)
            file_name = upload_file.filename or ""
        finally:
            await form.close()
        try:
            metadata = decode_json(raw_metadata.encode("utf-8", "surrogatepass")) \
                if len(raw_metadata) <= MAX_JSON_BODY else None
        except (BadJson, UnicodeError):
            metadata = None
        if not isinstance(metadata, dict):
            return error(BAD_MULTIPART, 400)
        fmt = document_format(data) if data else None
        if fmt is None:
            return error(BAD_FORMAT, 400)
        problem = size_problem(len(data), fmt, settings) or metadata_problem(metadata, fmt)
        if problem:
            return error(problem, 400)
        document_type = metadata.get("document_type", VOCABULARY["default_document_type"])
        country = await run_in_threadpool(account_country, owner)
        user_lang = VOCABULARY["market_locales"].get(country)
        try:
            parsed = await run_in_threadpool(service.parse, ParseRequest(
                account_token=token, document_type="invoice", documents=[data], file_names=[file_name],
                user_infos={"user_lang": user_lang} if user_lang else {},
                accept_text=fmt in VOCABULARY["digital_formats"]))
        except Exception:  # our failure: the doc's 500 body, never a traceback
            _logger.exception("an Itemize upload to account %s failed", owner)
            return error(UPLOAD_FAILED, 500)
        if parsed.status == "error_no_credit":
            return error({"error": "This account has no credit left: ask the server's administrator for more."}, 402)
        if parsed.status in ("error_unsupported_format",):
            return error(BAD_FORMAT, 400)
        if parsed.status == "error_unsupported_size":
            return error({"error": f"Maximum file size is {size_label(largest)}"}, 400)
        if parsed.status != "success":
            return error(UPLOAD_FAILED, 500)

        def keep():
            with db.session() as session:
                session.add(ItemizeDocument(document_id=parsed.document_id, account_id=owner, format=fmt,
                                            document_type=document_type, metadata_=metadata))
        await run_in_threadpool(keep)
        # The metadata echoed with the new id; the format is the one the bytes have.
        return JSONResponse({"id": parsed.document_uuid, **metadata, "format": fmt})

    not_allowed("/accounts/{account_id}/documents", ("POST",))

    @api.get("/accounts/{account_id}/documents/{document_id}")
    async def get_document(account_id: str, document_id: str, request: Request):
        owner, token = await run_in_threadpool(authorize, request, account_id)
        if owner is None:
            return error(ACCESS_DENIED, 401)
        if len(document_id) > 64:
            return error(NOT_FOUND, 404)

        def read():
            outcome = service.get_result(DocumentRef(uuid=document_id), token)
            if outcome.status in ("processing", "error_document_not_found") or outcome.document_id is None:
                return None
            with db.session() as session:
                row = session.get(ItemizeDocument, outcome.document_id)
                if row is None or row.account_id != owner:
                    return None  # sent through another API: not an Itemize document
                account = itemize_account(session, owner)
                data_set, country = account.data_set, account.country_code
            doc = service.get_document(DocumentRef(id=outcome.document_id), token)
            failure = None if outcome.status == "success" else (outcome.message or outcome.status)
            # the corrected data set once a validation was stored (the document.updated event)
            results = corrected_results(outcome.results or {}, service.validation_of(DocumentRef(id=outcome.document_id)))
            return document_fields(uuid=outcome.document_uuid, row=row, processed_at=doc.done_at if doc else None,
                                   results=results, data_set=data_set, account_country=country,
                                   failure=failure)
        try:
            answer = await run_in_threadpool(read)
        except Exception:  # a stored result this adapter cannot map is our failure, never a traceback
            _logger.exception("mapping document %s to Itemize's fields failed", document_id[:64])
            return error({"error": "An error has occurred. Please try again."}, 500)
        return JSONResponse(answer) if answer is not None else error(NOT_FOUND, 404)

    @api.put("/accounts/{account_id}/documents/{document_id}")
    async def correct_document(account_id: str, document_id: str, request: Request):
        """Our correction route (Itemize has none: its analysts correct): the values in
        Itemize's field names become the document's validation, through the Odoo validate
        path; a ``document.updated`` webhook follows and GET answers the corrected values."""
        owner, token = await run_in_threadpool(authorize, request, account_id)
        if owner is None:
            return error(ACCESS_DENIED, 401)
        body = await json_body(request)
        values, problem = correction_values(body)
        if problem:
            return error(problem, 400)

        def is_itemize_document() -> bool:
            doc = service.get_document(DocumentRef(uuid=document_id[:64]), token)
            with db.session() as session:
                row = session.get(ItemizeDocument, doc.id) if doc is not None else None
                return row is not None and row.account_id == owner
        if len(document_id) > 64 or not await run_in_threadpool(is_itemize_document):
            return error(NOT_FOUND, 404)
        outcome = await run_in_threadpool(service.validate, DocumentRef(uuid=document_id), values, token)
        if outcome.status == "error_already_validated":
            return error({"error": "The document has already been corrected."}, 400)
        if outcome.status == "error_document_not_found":
            return error(NOT_FOUND, 404)
        if outcome.status != "success":  # still processing, or a shape the service refuses
            return error({"error": outcome.message}, 400 if outcome.status == "error_validation_format" else 500)
        return await get_document(account_id, document_id, request)

    not_allowed("/accounts/{account_id}/documents/{document_id}", ("GET", "PUT"))

    # -- webhooks --
    @api.post("/accounts/{account_id}/webhooks")
    async def add_webhook(account_id: str, request: Request):
        owner, _ = await run_in_threadpool(authorize, request, account_id)
        if owner is None:
            return error(ACCESS_DENIED, 401)
        body = await json_body(request)
        problem = webhook_problem(body)
        if problem:
            return error(problem, 400)

        def add():
            with db.session() as session:
                count = session.scalar(select(func.count(ItemizeWebhook.id))
                                       .where(ItemizeWebhook.account_id == owner))
                if count >= VOCABULARY["max_webhooks_per_account"]:
                    return None
                hook = ItemizeWebhook(account_id=owner, url=body["url"].strip(), token=body.get("token") or "")
                session.add(hook)
                session.flush()
                return webhook_view(hook, with_token=True)
        hook = await run_in_threadpool(add)
        if hook is None:
            return error({"error": f"An account can register at most {VOCABULARY['max_webhooks_per_account']} "
                                   "callback URLs: delete one before adding another."}, 400)
        return JSONResponse([hook], status_code=201)

    @api.get("/accounts/{account_id}/webhooks")
    async def list_webhooks(account_id: str, request: Request):
        owner, _ = await run_in_threadpool(authorize, request, account_id)
        if owner is None:
            return error(ACCESS_DENIED, 401)

        def listing():
            with db.session() as session:
                return [webhook_view(h, with_token=False) for h in session.scalars(
                    select(ItemizeWebhook).where(ItemizeWebhook.account_id == owner).order_by(ItemizeWebhook.id))]
        return JSONResponse(await run_in_threadpool(listing))

    not_allowed("/accounts/{account_id}/webhooks", ("GET", "POST"))

    def find_hook(session, owner: int, webhook_id: str) -> ItemizeWebhook | None:
        if not webhook_id.isdigit() or len(webhook_id) > 12:
            return None
        hook = session.get(ItemizeWebhook, int(webhook_id))
        return hook if hook is not None and hook.account_id == owner else None

    @api.get("/accounts/{account_id}/webhooks/{webhook_id}")
    async def get_webhook(account_id: str, webhook_id: str, request: Request):
        owner, _ = await run_in_threadpool(authorize, request, account_id)
        if owner is None:
            return error(ACCESS_DENIED, 401)

        def one():
            with db.session() as session:
                hook = find_hook(session, owner, webhook_id)
                return webhook_view(hook, with_token=False) if hook else None
        hook = await run_in_threadpool(one)
        return JSONResponse(hook) if hook else error(NOT_FOUND, 404)

    @api.put("/accounts/{account_id}/webhooks/{webhook_id}")
    async def put_webhook(account_id: str, webhook_id: str, request: Request):
        owner, _ = await run_in_threadpool(authorize, request, account_id)
        if owner is None:
            return error(ACCESS_DENIED, 401)
        body = await json_body(request)
        problem = webhook_problem(body)
        if problem:
            return error(problem, 400)

        def change():
            with db.session() as session:
                hook = find_hook(session, owner, webhook_id)
                if hook is None:
                    return None
                hook.url = body["url"].strip()
                if "token" in body:
                    hook.token = body.get("token") or ""
                return webhook_view(hook, with_token=True)
        hook = await run_in_threadpool(change)
        return JSONResponse(hook) if hook else error(NOT_FOUND, 404)

    @api.delete("/accounts/{account_id}/webhooks/{webhook_id}")
    async def delete_webhook(account_id: str, webhook_id: str, request: Request):
        owner, _ = await run_in_threadpool(authorize, request, account_id)
        if owner is None:
            return error(ACCESS_DENIED, 401)

        def remove():
            with db.session() as session:
                hook = find_hook(session, owner, webhook_id)
                if hook is None:
                    return False
                session.delete(hook)
                return True
        return JSONResponse([]) if await run_in_threadpool(remove) else error(NOT_FOUND, 404)

    not_allowed("/accounts/{account_id}/webhooks/{webhook_id}", ("GET", "PUT", "DELETE"))
    return api


# Itemize's correctable fields -> the neutral feature each validates.
CORRECTABLE = {"total": "total", "subtotal": "subtotal", "tax": "total_tax_amount", "currency": "currency",
               "purchased_string": "date", "merchant.name": "supplier", "merchant.tax_id": "VAT_Number"}
AMOUNTS = {"total", "subtotal", "tax"}


def correction_values(body: dict | None) -> tuple[dict, dict | None]:
    """(the neutral validation, None) of a correction in Itemize's field names, or ({}, the 400 body)."""
    if body is None:
        return {}, {"error": "Send the corrected fields as a JSON object."}
    flat = {k: v for k, v in body.items() if k != "merchant"}
    if isinstance(body.get("merchant"), dict):
        flat.update({f"merchant.{k}": v for k, v in body["merchant"].items()})
    values = {}
    for key, value in flat.items():
        if key not in CORRECTABLE:
            return {}, {"error": f"'{key}' cannot be corrected; send any of {', '.join(CORRECTABLE)}."}
        if key in AMOUNTS:
            if isinstance(value, bool) or not isinstance(value, (int, float)) or abs(value) >= 1e12:
                return {}, {"error": f"'{key}' must be a number."}
            value = float(value)
        elif key == "purchased_string":
            if _day(value) is None or len(str(value)) != 10:
                return {}, {"error": "'purchased_string' must be a date YYYY-MM-DD."}
        elif not isinstance(value, str) or not value.strip() or len(value) > 255:
            return {}, {"error": f"'{key}' must be a string of 1 to 255 characters."}
        values[CORRECTABLE[key]] = {"content": value}
    if not values:
        return {}, {"error": f"Send at least one of {', '.join(CORRECTABLE)}."}
    return values, None


def account_update_problem(body: dict) -> dict | None:
    for key in ("company", "primary_contact", "email_address"):
        if key in body and (not isinstance(body[key], str) or len(body[key]) > 255):
            return {"error": f"'{key}' must be a string of 255 characters or less."}
    if "markets" in body and (not isinstance(body["markets"], list) or not body["markets"]
                              or any(m not in VOCABULARY["markets"] for m in body["markets"])):
        return {"error": f"'markets' must be a list of {', '.join(VOCABULARY['markets'])}."}
    if "country" in body:
        country = body["country"]
        code = country.get("country_code") if isinstance(country, dict) else None
        if not isinstance(code, str) or not code.isalpha() or len(code) != 2:
            return {"error": "'country' must be {\"country_code\": a two-letter code}."}
        body["country"] = {"country_code": code.upper()}
    if "data_set" in body and body["data_set"] not in VOCABULARY["data_sets"]:
        return {"error": f"'data_set' must be one of {', '.join(VOCABULARY['data_sets'])}."}
    return None


class ItemizeCORS:
    """CORS for Itemize's paths only (browser clients such as Itemize's sample React app), for
    the origins INVOICE_EXTRACT_ITEMIZE_CORS_ORIGINS lists; other routes are left as they are."""

    def __init__(self, app, origins: tuple = ()):
        self.app = app
        self.cors = CORSMiddleware(app, allow_origins=list(origins), allow_methods=list(ALL_METHODS),
                                   allow_headers=["Authorization", "Content-Type"], max_age=600) if origins else None

    async def __call__(self, scope, receive, send):
        if self.cors is not None and scope["type"] == "http" and scope.get("path", "").startswith(PREFIX + "/"):
            return await self.cors(scope, receive, send)
        return await self.app(scope, receive, send)


def install(app, service: DocumentService) -> None:
    """Mount the routes and their CORS on the application."""
    settings = ItemizeSettings.from_env()
    app.include_router(router(service, settings))
    app.add_middleware(ItemizeCORS, origins=settings.cors_origins)
