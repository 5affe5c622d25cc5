"""Dates on the document with the label before them, shared by the date finders."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ..context import Context
from ..document import Word
from ..layout import compile_labels, lines_of
from ..parsing.dates import find_dates, find_dates_ocr, month_first_for, plausible_year


@dataclass
class DateHit:
    value: object  # datetime.date
    words: list[Word]
    before: str  # the text left of the date on its line (lower case)
    above: str  # the text of the line above, in the date's column (lower case)
    prev_line: str  # the whole line above (lower case): "… überweisen Sie bis zum" ⏎ date
    page: int
    line_index: int
    position: float
    repaired: bool = False  # read through OCR damage ("1202/2018"): less sure than a clean date
    after: str = ""  # the text right of the date on its line (lower case)


# Where numeric dates are written month first (03/04/2024 = March 4th).
MONTH_FIRST_COUNTRIES = {"US", "PH", "FM", "MH", "PW", "AS", "GU", "MP", "PR", "VI", "UM"}


def document_month_first(ctx: Context) -> bool:
    """Day/month order of the document's numeric dates.

    The document's own country decides (a US supplier writes 03/04/2024 for March 4th even
    to a French client); without one, the user's language does (``en_US`` → month first).
    Dates that fit only one order are read that way whatever this says.
    """
    printed = printed_order(ctx)
    if printed is not None:
        return printed
    country = ctx.selected("country")
    if country is not None and isinstance(country.content, str) and len(country.content) == 2:
        return country.content.upper() in MONTH_FIRST_COUNTRIES
    return month_first_for(ctx.options.user_lang)


# dd/mm/yyyy or mm/dd/yyyy (also with . or -), the year last
NUMERIC_DATE = re.compile(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})(?![\d/.-]|[.]\d)")


def printed_order(ctx: Context) -> bool | None:
    """Day/month order settled by the document's own dates: one printed ``11/17/2017`` makes
    every ambiguous ``11/03/2017`` of the page month first (and ``17/11/2017`` day first).
    None when no date settles it, or when the page prints both (the caller's hints decide)."""
    cached = ctx.cache.get("printed_order", "unset")
    if cached != "unset":
        return cached
    day_first = month_first = 0
    for _p, _i, lt in lines_of(ctx.doc):
        if any(w.conf < 1.0 for w in lt.words):
            continue  # an OCR misreading ("18/11" for "10/11") must not turn every date
        for m in NUMERIC_DATE.finditer(lt.text):
            a, b = int(m.group(1)), int(m.group(3))
            if not (1 <= a <= 31 and 1 <= b <= 31):
                continue
            if a > 12 >= b:
                day_first += 1
            elif b > 12 >= a:
                month_first += 1
    result = None
    if month_first and not day_first:
        result = True
    elif day_first and not month_first:
        result = False
    ctx.cache["printed_order"] = result
    return result


def date_hits(ctx: Context) -> list[DateHit]:
    cached = ctx.cache.get("dates")
    if cached is not None:
        return cached
    month_first = document_month_first(ctx)
    lines = lines_of(ctx.doc)
    n_pages = max(1, len(ctx.doc.pages))
    hits = []
    latest = date.today().year + 1  # no document is dated later than next year
    for p, i, lt in lines:
        found = [(m, v, False) for m, v in find_dates(lt.text, month_first)]
        if any(w.conf < 1.0 for w in lt.words):
            found += [(m, v, True) for m, v in find_dates_ocr(lt.text, month_first)]
            # a receipt is not dated years ahead: OCR misread a digit of the year
            found = [(m, plausible_year(v, latest), repaired or v.year > latest) for m, v, repaired in found]
            found = [(m, v, repaired) for m, v, repaired in found if v is not None]
        for m, value, repaired in found:
            words = lt.words_between(m.start(), m.end())
            if not words:
                continue
            above = prev_text = ""
            if i > 0:
                prev = lines.pages[p][i - 1]
                prev_text = prev.text.lower()
                x0, x1 = words[0].x0 - 0.05, words[-1].x1 + 0.05
                above = " ".join(w.text for w in prev.words if w.x1 > x0 and w.x0 < x1).lower()
            hits.append(DateHit(value, words, lt.text[: m.start()].lower(), above, prev_text, p, i,
                                (p + words[0].cy) / n_pages, repaired, lt.text[m.end():].lower()))
    ctx.cache["dates"] = hits
    return hits


# "Rechnung Nr. 1 vom 03.10.2018", "Facture 12 du 16/11/2017": weak alone, strong beside a number label.
LINKING_WORDS = compile_labels(["vom", "von", "du", "le", "of", "del", "dd", "d.d."])


def label_score(hit: DateHit, positive: re.Pattern, negative: re.Pattern) -> float:
    """+ for a label of the wanted kind right before (or above) the date, − for another kind."""
    tail = hit.before[-40:]
    repair_doubt = 0.15 if hit.repaired else 0.0
    pos_m = [m for m in positive.finditer(tail)]
    neg_m = [m for m in negative.finditer(tail)]
    last_pos = pos_m[-1].end() if pos_m else -1
    last_neg = neg_m[-1].end() if neg_m else -1
    score = 0.0
    if last_pos > last_neg:
        score += 0.5 + 0.2 * (len(tail) - last_pos < 25)
    elif last_neg > last_pos:
        score -= 0.4
    elif _label_after(hit, positive, negative) is not None:
        # right-to-left columns: the date, then its label ending the line ("28-02-2019  Data de
        # emissão")
        score += 0.45 if _label_after(hit, positive, negative) else -0.3
    elif hit.above and positive.search(hit.above) and not negative.search(hit.above):
        score += 0.45
    elif hit.above and negative.search(hit.above):
        score -= 0.3
    elif not tail.strip() and hit.prev_line:
        # a sentence broken before its date: the label ends the line above
        ends = [m for m in positive.finditer(hit.prev_line) if not hit.prev_line[m.end():].strip(" :.,")]
        if ends and not negative.search(hit.prev_line[ends[-1].start():]):
            score += 0.4
    return score - repair_doubt


def _label_after(hit: DateHit, positive: re.Pattern, negative: re.Pattern) -> bool | None:
    """Whether the rest of the date's line is a label of the wanted kind (True), of another
    kind (False), or no label at all (None)."""
    rest = hit.after.strip(" :")
    if not rest:
        return None
    m_pos, m_neg = positive.fullmatch(rest), negative.fullmatch(rest)
    if m_pos and not m_neg:
        return True
    if m_neg and not m_pos:
        return False
    return None


# the day a bill was paid is neither its date nor its due date
PAID_ON = ("paid on", "paid", "date paid", "bezahlt am", "payé le", "réglé le", "betaald op", "pagado el", "pagato il")
ISSUE_LABELS = compile_labels([
    "invoice date", "date of invoice", "issue date", "date of issue", "issued on", "issued", "invoice dated",
    "dated", "date", "datum", "rechnungsdatum", "belegdatum", "ausstellungsdatum", "rechnungs-datum",
    "date de facture", "date de facturation", "date facture", "date d'émission", "factuurdatum",
    "fecha", "fecha de factura", "fecha factura", "fecha de emisión", "data", "data fattura",
    "data documento", "data emissione", "data de emissão", "data da fatura", "data do documento", "datum factuur",
    "documentdatum", "date du document", "date d'émission de la facture",
    "fakturadatum", "fakturadato", "dato", "data wystawienia", "data faktury", "laskun päivämäärä",
    "päivämäärä", "udstedelsesdato", "utfärdad", "data de emissão da fatura", "laskupäivä", "datum vystavení",
    "datum vydání",
])
OTHER_DATE_LABELS = compile_labels([
    "due", "due date", "payment due", "pay by", "payable by", "fällig", "fälligkeit", "fällig am", "zahlbar bis",
    "zahlungsziel", "bis zum", "bis", "échéance", "date d'échéance", "à payer avant", "payable avant",
    "vervaldatum", "vervaldag", "te betalen voor", "vencimiento", "fecha de vencimiento", "scadenza",
    "data scadenza", "leistungsdatum", "lieferdatum", "liefertermin", "leistungszeitraum", "zeitraum",
    "delivery date", "delivery", "date de livraison", "livraison", "période", "period", "service date",
    "service period", "billing period", "période de facturation", "periodo di fatturazione", "factuurperiode",
    "order date", "bestelldatum", "auftragsdatum", "date de commande", "besteldatum", "fecha de entrega",
    "data consegna", "valid until", "gültig bis", "expiry", "printed", "gedruckt",
    "data de vencimento", "vencimento", "data limite de pagamento", "pagar até", "pagamento até",
    "da pagare entro", "pagamento entro", "à régler avant le", "a régler avant le", "pagar antes de",
    "fecha límite de pago", "data di consegna", "data de entrega", "leveringsdatum", "período", "periodo",
    "período de faturação", "periodo de facturación", "printed on", "impresso em", "stampato il", "imprimé le",
    "gedruckt am", "afgedrukt op", "impreso el", "druckdatum",
    *PAID_ON,
    "leveransdatum", "leveringsdato", "data sprzedaży", "data dostawy", "forfaldsdato", "förfallodatum",
    "termin płatności", "eräpäivä", "betalingsfrist", "sista betalningsdag", "forfallsdato", "toimituspäivä",
])
DUE_LABELS = compile_labels([
    "due date", "due", "payment due", "date due", "pay by", "payable by", "payable before", "payment date",
    "remit until", "remit by", "pay until", "payable until", "to be paid by", "please pay by", "pay before",
    "fällig", "fälligkeit", "fällig am", "fälligkeitsdatum", "zahlbar bis", "zahlungsziel", "bis zum",
    "zahlbar am", "zahlbar ohne abzug bis", "ohne abzug bis", "zahlbar netto bis", "échéance", "date d'échéance",
    "date limite de paiement", "à payer avant le", "payable avant",
    "a payer avant le", "vervaldatum", "vervaldag", "te betalen voor", "uiterste betaaldatum", "vencimiento",
    "fecha de vencimiento", "fecha vencimiento", "scadenza", "data scadenza", "data di scadenza",
    "data de vencimento", "vencimento", "data limite de pagamento", "pagar até", "pagamento até",
    "da pagare entro", "pagamento entro", "à régler avant le", "a régler avant le", "pagar antes de",
    "fecha límite de pago", "betalen voor", "betaaldatum", "te betalen vóór", "betalen vóór",
    "förfallodatum", "förfallodag", "sista betalningsdag", "betalas senast", "att betala senast",
    "forfaldsdato", "betalingsfrist", "betales senest", "sidste rettidige betalingsdag", "forfallsdato",
    "forfall", "termin płatności", "termin zapłaty", "płatne do", "zapłata do", "eräpäivä",
    "erääntyy", "erääntymispäivä", "maksettava viimeistään", "datum splatnosti", "splatnost", "splatné do",
])
# A payment sentence: a verb of paying, then within the sentence a word of a deadline right
# before the date ("Please pay the invoice total by 13/05/2018", "Bitte zahlen Sie bis zum …",
# "Veuillez régler le montant avant le …").
PAY_VERBS = ["pay", "remit", "transfer", "settle", "zahlen", "überweisen", "begleichen", "régler", "payer",
             "verser", "betalen", "voldoen", "overmaken", "pagar", "abonar", "pagare", "saldare", "versare",
             "liquidar", "zahlbar", "betaalbaar", "pagadero", "pagabile", "pagável", "betala", "betale",
             "zapłać", "zapłacić", "maksa"]
DEADLINE_WORDS = ["by", "before", "until", "no later than", "bis", "bis zum", "bis spätestens", "spätestens am",
                  "avant le", "au plus tard le", "d'ici le", "voor", "vóór", "uiterlijk op", "uiterlijk",
                  "antes de", "antes del", "hasta el", "entro il", "entro", "até", "até ao dia", "até dia",
                  "jusqu'au", "jusqu'à", "jusqu’au", "jusqu’à", "hasta", "senast", "senest", "innan", "inden",
                  "før", "do dnia"]
PAYMENT_SENTENCE = re.compile(
    r"(?<![\w])(?:" + "|".join(re.escape(v) for v in PAY_VERBS) + r")\w*\b[^.;:!?]{0,80}?(?<![\w])(?:"
    + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(DEADLINE_WORDS, key=len, reverse=True))
    + r")\s*$", re.I)
