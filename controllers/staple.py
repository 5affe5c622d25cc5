"""Staple's invoice REST API at its native paths: ``/registration``, ``/login``,
``/token/refresh``, ``/invoice`` (``../shared/vendor-docs/staple-invoice.md``).

A thin adapter: users and tokens are ``models.staple``, ``/invoice`` is the one
``DocumentService`` parse charged to the user's own account, waited for with a bounded wait
(``DocumentService.wait_result``), and the neutral result mapped to Staple's keys here.

Credits: a successful answer costs one call. A document that cannot be read answers the
"sad kitten" and costs nothing (parse refuses it before charging, or the worker gives the
credit back). A call that times out (504) is not charged either: its credit is released at
once (``DocumentService.release_charge``); the document still finishes in the background,
and the worker's own refund of a failed document cannot give the credit back a second time.
"""
from __future__ import annotations

import json
import logging
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from ..models.document_service import DocumentRef, DocumentService, ParseRequest
from ..models.staple import ACCESS, REFRESH, StapleError, StapleUsers, TokenError
from ..models.tagged_image import PageError, data_url, sad_kitten_png, tagged_first_page
from ..extraction.reader import sniff_mimetype
from .result_shapes import selected, selected_content
from .jsonrpc import maintenance, read_json_object

_logger = logging.getLogger(__name__)

MAX_JSON_BODY = 64 * 1024
# Room for the multipart envelope around the file itself.
MULTIPART_OVERHEAD = 64 * 1024
# Statuses of a document that could not be read: the sad kitten.
UNREADABLE = {"error_unsupported_format", "error_unsupported_size", "error_password_protected",
              "error_too_many_pages", "error_internal"}
SAD_KITTEN_ADVICE = {
    "error_unsupported_format": "Send a PDF, PNG or JPEG invoice.",
    "error_unsupported_size": "The file is too large: try a smaller file or fewer pages.",
    "error_password_protected": "Remove the PDF's password and send it again.",
    "error_too_many_pages": "The document has too many pages: send the invoice's pages only.",
    "error_internal": "Try a different pdf.",
}
# Neutral features drawn on the tagged image, with the colour kind of their box.
TAGGED_FEATURES = (("invoice_id", "id"), ("purchase_order", "id"), ("date", "date"), ("due_date", "date"),
                   ("total", "amount"), ("total_tax_amount", "amount"), ("currency", "amount"),
                   ("supplier", "party"), ("client", "party"), ("supplier_address", "address"),
                   ("client_address", "address"), ("shipping_address", "address"), ("iban", "bank"),
                   ("SWIFT_code", "bank"))
STANDARD_HEADERS = (("description", "Description"), ("quantity", "Quantity"), ("unit_price", "UnitAmount"),
                    ("subtotal", "LineAmount"))


def message(text: str, status_code: int) -> JSONResponse:
    return JSONResponse({"message": text}, status_code=status_code)


def sad_kitten(status: str, log: str | None = None) -> JSONResponse:
    """The doc's array for a document that could not be read (422: the request was fine,
    the document is not)."""
    return JSONResponse([{
        "status": "Internal processing error",
        "log": log or "We could not process this document.",
        "advice": SAD_KITTEN_ADVICE.get(status, "Try a different pdf."),
        "moreAdvice": "Ensure you have uploaded an invoice.",
        "base64": data_url(sad_kitten_png()),
    }], status_code=422)


# -- the neutral result in Staple's keys ------------------------------------------------------
_selected, _content = selected, selected_content


def us_date(iso) -> str | None:
    """'2018-08-14' -> '08/14/2018', the doc's MM/DD/YYYY."""
    try:
        return date.fromisoformat(str(iso)).strftime("%m/%d/%Y")
    except ValueError:
        return None


def _bic(results: dict) -> str | None:
    raw = _content(results, "SWIFT_code")
    if not raw:
        return None
    try:
        parsed = json.loads(raw)
    except (TypeError, ValueError):
        return str(raw)
    return parsed.get("bic") if isinstance(parsed, dict) else str(raw)


def _number(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value) if float(value).is_integer() and not isinstance(value, int) and abs(value) < 1e15 else value


