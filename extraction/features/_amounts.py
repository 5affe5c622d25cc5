"""Labelled amounts, and the choice of total, subtotal and tax that agree with each other.

The three finders (total, subtotal, total_tax_amount) share one computation per document,
cached on the context: a total that equals subtotal + tax outranks one that only sits
next to a "Total" label.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..candidate import Candidate, rank
from ..context import Context
from ..document import Word
from ..layout import compile_labels, find_labels, lines_of, segments
from ..parsing.numbers import DECIMAL_PLACES, find_amounts
from ..spans import LineText

# What is still to pay after prepayments: the total unless the page says otherwise.
AMOUNT_DUE = compile_labels([
    "total due", "amount due", "balance due", "total to pay", "total payable", "amount payable", "zu zahlen",
    "zahlbetrag", "zahlungsbetrag", "net à payer", "net a payer", "total à payer", "montant à payer",
    "te betalen", "total a pagar", "totale da pagare", "restbetrag", "offener betrag", "due payable",
    "payable", "amount to pay", "à payer", "a pagar", "da pagare", "amt due", "amt payable",
    "att betala", "summa att betala", "belopp att betala", "at betale", "til betaling", "beløb at betale",
    "å betale", "do zapłaty", "kwota do zapłaty", "razem do zapłaty", "valor a pagar", "montante a pagar",
    "maksettava", "yhteensä maksettava",
])
TOTAL_STRONG = compile_labels([
    "grand total", "total amount", "invoice total", "total incl", "total including", "total inc", "rounded total",
    "total (rm)", "total rm", "total amount (rm)", "nett total", "net total (rm)", "total sales", "total inclusive",
    "gesamtbetrag", "rechnungsbetrag", "bruttobetrag", "gesamtsumme", "endbetrag", "bruttosumme",
    "summe brutto", "gesamt brutto", "brutto gesamt", "rechnungssumme", "total brutto", "rechnungsendbetrag",
    "total ttc", "montant ttc", "montant total", "totaal", "totaalbedrag", "totaal incl", "importe total",
    "total factura", "totale", "totale fattura", "totale documento", "importo totale",
    "total da fatura", "total c/ iva", "total com iva", "valor total", "total del documento", "total con iva",
    "totale ivato", "totale iva inclusa", "totaal factuur", "factuurbedrag", "total current charges",
    "totalbelopp", "fakturabelopp", "summa inkl. moms", "totalt inkl. moms", "total inkl. moms", "beløb i alt",
    "fakturabeløb", "totalbeløb", "i alt inkl. moms", "totalt inkl. mva", "sum inkl. mva", "razem brutto",
    "wartość brutto", "suma brutto", "kwota brutto", "yhteensä sis. alv", "valor total a pagar",
])
TOTAL_PLAIN = compile_labels(["total", "summe", "gesamt", "amount", "montant", "betrag", "importe", "sum",
    "totalt", "summa", "i alt", "razem", "ogółem", "yhteensä",
])
SUBTOTAL = compile_labels([
    "subtotal", "sub total", "sub-total", "taxable value", "taxable amount", "net amount", "total net", "net total",
    "total excl", "total excluding",
    "total before tax", "untaxed amount", "amount excl", "total (excl", "total ht", "montant ht", "total hors taxes",
    "sous-total", "sous total", "base ht", "nettobetrag", "summe netto", "gesamt netto", "netto gesamt",
    "nettosumme", "zwischensumme", "warenwert", "rechnungsbetrag netto", "netto", "total netto", "nettowert",
    "rechnungssumme ohne ust", "summe ohne ust", "betrag ohne ust", "gesamt ohne mwst", "summe ohne mwst",
    "positionssumme", "total hors taxe", "montant hors taxes", "total excl. vat", "total excl. tax",
    "basisbetrag", "steuerbasis", "summe positionen", "gesamtsumme netto", "subtotaal", "totaal excl",
    "netto bedrag", "base imponible", "subtotal sin iva", "imponibile", "totale imponibile", "imponibile totale",
    "total ilíquido", "total iliquido", "valor sem iva", "total sem iva", "total s/ iva", "base tributável",
    "valor líquido", "total líquido", "total sin iva", "importe neto", "totale netto", "amount before tax",
    "totaal exclusief btw", "bedrag excl. btw", "montant net", "total net ht",
    "summa exkl. moms", "exkl. moms", "belopp exkl. moms", "nettobelopp", "netto i alt", "beløb ekskl. moms",
    "ekskl. moms", "sum ekskl. mva", "eks. mva", "wartość netto", "razem netto", "suma netto", "kwota netto",
    "veroton summa", "veroton hinta", "yhteensä ilman alv",
])
# A total word qualified as before tax further on in its label ("Total charges (excl. tax)",
# "Gesamtbetrag der Leistungen ohne MwSt", "Montant total HT"): the subtotal, whatever words
# stand between.
_TOTAL_WORDS = ("total", "totals", "summe", "gesamt", "gesamtbetrag", "montant", "totaal", "totale", "importe",
                "sum", "amount", "summa", "razem", "celkem")
_BEFORE_TAX = ("excl", "excl.", "excluding", "exclusive of", "before tax", "before vat", "pre-tax", "net of tax",
               "without vat", "without tax", "ohne mwst", "ohne ust", "netto", "ht", "hors taxes", "hors taxe",
               "sans tva", "excl. btw", "exclusief btw", "zonder btw", "sin iva", "senza iva", "sem iva",
               "exkl. moms", "ekskl. moms", "eks. mva", "bez dph", "bez vat")
QUALIFIED_SUBTOTAL = re.compile(
    r"(?<![\w])(?:" + "|".join(_TOTAL_WORDS) + r")(?:\s+[^\W\d]+\.?){0,4}?\s*[(\[]?\s*(?:"
    + "|".join(re.escape(q).replace(r"\ ", r"\s*") for q in sorted(_BEFORE_TAX, key=len, reverse=True))
    + r")(?![\w])[^)\]\d]{0,16}[)\]]?\s*[:#.]?", re.I)
# Every subtotal label, the phrases and the qualified totals (the ranker's label class)
SUBTOTAL_LABELS = re.compile(f"{SUBTOTAL.pattern}|{QUALIFIED_SUBTOTAL.pattern}", re.I)
TAX = compile_labels([
    "total taxes", "taxes", "total tax", "tax amount", "total vat", "vat amount", "vat total", "sales tax", "vat", "tax", "gst",
    "service tax", "mwst", "mwst.", "ust", "ust.", "umsatzsteuer", "mehrwertsteuer", "steuerbetrag",
    "summe ust", "ust. gesamt", "ust gesamt", "gesamt ust", "mwst. gesamt", "summe mwst", "steuer",
    "tva", "total tva", "montant tva", "montant de la tva", "btw", "btw bedrag", "totaal btw", "iva",
    "total iva", "importe iva", "cuota iva", "imposta", "totale iva", "iva totale", "valor iva", "valor do iva",
    "imposto", "total do iva", "total de iva", "cuota total iva", "importo iva", "totale imposta", "btw-bedrag",
    "igst", "cgst", "sgst", "utgst",  # India's GST parts
    "moms", "momsbelopp", "summa moms", "momsbeløb", "mva", "merverdiavgift", "podatek vat", "kwota vat",
    "wartość vat", "arvonlisävero", "alv",
])
# What follows a tax word when the line gives a tax *id*, not an amount.
TAX_ID_AFTER = re.compile(r"^\s*[-.]?\s*(?:id|nr|no|n°|number|nummer|reg|identification|intracom|code|#)", re.I)
# Charges, discounts and prepayments: amounts on the way to a total, never the total or subtotal.
CHARGES = compile_labels([
    "zuschläge", "abschläge", "zuschlag", "abschlag", "charges", "allowances", "rabatt", "discount", "remise",
    "anzahlung", "anzahlungen", "prepaid", "prepayment", "acompte", "skonto", "escompte", "total qty",
    "total quantity", "total items", "qty",
])
NOT_TOTAL = compile_labels([
    "excluding", "exclusive of", "excl", "before tax", "ohne", "hors taxes", "hors taxe", "sin iva", "senza iva",
    "sem iva", "s/ iva", "ilíquido", "iliquido", "total das linhas", "total líneas", "totale righe", "line total",
    "carried forward", "brought forward", "übertrag", "a riportare", "report", "à reporter", "transporte",
    "page total", "seitensumme",
    "total qty", "total quantity", "total items", "total item", "qty total", "total discount", "total savings",
    "total gst", "total tax", "total vat", "total tva", "total excl", "total ht", "total net", "total before",
    "total weight", "total pages", "cash", "change", "tendered", "paid", "payment", "rounding", "round adj",
    "zuschläge", "abschläge", "zuschlag", "abschlag", "charges", "allowances", "rabatt", "discount", "remise",
    "anzahlung", "anzahlungen", "prepaid", "prepayment", "acompte", "skonto", "escompte",
    "exkl", "ekskl", "bez vat", "ilman alv",
])


# A line naming a subtotal, a tax or a charge does not give the total, whatever else it says.
# (A tax word heading the line names the tax; after "Total incl." it does not.)
TAX_HEAD = re.compile(r"^\W*(?:" + TAX.pattern + ")", re.I)
ANY_AMOUNT_LABEL = re.compile("|".join(f"(?:{p.pattern})" for p in (TOTAL_STRONG, AMOUNT_DUE, TOTAL_PLAIN, SUBTOTAL, TAX)),
                              re.I)
NOT_TOTAL_LINE = re.compile("|".join(f"(?:{p})" for p in (NOT_TOTAL.pattern, SUBTOTAL.pattern, TAX_HEAD.pattern)), re.I)


@dataclass
class AmountHit:
    value: float
    words: list[Word]
    label_strength: float
    position: float  # 0 at the top of the first page, 1 at the bottom of the last
    has_decimals: bool = True
    row_amounts: int = 1  # amounts with decimals on the label's line (a summary row has several)


def is_ocr(words) -> bool:
    return any(w.conf < 1.0 for w in words)


# Fields printed in a row, "Subtotal 214.09 EUR | Tax 16.39 EUR | Total 230.48 EUR": a label's
# amount stands before the next bar.
FIELD_BAR = re.compile(r"\s[|¦]\s")


def _amount_after(line: LineText, start: int, want_decimals: bool = True, stop: int | None = None):
    """The rightmost amount on the line after ``start`` (an amount column is read right to left),
    up to the next field's bar (or ``stop``)."""
    text = line.text[start:stop]
    bar = FIELD_BAR.search(text)
    found = [(m, v, d) for m, v, d in find_amounts(text[:bar.start()] if bar else text, ocr=is_ocr(line.words))]
    if want_decimals and any(d for _m, _v, d in found):
        found = [f for f in found if f[2]]
    if not found:
        return None
    m, value, has_decimals = found[-1]
    words = line.words_between(start + m.start("num"), start + m.end("num"))
    return (value, words, has_decimals, sum(1 for f in found if f[2])) if words else None