# A direct debit's notice: the day the amount is collected is when the bill is paid, its due
# date ("SEPA-Lastschrift: wir ziehen den Betrag am … ein", "will be collected on …").
DIRECT_DEBIT = compile_labels([
    "direct debit", "lastschrift", "lastschrifteinzug", "bankeinzug", "prélèvement", "incasso", "domiciliëring",
    "domiciliation", "adeudo directo", "domiciliación", "addebito diretto", "addebito sepa", "débito direto",
    "autogiro", "betalingsservice", "avtalegiro", "polecenie zapłaty",
])
# An early payment's discount ("Zahlbar innerhalb der Frist mit 3 % Skonto bis …"): its deadline is not the due date.
EARLY_PAYMENT_DISCOUNT = compile_labels(["skonto", "escompte", "discount", "sconto", "descuento", "pronto pago",
                                         "korting", "rabatt", "desconto", "rabat", "kassarabatt"])
# … unless the sentence grants none ("Montant payable net, sans escompte, jusqu'au …")
NO_DISCOUNT = compile_labels(["sans escompte", "ohne skonto", "ohne abzug", "without discount", "no discount",
                              "zonder korting", "sin descuento", "senza sconto", "sem desconto", "ohne rabatt"])


def grants_discount(sentence: str) -> bool:
    return EARLY_PAYMENT_DISCOUNT.search(NO_DISCOUNT.sub(" ", sentence)) is not None
NOT_DUE_LABELS = compile_labels([
    "invoice date", "rechnungsdatum", "date de facture", "factuurdatum", "fecha de factura", "data fattura",
    "leistungsdatum", "lieferdatum", "delivery", "order date", "bestelldatum", "datum", "vom",
    *PAID_ON,
])