def _amount(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _line_value(line: dict, kind: str):
    feature = line.get(kind)
    if isinstance(feature, dict) and isinstance(feature.get("selected_value"), dict):
        return feature["selected_value"].get("content")
    return None


def line_items(line: dict) -> tuple[dict, dict]:
    """(original-header row, standard-header row) of one neutral invoice line."""
    standard: dict = {}
    values = {kind: _line_value(line, kind) for kind, _ in STANDARD_HEADERS}
    cells = line.get("cells") if isinstance(line.get("cells"), list) else None
    if cells:
        original = {f"{cell['header']} ": list(cell.get("content") or []) for cell in cells}
        others = 0
        for cell in cells:  # the standard row in the table's column order, as the doc shows it
            header = dict(STANDARD_HEADERS).get(cell.get("kind"))
            if header is None:
                if cell.get("content"):
                    standard[f"Other{others}"] = " ".join(cell["content"])
                others += 1
            elif values[cell["kind"]] is not None:
                standard[header] = values[cell["kind"]]
    else:  # lines without a printed table (an e-invoice's XML): the standard names serve as headers
        original = {f"{header} ": [str(values[kind])] for kind, header in STANDARD_HEADERS
                    if values[kind] is not None}
    for kind, header in STANDARD_HEADERS:
        if header not in standard and values[kind] is not None:
            standard[header] = values[kind]
    if "Quantity" in standard:  # a count prints as 1, an amount as 171.5 (the doc's example)
        standard["Quantity"] = _number(standard["Quantity"])
    for header in ("UnitAmount", "LineAmount"):
        if isinstance(standard.get(header), int) and not isinstance(standard[header], bool):
            standard[header] = float(standard[header])
    if "Description" in standard:
        standard["Description"] = str(standard["Description"])
    return original, standard


def staple_invoice(results: dict) -> dict:
    """Staple's answer (every key of the doc, in its order; ``base64`` filled in later)."""
    lines = [line for line in results.get("invoice_lines") or [] if isinstance(line, dict)]
    items = [line_items(line) for line in lines]
    currency = results.get("currency") if isinstance(results.get("currency"), dict) else {}
    currencies = [c.get("content") for c in currency.get("candidates", []) if isinstance(c, dict) and c.get("content")]
    selected_currency = _content(results, "currency")
    if selected_currency:  # the chosen one first, then the others the page prints
        currencies = [selected_currency] + [c for c in currencies if c != selected_currency]
    tax = _content(results, "total_tax_amount")
    return {
        "Type": "Invoice",
        "Client": _content(results, "client"),
        "table_detected": bool(lines),
        "Invoice number": _content(results, "invoice_id"),
        "PO number": _content(results, "purchase_order"),
        "Invoice date": us_date(_content(results, "date")),
        "Other date": us_date(_content(results, "due_date")),
        "Account number": _content(results, "iban"),
        "Swift code": _bic(results),
        "Total": _amount(_content(results, "total")),
        "Tax total": _amount(tax),
        "Currency": currencies,
        "LineItems": [original for original, _ in items],
        "LineItems_standardHeader": [standard for _, standard in items],
        "Billing address": _content(results, "client_address"),
        "Shipping address": _content(results, "shipping_address"),
        "Company name": _content(results, "supplier"),
        "Sender address": _content(results, "supplier_address"),
        "Other address": None,
        "base64": None,
    }


def tagged_boxes(results: dict) -> list[tuple[list, str]]:
    """The boxes of the selected values on the first page, with their colour kind."""
    boxes = []
    for name, kind in TAGGED_FEATURES:
        feature = results.get(name)
        if not isinstance(feature, dict):
            continue
        chosen = feature.get("selected_values") if "selected_values" in feature else [feature.get("selected_value")]
        for value in chosen or []:
            if isinstance(value, dict) and value.get("page", 0) == 0 and isinstance(value.get("coords"), list):
                boxes.append((value["coords"], kind))
    for line in results.get("invoice_lines") or []:
        if not isinstance(line, dict):
            continue
        cells = line.get("cells") if isinstance(line.get("cells"), list) else []
        for cell in cells:
            if cell.get("page", 0) == 0 and isinstance(cell.get("coords"), list):
                boxes.append((cell["coords"], "line"))
        if not cells:
            for kind, _ in STANDARD_HEADERS:
                value = line.get(kind, {}).get("selected_value") if isinstance(line.get(kind), dict) else None
                if isinstance(value, dict) and value.get("page", 0) == 0:
                    boxes.append((value.get("coords"), "line"))
    return boxes


# -- routes --------------------------------------------------------------------------------
def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def json_body(request: Request) -> dict | None:
    return await read_json_object(request, MAX_JSON_BODY)


def router(service: DocumentService, users: StapleUsers | None = None) -> APIRouter:
    users = users or StapleUsers(service.db)
    settings = users.settings
    api = APIRouter(tags=["staple"])

    def authorized(request: Request, kind: str):
        try:
            return users.check(bearer(request), kind), None
        except TokenError as e:
            return None, message(str(e), 401)

    @api.post("/registration")
    async def registration(request: Request):
        body = await json_body(request)
        if body is None:
            return message("send a JSON object {\"username\": …, \"password\": …}", 400)
        try:
            user = await run_in_threadpool(users.register, body.get("username"), body.get("password"))
        except StapleError as e:
            return message(str(e), 400)
        name = str(body.get("username")).strip().lower()
        if user is None:
            return message(f"user {name} already exists", 409)
        return JSONResponse({"message": f"user {user.username} was created",
                             "access_token": users.token(user, ACCESS),
                             "refresh_token": users.token(user, REFRESH)})

    @api.post("/login")
    async def login(request: Request):
        body = await json_body(request)
        if body is None:
            return message("send a JSON object {\"username\": …, \"password\": …}", 400)
        user = await run_in_threadpool(users.authenticate, body.get("username"), body.get("password"))
        if user is None:
            return message("wrong credentials", 401)
        refresh = users.token(user, REFRESH)
        # "Refresh_token" as the doc spells it; "refresh_token" as registration does
        return JSONResponse({"message": f"logged in as {user.username}", "access_token": users.token(user, ACCESS),
                             "Refresh_token": refresh, "refresh_token": refresh})

    @api.post("/token/refresh")
    async def token_refresh(request: Request):
        user, refused = await run_in_threadpool(authorized, request, REFRESH)
        if refused is not None:
            return refused
        return JSONResponse({"access_token": users.token(user, ACCESS)})

    @api.post("/invoice")
    async def invoice(request: Request):
        user, refused = await run_in_threadpool(authorized, request, ACCESS)
        if refused is not None:
            return refused
        if maintenance():
            return message("Server is currently under maintenance. Please try again later.", 503)
        limit = service.limits.max_bytes
        declared = request.headers.get("content-length", "")
        if not declared.isdigit():
            return message("the request must declare its Content-Length", 411)
        if int(declared) > limit + MULTIPART_OVERHEAD:
            return sad_kitten("error_unsupported_size", f"The file is larger than {limit // (1024 * 1024)} MB.")
        try:
            form = await request.form(max_files=1, max_fields=20)
        except Exception:  # a malformed multipart body
            return message("send the document as the multipart field 'file'", 400)
        try:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                return message("send the document as the multipart field 'file'", 400)
            data = await upload.read(limit + 1)
            file_name = upload.filename or ""
        finally:
            await form.close()
        parsed = await run_in_threadpool(service.parse, ParseRequest(
            account_token=None, account_id=user.account_id, document_type="invoice", documents=[data],
            file_names=[file_name]))
        if parsed.status == "error_no_credit":
            return message(f"user {user.username} has no calls left: every free call of this account is used. "
                           "Ask the server's administrator for more.", 403)
        if parsed.status in UNREADABLE:
            return sad_kitten(parsed.status, parsed.message)
        if parsed.status != "success":
            return message(parsed.message, 400)
        ref = DocumentRef(id=parsed.document_id)
        outcome = await service.wait_result(ref, settings.invoice_timeout)
        if outcome.status == "processing":
            await run_in_threadpool(service.release_charge, ref)
            return message(f"the document was not read within {settings.invoice_timeout:g} seconds; "
                           "this call is not charged", 504)
        if outcome.status != "success":
            return sad_kitten(outcome.status, outcome.message)
        results = outcome.results or {}
        if not str(results.get("full_text_annotation") or "").strip():
            # nothing printed could be read (a blank page, an unreadable scan): not an invoice read
            await run_in_threadpool(service.release_charge, ref)
            return sad_kitten("error_internal", "No text could be read on this document.")
        try:
            answer = staple_invoice(results)
        except Exception:  # a result this adapter cannot map is our failure: not charged, never a 500
            _logger.exception("mapping the result of document %s to Staple's keys failed", parsed.document_id)
            await run_in_threadpool(service.release_charge, ref)
            return sad_kitten("error_internal")
        try:
            png = await run_in_threadpool(tagged_first_page, data, sniff_mimetype(data), tagged_boxes(results),
                                          service.limits)
            answer["base64"] = data_url(png)
        except PageError:
            answer["base64"] = None  # nothing printed to show (an e-invoice XML)
        except Exception:  # the values were read and charged: answer them without the picture
            _logger.exception("drawing the tagged image of document %s failed", parsed.document_id)
            answer["base64"] = None
        return JSONResponse(answer)

    return api