def _next_column_label(hit) -> int | None:
    """Where the next amount label of another column starts on the hit's line, when an amount
    stands between: two blocks side by side ("VAT 0 %  2.56  0.00      Invoice total  309.76", a
    rate table beside the totals) each read their own amounts."""
    line = hit.line
    parts = segments(line)
    own = next((n for n, p in enumerate(parts) if hit.words[-1] in p), None)
    if own is None:
        return None
    for m in ANY_AMOUNT_LABEL.finditer(line.text, hit.end):
        words = line.words_between(m.start(), m.end())
        if not words:
            continue
        k = next((n for n, p in enumerate(parts) if words[0] in p), own)
        if k > own and words[0] is parts[k][0] and find_amounts(line.text[hit.end:m.start()]):
            return m.start()
    return None


def labelled_amounts(ctx: Context, label_rx: re.Pattern, strength: float,
                     exclude: re.Pattern | None = None) -> list[AmountHit]:
    doc = ctx.doc
    lines = lines_of(doc)
    n_pages = max(1, len(doc.pages))
    out: list[AmountHit] = []
    for hit in find_labels(doc, label_rx):
        text = hit.line.text
        # the words right after the label tell what it totals ("Gesamtbetrag der Zuschläge")
        if exclude is not None and exclude.search(text[: hit.end + 24]):
            continue
        if label_rx is TAX and TAX_ID_AFTER.match(text[hit.end:]):
            continue
        found = _amount_after(hit.line, hit.end, stop=_next_column_label(hit))
        if found is None and len(hit.line.words) <= 4:
            # a label standing alone, its amount under it (not a table's header row)
            page_lines = lines.pages[hit.page]
            if hit.line_index + 1 < len(page_lines):
                below = page_lines[hit.line_index + 1]
                x0, x1 = hit.words[0].x0 - 0.03, hit.words[-1].x1 + 0.08
                col = [w for w in below.words if w.x1 > x0 and w.x0 < x1]
                if col:
                    found = _amount_after(LineText.of(col), 0)
        if found is None:
            continue
        value, words, has_decimals, row_amounts = found
        position = (hit.page + words[0].cy) / n_pages
        out.append(AmountHit(value, words, strength, position, has_decimals, row_amounts))
        if len(words) >= 2 and re.fullmatch(r"\d{1,3}", words[0].text):
            # "19 163,16": a rate column before the amount reads like a thousands group;
            # the last word alone is the other reading (the totals check decides)
            alone = _amount_after(LineText.of(words[1:]), 0)
            if alone is not None:
                out.append(AmountHit(alone[0], alone[1], strength * 0.9, position, alone[2], row_amounts))
    return out


