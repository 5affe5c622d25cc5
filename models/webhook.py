"""Webhook notifications: tell the caller its result is ready.

Runs in a thread of the server process, apart from the workers, so a slow or dead
listener never holds up extraction. Each finished document with a webhook gets a POST to
``webhook_url/<document_id|document_uuid|document_token>`` (by the route generation it
was sent through), with a timeout and a few retries with backoff.

The same thread also sends the scheduled deliveries with a JSON body (``models.webhook_delivery``:
Itemize's document events, retried on their schedule, persisted), through ``post_with_body``
with the same target checks.

Configuration (environment): INVOICE_EXTRACT_WEBHOOK_TIMEOUT (5 s),
INVOICE_EXTRACT_WEBHOOK_RETRIES (3), INVOICE_EXTRACT_WEBHOOK_NETWORKS (comma-separated CIDRs
a webhook may reach; default: any address but link-local).

A webhook is a request the server makes from its own network position on a caller's word,
so its target is checked: http(s) only, no redirect followed, never a link-local address
(where cloud metadata services answer), multicast or unspecified address, and only the
networks INVOICE_EXTRACT_WEBHOOK_NETWORKS allows. The default allows loopback and private
networks on purpose: the Odoo being served usually sits on the same host or LAN. An IP
literal is checked when the document is sent; a host name is resolved and every address it
has checked just before each notification (DNS may say something else at parse time).
"""
from __future__ import annotations

import ipaddress
import logging
import os
import socket
import threading
import time
from urllib.parse import urlsplit

import requests
from sqlalchemy import select, update

from . import net_policy
from .db import Database
from .document import Document

_logger = logging.getLogger(__name__)

TIMEOUT = float(os.environ.get("INVOICE_EXTRACT_WEBHOOK_TIMEOUT", 5))
RETRIES = int(os.environ.get("INVOICE_EXTRACT_WEBHOOK_RETRIES", 3))


def address_problem(address: str) -> str | None:
    """Why a webhook may not go to this IP address, or None (models.net_policy)."""
    return net_policy.address_problem(address, "INVOICE_EXTRACT_WEBHOOK_NETWORKS", public_only_by_default=False)


def _split(url: str):
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("only http and https URLs with a host are accepted")
    parts.port  # raises ValueError on a port that is not one
    return parts


def allowed_webhook_url(url: str) -> str | None:
    """Why ``url`` cannot be a webhook target (checked at parse, without DNS), or None."""
    try:
        host = _split(url).hostname
    except ValueError as e:
        return str(e)
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None  # a host name: its addresses are checked before each notification
    return address_problem(host)


def resolved_problem(url: str) -> str | None:
    """Why ``url`` cannot be notified now: its host's every address is checked."""
    try:
        parts = _split(url)
        infos = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except (ValueError, OSError, UnicodeError) as e:
        return f"cannot resolve: {e}"
    for info in infos:
        problem = address_problem(info[4][0])
        if problem:
            return problem
    return None if infos else "no address"


def notify(url: str, retries: int = RETRIES, timeout: float = TIMEOUT,
           backoff: float = 0.5) -> bool:
    """POST to ``url`` with an empty body, as Odoo documents it; True once a listener answered 2xx.

    The listener reads the document key from the URL and fetches the result itself.
    """
    for attempt in range(retries):
        problem = resolved_problem(url)
        if problem:
            _logger.warning("webhook %s refused: %s", url[:200], problem)
            return False
        try:
            response = requests.post(url, data=b"", timeout=timeout, allow_redirects=False)
            if 200 <= response.status_code < 300:
                return True
            _logger.info("webhook %s answered %s", url, response.status_code)
        except requests.RequestException as e:
            _logger.info("webhook %s failed: %s", url, e)
        if attempt + 1 < retries:
            time.sleep(backoff * 2 ** attempt)
    return False


