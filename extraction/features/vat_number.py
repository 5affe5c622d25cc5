"""`VAT_Number`: a VAT id checked with python-stdnum, of the party the caller wants.

On a received bill (perspective 'client') that is the supplier's; never the user's own.

EU-shaped ids (a country prefix and its digits) are found anywhere and checked. Other
countries' tax ids (a UAE TRN, an Omani or Serbian VAT number, a Malaysian SST id, a Japanese
T-number, an ABN …) have no shape of their own: they are read after a tax-id label, on its
line or under it, and checked where python-stdnum knows the country's number.
"""
from __future__ import annotations

import functools
import re

from stdnum import get_cc_module
from stdnum.eu import vat as eu_vat

from ..candidate import Candidate, rank
from ..context import Context
from ..layout import column_start, column_text, compile_labels, line_of, line_position, lines_of, segments, values_near
from ..parsing.accounts import iban_valid
from ..spans import LineText
from ._names import DOCUMENT_TITLES
from ._parties import compact, is_users_own, party_score, wanted_party
from .iban import IBAN_RX

PREFIXES = ("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "GR", "ES", "FI", "FR", "HR", "HU", "IE",
            "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI", "GB", "CH", "CHE", "NO")
VAT_RX = re.compile(r"(?<![A-Z0-9])((?:" + "|".join(PREFIXES) + r")[\s.\-]?[0-9A-Z][0-9A-Z .\-]{6,16}[0-9A-Z])"
                    r"(?:\s?(?:MWST|TVA|IVA|MVA))?(?![A-Z0-9])")
TAX_WORD_AFTER = re.compile(r"(?<=\d)\s?(?:UST|MWST|TVA|IVA|MVA|BTW|VAT|GST)$")
VAT_LABELS = [
    "vat", "vat no", "vat number", "vat id", "vat reg", "vat registration", "vat reg no", "vat reg. no",
    "vat registration number", "vat registration no", "tax id", "ust-id", "ust-idnr", "ust.-id.-nr", "ust-id-nr",
    "ust.-id", "ustid", "ust-id-nummer", "umsatzsteuer-id", "umsatzsteuer-identifikationsnummer", "uid", "uid-nr",
    "mwst-nr", "tva", "n° tva", "n° de tva", "tva intracom", "tva intracommunautaire", "numéro de tva",
    "identifiant tva", "numéro d'identification tva", "btw", "btw-nr", "btw nummer", "btw-nummer",
    "btw-identificatienummer", "nif", "cif", "nif/cif", "n.i.f.", "c.i.f.", "nipc", "contribuinte",
    "nº contribuinte", "n.º contribuinte", "número de contribuinte", "p.iva", "p. iva", "partita iva", "iva",
    "cvr", "cvr-nr", "cvr nr", "moms-nr", "momsregistreringsnummer", "org.nr", "mva", "vatin", "vat-id", "btw-id",
    "momsreg.nr", "momsregnr", "momsnr", "moms nr", "momsregistreringsnr", "mva-nr", "alv-tunniste", "alv-numero",
    "alv-nro", "alv nro", "nip", "nip ue", "numer nip", "ondernemingsnr", "ondernemingsnummer", "vat-nr",
]
# Labels of tax ids outside the EU shapes (a company's or a tax office's own number, such as the
# German Steuernummer, is not its VAT id and is not listed).
OTHER_TAX_ID_LABELS = [
    "trn", "tax registration number", "tax registration no", "tax reg no", "tax reg. no", "tax no", "tax number",
    "tax identification number", "tax identification no", "taxpayer id", "tin", "tin no", "gst", "gst no",
    "gst reg no", "gst registration no", "gst registration number", "gst id", "gstin", "sst", "sst no",
    "sst reg no", "sst registration no", "sst id", "abn", "ein", "federal tax id", "pib", "vkn", "vergi no",
    "vergi numarası", "vergi kimlik no", "rfc", "cuit", "rut", "nit", "ruc", "cnpj",
    "registration number", "registration no", "qualified invoice issuer number",
    # Canada's GST/HST account: the business number and its program account ("123456789 RT0001")
    "gst/hst", "gst/hst no", "gst/hst reg no", "gst/hst reg. no", "gst/hst registration no", "hst", "hst no",
    "hst reg no", "business number", "bn", "tps", "no tps", "n° tps",
]
# "registration number" labels many numbers; only an id that passes its country's check is
# read after it.
CHECKED_ONLY_LABELS = re.compile(r"registration\s*n|qualified", re.I)
LABELS = compile_labels(VAT_LABELS + [label for label in OTHER_TAX_ID_LABELS if not CHECKED_ONLY_LABELS.search(label)])
TAX_ID_LABEL = compile_labels(VAT_LABELS + OTHER_TAX_ID_LABELS)
# A tax label qualified as the customer's ("Kunden-USt-ID", "BTW-nummer klant", "TVA intracom.
# client", "Contribuinte do cliente") heads the buyer's id, wherever it is printed.
CUSTOMER_WORDS = ["customer", "customer's", "client", "client's", "buyer", "buyer's", "purchaser", "kunden", "kunde",
                  "käufer", "empfänger", "acheteur", "klant", "afnemer", "cliente", "comprador", "destinatario",
                  "acquirente", "cessionario", "committente", "køber", "kjøper", "köpare", "alıcı",
                  # "your" before the label: the bill addresses its reader, the customer
                  "your", "uw", "ihre", "votre", "vostra", "vostro", "vs.", "su", "seu", "sua"]
