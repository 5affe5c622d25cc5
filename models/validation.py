"""What an accountant confirmed for a document (sent through validate): kept for learning."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class Validation(Base):
    __tablename__ = "validations"

    id: Mapped[int] = mapped_column(primary_key=True)
    # One validation per document: a second validate of the same document is refused.
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), unique=True, index=True)
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), index=True, nullable=True)
    values: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# Features whose validation is one {"content": …} that replaces the selected value.
SINGLE_VALUE_FEATURES_SKIPPED = {"invoice_lines", "merged_lines", "global_taxes", "purchase_order"}


def corrected_results(results: dict, values: dict | None) -> dict:
    """The result as the document's validation corrected it: each validated single-value
    feature's selected content replaced (or added); lines and lists are left as read. For APIs
    that serve the corrected data set after a validation (Itemize's document.updated)."""
    if not values:
        return results
    out = dict(results)
    for name, value in values.items():
        if name in SINGLE_VALUE_FEATURES_SKIPPED or not isinstance(value, dict) or "content" not in value:
            continue
        feature = dict(out.get(name) or {}) if isinstance(out.get(name), dict) else {}
        selected = dict(feature.get("selected_value") or {}) if isinstance(feature.get("selected_value"), dict) else {}
        selected["content"] = value["content"]
        feature["selected_value"] = selected
        feature.setdefault("candidates", [])
        out[name] = feature
    return out
