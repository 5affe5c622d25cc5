"""Klippa's Custom OCR API at its native paths under ``/api/v1`` (``../shared/vendor-docs/
klippa-custom-ocr.md``; exact names and types from Klippa's OpenAPI-generated clients), so a
client changes only its host.

A thin adapter: a key is an account token of ours, a sub key or a public key
(``models.klippa``); ``parseDocument``, ``parseStructuredPDF`` and ``parseText`` are the one
``DocumentService`` parse charged to the key's account, waited for with a bounded wait, and the
neutral result mapped to Klippa's Receipt (``controllers.klippa_receipt``).

Credits: one per successful scan. A document that cannot be read is refused before it is
charged or given its credit back by the worker; a scan that times out, or whose text is
empty, gives its credit back at once (``DocumentService.release_charge``), and a public key's
scan with it.
"""
from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import uuid
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from .. import __version__
from ..models.document_service import DocumentRef, DocumentService, ParseRequest
from ..models.klippa import API, PUBLIC, SUB, Caller, KeyError_, KlippaKeys, KlippaUserData, UserDataError
from ..models.url_fetch import FetchError, fetch_url
from . import klippa_receipt as shapes
from .jsonrpc import BadJson, decode_json, maintenance, read_body, read_json_object

_logger = logging.getLogger(__name__)

PREFIX = "/api/v1"
MULTIPART_OVERHEAD = 64 * 1024
MAX_FORM_FILES = 10
MAX_JSON_BODY = 64 * 1024
MAX_BULK_BODY = 4 * 1024 * 1024  # up to 1000 actions of small records
# Statuses of a document that could not be read (refused at parse or failed in the worker).
UNREADABLE = {"error_unsupported_format", "error_password_protected", "error_too_many_pages", "error_internal"}


def parse_timeout() -> float:
    try:
        return max(1.0, float(os.environ.get("INVOICE_EXTRACT_KLIPPA_TIMEOUT", 120)))
    except ValueError:
        return 120.0


def request_id() -> str:
    return uuid.uuid4().hex


def klippa_error(code: int, message: str | None = None, rid: str | None = None,
                 status: int | None = None) -> JSONResponse:
    spec = shapes.vocabulary()["errors"][str(code)]
    return JSONResponse({"code": code, "message": message or spec["message"], "request_id": rid or request_id(),
                         "result": "error"}, status_code=status or spec["status"])


def success(data, rid: str | None = None) -> JSONResponse:
    return JSONResponse({"result": "success", "data": data, "request_id": rid or request_id()})