def _candidates(hits: list[AmountHit], base: float) -> list[Candidate]:
    # A credit note prints its amounts negative; Odoo's refunds take them positive (the move
    # type carries the sign), as e-invoice XML does.
    return [Candidate(content=round(abs(h.value), DECIMAL_PLACES.get()), words=h.words, score=base * h.label_strength + 0.15 * h.position
                      - _doubt(h), origin=_origin(h.words)) for h in hits]


def _doubt(h: AmountHit) -> float:
    """Penalty for a hit unlikely to be the labelled amount itself."""
    penalty = 0.0
    if not h.has_decimals:
        # totals print cents; OCR often drops the decimal point ("6091" for 60.91)
        penalty += 0.3 if is_ocr(h.words) else 0.1
    if h.row_amounts >= 2:
        # a row of a summary table ("TOTAL: 4.60 0.28" under "Amount Tax"), not a lone total
        penalty += 0.1
    return penalty


def _origin(words) -> str:
    return "ocr" if words and words[0].conf < 1.0 else "text"


def _all_amounts(ctx: Context) -> list[AmountHit]:
    out = []
    n_pages = max(1, len(ctx.doc.pages))
    for p, _i, lt in lines_of(ctx.doc):
        for m, value, has_decimals in find_amounts(lt.text, ocr=is_ocr(lt.words)):
            if not has_decimals or value <= 0:
                continue
            words = lt.words_between(m.start("num"), m.end("num"))
            if words:
                out.append(AmountHit(value, words, 0.0, (p + words[0].cy) / n_pages))
    return out


