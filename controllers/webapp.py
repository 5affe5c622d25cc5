"""The accountant review app under ``/app``: sign-in, inbox, upload, the review form.

Thin: requests are decoded here, everything else is ``models.review.ReviewService`` (which
calls the same DocumentService as the JSON-RPC routes). Sessions are a random token in an
HttpOnly, SameSite=Lax cookie (stored hashed); every state-changing request carries the
session's CSRF token (form field ``csrf_token`` or header ``X-CSRF-Token``); sign-in
itself is protected by a double-submit token. Pages send a strict Content-Security-Policy
(no inline script) and may not be framed.
"""
from __future__ import annotations

import json
import secrets
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from .. import __version__
from ..models.access import AccessError
from ..models.document_service import STATUS_MESSAGES, DocumentService
from ..models.page_images import PageError
from ..models.review import FEATURES, INBOX_SORTS, INBOX_STATES, NotFound, ReviewService, Viewer
from ..models.user import csrf_matches
from .jsonrpc import BadJson, decode_json, maintenance

ROOT = Path(__file__).resolve().parent.parent
SESSION_COOKIE = "ie_session"
LOGIN_CSRF_COOKIE = "ie_login_csrf"
PREFIX = "/app"
MAX_UPLOAD_FILES = 10
MAX_VALIDATE_BODY = 1024 * 1024
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
                               "script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
                               "form-action 'self'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
STATE_LABELS = {"processing": "Processing", "to_review": "To review", "validated": "Validated", "error": "Error"}
SORT_LABELS = {"created": "Received", "state": "State", "supplier": "Supplier", "invoice_id": "Invoice number",
               "date": "Date", "total": "Total", "currency": "Currency", "file_name": "File"}

_templates = Environment(loader=FileSystemLoader(str(ROOT / "views")), autoescape=select_autoescape(["html"]),
                         trim_blocks=True, lstrip_blocks=True)


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


def _page(name: str, status_code: int = 200, **context) -> HTMLResponse:
    context.setdefault("version", __version__)
    context.setdefault("prefix", PREFIX)
    html = _templates.get_template(name).render(**context)
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


def _json(data, status_code: int = 200) -> JSONResponse:
    return JSONResponse(data, status_code=status_code, headers=SECURITY_HEADERS)


def _error_page(viewer: Viewer | None, status_code: int, message: str) -> HTMLResponse:
    return _page("error.html", status_code, viewer=viewer, code=status_code, message=message)


