"""Fetching a document a caller names by URL (Klippa's ``url`` form field).

The fetched bytes are scanned and the result comes back to the caller, so the server would
tell what it can reach: the fetch is checked the way webhooks are (``models.webhook``), only
stricter by default. http(s) only; the host's every address must be in
INVOICE_EXTRACT_FETCH_NETWORKS (comma-separated CIDRs), by default public (globally routable)
addresses only, never loopback, private, link-local or multicast ones; the address actually
connected to is checked again (DNS may answer differently the second time); a redirect is
followed only to a URL that passes the same checks, at most MAX_REDIRECTS times; the whole
fetch takes at most FETCH_TIMEOUT seconds and at most ``max_bytes`` bytes.
"""
from __future__ import annotations

import logging
import socket
import time
from urllib.parse import urljoin, urlsplit

import requests

from . import net_policy

_logger = logging.getLogger(__name__)

FETCH_TIMEOUT = 30.0
MAX_REDIRECTS = 5


class FetchError(Exception):
    """The URL cannot be fetched; ``too_big`` when it was refused for its size."""

    def __init__(self, message: str, too_big: bool = False):
        super().__init__(message)
        self.too_big = too_big


def fetch_address_problem(address: str) -> str | None:
    """Why the server may not fetch from this IP address, or None (models.net_policy)."""
    return net_policy.address_problem(address, "INVOICE_EXTRACT_FETCH_NETWORKS", public_only_by_default=True)


def url_problem(url: str) -> str | None:
    """Why ``url`` may not be fetched now (its host resolved, every address checked), or None."""
    try:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return "only http and https URLs with a host are fetched"
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (ValueError, OSError, UnicodeError) as e:
        return f"cannot resolve the URL's host: {e}"
    if not infos:
        return "the URL's host has no address"
    for info in infos:
        problem = fetch_address_problem(info[4][0])
        if problem:
            return problem
    return None


def _peer_address(response) -> str | None:
    """The address the response came from (urllib3's socket), when it can be told."""
    try:
        connection = getattr(response.raw, "_connection", None) or getattr(response.raw, "connection", None)
        sock = getattr(connection, "sock", None)
        return sock.getpeername()[0] if sock is not None else None
    except (AttributeError, OSError):
        return None


def fetch_url(url: str, max_bytes: int, timeout: float = FETCH_TIMEOUT) -> bytes:
    """The bytes at ``url``, within ``timeout`` seconds and ``max_bytes`` bytes, or FetchError."""
    deadline = time.monotonic() + timeout
    for _hop in range(MAX_REDIRECTS + 1):
        if not isinstance(url, str) or len(url) > 4096:
            raise FetchError("the url is not a URL")
        problem = url_problem(url)
        if problem:
            raise FetchError(f"the url cannot be fetched: {problem}")
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError(f"the url was not fetched within {timeout:g} seconds")
        try:
            response = requests.get(url, stream=True, allow_redirects=False, timeout=(min(10.0, remaining), remaining),
                                    headers={"Accept": "application/pdf,image/*,*/*"})
        except requests.RequestException as e:
            raise FetchError(f"the url cannot be fetched: {type(e).__name__}") from e
        try:
            peer = _peer_address(response)
            if peer is not None and fetch_address_problem(peer):
                raise FetchError(f"the url cannot be fetched: {fetch_address_problem(peer)}")
            if response.is_redirect:
                location = response.headers.get("location") or ""
                url = urljoin(url, location)
                continue
            if response.status_code != 200:
                raise FetchError(f"the url answered HTTP {response.status_code}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"the document at the url is larger than {max_bytes} bytes", too_big=True)
            body = bytearray()
            for chunk in response.iter_content(64 * 1024):
                body += chunk
                if len(body) > max_bytes:
                    raise FetchError(f"the document at the url is larger than {max_bytes} bytes", too_big=True)
                if time.monotonic() > deadline:
                    raise FetchError(f"the url was not fetched within {timeout:g} seconds")
            return bytes(body)
        except requests.RequestException as e:
            raise FetchError(f"the url cannot be fetched: {type(e).__name__}") from e
        finally:
            response.close()
    raise FetchError(f"the url redirected more than {MAX_REDIRECTS} times")