# Receipts: what the customer handed over and got back; tendered − change = total.
TENDERED = compile_labels(["cash", "cash tendered", "tendered", "tender", "cash tender", "amount tendered",
                           "amount paid", "paid",
                           "bar", "espèces", "especes", "contant", "efectivo", "contanti"])
CHANGE = compile_labels(["change", "change due", "rückgeld", "rendu", "monnaie rendue", "wisselgeld", "cambio",
                         "resto"])
# On a receipt "Net total" is what is paid (the total before tax is "Total Sales (Excl. GST)").
RECEIPT_TOTAL = compile_labels(["net total", "nett total", "net amount", "total rounded", "total amt rounded",
                                "net total rounded", "nett total rounded", "total amount payable",
                                "total inclusive", "total incl gst", "total payable"])


def _same(a: float, b: float) -> bool:
    return abs(round(a - b, 2)) <= 0.011


ROUNDING = compile_labels(["rounding", "rounding adj", "round adj", "rounding adjustment", "rundung",
                           "arrondi", "afronding", "redondeo", "arrotondamento"])
# The header of a tax summary table ("GST Summary  Amount(RM)  Tax(RM)", "Code Amount Tax"):
# its "Total" row prints the net and the tax, side by side, not the grand total.
SUMMARY_AMOUNT = re.compile(r"\b(?:amount|amt|net|excl|betrag|montant)\b", re.I)
SUMMARY_TAX = re.compile(r"\b(?:tax|gst|vat|sst|mwst|ust|tva|btw|iva)\b", re.I)
SUMMARY_ROW_REACH = 4  # lines under the header where its "Total" row may be


def tax_summary_rows(ctx: Context) -> list[tuple[AmountHit, AmountHit]]:
    """(net, tax) pairs printed on the "Total" row of a tax summary table."""
    cached = ctx.cache.get("tax_summary_rows")
    if cached is not None:
        return cached
    out = []
    lines = lines_of(ctx.doc)
    n_pages = max(1, len(ctx.doc.pages))
    for page, page_lines in enumerate(lines.pages):
        for i, header in enumerate(page_lines):
            if not (SUMMARY_AMOUNT.search(header.text) and SUMMARY_TAX.search(header.text)):
                continue
            if any(d for _m, _v, d in find_amounts(header.text, ocr=is_ocr(header.words))):
                continue  # a header prints no amounts
            for row in page_lines[i + 1: i + 1 + SUMMARY_ROW_REACH]:
                if not TOTAL_PLAIN.match(row.text.strip(" .:;'\"‘’|-")):
                    continue
                found = [(m, v) for m, v, d in find_amounts(row.text, ocr=is_ocr(row.words)) if d]
                if len(found) < 2:
                    continue
                pair = []
                for m, value in found[-2:]:
                    words = row.words_between(m.start("num"), m.end("num"))
                    pair.append(AmountHit(value, words, 1.0, (page + words[0].cy) / n_pages if words else 1.0))
                if all(h.words for h in pair) and 0 < pair[1].value < pair[0].value:
                    out.append((pair[0], pair[1]))
                break
    ctx.cache["tax_summary_rows"] = out
    return out


