"""The web application: every route generation mounted over one document service."""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..models.document_service import DocumentService
from . import itemize, klippa, legacy, staple, v1, v2, webapp

_logger = logging.getLogger(__name__)


def create_app(service: DocumentService) -> FastAPI:
    app = FastAPI(title="invoice_extract", version=__version__, docs_url="/docs", redoc_url=None)
    app.state.service = service
    for generation in (legacy, v1, v2):
        app.include_router(generation.router(service))
    app.include_router(staple.router(service))  # Staple's REST API at its native paths
    itemize.install(app, service)  # Itemize's Enterprise API under /api/enterprise/v1, with its CORS
    app.include_router(klippa.router(service))  # Klippa's Custom OCR API under /api/v1
    webapp.mount(app, service)  # the accountant review app under /app

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok", "service": "invoice_extract", "version": __version__}

    @app.get("/")
    def index() -> dict:
        # From the OpenAPI schema: included routers and mounts have no single ``path`` of their own.
        paths = app.openapi().get("paths", {})
        return {"service": "invoice_extract", "version": __version__,
                "routes": sorted(p for p in paths if p.startswith(("/iap/", "/api/")))}

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": "invalid request"}, status_code=400)

    app.add_middleware(LastResort)
    return app


class LastResort:
    """Answers an unhandled error itself, as a JSON-RPC internal error, and swallows it.

    Starlette's own handler for ``Exception`` answers and then raises the error again, so the
    server closes the keep-alive connection under the client, whose next request on it fails.
    Here the error ends with the answer and the connection stays usable.
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            _logger.exception("unhandled error on %s", scope.get("path", "?"))
            if started:
                return  # the answer is under way: nothing more can be said on it
            response = JSONResponse({"jsonrpc": "2.0", "id": None,
                                     "error": {"code": -32603, "message": "Internal error"}}, status_code=200)
            await response(scope, receive, send)