_CUSTOMER = "|".join(re.escape(w) for w in sorted(CUSTOMER_WORDS, key=len, reverse=True))
_TAX_LABEL = TAX_ID_LABEL.pattern
CUSTOMER_TAX_LABEL = re.compile(
    rf"(?:(?<![\w])(?:{_CUSTOMER})[\s\-]*{_TAX_LABEL}|{_TAX_LABEL}[\s\-.]*(?:(?:du|de|do|des|of|of the|van de|van|del|della|"
    rf"dello|der|da)\s+)?(?:{_CUSTOMER})(?![\w]))[\s:#.]*$", re.I)
# What follows a tax-id label: an optional "No." and the id, digit groups with at most a
# three-letter prefix; amounts (with their decimal mark) and dates cannot match it.
TAX_ID_VALUE = re.compile(r"^[\s\-]*(?:no\.?|nr\.?|n°|nº|n\.º|number|nummer|num\.?|id|#)?\s*[:#.]?\s*"
                          r"((?:[A-Z]{1,3}[\- ]?)?\d[\dA-Z\-]*(?: \d[\dA-Z\-]*){0,4}(?: ?[A-Z]{2}\d{4})?)(?![\w.,/%])")
SHORT_ID = re.compile(r"[A-Z]{2}\d{3,}[0-9A-Z]*")
DATE_LIKE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}-\d{1,2}-\d{2,4}")


def _validate(candidate: str) -> str | None:
    number = compact(candidate)
    if number.startswith("GR"):
        number = "EL" + number[2:]
    if number.startswith("CHE"):
        from stdnum.ch import vat as ch_vat

        return ch_vat.compact(number) if ch_vat.is_valid(number) else None
    if number.startswith("NO"):
        from stdnum.no import mva

        return "NO" + mva.compact(number[2:]) if mva.is_valid(number[2:]) else None
    if number.startswith("GB"):
        from stdnum.gb import vat as gb_vat

        return number if gb_vat.is_valid(number[2:]) else None
    try:
        return eu_vat.compact(number) if eu_vat.is_valid(number) else None
    except Exception:  # stdnum raises on unknown prefixes
        return None


def _validate_any(number: str) -> str | None:
    """A tax id of any country python-stdnum checks: an EU VAT id, a prefixed id of a country with
    a VAT module (RS…, CH…), a Japanese T-number; None when no check applies or it fails."""
    eu = _validate(number)
    if eu:
        return eu
    if re.fullmatch(r"\d{9}R[TPCM]\d{4}", number):
        from stdnum.ca import bn  # a Canadian business number with its GST/HST program account

        return number if bn.is_valid(number) else None
    if re.fullmatch(r"T\d{13}", number):
        from stdnum.jp import cn

        return number if cn.is_valid(number[1:]) else None
    if number[:2].isalpha():
        module = get_cc_module(number[:2].lower(), "vat")
        try:
            if module is not None and (module.is_valid(number) or module.is_valid(number[2:])):
                return number
        except Exception:  # a module that cannot read this number
            return None
    return None


