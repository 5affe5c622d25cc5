"""Worker processes: claim pending documents with a lease, run the engine, store results.

A worker killed mid-document stops renewing its lease; once the lease expires another
worker claims the document again. Each claim counts an attempt; past ``MAX_ATTEMPTS``
the document ends in 'error_internal' and its credit is given back.

Configuration (environment): INVOICE_EXTRACT_LEASE_SECONDS (default 60),
INVOICE_EXTRACT_MAX_ATTEMPTS (3), INVOICE_EXTRACT_DOCUMENT_TIMEOUT (300 s: a document
still running then makes its worker exit, so a hang never holds a document forever).
"""
from __future__ import annotations

import ctypes
import gc
import importlib
import logging
import multiprocessing
import os
import threading
import time
import uuid
from datetime import timedelta

from sqlalchemy import or_, select, update

from .base import env_int, utcnow
from .db import Database
from .document import DONE, ERROR, PENDING, PROCESSING, Document
from .document_service import STATUS_MESSAGES, TEXT_MIMETYPES, refund_credit

_logger = logging.getLogger(__name__)

LEASE_SECONDS = float(os.environ.get("INVOICE_EXTRACT_LEASE_SECONDS", 60))
MAX_ATTEMPTS = int(os.environ.get("INVOICE_EXTRACT_MAX_ATTEMPTS", 3))
DOCUMENT_TIMEOUT = float(os.environ.get("INVOICE_EXTRACT_DOCUMENT_TIMEOUT", 300))
POLL_SECONDS = 0.2
# The callable a worker runs on each document, as "module:function" so it crosses the spawn
# boundary by name; (data, file_name, ExtractOptions) -> results[0] dict.
DEFAULT_ENGINE = "invoice_extract.extraction:extract"


def load_engine(spec: str):
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def _claimable(now):
    return or_(Document.state == PENDING,
               (Document.state == PROCESSING) & (Document.lease_until < now))


def claim_next(db: Database, owner: str, lease_seconds: float = LEASE_SECONDS,
               max_attempts: int = MAX_ATTEMPTS) -> int | None:
    """Atomically take the oldest claimable document; None when there is none."""
    with db.session() as session:
        now = utcnow()
        doc_id = session.scalar(select(Document.id).where(_claimable(now))
                                .order_by(Document.created_at, Document.id).limit(1))
        if doc_id is None:
            return None
        claimed = session.execute(
            update(Document).where(Document.id == doc_id, _claimable(now))
            .values(state=PROCESSING, lease_owner=owner, attempts=Document.attempts + 1,
                    lease_until=now + timedelta(seconds=lease_seconds))
        ).rowcount
        if claimed != 1:
            return None
        doc = session.get(Document, doc_id)
        if doc.attempts > max_attempts:
            finish(session, doc, "error_internal",
                   f"Extraction failed {max_attempts} times; giving up.", refund=True)
            return None
        return doc_id


def renew_lease(db: Database, doc_id: int, owner: str, lease_seconds: float = LEASE_SECONDS) -> bool:
    with db.session() as session:
        return session.execute(
            update(Document).where(Document.id == doc_id, Document.lease_owner == owner,
                                   Document.state == PROCESSING)
            .values(lease_until=utcnow() + timedelta(seconds=lease_seconds))
        ).rowcount == 1


def finish(session, doc: Document, status: str, message: str = "", results: dict | None = None,
           refund: bool = False) -> None:
    doc.state = DONE if status == "success" else ERROR
    doc.status = status
    doc.message = message or STATUS_MESSAGES.get(status, status)
    doc.results = results
    doc.lease_owner = doc.lease_until = None
    doc.done_at = utcnow()
    if doc.webhook_url:
        doc.webhook_state = "pending"
    if refund:
        refund_credit(session, doc)