def post_with_body(url: str, body: bytes, headers: dict, tries: int, timeout: float = TIMEOUT,
                   accepted: set | frozenset = frozenset({200}), backoff: float = 0.2) -> tuple[bool, str, int]:
    """POST ``body`` to ``url`` up to ``tries`` times in a tight loop, with the same network
    checks as ``notify``; (delivered, last status, attempts made). Only ``accepted`` statuses
    count (a vendor may accept nothing but 200)."""
    status = ""
    for attempt in range(tries):
        problem = resolved_problem(url)
        if problem:
            _logger.warning("webhook %s refused: %s", url[:200], problem)
            return False, f"refused: {problem}", attempt
        try:
            response = requests.post(url, data=body, headers=headers, timeout=timeout, allow_redirects=False)
            status = str(response.status_code)
            if response.status_code in accepted:
                return True, status, attempt + 1
            _logger.info("webhook %s answered %s", url[:200], response.status_code)
        except requests.RequestException as e:
            status = f"error: {type(e).__name__}"
            _logger.info("webhook %s failed: %s", url[:200], e)
        if attempt + 1 < tries:
            time.sleep(backoff)
    return False, status, tries


class WebhookSender:
    """Background thread of the server process that sends the notifications due: the Odoo
    documents' empty POSTs, and the scheduled deliveries with a body (models.webhook_delivery)
    that ``producers`` (callables taking the database, e.g. Itemize's event finder) add."""

    def __init__(self, db: Database, poll_seconds: float = 0.3, retries: int = RETRIES,
                 timeout: float = TIMEOUT, backoff: float = 0.5, producers: tuple = ()):
        self.db = db
        self.producers = tuple(producers)
        self.poll_seconds = poll_seconds
        self.retries, self.timeout, self.backoff = retries, timeout, backoff
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="webhook-sender", daemon=True)

    def start(self) -> "WebhookSender":
        self._thread.start()
        return self

    def stop(self, timeout: float = 2) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _resume_interrupted(self) -> None:
        # Notifications a previous server process was sending when it stopped go out again.
        with self.db.session() as session:
            session.execute(update(Document).where(Document.webhook_state == "sending")
                            .values(webhook_state="pending"))

    def _due(self) -> list[tuple[int, str | None]]:
        with self.db.session() as session:
            docs = session.scalars(select(Document).where(Document.webhook_state == "pending")
                                   .order_by(Document.done_at, Document.id).limit(20)).all()
            due = []
            for doc in docs:
                # Conditional claim: with several server processes each notification goes out once.
                claimed = session.execute(update(Document).where(Document.id == doc.id,
                                                                 Document.webhook_state == "pending")
                                          .values(webhook_state="sending")).rowcount
                if claimed == 1:
                    due.append((doc.id, doc.webhook_target()))
            return due

    def _mark(self, doc_id: int, state: str) -> None:
        with self.db.session() as session:
            doc = session.get(Document, doc_id)
            if doc is not None:
                doc.webhook_state = state

    def _send(self, doc_id: int, target: str | None) -> None:
        try:
            sent = bool(target) and notify(target, self.retries, self.timeout, self.backoff)
        except Exception:
            _logger.exception("webhook of document %s failed", doc_id)
            sent = False
        self._mark(doc_id, "sent" if sent else "failed")

    def _run(self) -> None:
        from . import webhook_delivery

        try:
            self._resume_interrupted()
            webhook_delivery.resume_interrupted(self.db)
        except Exception:
            _logger.exception("cannot resume interrupted webhooks")
        while not self._stop.wait(self.poll_seconds):
            try:
                for doc_id, target in self._due():
                    # One short-lived thread per notification: a slow listener delays no other.
                    threading.Thread(target=self._send, args=(doc_id, target), daemon=True).start()
            except Exception:
                _logger.exception("webhook sender loop failed")
            for produce in self.producers:
                try:
                    produce(self.db)
                except Exception:
                    _logger.exception("webhook producer %s failed", getattr(produce, "__name__", produce))
            try:
                webhook_delivery.send_due(self.db, self.timeout)
            except Exception:
                _logger.exception("scheduled webhook deliveries failed")
