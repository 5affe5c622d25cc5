"""Webhook notifications: tell the caller its result is ready.

Runs in a thread of the server process, apart from the workers, so a slow or dead
listener never holds up extraction. Each finished document with a webhook gets a POST to
``webhook_url/<document_id|document_uuid|document_token>`` (by the route generation it
was sent through), with a timeout and a few retries with backoff.

Configuration (environment): INVOICE_EXTRACT_WEBHOOK_TIMEOUT (5 s),
INVOICE_EXTRACT_WEBHOOK_RETRIES (3).
"""
from __future__ import annotations

import logging
import os
import threading
import time

import requests
from sqlalchemy import select, update

from .db import Database
from .document import Document

_logger = logging.getLogger(__name__)

TIMEOUT = float(os.environ.get("INVOICE_EXTRACT_WEBHOOK_TIMEOUT", 5))
RETRIES = int(os.environ.get("INVOICE_EXTRACT_WEBHOOK_RETRIES", 3))


def notify(url: str, retries: int = RETRIES, timeout: float = TIMEOUT,
           backoff: float = 0.5) -> bool:
    """POST to ``url`` with an empty body, as Odoo documents it; True once a listener answered 2xx.

    The listener reads the document key from the URL and fetches the result itself.
    """
    for attempt in range(retries):
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


class WebhookSender:
    """Background thread of the server process that sends the notifications due."""

    def __init__(self, db: Database, poll_seconds: float = 0.3, retries: int = RETRIES,
                 timeout: float = TIMEOUT, backoff: float = 0.5):
        self.db = db
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
                                   .order_by(Document.id).limit(20)).all()
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
        try:
            self._resume_interrupted()
        except Exception:
            _logger.exception("cannot resume interrupted webhooks")
        while not self._stop.wait(self.poll_seconds):
            try:
                for doc_id, target in self._due():
                    # One short-lived thread per notification: a slow listener delays no other.
                    threading.Thread(target=self._send, args=(doc_id, target), daemon=True).start()
            except Exception:
                _logger.exception("webhook sender loop failed")