def totals(ctx: Context) -> dict[str, list[Candidate]]:
    """Ranked candidates for total, subtotal and total_tax_amount, chosen together."""
    cached = ctx.cache.get("totals")
    if cached is not None:
        return cached
    expense = ctx.options.document_type == "expense"
    strong = labelled_amounts(ctx, TOTAL_STRONG, 1.0, exclude=NOT_TOTAL_LINE)
    if expense:
        strong += labelled_amounts(ctx, RECEIPT_TOTAL, 1.0, exclude=NOT_TOTAL)
    due = labelled_amounts(ctx, AMOUNT_DUE, 0.8, exclude=NOT_TOTAL_LINE)
    plain = labelled_amounts(ctx, TOTAL_PLAIN, 0.7, exclude=NOT_TOTAL_LINE)
    subs = labelled_amounts(ctx, SUBTOTAL, 0.9, exclude=CHARGES)
    seen_subs = {tuple(id(w) for w in h.words) for h in subs}
    subs += [h for h in labelled_amounts(ctx, QUALIFIED_SUBTOTAL, 0.85)
             if tuple(id(w) for w in h.words) not in seen_subs]
    taxes = labelled_amounts(ctx, TAX, 0.8)
    sub_values = {round(h.value, 2) for h in subs}
    # a tax summary's "Total" row: its last amount is the tax; net + tax is the total
    summary = tax_summary_rows(ctx)
    in_summary = {id(w) for net, tax in summary for w in net.words + tax.words}
    strong, due, plain = ([h for h in hits if not any(id(w) in in_summary for w in h.words)]
                          for hits in (strong, due, plain))
    # (a weak reading: the total line itself, with its cash rounding, is what was paid)
    summed = [AmountHit(round(net.value + tax.value, DECIMAL_PLACES.get()), net.words + tax.words, 0.45, tax.position)
              for net, tax in summary]
    # a plain "Total" of a subtotal's value is that subtotal, unless the bill prints a tax of 0
    # (then the two are one amount)
    untaxed = any(abs(h.value) < 0.005 for h in taxes)
    total_c = _candidates(strong + due + [h for h in plain if untaxed or round(h.value, 2) not in sub_values], 0.6)
    summed_c = _candidates(summed, 0.6)
    sub_c = _candidates(subs, 0.6)
    tax_c = _candidates(taxes, 0.5)
    tendered = [h for h in labelled_amounts(ctx, TENDERED, 1.0) if h.value > 0 and h.has_decimals]
    change = [h for h in labelled_amounts(ctx, CHANGE, 1.0) if h.has_decimals]
    paid_from = {round(t.value - abs(c.value), 2): t.words + c.words
                 for t in tendered for c in change if t.value - abs(c.value) > 0}
    if not change:
        paid_from = {round(t.value, 2): t.words for t in tendered}
    paid = set(paid_from) | _paid_on_one_line(ctx)
    everything = _all_amounts(ctx)
    if not total_c:
        # no label: what was paid (tendered − change), else the largest amount printed
        if everything:
            top = max(h.value for h in everything)
            total_c = [Candidate(round(h.value, DECIMAL_PLACES.get()), h.words, 0.2 + 0.1 * h.position, origin=_origin(h.words))
                       for h in everything if h.value == top or (h.value in paid and h.value != top)]
    # cash rounding to 0.05 ("Rounding Adj. -0.02") sits between subtotal + tax and the total
    roundings = [0.0] + [h.value for h in labelled_amounts(ctx, ROUNDING, 1.0) if 0 < abs(h.value) <= 0.1]
    # amounts that agree: subtotal + tax (+ rounding) = total
    swapped = _swapped_roles(total_c, sub_c, tax_c, roundings)
    if swapped:
        total_c, sub_c = swapped
    for t in total_c:
        agrees = False
        for s in sub_c:
            if abs(s.content - t.content) < 0.005:
                continue
            for x in tax_c:
                if any(_same(s.content + x.content + r, t.content) for r in roundings):
                    agrees = True
                    s.score += 0.5
                    x.score += 0.5
        if agrees:
            t.score += 0.5
        # what the customer paid is the total (receipts: cash − change)
        if any(_same(t.content, v) for v in paid):
            t.score += 0.4
    total_c += [c for c in summed_c if not any(_same(c.content, t.content) for t in total_c)]
    if expense and paid_from and not any(t.score > 0.9 for t in total_c):
        # the receipt's total line is unreadable: what was paid, from the tendered and change amounts
        for value, words in paid_from.items():
            if not any(_same(t.content, value) for t in total_c):
                total_c.append(Candidate(value, words, 0.45, origin=_origin(words)))
    # the same value printed several times is more likely the total
    counts: dict[float, int] = {}
    for h in everything:
        key = round(abs(h.value), 2)
        counts[key] = counts.get(key, 0) + 1
    for t in total_c:
        t.score += 0.05 * min(counts.get(t.content, 1) - 1, 3)
    if any(t.content > 0 for t in total_c):
        total_c = [t for t in total_c if t.content > 0]  # "Total 0.00" is a tax column or a void line
    result = {"total": rank(total_c), "subtotal": rank(sub_c), "total_tax_amount": rank(tax_c)}
    for key in result:
        for c in result[key]:
            c.score = max(0.0, min(1.0, c.score / 1.7))
    ctx.cache["totals"] = result
    return result


