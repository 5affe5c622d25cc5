"""The web application: every route generation mounted over one document service."""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..models.document_service import DocumentService
from . import legacy, staple, v1, v2, webapp

_logger = logging.getLogger(__name__)


def create_app(service: DocumentService) -> FastAPI:
    app = FastAPI(title="invoice_extract", version=__version__, docs_url="/docs", redoc_url=None)
    app.state.service = service
    for generation in (legacy, v1, v2):
        app.include_router(generation.router(service))
    app.include_router(staple.router(service))  # Staple's REST API at its native paths
    webapp.mount(app, service)  # the accountant review app under /app

    @app.get("/health")
    def health() -> dict:
        return {"status": "ok", "service": "invoice_extract", "version": __version__}

    @app.get("/")
    def index() -> dict:
        return {"service": "invoice_extract", "version": __version__,
                "routes": sorted(r.path for r in app.routes if r.path.startswith(("/iap/", "/api/")))}

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": "invalid request"}, status_code=400)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Last resort: a JSON-RPC error, never an HTTP 500 with a traceback.
        _logger.exception("unhandled error on %s", request.url.path)
        return JSONResponse({"jsonrpc": "2.0", "id": None,
                             "error": {"code": -32603, "message": "Internal error"}}, status_code=200)

    return app
