"""`purchase_order`: order numbers the bill refers to (several possible: ``selected_values``)."""
from __future__ import annotations

import re

from ..candidate import Candidate, rank
from ..context import Context
from ..layout import compile_labels, lines_of, values_near

LABELS = compile_labels([
    "purchase order", "purchase order no", "po number", "po no", "po #", "p.o.", "order no", "order number",
    "your order", "your ref", "bestellnummer", "bestellung", "ihre bestellung", "auftragsnummer",
    "bon de commande", "n° de commande", "commande", "votre commande", "bestelnummer", "inkooporder",
    "pedido", "número de pedido", "ordine", "numero ordine",
])
VALUE = re.compile(r"([A-Za-z0-9][A-Za-z0-9/_.\-]*\d[A-Za-z0-9/_.\-]*)")
ODOO_PO = r"\bP\d{5}\b"  # Odoo's default purchase order name, used when the caller sends no regex


def find(ctx: Context) -> list[Candidate]:
    cands = [Candidate(h.text, h.words, 0.6) for h in values_near(ctx.doc, LABELS, VALUE)]
    try:
        rx = re.compile(ctx.options.purchase_order_regex or ODOO_PO)
    except re.error:
        rx = re.compile(ODOO_PO)
    for _p, _i, lt in lines_of(ctx.doc):
        for m in rx.finditer(lt.text):
            words = lt.words_between(m.start(), m.end())
            if words:
                cands.append(Candidate(m.group(0), words, 0.8))
    ranked = rank(cands)
    for c in ranked:
        c.selected = c.score >= 0.6
    return ranked