@functools.cache
def _countries() -> frozenset[str]:
    """ISO 3166 alpha-2 codes (Babel's territory names), and Greece's VAT prefix EL."""
    from babel import Locale

    return frozenset(code for code in Locale("en").territories if code.isalpha()) | {"EL"}


def _party(ctx: Context, words) -> float:
    """party_score, unless the id's own label names it the customer's ("Kunden-USt-ID:"), before
    it in its part of the line or alone over it in its column."""
    if words and (CUSTOMER_TAX_LABEL.search(_text_before(ctx, words[0])) or _customer_label_above(ctx, words[0])):
        return 0.3 if wanted_party(ctx) == "buyer" else -0.4
    return party_score(ctx, words)


def _text_before(ctx: Context, word) -> str:
    """The words before ``word`` in its part of the line, or the part before it when the value
    starts its own ("Your VAT no.          123456789")."""
    parts = segments(line_of(ctx.doc, word))
    k = next((n for n, p in enumerate(parts) if word in p), None)
    if k is None:
        return ""
    before = parts[k][:parts[k].index(word)]
    if not before and k > 0:
        before = parts[k - 1]
    return " ".join(w.text for w in before)


def _customer_label_above(ctx: Context, word) -> bool:
    page, index = line_position(ctx.doc, word)
    if index == 0:
        return False
    above = column_text(lines_of(ctx.doc).pages[page][index - 1], column_start(ctx.doc, page, index, word))
    return bool(above and CUSTOMER_TAX_LABEL.search(above))


def _word_ends(text: str, start: int, end: int) -> list[int]:
    """Offsets in (start, end] where a word ends: a VAT id is cut between words, never inside one."""
    return [i for i in range(end, start, -1) if i == len(text) or not text[i].isalnum() or not text[i - 1].isalnum()]


def find(ctx: Context) -> list[Candidate]:
    cands = []
    users_own_printed = False
    for _p, _i, line in lines_of(ctx.doc):
        labelled = bool(LABELS.search(line.text))
        # an id never crosses a column's gap ("VAT No.: DE811907980      24103 Kiel": the
        # next block's postcode is no more of its digits)
        for part in segments(line):
            lt = LineText.of(part)
            users_own_printed = _ids_of_part(ctx, lt, labelled, cands) or users_own_printed
    labelled_ids, own_labelled = _labelled_tax_ids(ctx, {id(w) for c, _other in cands for w in c.words})
    cands += labelled_ids
    users_own_printed = users_own_printed or own_labelled
    # an id printed in the other party's block ("Bill to: … VAT ID") is never this party's,
    # unless the user's own id is printed too (the roles are the other way round)
    return rank([c for c, other_party in cands if users_own_printed or not other_party])


# Where the tax word after the number is the number's own: a Swiss UID's VAT suffix
# ("CHE-123.456.788 MWST"), the Norwegian "MVA" (ids registered as "NO 123 456 785 MVA").
OWN_TAX_WORDS = {"CHE": ("MWST", "TVA", "IVA", "TPV"), "NO": ("MVA",)}


def _own_tax_word(value: str, after: str) -> str:
    """The tax word printed after the id when it belongs to it, else ""."""
    word = after.strip(" .-")
    for prefix, words in OWN_TAX_WORDS.items():
        if value.startswith(prefix) and word in words:
            return word
    return ""


