"""`invoice_id`: the document number after an invoice-number label (right of it or under it)."""
from __future__ import annotations

import re

from ..candidate import Candidate, rank
from ..context import Context
from ..layout import COLUMN_GAP, ValueHit, compile_labels, line_of, line_position, party_of, segments, values_near
from ..parsing.dates import find_dates
from ._names import TOWN_LINE
from .currency import CODES as CURRENCY_CODES

STRONG = compile_labels([
    "invoice number", "invoice no", "invoice nr", "invoice #", "invoice num", "inv no", "inv. no", "inv #",
    "bill no", "bill number", "receipt no", "receipt number", "receipt #", "document no", "document number",
    "credit note no", "credit note number", "rechnungsnummer", "rechnungs-nr", "rechnung nr", "rechnung-nr",
    "rechnungsnr", "re-nr", "beleg-nr", "belegnummer", "belegnr", "gutschrift nr", "gutschriftsnummer",
    "facture n°", "facture no", "facture nº", "n° de facture", "numéro de facture", "no de facture",
    "n° facture", "avoir n°", "numéro d'avoir", "factuurnummer", "factuur nr", "factuurnr", "creditnota nr",
    "número de factura", "numero de factura", "factura nº", "factura n°", "nº factura", "n.º factura",
    "fattura n", "fattura n.", "numero fattura", "n. fattura", "nr. fattura", "numero documento",
    "handelsrechnung nr", "rechnung no", "gutschrift no", "facture numéro", "avoir no", "factura no",
    "credit note #", "tax invoice no", "tax invoice #", "invoice no.", "bill #", "invoice id",
    "nº de factura", "n.º de factura", "n° de factura", "número da fatura", "numero da fatura", "n.º da fatura",
    "nº da fatura", "fatura n.º", "fatura nº", "fatura n°", "nº documento", "n.º documento", "n. documento",
    "nr. documento", "documento n.º", "nº de abono", "n.º de abono", "abono nº", "nota de crédito n.º",
    "nota de crédito nº", "nota di credito n.", "numero nota di credito", "creditnotanummer", "gutschriftnummer",
    "fakturanummer", "fakturanr", "faktura nr", "faktura nummer", "nr faktury", "numer faktury",
    "faktura vat nr", "laskun numero", "laskunumero", "laskunro", "laskun nro", "hyvityslasku nro",
    "hyvityslaskun numero", "n.º fatura", "fatura-recibo n.º",
    "faktura č", "číslo faktury", "doklad č", "číslo dokladu", "daňový doklad č", "documento n", "documento n.",
    "documento nr", "bon-nr", "bon nr",
])
WEAK = compile_labels([
    "invoice", "rechnung", "handelsrechnung", "gutschrift", "facture", "avoir", "factuur", "factura", "fattura",
    "credit note", "nr", "no", "n°", "nº", "number", "nummer", "numéro", "número", "numero", "#", "ref",
    "faktura", "fatura", "lasku", "numer", "beleg", "doklad",
])
# Numbers of the other documents a bill may be (a contract, an order, a booking): on such a
# document that number is its reference; on an invoice it is usually another document's.
DOCUMENT_NUMBER = compile_labels([
    "contract", "contract no", "contract number", "contract #", "order", "order no", "order number", "order #",
    "booking id", "booking no", "booking number", "booking reference", "reference", "reference no",
    "confirmation no", "confirmation number", "statement no", "estimate", "estimate no", "quote no",
    "auftrag", "auftragsnummer", "auftrags-nr", "bestellnummer", "vertragsnummer", "vertrag nr",
    "commande", "n° de commande", "numéro de commande", "contrat n°", "bestelnummer", "ordernummer",
    "pedido", "número de pedido", "contrato", "ordine", "numero ordine", "contratto",
    "beställningsnummer", "ordrenummer", "bestillingsnummer", "numer zamówienia", "zamówienie",
    "número de encomenda", "encomenda", "tilausnumero",
])
# Another invoice this document refers to (a credit note's original invoice): its number is not
# this document's.
REFERENCED_INVOICE = compile_labels([
    "original invoice", "related invoice", "referenced invoice", "corrected invoice", "credited invoice",
    "invoice reference", "ursprungsrechnung", "ursprüngliche rechnung", "bezugsrechnung", "zu rechnung",
    "korrektur zu", "facture liée", "facture d'origine", "facture initiale", "facture rectifiée",
    "oorspronkelijke factuur", "gerelateerde factuur", "factura original", "factura rectificada",
    "fattura originale", "fattura di riferimento",
    "refers to invoice", "relates to invoice", "in reference to invoice", "with reference to invoice",
    "bezieht sich auf rechnung", "se rapporte à la facture", "concerne la facture", "referente à fatura",
    "relativa alla fattura", "con referencia a la factura", "heeft betrekking op factuur", "korrigerar faktura",
    "krediterer faktura", "avser faktura", "dotyczy faktury", "korekta faktury", "koskee laskua",
    "avoir sur facture", "relatif à la facture", "credit note for invoice", "credit for invoice",
    "gutschrift zur rechnung", "gutschrift zu rechnung", "creditnota voor factuur", "creditnota bij factuur",
    "nota di credito relativa alla fattura", "abono de la factura", "nota de crédito da fatura",
])
NOT_ID_CONTEXT = re.compile(r"kund|customer|client|klient|order|bestell|auftrag|commande|pedido|ordine|tel|fax|"
                            r"phone|steuer|vat|ust|tva|iban|konto|account|seite|page|qty|menge|plz|zip|art|"
                            r"cvr|regon|krs|\bnip\b|org\.?\s?nr|moms|zamów|zamow|encomenda|beställ|bestill|ordre|"
                            r"tilaus", re.I)
