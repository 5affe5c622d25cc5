"""Learning from validations, on the database side: supplier profiles per account.

``DocumentService.validate`` only records the :class:`Validation` (the HTTP request stays
fast, whatever the document). The worker processes learn from it: before a worker extracts
a document it learns every validation of that document's account not learned yet, and an
idle worker learns any pending one. Learning re-reads the stored document bytes with
``extraction.reader`` (a digital PDF takes tens of milliseconds, a scan one OCR pass: that is
why it runs in the worker and not in the request), runs ``extraction.learning.observe``
against the stored result and keeps one observation row per validation in the supplier's
profile. A profile belongs to one account: an account never learns from another's data.

Each learning re-aggregates the supplier's observations (``extraction.learning.aggregate``)
into the profile row, so every vote keeps its count and a worker loads one row per supplier;
only the latest ``MAX_OBSERVATIONS`` validations of a supplier are kept.
"""
from __future__ import annotations

import logging
import time
from difflib import SequenceMatcher
from datetime import datetime, timedelta

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from ..extraction import learning
from .base import Base, utcnow
from .db import Database
from .document import Document
from .validation import Validation

_logger = logging.getLogger(__name__)

MAX_OBSERVATIONS = 50  # per supplier: the latest validations are what the supplier prints now
CLAIM_SECONDS = 300  # a learning claim older than this (its worker died) is taken again
WAIT_FOR_OTHERS = 20.0  # how long a worker waits for another worker learning the same account