def _timestamp(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def _key_from(request: Request, name: str) -> str | None:
    """A key from its header or its query parameter (both may be sent: the header wins)."""
    value = request.headers.get(name) or request.query_params.get(name)
    return value.strip() if value and value.strip() else None


# The parse routes' bodies (read by hand, so FastAPI cannot infer them); describe_routes adds the
# rest of every route's OpenAPI description.
KEY_PARAMETERS = [{"name": name, "in": where, "required": False, "schema": {"type": "string"},
                   "description": "The API key (or sub key)" if name == "X-Auth-Key" else "A public key"}
                  for name in ("X-Auth-Key", "X-Auth-Public-Key") for where in ("header", "query")]
PARSE_FIELDS = {
    "document": {"type": "array", "items": {"type": "string", "format": "binary"},
                 "description": "The document(s): GIF, PNG, JPG, TIFF, WEBP or PDF (only the first PDF is read)."},
    "url": {"type": "string", "description": "Fetched instead of document (INVOICE_EXTRACT_FETCH_NETWORKS)."},
    "template": {"type": "string", "enum": ["financial", "financial_full"]},
    "pdf_text_extraction": {"type": "string", "enum": ["fast", "full"]},
    "user_data": {"type": "string", "description": "A JSON-encoded user_data object."},
    "user_data_set_external_id": {"type": "string"},
    "hash_duplicate_group_id": {"type": "string"},
}


def parse_openapi(fields: dict) -> dict:
    schema = {"type": "object", "properties": fields}
    json_schema = {"type": "object", "properties": {**fields, "document": {
        "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
        "description": "base64"}} if "document" in fields else fields}
    return {"requestBody": {"content": {"multipart/form-data": {"schema": schema},
                                        "application/json": {"schema": json_schema}}}}


def small_id(text: str) -> bool:
    """A row id as a path segment: digits the database's integers can hold."""
    return text.isdigit() and len(text) <= 12


def router(service: DocumentService, keys: KlippaKeys | None = None) -> APIRouter:
    keys = keys or KlippaKeys(service.db)
    data_sets = KlippaUserData(service.db)
    api = APIRouter(prefix=PREFIX, tags=["klippa"])
    vocab = shapes.vocabulary()
    templates = vocab["templates"]
    unsupported_templates = set(vocab["unsupported_templates"])

    async def caller_of(request: Request, *, public_allowed: bool = False, spend_scan: bool = False):
        """(Caller, None) or (None, the error answer)."""
        api_key = _key_from(request, "X-Auth-Key")
        public_key = _key_from(request, "X-Auth-Public-Key")
        try:
            if api_key or not public_key:
                return await run_in_threadpool(keys.api_caller, api_key), None
            if not public_allowed:
                return None, klippa_error(100003, "A public key can only be used on parseDocument and GET /publicKey.")
            return await run_in_threadpool(lambda: keys.public_caller(public_key, spend_scan=spend_scan)), None
        except KeyError_ as e:
            return None, klippa_error(e.code)

    def main_key_only(caller: Caller) -> JSONResponse | None:
        if caller.kind != API:
            return klippa_error(100003, "Only an account's main API key can manage keys.")
        return None

    # -- information --------------------------------------------------------------------
    @api.get("/")
    async def api_index(request: Request):
        caller, refused = await caller_of(request)
        if refused:
            return refused
        return success({"Title": "invoice_extract: Klippa Custom OCR API", "Version": __version__, "Commit": "",
                        "Branch": "", "Contact": ""})

    @api.get("/credits")
    async def credits(request: Request):
        caller, refused = await caller_of(request)
        if refused:
            return refused
        return success(await run_in_threadpool(keys.credits, caller.account_id))

    def fields_list() -> list[dict]:
        numbers = {"amount", "amount_change", "amountexvat", "vatamount"}
        out = [{"field": name, "type": "int" if name in numbers else "string", "nullable": False}
               for name in sorted(set(shapes.STRING_FIELDS) | numbers)]
        out += [{"field": "hash_duplicate", "type": "bool", "nullable": False},
                {"field": "lines", "type": "array", "nullable": False},
                {"field": "vatitems", "type": "array", "nullable": False},
                {"field": "barcodes", "type": "array", "nullable": False},
                {"field": "matched_keywords", "type": "array", "nullable": False},
                {"field": "matched_lineitems", "type": "array", "nullable": False}]
        return sorted(out, key=lambda f: f["field"])

    @api.get("/fields")
    async def fields(request: Request):
        caller, refused = await caller_of(request)
        if refused:
            return refused
        return success({"fields": fields_list()})

    @api.get("/fields/{template}")
    async def fields_by_template(template: str, request: Request):
        caller, refused = await caller_of(request)
        if refused:
            return refused
        if template not in templates:
            return klippa_error(300004)
        return success({"fields": fields_list()})

    @api.get("/templates")
    async def list_templates(request: Request):
        caller, refused = await caller_of(request)
        if refused:
            return refused
        return success({"templates": {key: {"title": spec["title"]} for key, spec in templates.items()}})

    def stat_rows(rows: list[dict]) -> list[dict]:
        out = []
        for row in rows:
            year, month, day = (int(part) for part in row["day"].split("-"))
            out.append({"year": year, "month": month, "day": day, "hour": 0, "count": row["count"]})
        return out

    @api.get("/statistics")
    async def statistics(request: Request):
        caller, refused = await caller_of(request)
        if refused:
            return refused
        return success(stat_rows(await run_in_threadpool(keys.statistics, caller.account_id)))

    # -- parsing ------------------------------------------------------------------------
    async def read_parse_input(request: Request, rid: str, codes: dict, text_route: bool):
        """(fields dict, documents list, None) or (None, None, error answer). ``codes`` are the
        route's error codes: document / too_big."""
        limit = service.limits.max_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit * 4 // 3 + MULTIPART_OVERHEAD:
            return None, None, klippa_error(codes["too_big"], rid=rid)
        content_type = request.headers.get("content-type", "")
        if not declared.isdigit() and not content_type.startswith("application/json"):
            # a multipart body of unknown length would be spooled to disk without bound
            return None, None, klippa_error(codes["document"], "The request must declare its Content-Length.", rid)
        fields: dict = {}
        documents: list[tuple[bytes, str]] = []
        if content_type.startswith("application/json"):
            body = await read_body(request, limit * 4 // 3 + MULTIPART_OVERHEAD)
            if body is None:
                return None, None, klippa_error(codes["too_big"], rid=rid)
            try:
                data = decode_json(body or b"{}")
            except BadJson as e:
                return None, None, klippa_error(codes["document"], f"The body is not usable JSON: {e}.", rid)
            if not isinstance(data, dict):
                return None, None, klippa_error(codes["document"], "The body must be a JSON object.", rid)
            fields = {k: v for k, v in data.items() if k != "document"}
            raw_documents = data.get("document")
            if raw_documents is not None and not text_route:
                for item in raw_documents if isinstance(raw_documents, list) else [raw_documents]:
                    if not isinstance(item, str):
                        return None, None, klippa_error(codes["document"], "document must be base64 text.", rid)
                    try:
                        decoded = base64.b64decode(item.split(",", 1)[1] if item.startswith("data:") else item,
                                                   validate=False)
                    except (binascii.Error, ValueError):
                        return None, None, klippa_error(codes["document"], "document is not valid base64.", rid)
                    documents.append((decoded, ""))
        else:
            try:
                form = await request.form(max_files=MAX_FORM_FILES, max_fields=50)
            except Exception:  # a malformed or oversized multipart body
                return None, None, klippa_error(codes["document"], rid=rid)
            try:
                for name, value in form.multi_items():
                    if isinstance(value, UploadFile):
                        if name == "document":
                            data = await value.read(limit + 1)
                            if len(data) > limit:
                                return None, None, klippa_error(codes["too_big"], rid=rid)
                            documents.append((data, value.filename or ""))
                    elif name != "document":
                        fields.setdefault(name, value)
                    elif text_route is False and value:
                        # a document sent as a base64 form field
                        try:
                            documents.append((base64.b64decode(value), ""))
                        except (binascii.Error, ValueError):
                            return None, None, klippa_error(codes["document"], "document is not valid base64.", rid)
            finally:
                await form.close()
        for key, value in request.query_params.items():  # as Klippa documents: the query overwrites the form
            if key not in ("X-Auth-Key", "X-Auth-Public-Key"):
                fields[key] = value
        if sum(len(d) for d, _ in documents) > limit * MAX_FORM_FILES:
            return None, None, klippa_error(codes["too_big"], rid=rid)
        return fields, documents, None

    async def scan(request: Request, *, route: str, path_template: str | None = None):
        try:
            return await _scan(request, route=route, path_template=path_template)
        except Exception:  # our failure: answered in Klippa's shape, never a 500 or a JSON-RPC body
            _logger.exception("Klippa scan on %s failed", request.url.path)
            return klippa_error(200006 if route == "structured" else 300006)

    async def _scan(request: Request, *, route: str, path_template: str | None = None):
        rid = request_id()
        codes = ({"document": 200001, "too_big": 300007, "template": 200004, "convert": 200005, "parse": 200006}
                 if route == "structured" else
                 {"document": 300001, "too_big": 300007, "template": 300004, "convert": 300005, "parse": 300006})
        if maintenance():
            return klippa_error(codes["parse"], "Server is currently under maintenance. Please try again later.", rid)
        # Keys are checked first (without spending a public-key scan): a wrong key never reads a body.
        caller, refused = await caller_of(request, public_allowed=route == "document")
        if refused:
            return refused
        fields, documents, refused = await read_parse_input(request, rid, codes, text_route=route == "text")
        if refused:
            return refused
        template = path_template or fields.get("template") or "financial"
        if not isinstance(template, str) or template in unsupported_templates or template not in templates:
            return klippa_error(codes["template"], f"This server has no access to template {str(template)[:40]!r}: "
                                "only the financial templates are supported.", rid)
        try:
            user_data = shapes.parse_user_data(fields.get("user_data"))
            set_id = fields.get("user_data_set_external_id")
            if set_id:  # the caller's stored relations, transactions, purchase orders join the sent ones
                stored = await run_in_threadpool(data_sets.user_data_of, caller.account_id, str(set_id)[:255])
                for name, entries in stored.items():
                    sent = user_data.get(name) if isinstance(user_data.get(name), list) else []
                    user_data[name] = sent + entries
            shapes.check_user_data(user_data)
        except shapes.UserDataError as e:
            return klippa_error(codes["document"], str(e), rid)
        if fields.get("pdf_text_extraction") not in (None, "", "fast", "full"):
            return klippa_error(codes["document"], "pdf_text_extraction must be fast or full.", rid)
        if route == "text":
            text = fields.get("text")
            if not isinstance(text, str) or not text.strip():
                return klippa_error(codes["document"], "Send the text to parse as 'text'.", rid)
            documents = [(text.encode("utf-8"), "text.txt")]
        elif not documents and fields.get("url"):
            try:
                data = await run_in_threadpool(fetch_url, str(fields["url"]), service.limits.max_bytes)
            except FetchError as e:
                return klippa_error(codes["too_big"] if e.too_big else codes["document"], str(e), rid)
            documents = [(data, str(fields["url"]).rsplit("/", 1)[-1][:200])]
        if not documents:
            return klippa_error(codes["document"], rid=rid)
        if route == "structured" and not all(d[:1024].find(b"%PDF-") != -1 for d, _ in documents):
            return klippa_error(codes["convert"], "parseStructuredPDF reads PDF files only.", rid)
        if caller.kind == PUBLIC:  # the public key's scan is taken now, given back if the scan fails
            try:
                caller = await run_in_threadpool(lambda: keys.public_caller(_key_from(request, "X-Auth-Public-Key"),
                                                                            spend_scan=True))
            except KeyError_ as e:
                return klippa_error(e.code, rid=rid)
        answer = await charged_scan(caller, documents, user_data, fields, codes, rid, text=route == "text")
        if answer.status_code != 200:
            await run_in_threadpool(keys.give_back_scan, caller)
        if path_template and answer.status_code == 200:
            body = json.loads(answer.body)
            parsed = body["data"]
            body["data"] = {"parsed": parsed, "raw_text": parsed.get("raw_text", ""), "hash": parsed.get("hash", ""),
                            "hash_duplicate": parsed.get("hash_duplicate", False)}
            return JSONResponse(body)
        return answer

    async def charged_scan(caller: Caller, documents, user_data: dict, fields: dict, codes: dict, rid: str,
                           text: bool) -> JSONResponse:
        parsed = await run_in_threadpool(service.parse, ParseRequest(
            account_token=None, account_id=caller.account_id, document_type="invoice",
            documents=[d for d, _ in documents], file_names=[n for _, n in documents],
            user_infos=shapes.engine_hints(user_data), accept_text=text))
        if parsed.status == "error_no_credit":
            return klippa_error(100004, rid=rid)
        if parsed.status == "error_unsupported_size":
            return klippa_error(codes["too_big"], parsed.message, rid)
        if parsed.status in UNREADABLE:
            return klippa_error(codes["convert"], parsed.message, rid)
        if parsed.status != "success":
            return klippa_error(codes["parse"], parsed.message, rid)
        ref = DocumentRef(id=parsed.document_id)
        timeout = parse_timeout()
        outcome = await service.wait_result(ref, timeout)
        if outcome.status == "processing":
            await run_in_threadpool(service.release_charge, ref)
            return klippa_error(codes["parse"], f"The document was not read within {timeout:g} seconds; "
                                "this scan is not charged.", rid, status=504)
        if outcome.status == "error_unsupported_size":
            return klippa_error(codes["too_big"], outcome.message, rid)
        if outcome.status != "success":
            return klippa_error(codes["convert"], outcome.message, rid)
        results = outcome.results or {}
        if not str(results.get("full_text_annotation") or "").strip():
            await run_in_threadpool(service.release_charge, ref)
            return klippa_error(codes["convert"], "No text could be read on this document; it is not charged.", rid)
        try:
            answer = shapes.apply_user_data(shapes.receipt(results), user_data)
        except Exception:  # a result this adapter cannot map is our failure: not charged, never a 500
            _logger.exception("mapping the result of document %s to Klippa's Receipt failed", parsed.document_id)
            await run_in_threadpool(service.release_charge, ref)
            return klippa_error(codes["parse"], rid=rid)
        content = documents[0][0]
        group = fields.get("hash_duplicate_group_id")
        answer["hash"], answer["hash_duplicate"] = await run_in_threadpool(
            keys.record_scan, caller, parsed.document_id, content, str(group)[:255] if group else None)
        return success(answer, rid)

    @api.post("/parseDocument", openapi_extra=parse_openapi(PARSE_FIELDS))
    async def parse_document(request: Request):
        """Template Financial (default): parse a PDF or image invoice or receipt, synchronously."""
        return await scan(request, route="document")

    @api.post("/parseDocument/{template}", openapi_extra=parse_openapi(PARSE_FIELDS))
    async def parse_document_template(template: str, request: Request):
        """The same, the Receipt in data.parsed beside raw_text, hash and hash_duplicate. ID-document
        templates (identity, eu-passport) answer 300004."""
        return await scan(request, route="document", path_template=template)

    @api.post("/parseStructuredPDF", openapi_extra=parse_openapi(PARSE_FIELDS))
    async def parse_structured_pdf(request: Request):
        """Parse a structured (text-layer) PDF."""
        return await scan(request, route="structured")

    @api.post("/parseText", openapi_extra=parse_openapi({
        "text": {"type": "string"}, **{k: v for k, v in PARSE_FIELDS.items() if k not in ("document", "url",
                                                                                     "pdf_text_extraction")}}))
    async def parse_text(request: Request):
        """Parse plain text."""
        return await scan(request, route="text")

    # -- public keys ----------------------------------------------------------------------
    async def small_body(request: Request) -> dict:
        """A JSON object or form body of a management call; {} when empty or unreadable."""
        content_type = request.headers.get("content-type", "")
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_JSON_BODY:
            return {}
        if content_type.startswith("application/json"):
            return await read_json_object(request, MAX_JSON_BODY) or {}
        try:
            form = await request.form(max_files=0, max_fields=50)
        except Exception:
            return {}
        try:
            return {k: v for k, v in form.items() if isinstance(v, str)}
        finally:
            await form.close()

    def public_key_info(row) -> dict:
        valid = row.expires_at > keys.clock() and (row.scan_limit is None or row.scans_used < row.scan_limit)
        return {"ID": row.id, "ScanLimit": row.scan_limit or 0, "UsedScans": row.scans_used,
                "AvailableScans": (row.scan_limit - row.scans_used) if row.scan_limit else 0,
                "IsValid": valid, "ValidUntil": _timestamp(row.expires_at)}

    def _int(value):
        if isinstance(value, bool):
            return None
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value.strip())
        return None

    @api.post("/publicKey")
    async def create_public_key(request: Request):
        caller, refused = await caller_of(request)
        if refused:
            return refused
        if caller.kind != API:
            return klippa_error(400001)
        body = {**dict(request.query_params), **await small_body(request)}
        limits = vocab["public_key"]
        valid_time = _int(body.get("valid_time"))
        if valid_time is None or not limits["min_valid_time"] <= valid_time <= limits["max_valid_time"]:
            return klippa_error(400004)
        scan_limit = _int(body.get("scan_limit"))  # required, as Klippa's CreatePublicKeyForm says
        if scan_limit is None or not limits["min_scan_limit"] <= scan_limit <= limits["max_scan_limit"]:
            return klippa_error(400003)
        row, key = await run_in_threadpool(keys.create_public_key, caller.account_id, valid_time, scan_limit)
        return success({"ID": row.id, "PublicKey": key, "ScanLimit": row.scan_limit or 0,
                        "ValidUntil": _timestamp(row.expires_at)})

    @api.get("/publicKey")
    async def public_key_of_caller(request: Request):
        public_key = _key_from(request, "X-Auth-Public-Key")
        if not public_key:
            return klippa_error(100001 if not _key_from(request, "X-Auth-Key") else 100005)
        try:
            caller = await run_in_threadpool(lambda: keys.public_caller(public_key, spend_scan=False))
        except KeyError_ as e:
            if e.code not in (100006, 100007):
                return klippa_error(e.code)
            caller = None
        row = await run_in_threadpool(keys.public_key_by_token, public_key) if caller is None else \
            await run_in_threadpool(keys.public_key_by_id, caller.key_id)
        if row is None:
            return klippa_error(400006)
        return success(public_key_info(row))

    @api.get("/publicKey/{key_id}")
    async def public_key_by_id(key_id: str, request: Request):
        caller, refused = await caller_of(request)
        if refused:
            return refused
        row = await run_in_threadpool(keys.public_key, caller.account_id, int(key_id)) if small_id(key_id) else None
        if row is None:
            return klippa_error(400006)
        return success(public_key_info(row))

    @api.get("/publicKey/{key_id}/statistics")
    async def public_key_statistics(key_id: str, request: Request):
        caller, refused = await caller_of(request)
        if refused:
            return refused
        row = await run_in_threadpool(keys.public_key, caller.account_id, int(key_id)) if small_id(key_id) else None
        if row is None:
            return klippa_error(400006)
        return success(stat_rows(await run_in_threadpool(keys.statistics, caller.account_id, PUBLIC, row.id)))

    # -- sub keys -------------------------------------------------------------------------
    def key_info(row, key: str | None = None) -> dict:
        return {"ID": row.id, "Key": key or "", "Name": row.name, "ParentKeyID": 0, "Status": True,
                "CreditSystem": True, "DataCollection": False, "PublicKeys": True, "SubKeys": False,
                "UserDataSets": False, "Templates": [], "CreatedAt": _timestamp(row.created_at),
                "UpdatedAt": _timestamp(row.updated_at), "DeletedAt": None}

    def sub_key_not_found() -> JSONResponse:
        return JSONResponse({"code": 404, "message": "No such sub key.", "request_id": request_id(),
                             "result": "error"}, status_code=404)

    @api.post("/subKey")
    async def create_sub_key(request: Request):
        caller, refused = await caller_of(request)
        if refused:
            return refused
        if (refused := main_key_only(caller)) is not None:
            return refused
        body = await small_body(request)
        row, key = await run_in_threadpool(keys.create_sub_key, caller.account_id, str(body.get("Name") or body.get("name") or ""))
        return success(key_info(row, key))

    @api.get("/subKey")
    async def sub_key_list(request: Request):
        caller, refused = await caller_of(request)
        if refused:
            return refused
        if (refused := main_key_only(caller)) is not None:
            return refused
        rows = await run_in_threadpool(keys.sub_keys, caller.account_id)
        return success({"Count": len(rows), "Page": 1, "PerPage": max(1, len(rows)), "Pages": 1,
                        "MoreResults": False, "SubKeys": [key_info(row) for row in rows]})

    @api.get("/subKey/{key_id}")
    async def get_sub_key(key_id: str, request: Request):
        caller, refused = await caller_of(request)
        if refused:
            return refused
        if (refused := main_key_only(caller)) is not None:
            return refused
        row = await run_in_threadpool(keys.sub_key, caller.account_id, int(key_id)) if small_id(key_id) else None
        return success(key_info(row)) if row else sub_key_not_found()

    @api.patch("/subKey/{key_id}")
    async def update_sub_key(key_id: str, request: Request):
        caller, refused = await caller_of(request)
        if refused:
            return refused
        if (refused := main_key_only(caller)) is not None:
            return refused
        body = await small_body(request)
        row = await run_in_threadpool(keys.rename_sub_key, caller.account_id, int(key_id),
                                      str(body.get("Name") or body.get("name") or "")) if small_id(key_id) else None
        return success(key_info(row)) if row else sub_key_not_found()

    @api.delete("/subKey/{key_id}")
    async def delete_sub_key(key_id: str, request: Request):
        caller, refused = await caller_of(request)
        if refused:
            return refused
        if (refused := main_key_only(caller)) is not None:
            return refused
        deleted = await run_in_threadpool(keys.delete_sub_key, caller.account_id, int(key_id)) \
            if small_id(key_id) else False
        return success({"deleted": True}) if deleted else sub_key_not_found()

    @api.get("/subKey/{key_id}/statistics")
    async def sub_key_statistics(key_id: str, request: Request):
        caller, refused = await caller_of(request)
        if refused:
            return refused
        if (refused := main_key_only(caller)) is not None:
            return refused
        row = await run_in_threadpool(keys.sub_key, caller.account_id, int(key_id)) if small_id(key_id) else None
        if row is None:
            return sub_key_not_found()
        return success(stat_rows(await run_in_threadpool(keys.statistics, caller.account_id, SUB, row.id)))

    # -- user data sets ---------------------------------------------------------------------
    def set_info(row) -> dict:
        return {"ID": row.id, "ExternalID": row.external_id, "Type": row.type,
                "LastSyncDate": _timestamp(row.last_sync_date), "CreatedAt": _timestamp(row.created_at),
                "UpdatedAt": _timestamp(row.updated_at), "DeletedAt": None}

    def record_info(row) -> dict:
        return {"ID": row.id, "ExternalID": row.external_id, "LastSyncDate": _timestamp(row.last_sync_date),
                "CreatedAt": _timestamp(row.created_at), "UpdatedAt": _timestamp(row.updated_at), "DeletedAt": None}

    def not_found(what: str) -> JSONResponse:
        return JSONResponse({"code": 404, "message": f"No such {what}.", "request_id": request_id(),
                             "result": "error"}, status_code=404)

    def bad_request(message: str) -> JSONResponse:
        return JSONResponse({"code": 400, "message": message, "request_id": request_id(), "result": "error"},
                            status_code=400)

    def listing(request: Request) -> dict:
        """Klippa's list parameters (PerPage, Page, SortOrder, SortField, Type, ExternalID, filter)."""
        query = request.query_params

        def get(*names: str) -> str:  # Klippa's name, its camelCase and snake_case spellings
            return next((query[n] for n in names if query.get(n)), "")

        def number(value: str, default: int, high: int) -> int:
            return min(high, max(1, int(value))) if value.isdigit() and len(value) < 7 else default

        def csv(value: str) -> tuple:
            return tuple(v for v in value.split(",") if v)[:100]

        return {"page": number(get("Page", "page"), 1, 100_000),
                "per_page": number(get("PerPage", "perPage", "per_page"), 25, 1000),
                "sort_order": get("SortOrder", "sortOrder", "sort_order") or "ASC",
                "sort_field": get("SortField", "sortField", "sort_field") or "CreatedAt",
                "external_ids": csv(get("ExternalID", "externalId", "external_id")),
                "filters": (query.getlist("filter") or query.getlist("Filter"))[:20],
                "types": csv(get("Type", "type"))}

    def page_of(rows, count: int, options: dict, name: str, info) -> dict:
        pages = max(1, -(-count // options["per_page"]))
        return {"Count": count, "Page": options["page"], "PerPage": options["per_page"], "Pages": pages,
                "MoreResults": options["page"] < pages, name: [info(row) for row in rows]}

    async def data_set_caller(request: Request):
        caller, refused = await caller_of(request)
        if refused:
            return None, refused
        if caller.kind == PUBLIC:
            return None, klippa_error(100003)
        return caller, None

    @api.post("/userDataSet")
    async def create_user_data_set(request: Request):
        caller, refused = await data_set_caller(request)
        if refused:
            return refused
        body = await small_body(request)
        try:
            row = await run_in_threadpool(data_sets.create_set, caller.account_id, body.get("ExternalID"),
                                          body.get("Type"), body.get("LastSyncDate"))
        except UserDataError as e:
            return bad_request(str(e))
        return success(set_info(row))

    @api.get("/userDataSet")
    async def list_user_data_sets(request: Request):
        caller, refused = await data_set_caller(request)
        if refused:
            return refused
        options = listing(request)
        try:
            rows, count = await run_in_threadpool(lambda: data_sets.list_sets(caller.account_id, **options))
        except UserDataError as e:
            return bad_request(str(e))
        return success(page_of(rows, count, options, "UserDataSets", set_info))

    @api.get("/userDataSet/{set_id}")
    async def get_user_data_set(set_id: str, request: Request):
        caller, refused = await data_set_caller(request)
        if refused:
            return refused
        row = await run_in_threadpool(data_sets.get_set, caller.account_id, int(set_id)) if small_id(set_id) else None
        return success(set_info(row)) if row else not_found("user data set")

    @api.patch("/userDataSet/{set_id}")
    async def update_user_data_set(set_id: str, request: Request):
        caller, refused = await data_set_caller(request)
        if refused:
            return refused
        body = await small_body(request)
        try:
            row = await run_in_threadpool(data_sets.update_set, caller.account_id, int(set_id), body) \
                if small_id(set_id) else None
        except UserDataError as e:
            return bad_request(str(e))
        return success(set_info(row)) if row else not_found("user data set")

    @api.delete("/userDataSet/{set_id}")
    async def delete_user_data_set(set_id: str, request: Request):
        caller, refused = await data_set_caller(request)
        if refused:
            return refused
        deleted = await run_in_threadpool(data_sets.delete_set, caller.account_id, int(set_id)) \
            if small_id(set_id) else False
        return success({"deleted": True}) if deleted else not_found("user data set")

    @api.post("/userDataSet/{set_id}/records")
    async def create_user_data_set_record(set_id: str, request: Request):
        caller, refused = await data_set_caller(request)
        if refused:
            return refused
        body = await small_body(request)
        try:
            row = await run_in_threadpool(data_sets.create_record, caller.account_id, int(set_id), body) \
                if small_id(set_id) else None
        except UserDataError as e:
            return bad_request(str(e))
        return success(record_info(row)) if row else not_found("user data set")

    @api.post("/userDataSet/{set_id}/records/bulk")
    async def bulk_user_data_set_record(set_id: str, request: Request):
        caller, refused = await data_set_caller(request)
        if refused:
            return refused
        body = await bulk_body(request)
        if body is None:
            return bad_request("send a JSON object {\"Actions\": [...]} of at most 1000 actions")
        try:
            results = await run_in_threadpool(data_sets.bulk, caller.account_id, int(set_id), body.get("Actions")) \
                if small_id(set_id) else None
        except UserDataError as e:
            return bad_request(str(e))
        if results is None:
            return not_found("user data set")
        for result in results:
            if "Item" in result:
                result["Item"] = {k: (_timestamp(v) if isinstance(v, datetime) else v) for k, v in result["Item"].items()}
        return success(results)

    @api.get("/userDataSet/{set_id}/records")
    async def get_user_data_set_records(set_id: str, request: Request):
        caller, refused = await data_set_caller(request)
        if refused:
            return refused
        options = listing(request)
        options.pop("types")
        try:
            listed = await run_in_threadpool(lambda: data_sets.list_records(caller.account_id, int(set_id), **options)) \
                if small_id(set_id) else None
        except UserDataError as e:
            return bad_request(str(e))
        if listed is None:
            return not_found("user data set")
        return success(page_of(listed[0], listed[1], options, "UserDataSetRecords", record_info))

    @api.get("/userDataSet/{set_id}/records/{record_id}")
    async def get_user_data_set_record(set_id: str, record_id: str, request: Request):
        caller, refused = await data_set_caller(request)
        if refused:
            return refused
        row = await run_in_threadpool(data_sets.get_record, caller.account_id, int(set_id), int(record_id)) \
            if small_id(set_id) and small_id(record_id) else None
        return success(record_info(row)) if row else not_found("user data set record")

    @api.patch("/userDataSet/{set_id}/records/{record_id}")
    async def update_user_data_set_record(set_id: str, record_id: str, request: Request):
        caller, refused = await data_set_caller(request)
        if refused:
            return refused
        body = await small_body(request)
        try:
            row = await run_in_threadpool(data_sets.update_record, caller.account_id, int(set_id), int(record_id),
                                          body) if small_id(set_id) and small_id(record_id) else None
        except UserDataError as e:
            return bad_request(str(e))
        return success(record_info(row)) if row else not_found("user data set record")

    @api.delete("/userDataSet/{set_id}/records/{record_id}")
    async def delete_user_data_set_record(set_id: str, record_id: str, request: Request):
        caller, refused = await data_set_caller(request)
        if refused:
            return refused
        deleted = await run_in_threadpool(data_sets.delete_record, caller.account_id, int(set_id), int(record_id)) \
            if small_id(set_id) and small_id(record_id) else False
        return success({"deleted": True}) if deleted else not_found("user data set record")

    async def bulk_body(request: Request) -> dict | None:
        """The JSON body of a bulk call: up to 1000 actions of small records."""
        return await read_json_object(request, MAX_BULK_BODY)

    describe_routes(api)
    return api


def key_parameters(*, api_key: bool = True, public_key: bool = False) -> list[dict]:
    names = (["X-Auth-Key"] if api_key else []) + (["X-Auth-Public-Key"] if public_key else [])
    return [p for p in KEY_PARAMETERS if p["name"] in names]


def describe_routes(api: APIRouter) -> None:
    """Every Klippa route in the OpenAPI description at /docs: operationId (as Klippa's clients name
    the call), summary, the keys it takes, its query parameters, its JSON body and its answer, all
    from ``openapi`` in the vocabulary (a route missing there is a KeyError at start)."""
    spec = shapes.vocabulary()["openapi"]
    error = {"description": "Klippa error {code, message, request_id, result: error}"}
    for route in api.routes:
        method = next(iter(route.methods - {"HEAD"}))
        doc = spec["routes"][f"{method} {route.path[len(PREFIX):] or '/'}"]
        extra = dict(route.openapi_extra or {})
        extra["parameters"] = key_parameters(api_key=not doc.get("public_only"),
                                             public_key=bool(doc.get("public") or doc.get("public_only"))) + [
            {"name": name, "in": "query", "required": False, "schema": spec["query"][name]}
            for name in doc.get("query", ())]
        if "body" in doc:
            extra["requestBody"] = {"required": not doc.get("body_optional"), "content": {
                "application/json": {"schema": spec["bodies"][doc["body"]]}}}
        extra["responses"] = {"200": {"description": doc["answer"]}, "default": error}
        route.openapi_extra = extra
        route.operation_id = doc["operationId"]
        route.summary = doc["summary"]