def _ids_of_part(ctx: Context, lt: LineText, labelled: bool, cands: list) -> bool:
    """The EU VAT ids of one column of a line, added to ``cands`` as (candidate, in the other
    party's block); whether the user's own id is among them."""
    users_own_printed = False
    upper = lt.text.upper()
    ibans = [m.span(1) for m in IBAN_RX.finditer(upper) if iban_valid(m.group(1))]
    for m in VAT_RX.finditer(upper):
        if any(s <= m.start(1) < e for s, e in ibans):
            continue  # the start of an IBAN, whose digits can pass a VAT checksum by chance
        valid = None
        for end in _word_ends(upper, m.start(1) + 7, m.end(1)):
            piece = upper[m.start(1):end].rstrip(" .-")
            # a tax word printed after the id names it ("DE123456789 UST"), it is not part of it
            piece = TAX_WORD_AFTER.sub("", piece).rstrip(" .-")
            if end < len(upper) and upper[end:end + 2].strip()[:1].isdigit():
                continue  # more digits follow: a longer number, not this VAT id
            valid = _validate(piece)
            # "DE12345677 Buyer address": a word after the id is not part of an unchecked one
            shape_ok = (re.fullmatch(r"[A-Z]{2,3}[0-9A-Z]{8,13}", compact(piece)) is not None
                        and not re.search(r"\s[A-Z]{2,}$", piece))
            if valid or (labelled and shape_ok and sum(ch.isdigit() for ch in piece) >= 7):
                break
        else:
            continue
        value = valid or compact(piece)
        if is_users_own(ctx, value):
            users_own_printed = True
            continue
        own_suffix = _own_tax_word(value, upper[m.start(1) + len(piece):end])
        if own_suffix:
            value, piece = compact(value) + own_suffix, upper[m.start(1):end].rstrip(" .-")
        words = lt.words_between(m.start(1), m.start(1) + len(piece))
        party = _party(ctx, words)
        # a printed id after a VAT label counts even when its checksum fails (sample data
        # does that), but ranks below every checked one
        score = (0.55 if valid else 0.25) + (0.2 if labelled else 0.0) + party
        cands.append((Candidate(value, words, max(0.0, min(1.0, score)),
                                origin="ocr" if words and words[0].conf < 1 else "text"), party < 0))
    return users_own_printed


def _label_prefix_dropped(words: list, text: str) -> tuple[list, str]:
    """"VAT TRN 100234567890003": a second label read as the id's letter prefix is dropped."""
    m = re.match(r"\s*([A-Za-z]{2,3})[\s\-]+(?=\d)", text)
    if m and TAX_ID_LABEL.fullmatch(m.group(1)) and len(words) > 1 and words[0].text.strip(":#.-") == m.group(1):
        return list(words[1:]), text[m.end():]
    return list(words), text


def _in_title(hit) -> bool:
    """The label is a word of the document's title: the rest of its line is a title."""
    text = hit.label.line.text
    start = text.find(hit.label.words[0].text) if hit.label.words else -1
    if start < 0:
        return False
    rest = (text[:start] + " " + text[hit.label.end:]).strip(" :-")
    return bool(rest) and DOCUMENT_TITLE.fullmatch(rest) is not None


DOCUMENT_TITLE = re.compile(r"(?:" + "|".join(re.escape(t) for t in DOCUMENT_TITLES) + r")", re.I)


def _labelled_tax_ids(ctx: Context, taken: set[int]) -> tuple[list[tuple[Candidate, bool]], bool]:
    """Tax ids after a tax-id label, as (candidate, in the other party's block), and whether the
    user's own id is among them; ``taken``: the words already read as an EU VAT id."""
    out = []
    users_own_printed = False
    hits = values_near(ctx.doc, TAX_ID_LABEL, TAX_ID_VALUE)
    # a label with its value beside it labels nothing under it
    beside = {id(hit.label) for hit in hits if not hit.below}
    for hit in hits:
        if any(id(w) in taken for w in hit.words) or (hit.below and id(hit.label) in beside):
            continue
        if _in_title(hit):
            continue  # "Faktura VAT", "VAT Invoice": the document's title, no id's label
        words, text = _label_prefix_dropped(hit.words, hit.text)
        number = compact(text)
        if DATE_LIKE.search(text) or len(number) > 20:
            continue
        # sample and test bills print short made-up ids ("USt-IdNr.: DE0815"): what a VAT label
        # sets right beside it, with a country's prefix, is read too, below every real-looking id
        short = len(number) < 8 or sum(ch.isdigit() for ch in number) < 7
        if short and (SHORT_ID.fullmatch(number) is None or number[:2] not in _countries()):
            continue
        if iban_valid(number):
            continue  # an account number after "Nr."
        valid = _validate_any(number)
        label = " ".join(w.text for w in hit.label.words)
        if not valid and CHECKED_ONLY_LABELS.search(label):
            continue
        value = valid or number
        if is_users_own(ctx, value):
            users_own_printed = True
            continue
        party = _party(ctx, words)
        score = (0.55 if valid else 0.25) + 0.2 + party - (0.05 if hit.below else 0.0) - (0.15 if short else 0.0)
        out.append((Candidate(value, words, max(0.0, min(1.0, score)),
                              origin="ocr" if words[0].conf < 1 else "text"), party < 0))
    return out, users_own_printed