VALUE = re.compile(r"([A-Za-z0-9][A-Za-z0-9/_.\-]*\d[A-Za-z0-9/_.\-]*|\d)")


def _plausible(text: str) -> bool:
    if len(text) > 30 or len(text) < 2 and not text.isdigit():
        return False
    if list(find_dates(text)):
        return False
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})*[.,]\d{2}", text):
        return False  # an amount
    if re.fullmatch(r"\(?\d{3}\)?", text) and len(text) <= 3 and False:
        return False
    return True


def _postcode(ctx: Context, hit: ValueHit) -> bool:
    """The value is a town's postcode in a column of its own: "RECHNUNG      24103 KIEL", a
    big title on the line of the letterhead's town, or a buyer's "1060 Wien" under a label."""
    if not re.fullmatch(r"\d{4,5}", hit.text.strip()):
        return False
    part = next((p for p in segments(line_of(ctx.doc, hit.words[0])) if hit.words[0] in p), None)
    if part is None or (not hit.below and hit.label.words[-1] in part):
        return False
    text = " ".join(w.text for w in part[part.index(hit.words[0]):])
    return TOWN_LINE.match(text) is not None


def _column_header(ctx: Context, hit: ValueHit) -> bool:
    """The label heads a column of the item table ("Teile-Nr.  Bezeichnung  Menge"): what
    stands under it is an article's number, not the document's."""
    from .invoice_lines import header_columns

    return hit.below and bool(header_columns(hit.label.line))


def find(ctx: Context) -> list[Candidate]:
    cands = []
    for rx, base in ((STRONG, 0.8), (WEAK, 0.45)):
        for hit in values_near(ctx.doc, rx, VALUE, accept=lambda m: _plausible(m.group(1).strip(".-/")),
                               before=rx is STRONG):
            if _postcode(ctx, hit) or _column_header(ctx, hit):
                continue
            label_text = hit.label.line.text[max(0, hit.label.end - 30): hit.label.end]
            if rx is WEAK and NOT_ID_CONTEXT.search(label_text):
                continue
            value, words = _with_type_code(ctx, hit)
            line_text = hit.label.line.text if not hit.below else ""
            if line_text and hit.start > 0 and line_text[hit.start - 1] == "(":
                continue  # "(380)": a code in parentheses qualifies the label, it is not the number
            if rx is WEAK:
                page, index = line_position(ctx.doc, hit.label.words[0])
                if party_of(ctx.doc, page, index) is not None:
                    continue  # "Nummer: 4711" inside a seller or buyer block is a party's number
            score = base - (0.1 if hit.below or hit.before else 0.0) - min(0.2, hit.distance)
            position = hit.words[0].page + hit.words[0].cy
            score += 0.1 * max(0.0, 1 - position)  # the number heads the document
            if re.fullmatch(r"\d{1,2}", value):
                score -= 0.3  # "No 1": a page or item number more often than an invoice number
            cands.append(Candidate(value, words, max(0.0, min(1.0, score)),
                                   origin="ocr" if hit.words[0].conf < 1 else "text"))
    return rank(cands)


# Many invoicing programs print a number series' code before the number, set off by a space:
# the SAF-T PT type codes ("FT 2024A/17", "NC 2024/3"), the Polish "FV 12/2024", "RE 2023/88"
# or "INV 2024/0042". The code is part of the printed number when it is a short capital word
# standing right before a number with a series separator; a label word ("NO 4711") is not.
SERIES_CODE = re.compile(r"[A-Z]{1,3}")
SERIES_NUMBER = re.compile(r"[A-Z]{0,2}\d[\dA-Z]*[/\-][\dA-Z/\-]*\d")


def _with_type_code(ctx: Context, hit: ValueHit) -> tuple[str, list]:
    """The number with its series code when one stands right before it, beside its label or
    under it."""
    value, words = hit.text.strip(".-/"), list(hit.words)
    if not words or not SERIES_NUMBER.fullmatch(value):
        return value, words
    line = line_of(ctx.doc, words[0]).words
    k = next((n for n, w in enumerate(line) if w is words[0]), 0)
    if k == 0:
        return value, words
    code = line[k - 1]
    if (SERIES_CODE.fullmatch(code.text) and code not in hit.label.words and words[0].x0 - code.x1 < COLUMN_GAP
            and not (STRONG.fullmatch(code.text) or WEAK.fullmatch(code.text) or code.text in CURRENCY_CODES)):
        return f"{code.text} {value}", [code] + words
    return value, words


def labelled_numbers(ctx: Context) -> list[Candidate]:
    """Every number right of (or under) a document-number label of any kind, with the label's
    kind, unfiltered: the learned ranker weighs what the rules above pass over."""
    out = []
    for kind, rx in (("id_strong", STRONG), ("id_weak", WEAK), ("doc_number", DOCUMENT_NUMBER)):
        for hit in values_near(ctx.doc, rx, VALUE, accept=lambda m: _plausible(m.group(1).strip(".-/"))):
            value, words = _with_type_code(ctx, hit)
            if value and not _postcode(ctx, hit) and not _column_header(ctx, hit):
                out.append(Candidate(value, words, 0.0, origin="ocr" if hit.words[0].conf < 1 else "text",
                                     extra={"_broad": True, "_label": kind + ("_below" if hit.below else "")}))
    return out
