"""Exact values a document carries beside its printed text.

An e-invoice's XML (embedded in the PDF, or uploaded bare) and payment codes printed on the
page (Swiss QR-bill, EPC/GiroCode, ZATCA) state the values outright. Each source module
exposes ``structured_candidates(ctx) -> dict[feature, list[Candidate]]``; the pipeline asks
them before the text finders run and ranks their values above anything read from the text
(``merge``). Sources listed first win when two carry the same feature.
"""
from __future__ import annotations

import importlib
import logging

from ..candidate import Candidate
from ..context import Context

_logger = logging.getLogger(__name__)

SOURCES = ("einvoice", "payment_codes")

# Above any text candidate's score: an exact value outranks what only looks right.
STRUCTURED_SCORE = 2.0

# Features a structured source states as a whole: its list replaces the text finder's.
WHOLE_FEATURES = {"invoice_lines", "global_taxes"}


def collect(ctx: Context) -> dict[str, list[Candidate]]:
    out: dict[str, list[Candidate]] = {}
    for name in SOURCES:
        try:
            found = importlib.import_module(f"{__name__}.{name}").structured_candidates(ctx)
        except Exception:  # a broken XML or code must never cost the text result
            _logger.warning("structured source %s failed on %s", name, ctx.doc.filename, exc_info=True)
            continue
        for feature, cands in found.items():
            if cands and feature not in out:
                out[feature] = cands
    return out


def merge(feature: str, structured: list[Candidate] | None, found: list[Candidate]) -> list[Candidate]:
    """Structured candidates first, then the text finder's other candidates.

    A structured value the text finder also read takes the finder's words: the finder
    knows which printing of the value is the labelled one (a total printed in the lines
    and again under "Total").
    """
    if not structured:
        return found
    if feature in WHOLE_FEATURES:
        return structured
    out = []
    for s in structured:
        same = next((c for c in found if _same(c.content, s.content)), None)
        if same is not None and same.words:
            s.words = same.words
        out.append(s)
    out += [c for c in found if not any(_same(c.content, s.content) for s in structured)]
    return out


def _same(a, b) -> bool:
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) < 0.005
    return a == b
