"""Webhook deliveries with a body and a retry schedule, persisted so a restart loses none.

The Odoo webhooks are an empty POST per document (``Document.webhook_state``); vendors like
Itemize send a JSON body to several URLs and retry on a schedule of hours. Each such delivery
is a row here: its URL, body, headers, the schedule (offsets in seconds from the first round),
the round it is at and when the next round is due. The one ``WebhookSender`` thread
(``models.webhook``) sends the rounds due on each poll through ``post_with_body``, which makes
the same network checks (``resolved_problem``) as the Odoo notifications.

A round is ``tries`` tight attempts; only the statuses in ``accepted`` count as delivered
(Itemize: 200 alone). After the last round fails the delivery is ``failed`` for good.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from datetime import datetime

from sqlalchemy import JSON, Float, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow
from .db import Database

_logger = logging.getLogger(__name__)

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), default="")  # who asked for it, e.g. "itemize"
    url: Mapped[str] = mapped_column(String(2048))
    body: Mapped[str] = mapped_column(Text)  # sent byte for byte as signed
    headers: Mapped[dict] = mapped_column(JSON, default=dict)
    schedule: Mapped[list] = mapped_column(JSON, default=list)  # offsets (s) of each round from the first
    tries: Mapped[int] = mapped_column(Integer, default=3)  # tight attempts per round
    accepted: Mapped[list] = mapped_column(JSON, default=lambda: [200])
    round: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    first_at: Mapped[float] = mapped_column(Float)  # unix time of round 0
    next_at: Mapped[float] = mapped_column(Float, index=True)
    state: Mapped[str] = mapped_column(String(16), default=PENDING, index=True)
    last_status: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def schedule_delivery(session, kind: str, url: str, body: dict, headers: dict, schedule: list[float],
                      tries: int, now: float, accepted: tuple = (200,)) -> WebhookDelivery:
    """A delivery whose first round is due at ``now`` (+ schedule[0])."""
    offsets = sorted(max(0.0, float(s)) for s in schedule) or [0.0]
    delivery = WebhookDelivery(kind=kind, url=url, body=json.dumps(body, separators=(",", ":")),
                               headers=headers, schedule=offsets, tries=max(1, int(tries)),
                               accepted=list(accepted), first_at=now, next_at=now + offsets[0])
    session.add(delivery)
    session.flush()
    return delivery


def resume_interrupted(db: Database) -> None:
    """Rounds a previous server process was sending when it stopped are due again."""
    with db.session() as session:
        session.execute(update(WebhookDelivery).where(WebhookDelivery.state == SENDING)
                        .values(state=PENDING))


def claim_due(db: Database, now: float, limit: int = 20) -> list[int]:
    with db.session() as session:
        ids = session.scalars(select(WebhookDelivery.id).where(WebhookDelivery.state == PENDING,
                                                               WebhookDelivery.next_at <= now)
                              .order_by(WebhookDelivery.next_at, WebhookDelivery.id).limit(limit)).all()
        claimed = []
        for delivery_id in ids:
            # Conditional claim: with several server processes each round goes out once.
            if session.execute(update(WebhookDelivery).where(WebhookDelivery.id == delivery_id,
                                                             WebhookDelivery.state == PENDING)
                               .values(state=SENDING)).rowcount == 1:
                claimed.append(delivery_id)
        return claimed


def run_round(db: Database, delivery_id: int, timeout: float, now: float | None = None,
              backoff: float = 0.2) -> str:
    """One round of a claimed delivery: its tight tries, then the next round scheduled (or
    the delivery closed). Returns the new state."""
    from .webhook import post_with_body

    with db.session() as session:
        d = session.get(WebhookDelivery, delivery_id)
        url, body, headers, tries, accepted = d.url, d.body, dict(d.headers or {}), d.tries, set(d.accepted or [200])
    try:
        delivered, status, made = post_with_body(url, body.encode("utf-8"), headers, tries, timeout, accepted,
                                                 backoff)
    except Exception as e:  # never let one delivery stop the sender
        _logger.exception("webhook delivery %s failed", delivery_id)
        delivered, status, made = False, f"error: {type(e).__name__}", 0
    with db.session() as session:
        d = session.get(WebhookDelivery, delivery_id)
        d.attempts += made
        d.last_status = str(status)[:200]
        if delivered:
            d.state = SENT
        elif d.round + 1 < len(d.schedule):
            d.round += 1
            d.next_at = d.first_at + float(d.schedule[d.round])
            d.state = PENDING
        else:
            d.state = FAILED
        return d.state


def send_due(db: Database, timeout: float, now: float | None = None, background: bool = True) -> int:
    """Claim the rounds due at ``now`` and run each (in its own thread when ``background``,
    so one slow listener delays no other). Returns how many rounds started."""
    now = time.time() if now is None else now
    ids = claim_due(db, now)
    for delivery_id in ids:
        if background:
            threading.Thread(target=run_round, args=(db, delivery_id, timeout, now), daemon=True).start()
        else:
            run_round(db, delivery_id, timeout, now)
    return len(ids)
