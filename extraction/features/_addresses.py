"""Postal address blocks: the lines printed under a party's name or block heading, in the
column the block starts in (a two-column letterhead prints two blocks on the same lines).

Shared by `supplier_address`, `client_address` (the billing address) and `shipping_address`.
An address's content is its lines joined by newlines, as printed.
"""
from __future__ import annotations

import re

from ..candidate import Candidate
from ..context import Context
from ..layout import compile_labels, line_position, lines_of, segments
from ..spans import LineText

# Block headings, per language: data the finders read.
BILLING_HEADINGS = compile_labels([
    "bill to", "billed to", "billing address", "invoice to", "invoiced to", "sold to", "customer", "client",
    "buyer", "rechnung an", "rechnungsadresse", "rechnungsempfänger", "kunde", "käufer", "facturé à",
    "facture à", "adresse de facturation", "client facturé", "factuur aan", "factuuradres", "klant",
    "facturar a", "dirección de facturación", "cliente", "fatturare a", "indirizzo di fatturazione",
    "destinatario fattura",
])
SHIPPING_HEADINGS = compile_labels([
    "ship to", "shipped to", "shipping address", "deliver to", "delivered to", "delivery address",
    "lieferadresse", "lieferanschrift", "liefern an", "livré à", "livrer à", "adresse de livraison",
    "afleveradres", "leveradres", "leveren aan", "enviar a", "dirección de entrega", "dirección de envío",
    "spedire a", "indirizzo di consegna", "indirizzo di spedizione",
])
# Lines that end an address block: contact and identifier fields, labelled values.
NOT_ADDRESS = re.compile(
    r"@|www\.|https?:|\b(?:tel|telefon|téléphone|phone|fax|mobile|e-?mail|iban|bic|swift|vat|tva|btw|iva|ust|"
    r"mwst|tax|siret|kvk|invoice|rechnung|facture|factuur|factura|fattura|date|datum|page|seite)\b", re.I)
LABELLED = re.compile(r"^[^\d:]{2,30}:\s*\S")
MAX_LINES = 6


def _text(words) -> str:
    return " ".join(w.text for w in words).strip(" ,;")


def block_below(ctx: Context, page: int, index: int, x0: float, first: list | None = None) -> Candidate | None:
    """The address printed in the column starting at ``x0`` on the lines after line ``index``,
    after ``first`` (the words already on the anchor line, e.g. a name after "Bill to:")."""
    lines = lines_of(ctx.doc).pages[page]
    rows: list[list] = [first] if first else []
    previous = lines[index].words
    for lt in lines[index + 1: index + 1 + MAX_LINES]:
        height = max(w.height for w in previous) or 0.01
        if lt.words[0].y0 - max(w.y1 for w in previous) > 1.6 * height:
            break  # a blank line ends the block
        seg = next((s for s in segments(lt) if abs(s[0].x0 - x0) < 0.02), None)
        if seg is None:
            break  # nothing starts in the block's column: the block ended
        text = _text(seg)
        if not text or NOT_ADDRESS.search(text) or LABELLED.match(text) or BILLING_HEADINGS.match(text) \
                or SHIPPING_HEADINGS.match(text):
            break
        rows.append(seg)
        previous = seg
    if not rows:
        return None
    return Candidate("\n".join(_text(r) for r in rows), [w for r in rows for w in r], 0.6)


def under_heading(ctx: Context, headings: re.Pattern) -> list[Candidate]:
    """Blocks under a heading that starts a column of its line ("Ship To:" right of "Bill To:")."""
    out = []
    for p, lines in enumerate(lines_of(ctx.doc).pages):
        for i, lt in enumerate(lines):
            for seg in segments(lt):
                sub = LineText.of(seg)
                m = headings.match(sub.text)
                if not m or len(sub.text) > 60:
                    continue
                # words after the heading on its line ("Bill to: Acme Ltd") start the block
                rest = [w for w, start in zip(sub.words, sub.starts) if start >= m.end()]
                cand = block_below(ctx, p, i, rest[0].x0 if rest else seg[0].x0, rest or None)
                if cand is not None:
                    out.append(cand)
    return out


def under_name(ctx: Context, name: Candidate | None) -> Candidate | None:
    """The block printed under a party's name (the name itself left out)."""
    if name is None or not name.words:
        return None
    page, index = line_position(ctx.doc, name.words[-1])
    cand = block_below(ctx, page, index, name.words[0].x0)
    if cand is not None:
        cand.score = 0.5
    return cand