def process(db: Database, doc_id: int, owner: str, engine=None) -> None:
    """Run the engine on one claimed document and store its outcome."""
    from ..extraction import ExtractionError, ExtractOptions

    extract = engine or load_engine(DEFAULT_ENGINE)
    with db.session() as session:
        doc = session.get(Document, doc_id)
        data, file_name, document_type, user_infos = doc.content, doc.file_name, doc.document_type, doc.user_infos
        account_id = doc.account_id
        # a digital receipt the service accepted as text (ParseRequest.accept_text) is read as text
        text_mimetype = doc.mimetype if doc.mimetype in TEXT_MIMETYPES else None
    profiles = supplier_profiles(db, account_id)
    try:
        options = ExtractOptions.from_user_infos(document_type, user_infos if isinstance(user_infos, dict) else {},
                                                 supplier_profiles=profiles, text_mimetype=text_mimetype)
        results, status, message, refund = extract(data, file_name, options), "success", "", False
    except ExtractionError as e:
        results, status, message, refund = None, e.status, str(e), True
    except Exception as e:  # an engine bug: the document ends in error, the credit goes back
        _logger.exception("extraction of document %s failed", doc_id)
        results, status, message, refund = None, "error_internal", f"Extraction failed: {type(e).__name__}", True
    with db.session() as session:
        doc = session.get(Document, doc_id)
        if doc.state != PROCESSING or doc.lease_owner != owner:
            return  # our lease expired and someone else took over: their result wins
        finish(session, doc, status, message, results, refund=refund)


def supplier_profiles(db: Database, account_id: int | None) -> list[dict]:
    """What the account's validations taught (models.learning), its pending validations
    learned first; never an obstacle to the extraction itself."""
    if account_id is None:
        return []
    from .learning import account_profiles, learn_pending

    try:
        learn_pending(db, account_id)
        return account_profiles(db, account_id)
    except Exception:
        _logger.exception("loading the supplier profiles of account %s failed", account_id)
        return []


# glibc serves an allocation this large or larger with its own mmap, and unmaps it on free.
# Left alone, glibc raises that threshold to the largest block freed so far (up to 32 MB), and
# from then on serves the OCR's tensors, page bitmaps and detection maps from the heap, where
# they pile up: a 14,400 pt square page read by RapidOCR peaked at 457 MB (bench.memory).
# Setting the threshold turns glibc's adjustment off. Its size trades memory for time, since
# every mapped block is zeroed page by page by the kernel. On 5 receipts in a row (wall time,
# peak): glibc's own 26.9 s, 365 MB; 256 KB 37.3 s, 272 MB; 2 MB 30.3 s, 295 MB; 4 MB 28.4 s,
# 322 MB. On the largest page (bench.memory): 256 KB 355 MB, 2 MB 370 MB, 4 MB 416 MB.
MMAP_THRESHOLD = env_int("INVOICE_EXTRACT_MMAP_THRESHOLD", 2 << 20)
_M_MMAP_THRESHOLD = -3  # mallopt's parameter number (malloc.h)


def steady_heap() -> None:
    """Keeps large blocks out of the worker's heap (see MMAP_THRESHOLD). Once per process;
    0 leaves glibc's own adjustment."""
    if MMAP_THRESHOLD <= 0:
        return
    try:
        ctypes.CDLL("libc.so.6").mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    except (OSError, AttributeError):
        pass  # not glibc