def _paid_on_one_line(ctx: Context) -> set[float]:
    """What was paid, from a line printing the tendered and the change amounts together
    ("CASH CHANGE TENDER 50.00 7.25"): which label owns which amount is lost, but the
    difference of two amounts is what was paid. Only a check on the total candidates: a
    line of three amounts gives several differences."""
    out: set[float] = set()
    for _p, _i, lt in lines_of(ctx.doc):
        if not (TENDERED.search(lt.text) and CHANGE.search(lt.text)):
            continue
        values = [v for _m, v, d in find_amounts(lt.text, ocr=is_ocr(lt.words)) if d and v > 0]
        out |= {round(a - b, 2) for a in values for b in values if a > b}
    return out


def _swapped_roles(total_c: list[Candidate], sub_c: list[Candidate], tax_c: list[Candidate],
                   roundings: list[float]) -> tuple[list[Candidate], list[Candidate]] | None:
    """(totals, subtotals) with the roles set right when the labels read them the other way
    round: no total is a subtotal plus a tax, but a "subtotal" is a "total" plus a tax
    ("Gross Amount 200.00 / Service Tax 10% 20.00 / Net Amount 220.00": where "net" means
    what is left to pay). The sum is the total and the part the subtotal, whatever labels
    they carry. None when the labels agree with the sums, or nothing sums."""
    def sums(part: Candidate, whole: Candidate) -> bool:
        return whole.content > part.content and any(
            _same(part.content + x.content + r, whole.content) for x in tax_c if x.content > 0 for r in roundings)

    if any(sums(s, t) for t in total_c for s in sub_c):
        return None
    pairs = [(t, s) for t in total_c for s in sub_c if sums(t, s)]
    if not pairs:
        return None
    part, whole = pairs[0]
    top_total = max((t.score for t in total_c), default=0.0)
    top_sub = max((s.score for s in sub_c), default=0.0)
    new_total = Candidate(whole.content, whole.words, top_total + 0.05, origin=whole.origin)
    new_sub = Candidate(part.content, part.words, top_sub + 0.05, origin=part.origin)
    return ([new_total] + [t for t in total_c if not _same(t.content, whole.content)],
            [new_sub] + [s for s in sub_c if not _same(s.content, part.content)])


def every_amount(ctx: Context) -> list[Candidate]:
    """Every amount printed with decimals, once per value (its last printing: totals close a
    page), for the learned ranker to weigh against the labelled ones (extraction.ranking)."""
    cached = ctx.cache.get("every_amount")
    if cached is None:
        by_value: dict[float, AmountHit] = {}
        for h in _all_amounts(ctx):
            by_value[round(abs(h.value), 2)] = h
        cached = ctx.cache["every_amount"] = [(v, h.words) for v, h in by_value.items()]
    return [Candidate(v, words, 0.0, origin=_origin(words), extra={"_broad": True}) for v, words in cached]