def router(service: DocumentService, review: ReviewService | None = None) -> APIRouter:
    review = review or ReviewService(service)
    api = APIRouter(prefix=PREFIX)

    def viewer_of(request: Request) -> Viewer | None:
        return review.viewer(request.cookies.get(SESSION_COOKIE))

    def to_login(request: Request) -> RedirectResponse:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"{PREFIX}/login?{urlencode({'next': target})}", status_code=303)

    def csrf_ok(request: Request, viewer: Viewer, form_value: str | None = None) -> bool:
        return csrf_matches(viewer.csrf_token, request.headers.get("x-csrf-token") or form_value)

    def body_too_large(request: Request, limit: int) -> JSONResponse | None:
        """Bodies must declare their length (browsers do) and stay under ``limit``; checked
        before anything is read or spooled."""
        declared = request.headers.get("content-length", "")
        if not (declared.isascii() and declared.isdigit()):
            return _json({"error": "the request must declare its Content-Length"}, 411)
        if int(declared) > limit:
            return _json({"error": f"the request is larger than {limit // (1024 * 1024)} MB"}, 413)
        return None

    # -- sign-in ------------------------------------------------------------------------
    @api.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = f"{PREFIX}/"):
        if viewer_of(request) is not None:
            return RedirectResponse(_safe_next(next), status_code=303)
        token = secrets.token_urlsafe(32)
        response = _page("login.html", viewer=None, csrf_token=token, next=_safe_next(next), error=None)
        response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="lax", secure=_secure(request),
                            path=f"{PREFIX}/login", max_age=3600)
        return response

    @api.post("/login")
    async def login(request: Request):
        form = await request.form()
        login_name, password = str(form.get("login") or ""), str(form.get("password") or "")
        next_url = _safe_next(str(form.get("next") or f"{PREFIX}/"))
        if not csrf_matches(request.cookies.get(LOGIN_CSRF_COOKIE), str(form.get("csrf_token") or "")):
            return _login_again(request, next_url, login_name, "Your sign-in form expired; please try again.", 403)
        signed = review.sign_in(login_name, password)
        if signed is None:
            return _login_again(request, next_url, login_name, "Wrong login or password.", 401)
        token, _viewer = signed
        response = RedirectResponse(next_url, status_code=303)
        response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", secure=_secure(request),
                            path=PREFIX)
        response.delete_cookie(LOGIN_CSRF_COOKIE, path=f"{PREFIX}/login")
        return response

    @api.post("/logout")
    async def logout(request: Request):
        viewer = viewer_of(request)
        if viewer is not None:
            form = await request.form()
            if not csrf_ok(request, viewer, str(form.get("csrf_token") or "")):
                return _error_page(viewer, 403, "The request did not carry a valid CSRF token.")
            review.sign_out(request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse(f"{PREFIX}/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path=PREFIX)
        return response

    # -- inbox and upload -----------------------------------------------------------------
    @api.get("", include_in_schema=False)
    def app_root():
        return RedirectResponse(f"{PREFIX}/", status_code=307)

    @api.get("/", response_class=HTMLResponse)
    def inbox(request: Request, state: str = "", q: str = "", sort: str = "created", order: str = "desc"):
        viewer = viewer_of(request)
        if viewer is None:
            return to_login(request)
        sort = sort if sort in INBOX_SORTS else "created"
        descending = order != "asc"
        try:
            rows = review.inbox(viewer, state if state in INBOX_STATES else None, q, sort, descending)
        except AccessError:
            return _error_page(viewer, 403, "You may not read documents.")

        def sort_url(column: str) -> str:
            flip = "asc" if column == sort and descending else "desc"
            return f"{PREFIX}/?" + urlencode({k: v for k, v in (("state", state), ("q", q), ("sort", column),
                                                                  ("order", flip)) if v})

        return _page("inbox.html", viewer=viewer, rows=rows, state=state, q=q, sort=sort,
                     order="desc" if descending else "asc", states=STATE_LABELS, sort_labels=SORT_LABELS,
                     sort_url=sort_url, processing=any(r.state == "processing" for r in rows))

    @api.post("/upload")
    async def upload(request: Request):
        viewer = viewer_of(request)
        if viewer is None:
            return _json({"error": "sign in first"}, 401)
        if maintenance():
            return _json({"error": STATUS_MESSAGES["error_maintenance"]}, 503)
        # The CSRF header is checked before the body is read; the form field is the fallback.
        header_ok = csrf_ok(request, viewer)
        too_large = body_too_large(request, MAX_UPLOAD_FILES * service.limits.max_bytes + 1024 * 1024)
        if too_large is not None:
            return too_large
        form = await request.form(max_files=MAX_UPLOAD_FILES, max_fields=10)
        if not header_ok and not csrf_ok(request, viewer, str(form.get("csrf_token") or "")):
            return _json({"error": "invalid CSRF token"}, 403)
        document_type = str(form.get("document_type") or "invoice")
        files = []
        limit = service.limits.max_bytes
        for item in form.getlist("files"):
            if isinstance(item, str):
                continue
            data = await item.read(limit + 1)  # one byte over the limit is enough to refuse it
            files.append((item.filename or "", data))
        if not files:
            return _json({"error": "no file was sent"}, 400)
        try:
            outcomes = review.upload(viewer, files, document_type)
        except AccessError:
            return _json({"error": "you may not upload documents"}, 403)
        documents = [{"file_name": name, "status": o.status, "message": o.message, "document_uuid": o.document_uuid,
                      "url": f"{PREFIX}/documents/{o.document_uuid}" if o.document_uuid else None}
                     for (name, _data), o in zip(files, outcomes)]
        if "application/json" not in request.headers.get("accept", ""):
            # Without JavaScript: back to the inbox (or to the one document sent).
            target = documents[0]["url"] if len(documents) == 1 and documents[0]["url"] else f"{PREFIX}/"
            return RedirectResponse(target, status_code=303)
        ok = any(d["status"] == "success" for d in documents)
        return _json({"documents": documents}, 200 if ok else 422)

    # -- the review form ------------------------------------------------------------------
    @api.get("/documents/{uuid}", response_class=HTMLResponse)
    def form(request: Request, uuid: str):
        viewer = viewer_of(request)
        if viewer is None:
            return to_login(request)
        try:
            data = review.form_data(viewer, uuid)
        except NotFound:
            return _error_page(viewer, 404, STATUS_MESSAGES["error_document_not_found"])
        except AccessError:
            return _error_page(viewer, 403, "You may not read documents.")
        return _page("form.html", viewer=viewer, doc=data, features=FEATURES, labels=FIELD_LABELS,
                     initial=json.dumps(data))

    @api.get("/documents/{uuid}/result.json")
    def result(request: Request, uuid: str):
        viewer = viewer_of(request)
        if viewer is None:
            return _json({"error": "sign in first"}, 401)
        try:
            return _json(review.form_data(viewer, uuid))
        except NotFound:
            return _json({"error": STATUS_MESSAGES["error_document_not_found"]}, 404)
        except AccessError:
            return _json({"error": "forbidden"}, 403)

    @api.get("/documents/{uuid}/pages/{index}.png")
    def page(request: Request, uuid: str, index: int):
        viewer = viewer_of(request)
        if viewer is None:
            return _json({"error": "sign in first"}, 401)
        try:
            png = review.page_png(viewer, uuid, index)
        except NotFound:
            return _json({"error": STATUS_MESSAGES["error_document_not_found"]}, 404)
        except AccessError:
            return _json({"error": "forbidden"}, 403)
        except PageError as e:
            return _json({"error": str(e)}, 404)
        # Private: only this user's browser may keep it.
        return Response(png, media_type="image/png",
                        headers={**SECURITY_HEADERS, "Cache-Control": "private, max-age=3600"})

    @api.post("/documents/{uuid}/validate")
    async def validate(request: Request, uuid: str):
        viewer = viewer_of(request)
        if viewer is None:
            return _json({"error": "sign in first"}, 401)
        if not csrf_ok(request, viewer):
            return _json({"error": "invalid CSRF token"}, 403)
        too_large = body_too_large(request, MAX_VALIDATE_BODY)
        if too_large is not None:
            return too_large
        try:
            body = decode_json(await request.body())
        except BadJson as e:
            return _json({"status": "error_validation_format", "message": f"The body must be JSON: {e}."}, 400)
        values = body.get("values") if isinstance(body, dict) else None
        try:
            outcome = review.validate(viewer, uuid, values)
        except NotFound:
            return _json({"error": STATUS_MESSAGES["error_document_not_found"]}, 404)
        except AccessError:
            return _json({"error": "forbidden"}, 403)
        code = {"success": 200, "error_already_validated": 409}.get(outcome.status, 422)
        return _json({"status": outcome.status, "message": outcome.message}, code)

    return api


FIELD_LABELS = {
    "supplier": "Supplier", "VAT_Number": "VAT number", "invoice_id": "Invoice number", "date": "Invoice date",
    "due_date": "Due date", "currency": "Currency", "subtotal": "Subtotal", "total_tax_amount": "Taxes",
    "total": "Total", "iban": "IBAN", "SWIFT_code": "BIC (SWIFT)", "payment_ref": "Payment reference",
}


def _safe_next(target: str) -> str:
    """Only a path of this app (never another site) is a redirect target after sign-in."""
    if not isinstance(target, str) or not target.startswith(PREFIX + "/") or target.startswith("//") \
            or "\\" in target or "\n" in target or "\r" in target:
        return f"{PREFIX}/"
    return target


def _login_again(request: Request, next_url: str, login_name: str, error: str, status_code: int) -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    response = _page("login.html", status_code, viewer=None, csrf_token=token, next=next_url, error=error,
                     login=login_name)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="lax", secure=_secure(request),
                        path=f"{PREFIX}/login", max_age=3600)
    return response


def mount(app: FastAPI, service: DocumentService) -> None:
    """Add the review app and its static files to ``app``."""
    app.include_router(router(service))
    app.mount(f"{PREFIX}/static", StaticFiles(directory=str(ROOT / "static")), name="app-static")