def give_memory_back() -> None:
    """After a document, the worker returns what it freed to the system: glibc keeps freed
    heap pages for reuse, so one large document would otherwise leave the worker large."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: nothing to trim


def _heartbeat(db: Database, doc_id: int, owner: str, lease_seconds: float, stop: threading.Event) -> None:
    started = time.monotonic()
    while not stop.wait(lease_seconds / 3):
        if time.monotonic() - started > DOCUMENT_TIMEOUT:
            _logger.error("document %s exceeded %ss; worker exits", doc_id, DOCUMENT_TIMEOUT)
            os._exit(3)  # the supervisor starts a new worker; the lease lapses and it retries
        renew_lease(db, doc_id, owner, lease_seconds)


def work_loop(database_url: str, lease_seconds: float = LEASE_SECONDS, stop_event=None,
              idle_exit: float | None = None, engine: str = DEFAULT_ENGINE,
              max_attempts: int = MAX_ATTEMPTS, parent_pid: int | None = None) -> None:
    """Body of one worker process; returns once ``stop_event`` is set or ``parent_pid``
    (the supervising server) is gone."""
    if not logging.getLogger().handlers:  # a spawned process starts without logging set up
        logging.basicConfig(level=os.environ.get("INVOICE_EXTRACT_LOG_LEVEL", "INFO").upper(),
                            format="%(asctime)s %(levelname)s %(name)s[%(process)d]: %(message)s")
    steady_heap()
    db = Database(database_url)
    run_engine = load_engine(engine)
    if engine == DEFAULT_ENGINE:
        try:
            from ..extraction import warm_up

            warm_up()
        except Exception:  # the first document loads them instead (and reports what fails)
            _logger.exception("loading the OCR models at start failed")
    owner = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
    idle_since = time.monotonic()
    while stop_event is None or not stop_event.is_set():
        if parent_pid is not None and os.getppid() != parent_pid:
            return  # the server died without stopping us (e.g. SIGKILL): do not linger as an orphan
        try:
            doc_id = claim_next(db, owner, lease_seconds, max_attempts)
        except Exception:
            _logger.exception("claiming a document failed")
            doc_id = None
        if doc_id is None:
            try:  # an idle worker learns from validations (models.learning)
                from .learning import learn_pending

                if learn_pending(db, None, limit=1):
                    idle_since = time.monotonic()
                    continue
            except Exception:
                _logger.exception("learning from a validation failed")
            if idle_exit is not None and time.monotonic() - idle_since > idle_exit:
                return
            time.sleep(POLL_SECONDS)
            continue
        stop = threading.Event()
        beat = threading.Thread(target=_heartbeat, args=(db, doc_id, owner, lease_seconds, stop), daemon=True)
        beat.start()
        try:
            process(db, doc_id, owner, run_engine)
        finally:
            stop.set()
            give_memory_back()
        idle_since = time.monotonic()


class WorkerPool:
    """Keeps N worker processes alive (a dead one is replaced) until stopped."""

    def __init__(self, database_url: str, workers: int | None = None, lease_seconds: float = LEASE_SECONDS,
                 engine: str = DEFAULT_ENGINE, max_attempts: int = MAX_ATTEMPTS):
        self.database_url = database_url
        self.size = max(1, workers or os.cpu_count() or 1)
        self.lease_seconds = lease_seconds
        self.engine = engine
        self.max_attempts = max_attempts
        self._ctx = multiprocessing.get_context("spawn")
        self._stop = self._ctx.Event()
        self.processes: list = []
        self._monitor: threading.Thread | None = None
        self._closing = threading.Event()

    def _spawn(self):
        p = self._ctx.Process(target=work_loop, name="invoice-extract-worker", daemon=True,
                              args=(self.database_url, self.lease_seconds, self._stop, None, self.engine,
                                    self.max_attempts, os.getpid()))
        p.start()
        return p

    def start(self) -> "WorkerPool":
        self.processes = [self._spawn() for _ in range(self.size)]
        self._monitor = threading.Thread(target=self._watch, daemon=True)
        self._monitor.start()
        return self

    def _watch(self) -> None:
        while not self._closing.wait(0.5):
            for i, p in enumerate(self.processes):
                if not p.is_alive():
                    _logger.warning("worker %s exited (%s); starting another", p.pid, p.exitcode)
                    self.processes[i] = self._spawn()

    def stop(self, timeout: float = 5) -> None:
        self._closing.set()
        self._stop.set()
        for p in self.processes:
            p.join(timeout)
            if p.is_alive():
                p.kill()
