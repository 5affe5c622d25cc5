"""JSON-RPC 2.0 over HTTP POST, the way Odoo's IAP services speak it.

Protocol errors of the Extract API live inside a normal ``result`` (as the real service
does); only a request that is not JSON-RPC at all gets a JSON-RPC ``error`` object.
Nothing here answers with an HTTP 500 or a traceback.
"""
from __future__ import annotations

import json
import logging
import os
from typing import Any, Callable

from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ..extraction.limits import DEFAULT_LIMITS

_logger = logging.getLogger(__name__)

PARSE_ERROR, INVALID_REQUEST, INVALID_PARAMS, INTERNAL_ERROR = -32700, -32600, -32602, -32603
# A base64 document of the largest accepted size, plus room for the other parameters.
MAX_BODY_BYTES = int(os.environ.get("INVOICE_EXTRACT_MAX_BODY_BYTES",
                                    DEFAULT_LIMITS.max_bytes * 4 // 3 + 1024 * 1024))

# Documents one batch call may name: each costs a lookup, so a call cannot ask for millions.
MAX_BATCH = int(os.environ.get("INVOICE_EXTRACT_MAX_BATCH", 500))
# Deeper JSON than this is no request any client sends: refused before anything walks it.
MAX_JSON_DEPTH = 64

Handler = Callable[[dict], dict]
Encoder = Callable[..., dict]  # (status, message) -> result dict of the route's generation


def rpc_result(request_id: Any, result: dict) -> JSONResponse:
    return JSONResponse({"jsonrpc": "2.0", "id": request_id, "result": result})


def rpc_error(request_id: Any, code: int, message: str) -> JSONResponse:
    return JSONResponse({"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}})


def maintenance() -> bool:
    return os.environ.get("INVOICE_EXTRACT_MAINTENANCE", "") not in ("", "0", "false")


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes | None:
    """The body, or None when it is, or says it is, larger than ``limit`` (read no further)."""
    declared = request.headers.get("content-length")
    if declared and declared.isascii() and declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def read_json_object(request: Request, limit: int) -> dict | None:
    """A JSON object body of at most ``limit`` bytes, checked as decode_json checks it; None
    when it is larger, not JSON, or not an object (each REST adapter answers that its way)."""
    body = await read_body(request, limit)
    if body is None:
        return None
    try:
        data = decode_json(body or b"{}")
    except BadJson:
        return None
    return data if isinstance(data, dict) else None


class BadJson(ValueError):
    """A body that is not JSON a route can use; the message says why."""


def decode_json(body: bytes) -> Any:
    """The body's JSON, checked: at most MAX_JSON_DEPTH deep, and every string encodable
    (an unpaired UTF-16 surrogate, legal in JSON's escapes, becomes U+FFFD so that no later
    encode to UTF-8 — a token hash, a database write, a log line — can fail on it)."""
    try:
        payload = json.loads(body)
    except RecursionError:
        raise BadJson(f"the JSON is nested deeper than {MAX_JSON_DEPTH} levels") from None
    except (ValueError, UnicodeDecodeError):
        raise BadJson("the body is not valid JSON") from None
    return _checked(payload)


def _clean(text: str) -> str:
    if text.isascii():  # a base64 document: checked without a copy
        return text
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def _checked(payload: Any) -> Any:
    """Walks the decoded JSON without recursion: depth bound and strings cleaned in place."""
    if isinstance(payload, str):
        return _clean(payload)
    stack = [(payload, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise BadJson(f"the JSON is nested deeper than {MAX_JSON_DEPTH} levels")
        if isinstance(node, dict):
            for key in list(node):
                value = node[key]
                if isinstance(value, str):
                    value = _clean(value)
                elif isinstance(value, (dict, list)):
                    stack.append((value, depth + 1))
                clean_key = _clean(key)
                if clean_key != key:
                    del node[key]
                node[clean_key] = value
        elif isinstance(node, list):
            for i, value in enumerate(node):
                if isinstance(value, str):
                    node[i] = _clean(value)
                elif isinstance(value, (dict, list)):
                    stack.append((value, depth + 1))
    return payload


def endpoint(handler: Handler, encode: Encoder):
    """A FastAPI endpoint running ``handler(params)`` for one JSON-RPC call.

    ``encode(status, message)`` builds the route generation's error answer, used for
    an oversized body, maintenance and unexpected failures.
    """

    async def call(request: Request) -> JSONResponse:
        body = await read_body(request)
        if body is None:
            return rpc_result(None, encode("error_unsupported_size",
                                           f"The request is larger than {MAX_BODY_BYTES // (1024 * 1024)} MB."))
        try:
            payload = decode_json(body)
        except BadJson as e:
            _logger.warning("%s: refused body: %s", request.url.path, e)
            return rpc_error(None, PARSE_ERROR, f"Parse error: {e}.")
        if not isinstance(payload, dict):
            return rpc_error(None, INVALID_REQUEST, "Invalid Request: expected a JSON-RPC 2.0 object.")
        request_id = payload.get("id")
        if payload.get("jsonrpc", "2.0") != "2.0":
            return rpc_error(request_id, INVALID_REQUEST, "Invalid Request: 'jsonrpc' must be \"2.0\".")
        if "method" in payload and not isinstance(payload["method"], str):
            return rpc_error(request_id, INVALID_REQUEST, "Invalid Request: 'method' must be a string.")
        params = payload.get("params", {})
        if params is None:
            params = {}
        if not isinstance(params, dict):
            return rpc_error(request_id, INVALID_PARAMS, "Invalid params: 'params' must be an object.")
        if maintenance():
            return rpc_result(request_id, encode("error_maintenance"))
        try:
            result = await run_in_threadpool(handler, params)
        except Exception:  # a real fault, never a 500: the caller gets the protocol's internal error status
            _logger.exception("%s failed", request.url.path)
            result = encode("error_internal", "An internal error occurred; the request was not processed.")
        return rpc_result(request_id, result)

    return call