class SupplierProfile(Base):
    """A supplier of an account, as validations showed it (identity kept for lookups)."""
    __tablename__ = "supplier_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    vat: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    iban: Mapped[str | None] = mapped_column(String(64), nullable=True)
    email_domain: Mapped[str | None] = mapped_column(String(255), nullable=True)
    documents: Mapped[int] = mapped_column(Integer, default=0)
    # extraction.learning.aggregate of its observations, kept up to date by each learning so
    # a worker loads one row per supplier, not every observation
    profile: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SupplierObservation(Base):
    """What one validation taught about its supplier (``extraction.learning.observe``)."""
    __tablename__ = "supplier_observations"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("supplier_profiles.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    validation_id: Mapped[int] = mapped_column(ForeignKey("validations.id"), index=True)
    data: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ValidationLearning(Base):
    """Which validations were learned (or skipped), so each is learned once."""
    __tablename__ = "validation_learning"

    id: Mapped[int] = mapped_column(primary_key=True)
    validation_id: Mapped[int] = mapped_column(ForeignKey("validations.id"), unique=True, index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True, nullable=True)
    state: Mapped[str] = mapped_column(String(16), default="claimed")  # claimed, learned, skipped, failed
    profile_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    message: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


# ------------------------------------------------------------------ learning
def pending_validations(session, account_id: int | None = None, limit: int = 20) -> list[int]:
    """Validations not learned yet (or whose claim went stale), oldest first."""
    stale = utcnow() - timedelta(seconds=CLAIM_SECONDS)
    q = (select(Validation.id).outerjoin(ValidationLearning, ValidationLearning.validation_id == Validation.id)
         .where((ValidationLearning.id.is_(None))
                | ((ValidationLearning.state == "claimed") & (ValidationLearning.updated_at < stale))))
    if account_id is not None:
        q = q.where(Validation.account_id == account_id)
    return list(session.scalars(q.order_by(Validation.id).limit(limit)))


def _claim(db: Database, validation_id: int) -> bool:
    try:
        with db.session() as session:
            row = session.scalar(select(ValidationLearning).where(ValidationLearning.validation_id == validation_id))
            if row is None:
                account_id = session.scalar(select(Validation.account_id).where(Validation.id == validation_id))
                session.add(ValidationLearning(validation_id=validation_id, account_id=account_id, state="claimed"))
                return True
            if row.state == "claimed" and row.updated_at < utcnow() - timedelta(seconds=CLAIM_SECONDS):
                row.updated_at = utcnow()
                return True
            return False
    except IntegrityError:  # another worker claimed it first
        return False


def _finish(db: Database, validation_id: int, state: str, message: str = "", profile_id: int | None = None):
    with db.session() as session:
        row = session.scalar(select(ValidationLearning).where(ValidationLearning.validation_id == validation_id))
        if row is not None:
            row.state, row.message, row.profile_id, row.updated_at = state, message[:500], profile_id, utcnow()


def learn_validation(db: Database, validation_id: int) -> str:
    """Learn one validation (claimed first, so two workers never learn it twice).
    Returns the final state: learned, skipped, failed, or '' when someone else has it."""
    from ..extraction.errors import ExtractionError
    from ..extraction.options import ExtractOptions
    from ..extraction.pipeline import ocr_languages
    from ..extraction.reader import read_document

    if not _claim(db, validation_id):
        return ""
    with db.session() as session:
        validation = session.get(Validation, validation_id)
        doc = session.get(Document, validation.document_id)
        account_id, values = validation.account_id, validation.values
        if account_id is None or doc is None or doc.integration or not isinstance(values, dict):
            skip = "no account" if account_id is None or (doc is not None and doc.integration) else "nothing to learn"
        elif not doc.results or doc.status != "success":
            skip = "the document has no result"
        else:
            skip = ""
            data, file_name, results = doc.content, doc.file_name, doc.results
            options = ExtractOptions.from_user_infos(doc.document_type,
                                                     doc.user_infos if isinstance(doc.user_infos, dict) else {})
    if skip:
        _finish(db, validation_id, "skipped", skip)
        return "skipped"
    try:
        page_doc = read_document(data, file_name, options.limits, ocr_languages(options))
        observation = learning.observe(page_doc, results, values)
    except ExtractionError as e:
        _finish(db, validation_id, "failed", f"{e.status}: {e}")
        return "failed"
    except Exception as e:  # learning must never break the worker
        _logger.exception("learning from validation %s failed", validation_id)
        _finish(db, validation_id, "failed", f"{type(e).__name__}: {e}")
        return "failed"
    ident = observation["identity"]
    if not any(ident.get(k) for k in ("VAT_Number", "iban", "supplier")):
        _finish(db, validation_id, "skipped", "no supplier identity (VAT number, IBAN or name) validated")
        return "skipped"
    with db.session() as session:
        profile = find_profile(session, account_id, ident)
        if profile is None:
            profile = SupplierProfile(account_id=account_id, name=(ident.get("supplier") or "")[:255])
            session.add(profile)
        profile.vat = (ident.get("VAT_Number") or profile.vat or None)
        profile.iban = (ident.get("iban") or profile.iban or None)
        profile.email_domain = (ident.get("email_domain") or profile.email_domain or None)
        profile.name = profile.name or (ident.get("supplier") or "")[:255]
        profile.documents = (profile.documents or 0) + 1
        profile.updated_at = utcnow()
        session.flush()
        session.add(SupplierObservation(profile_id=profile.id, account_id=account_id,
                                        validation_id=validation_id, data=observation))
        session.flush()
        old = list(session.scalars(select(SupplierObservation.id).where(SupplierObservation.profile_id == profile.id)
                                   .order_by(SupplierObservation.id.desc()).offset(MAX_OBSERVATIONS)))
        if old:
            session.execute(delete(SupplierObservation).where(SupplierObservation.id.in_(old)))
        observations = list(session.scalars(select(SupplierObservation.data).where(
            SupplierObservation.profile_id == profile.id).order_by(SupplierObservation.id)))
        profile.profile = learning.aggregate(observations, profile.id, profile.name)
        row = session.scalar(select(ValidationLearning).where(ValidationLearning.validation_id == validation_id))
        row.state, row.profile_id, row.message, row.updated_at = "learned", profile.id, "", utcnow()
    return "learned"


def find_profile(session, account_id: int, ident: dict) -> SupplierProfile | None:
    """The account's profile of this supplier: same VAT number (and a name that does not say
    otherwise: sample data reuses one VAT number for several companies), else same IBAN,
    else same name."""
    profiles = list(session.scalars(select(SupplierProfile).where(SupplierProfile.account_id == account_id)
                                    .order_by(SupplierProfile.id)))
    vat, iban = learning.code_key(ident.get("VAT_Number")), learning.code_key(ident.get("iban"))
    name = learning.name_key(ident.get("supplier"))

    def names_agree(p: SupplierProfile) -> bool:
        other = learning.name_key(p.name)
        return not name or not other or name in other or other in name or \
            SequenceMatcher(None, name, other).ratio() >= 0.8

    for test in (lambda p: vat and learning.code_key(p.vat) == vat and names_agree(p),
                 lambda p: iban and learning.code_key(p.iban) == iban and names_agree(p),
                 lambda p: not vat and name and learning.name_key(p.name) == name):
        for p in profiles:
            if test(p):
                return p
    return None


def learn_pending(db: Database, account_id: int | None = None, limit: int = 20,
                  wait: float = WAIT_FOR_OTHERS) -> int:
    """Learn the pending validations (of one account, or of any); with ``account_id``, also
    wait (up to ``wait`` seconds) for those another worker is learning, so a document
    extracted after a validation always benefits from it. Returns how many were learned."""
    learned = 0
    deadline = time.monotonic() + wait
    while True:
        with db.session() as session:
            ids = pending_validations(session, account_id, limit)
        for vid in ids:
            if learn_validation(db, vid) == "learned":
                learned += 1
        if account_id is None:
            return learned
        with db.session() as session:
            busy = session.scalar(select(ValidationLearning.id).where(
                ValidationLearning.account_id == account_id, ValidationLearning.state == "claimed",
                ValidationLearning.updated_at >= utcnow() - timedelta(seconds=CLAIM_SECONDS)).limit(1))
        if busy is None or time.monotonic() > deadline:
            return learned
        time.sleep(0.1)


# ------------------------------------------------------------------ reading, reset
def load_profiles(session, account_id: int | None) -> list[dict]:
    """The account's supplier profiles as the engine takes them (``ExtractOptions.supplier_profiles``)."""
    if account_id is None:
        return []
    return [p for p in session.scalars(select(SupplierProfile.profile).where(SupplierProfile.account_id == account_id)
                                       .order_by(SupplierProfile.id)) if p]


def account_profiles(db: Database, account_id: int | None) -> list[dict]:
    with db.session() as session:
        return load_profiles(session, account_id)


def learning_status(session, account_id: int) -> dict[str, int]:
    """How many of the account's validations were learned, skipped, failed or wait."""
    out: dict[str, int] = {}
    for state in session.scalars(select(ValidationLearning.state).where(ValidationLearning.account_id == account_id)):
        out[state] = out.get(state, 0) + 1
    out["pending"] = len(pending_validations(session, account_id, limit=10_000))
    return out


def reset_account(session, account_id: int) -> int:
    """Forget what the account's validations taught (the validations stay, and are not
    learned again). Returns how many profiles were removed."""
    profile_ids = list(session.scalars(select(SupplierProfile.id).where(SupplierProfile.account_id == account_id)))
    session.execute(delete(SupplierObservation).where(SupplierObservation.account_id == account_id))
    session.execute(delete(SupplierProfile).where(SupplierProfile.account_id == account_id))
    # validations not learned yet are marked too: a reset forgets everything validated so far
    for vid in pending_validations(session, account_id, limit=100_000):
        if session.scalar(select(ValidationLearning.id).where(ValidationLearning.validation_id == vid)) is None:
            session.add(ValidationLearning(validation_id=vid, account_id=account_id, state="skipped",
                                           message="reset before learning"))
    for row in session.scalars(select(ValidationLearning).where(ValidationLearning.account_id == account_id,
                                                                ValidationLearning.state == "learned")):
        row.state, row.profile_id, row.message, row.updated_at = "reset", None, "forgotten by a reset", utcnow()
    return len(profile_ids)
