"""One consistent reading per document, decided after every finder has run.

* Total, subtotal and tax are chosen together: among the best few candidates of each, the
  reading where subtotal + tax = total (and the lines sum to the subtotal) wins over three
  independently best values, unless the model is far surer of the independent ones; a tax
  larger than its subtotal is the two read the wrong way round. A bill
  without tax (subtotal = total, no tax line) reads a tax of 0; a total of 0 under a
  positive subtotal is a balance line, not the total.
* Identifiers: a VAT id, an IBAN or a BIC is not also the invoice number.
* Parties: the block printing the wanted party's checked VAT id names that party, and the
  name it displaces is the other party's.
* Signs: a document that calls itself a credit note is read positive (Odoo's refunds carry
  the sign in their move type, as credit-note XML does); any other document keeps the sign
  its total prints, and the subtotal and tax take the total's sign.
"""
from __future__ import annotations

import itertools
import json
import math
import re

from .candidate import Candidate
from .context import Context
from .features._parties import compact
from .layout import compile_labels, line_of, line_position, lines_of, segments

STRUCTURED_ORIGINS = ("xml", "qr")
TOTALS = ("total", "subtotal", "total_tax_amount")
TOP = 5
AGREEMENT_BONUS = 3.0  # log-odds: an agreeing triple may be ~20x less likely one value at a time
LINES_BONUS = 1.0
UNLIKELY_TAX = 0.1  # below this probability the chosen "tax" of a bill whose subtotal is its total is none
# The document's title when it is a credit note (a title word heads a short line).
CREDIT_NOTE_TITLES = compile_labels([
    "credit note", "credit memo", "creditnote", "gutschrift", "rechnungskorrektur", "avoir", "facture d'avoir",
    "creditnota", "creditfactuur", "nota de crédito", "nota de credito", "factura rectificativa",
    "nota di credito",
])


def _p(c: Candidate) -> float:
    return max(1e-4, min(1 - 1e-4, float(c.score)))


def _same(a: float, b: float) -> bool:
    return abs(round(a - b, 2)) <= 0.011


def choose_totals(ctx: Context) -> None:
    """Put the jointly best (total, subtotal, tax) first in ``ctx.found``."""
    lists = {name: ctx.found.get(name) or [] for name in TOTALS}
    if any(c.origin in STRUCTURED_ORIGINS for name in TOTALS for c in lists[name][:1]):
        return  # exact values: nothing to choose
    totals_, subs, taxes = (lists[name][:TOP] for name in TOTALS)
    if not totals_ or not subs or not taxes:
        return
    # a bill with several rates may print each rate's tax and no total tax: their sum is one
    sums = summed_taxes(ctx, lists["total_tax_amount"][:2 * TOP])
    taxes = taxes + sums
    line_sum = _line_sum(ctx)

    summed = {id(c) for c in sums}
    def joint(t, s, x):
        if id(x) in summed and (t is not totals_[0] or not abs(x.content) < abs(s.content)
                                or not _same(abs(s.content) + abs(x.content), abs(t.content))):
            # a sum of rate taxes only completes the likeliest total to the cent, below its base
            return -math.inf
        score = math.log(_p(t)) + math.log(_p(s)) + math.log(_p(x))
        zero_tax = _same(x.content, 0.0)
        if _same(abs(s.content) + abs(x.content), abs(t.content)) and (zero_tax or not _same(s.content, t.content)):
            score += AGREEMENT_BONUS
        if _same(t.content, 0.0) and abs(s.content) >= 0.01:
            score -= 3 * AGREEMENT_BONUS  # nothing to pay on a bill of a positive subtotal: a balance line
        if _same(s.content, 0.0) and abs(t.content) >= 0.01:
            score -= AGREEMENT_BONUS  # nothing before tax on a bill to pay: a 0 % rate's tax, no subtotal
        if abs(x.content) > abs(s.content) + 0.011:
            score -= AGREEMENT_BONUS  # a tax above its base: no rate is 100 %, the two are swapped
        if line_sum is not None and _same(line_sum, abs(s.content)):
            score += LINES_BONUS
        return score

    best = max(((joint(t, s, x), -i - j - k, t, s, x) for i, t in enumerate(totals_) for j, s in enumerate(subs)
                for k, x in enumerate(taxes)), key=lambda r: (r[0], r[1]))
    total, sub, tax = best[2:]
    if _same(total.content, sub.content) and not _same(tax.content, 0.0) and _p(tax) < UNLIKELY_TAX:
        # a bill without tax prints the same subtotal and total and no tax line: what the
        # model weighed as its tax is some other amount, and the tax is 0
        tax = Candidate(0.0, (), 1.0 - _p(tax))
    for name, chosen in zip(TOTALS, (total, sub, tax)):
        cands = ctx.found.get(name) or []
        ctx.found[name] = [chosen] + [c for c in cands if c is not chosen]


# How likely a sum of tax-labelled amounts is the total tax before the totals are weighed
# together: the ranker weighs each amount as the whole tax and says little about a part of it;
# what decides is whether subtotal + sum is the total to the cent, which chance rarely makes.
SUMMED_TAX_PRIOR = 0.3
AMOUNT_WITH_CENTS = re.compile(r"\d[.,]\d{2}(?!\d)")


def summed_taxes(ctx: Context, taxes: list[Candidate]) -> list[Candidate]:
    """The sums of two or three tax amounts printed on different lines, each after a tax label
    ("MwSt. 19 % 46,84", "MwSt. 7 % 52,64"), each sum a candidate for the bill's total tax; the
    joint choice keeps one only when subtotal + that sum is the total."""
    from .features._amounts import SUBTOTAL, TAX, TOTAL_PLAIN, TOTAL_STRONG

    distinct: list[Candidate] = []
    for c in taxes:
        if not c.words or _same(c.content, 0.0) or c.content < 0 or any(_same(c.content, d.content) for d in distinct):
            continue
        if not AMOUNT_WITH_CENTS.search(" ".join(w.text for w in c.words)):
            continue  # a rate's tax prints its cents; a bare number after "VAT" is an id
        line = line_of(ctx.doc, c.words[0]).words
        k = next((n for n, w in enumerate(line) if w is c.words[0]), 0)
        label = " ".join(w.text for w in line[:k])
        # after a tax label (a shipping charge or a discount is no tax), not a sum's ("Total
        # excl. tax")
        if TAX.search(label) and not any(rx.search(label) for rx in (SUBTOTAL, TOTAL_STRONG, TOTAL_PLAIN)):
            distinct.append(c)
    out = []
    for size in (2, 3):
        for parts in itertools.combinations(distinct, size):
            lines = {(w.page, w.line) for c in parts for w in c.words[:1]}
            if len(lines) < size:
                continue  # amounts of one line are its base and its tax, not two taxes
            out.append(Candidate(round(sum(c.content for c in parts), 2), [w for c in parts for w in c.words],
                                 SUMMED_TAX_PRIOR, origin=parts[0].origin))
    return out


def _line_sum(ctx: Context) -> float | None:
    lines = ctx.found.get("invoice_lines") or []
    values = []
    for c in lines:
        sub = c.content.get("subtotal") if isinstance(c.content, dict) else None
        if not sub:
            return None
        values.append(abs(sub["selected_value"]["content"]))
    return round(sum(values), 2) if values else None


def is_credit_note(ctx: Context) -> bool:
    for page_lines in lines_of(ctx.doc).pages[:1]:
        for lt in page_lines[:40]:
            if len(lt.text) <= 60 and CREDIT_NOTE_TITLES.search(lt.text):
                return True
    return False


def printed_negative(ctx: Context, cand: Candidate) -> bool:
    """The amount's own words, or the word just before them, carry a minus or parentheses."""
    if not cand.words:
        return False
    text = " ".join(w.text for w in cand.words).strip()
    if re.match(r"^[-−–(]", text) or re.search(r"(?:-|\))$", text):
        return True
    first = cand.words[0]
    for lt in lines_of(ctx.doc).pages[first.page]:
        if any(w is first for w in lt.words):
            idx = next(i for i, w in enumerate(lt.words) if w is first)
            return idx > 0 and lt.words[idx - 1].text in ("-", "−", "–", "(")
    return False


def apply_signs(ctx: Context) -> None:
    total = ctx.selected("total")
    if total is None or total.origin in STRUCTURED_ORIGINS or not isinstance(total.content, (int, float)):
        return
    if any(w.conf < 1.0 for w in total.words):
        return  # OCR reads a dash into a receipt's total line ("TOTAL -12.00" for "TOTAL : 12.00")
    if is_credit_note(ctx) or not printed_negative(ctx, total):
        return
    for name in TOTALS:
        c = ctx.selected(name)
        if c is not None and c.origin not in STRUCTURED_ORIGINS and isinstance(c.content, (int, float)):
            c.content = -abs(c.content)


def decide(ctx: Context, learned: bool) -> None:
    """The document-level decisions; the joint totals choice needs the model's probabilities."""
    if learned:
        choose_totals(ctx)
    apply_signs(ctx)
    separate_identifiers(ctx)
    vat_of_the_wanted_party(ctx)
    name_the_vat_owner(ctx)
    for party in ("supplier", "client"):
        whole_name(ctx, party)
    two_parties(ctx)


def two_parties(ctx: Context) -> None:
    """A bill has two parties: a name chosen for both is the supplier's, which its model reads
    more surely (the client's is ranked with the supplier already chosen, and a finder may offer
    the issuer's block as the addressee's: the name over a payment slip's payee); the client
    takes its best other name, or none. An e-invoice's client stays as its XML says."""
    sup, cli = ctx.found.get("supplier") or [], ctx.found.get("client") or []
    if not sup or not cli or not isinstance(sup[0].content, str) or not isinstance(cli[0].content, str) \
            or cli[0].origin in STRUCTURED_ORIGINS:
        return
    # the supplier's name, and its long form where a logo printed it short (whole_name)
    short = sup[0].content.strip().casefold()
    keys = {compact(sup[0].content)} | {compact(c.content) for c in sup[1:] if isinstance(c.content, str)
                                         and c.content.casefold().startswith(short + " ")}
    keys.discard("")
    if compact(cli[0].content) in keys:
        ctx.found["client"] = [c for c in cli if compact(str(c.content)) not in keys]


def whole_name(ctx: Context, party: str) -> None:
    """A logo prints a company's name short ("Skarvholm" over "Skarvholm Bredband AB", the
    initials "AS" of "Albergo Serrani S.r.l.s."): when the chosen name is the opening words
    or the initials of another candidate that ends with a legal form, that one is the name."""
    from .features._names import LEGAL_FORM_END

    cands = ctx.found.get(party) or []
    if len(cands) < 2 or cands[0].origin in STRUCTURED_ORIGINS or not isinstance(cands[0].content, str):
        return
    short = cands[0].content.strip().casefold()
    if not short or LEGAL_FORM_END.search(cands[0].content) and not LEGAL_FORM_END.fullmatch(cands[0].content):
        return

    def shortened(name: str) -> bool:
        if name.casefold().startswith(short + " "):
            return True
        form = LEGAL_FORM_END.search(name)
        words = re.findall(r"[^\W\d_]+", name[:form.start()] if form else name)
        return len(short) >= 2 and "".join(w[0] for w in words).casefold() == short

    for c in cands[1:]:
        if isinstance(c.content, str) and LEGAL_FORM_END.search(c.content) and shortened(c.content):
            c.score = max(c.score, cands[0].score)
            ctx.found[party] = [c] + [x for x in cands if x is not c]
            return


def _wanted_and_other(ctx: Context) -> tuple[str, str]:
    """(the party whose VAT id the caller wants, the other one): the supplier, unless the
    caller issued the document."""
    return ("client", "supplier") if ctx.options.perspective == "supplier" else ("supplier", "client")


def vat_of_the_wanted_party(ctx: Context) -> None:
    """The VAT id printed in the other party's block is that party's: when the chosen id stands
    under the name read as the other party (the client's block without a heading that says
    so, a window address printing the buyer's id) and another id stands elsewhere, the other
    one is the wanted party's. Without the other party read, an id whose block another name
    heads yields to one printed beside the wanted party's name (a footer's "Acme S.A. · NIF …")."""
    from .features._names import names_over_code

    cands = ctx.found.get("VAT_Number") or []
    if not cands or cands[0].origin in STRUCTURED_ORIGINS or not cands[0].words:
        return
    party, other = _wanted_and_other(ctx)
    others, wanted = ctx.selected(other), ctx.selected(party)
    wanted_key = compact(str(wanted.content)) if wanted is not None else ""
    if others is None:
        if not wanted_key:
            return
        owner = _id_owner(ctx, cands[0], wanted_key)
        if owner is None or owner == wanted_key:
            return
        for c in cands[1:]:
            if c.origin not in STRUCTURED_ORIGINS and c.words and _id_owner(ctx, c, wanted_key) == wanted_key:
                ctx.found["VAT_Number"] = [c] + [x for x in cands if x is not c]
                return
        return
    other_key = compact(str(others.content))
    if wanted_key == other_key:
        return
    other_block = _block_area(ctx, others)
    wanted_block = _block_area(ctx, wanted) if wanted is not None else (set(), None)

    def in_others_block(c: Candidate) -> bool:
        # named at the top of its block by the other party, or printed on the rows of the
        # other party's block and not the wanted party's (a column of keys beside its address)
        names = names_over_code(ctx, str(c.content)) if c.words else []
        if names:
            return compact(names[0].content) == other_key
        return _in_block(ctx, c, other_block) and not _in_block(ctx, c, wanted_block)

    if not in_others_block(cands[0]):
        return
    for c in cands[1:]:
        if c.origin not in STRUCTURED_ORIGINS and c.words and not in_others_block(c):
            ctx.found["VAT_Number"] = [c] + [x for x in cands if x is not c]
            return
    # every id the page prints is the other party's: printed in its block, which it heads (a
    # US firm's bill to a European client prints the client's id only); the wanted one is unknown
    if wanted is not None and all(_named_by(ctx, c, other_key) and _in_block(ctx, c, other_block)
                                  and not _printed_elsewhere(ctx, c)
                                  for c in cands if c.origin not in STRUCTURED_ORIGINS):
        ctx.found["VAT_Number"] = [c for c in cands if c.origin in STRUCTURED_ORIGINS]


def _printed_elsewhere(ctx: Context, cand: Candidate) -> bool:
    """The id is printed a second time, apart from the candidate's words (a sample bill prints
    one number for both parties, "Your VAT no.: X" and the seller's "TRN X")."""
    key = compact(str(cand.content))
    own = {id(w) for w in cand.words}
    for _p, _i, lt in lines_of(ctx.doc):
        for part in segments(lt):
            if key in compact(" ".join(w.text for w in part)) and not own & {id(w) for w in part}:
                return True
    return False


def _named_by(ctx: Context, cand: Candidate, key: str) -> bool:
    from .features._names import names_over_code

    names = names_over_code(ctx, str(cand.content)) if cand.words else []
    return bool(names) and compact(names[0].content) == key


def _id_owner(ctx: Context, cand: Candidate, wanted_key: str) -> str | None:
    """Whose an id is, by the page: the name heading the block it is printed in, or the wanted
    party's name printed on its own line; None when the page does not say."""
    from .features._names import names_over_code

    names = names_over_code(ctx, str(cand.content))
    if names:
        return compact(names[0].content)
    if len(wanted_key) >= 5 and wanted_key in compact(line_of(ctx.doc, cand.words[0]).text):
        return wanted_key
    return None


def _block_area(ctx: Context, name: Candidate) -> tuple[set[tuple[int, int]], float | None]:
    """A party's block: the rows under its name (``_block_rows``) from the name's left edge on.
    A column of keys right of the address is the block's ("Btw-nummer: …" beside the street);
    what stands left of the name is another column sharing its rows (a sidebar)."""
    if not name.words:
        return set(), None
    return _block_rows(ctx, name), min(w.x0 for w in name.words) - BLOCK_COLUMN_SLACK


def _in_block(ctx: Context, cand: Candidate, block: tuple[set, float | None]) -> bool:
    rows, left = block
    if not cand.words or line_position(ctx.doc, cand.words[0]) not in rows:
        return False
    return max(w.x1 for w in cand.words) > left


BLOCK_COLUMN_SLACK = 0.02  # of the page width: how far left of its name a block's line may start


def name_the_vat_owner(ctx: Context) -> None:
    """Supplier and client read together with the VAT id already chosen: the block printing the
    wanted party's id is named at its top (a footer, a sidebar, a block without heading), so
    that name is the party's, and the other party is not the same."""
    from .features._names import names_over_code

    vat = ctx.selected("VAT_Number")
    if (vat is None or vat.origin in STRUCTURED_ORIGINS or not vat.words or ctx.structured.get("supplier")
            or vat.score < OWNED_ID_SCORE):
        return
    owners = names_over_code(ctx, str(vat.content))
    if not owners:
        return
    party, other = _wanted_and_other(ctx)
    key = compact(owners[0].content)
    cands = ctx.found.get(party) or []
    chosen = next((c for c in cands if compact(str(c.content)) == key), None)
    if chosen is None:
        # no finder named it (a signature, a footer without legal form): the name over the
        # party's own checked id is that party's, unless the page names one surely elsewhere
        # (the block's top line may be a contact person)
        if cands and float(cands[0].score) >= UNSURE_NAME:
            return
        chosen = Candidate(owners[0].content, owners[0].words, owners[0].score, origin=owners[0].origin)
    elif cands[0] is chosen:
        return
    displaced = cands[0] if cands else None
    chosen.score = max(chosen.score, owners[0].score)
    ctx.found[party] = [chosen] + [c for c in cands if c is not chosen]
    others = ctx.found.get(other) or []
    if others and compact(str(others[0].content)) == key:
        others = others[1:]
    if not others and displaced is not None:
        # two parties: the name the id displaced heads the other block
        others = [Candidate(displaced.content, displaced.words, displaced.score, origin=displaced.origin)]
    ctx.found[other] = others


BLOCK_ROWS = 6  # lines of a party's block under its name
BLOCK_ROW_GAP = 0.03  # of the page height: a wider gap ends the block


def _block_rows(ctx: Context, name: Candidate) -> set[tuple[int, int]]:
    """(page, line) of a party's name and of the lines that follow it closely: its block's rows."""
    if not name.words:
        return set()
    page, index = line_position(ctx.doc, name.words[0])
    lines = lines_of(ctx.doc).pages[page]
    rows = {(page, index)}
    bottom = max(w.y1 for w in lines[index].words)
    for k in range(index + 1, min(len(lines), index + 1 + BLOCK_ROWS)):
        if lines[k].words[0].y0 - bottom > BLOCK_ROW_GAP:
            break
        rows.add((page, k))
        bottom = max(w.y1 for w in lines[k].words)
    return rows


# Identifiers a page prints for what they are: a number read as one of them is not the
# document's number.
OTHER_IDENTIFIERS = ("VAT_Number", "iban", "SWIFT_code")
CHECKED_ID_SCORE = 0.55  # the VAT finder's score of an id whose checksum holds
OWNED_ID_SCORE = 0.7  # … and of one whose checksum holds after its label: sure enough to name its party
UNSURE_NAME = 0.5  # below this the ranker doubts its party name: the id's block may name the party instead


def separate_identifiers(ctx: Context) -> None:
    """One printed value is one field: a VAT id, an IBAN or a BIC the page names as such is not
    the invoice number (a model weighing number shapes may take one for it)."""
    ids = ctx.found.get("invoice_id") or []
    if not ids or ids[0].origin in STRUCTURED_ORIGINS:
        return
    # the selected id of each kind, and every other the page names beyond doubt (checked ids)
    taken = {compact(_identifier(c.content)) for name in OTHER_IDENTIFIERS
             for i, c in enumerate(ctx.found.get(name) or []) if i == 0 or c.score >= CHECKED_ID_SCORE}
    taken.discard("")
    kept = [c for c in ids if compact(str(c.content)) not in taken and not _checked_id(str(c.content))]
    if kept and kept[0] is not ids[0]:
        ctx.found["invoice_id"] = kept + [c for c in ids if c not in kept]
    elif not kept:
        ctx.found["invoice_id"] = []


def _identifier(content) -> str:
    """The id a result carries (a BIC's result is a JSON object naming it)."""
    if isinstance(content, str) and content.startswith("{"):
        try:
            return str(json.loads(content).get("bic") or "")
        except ValueError:
            return ""
    return content if isinstance(content, str) else ""


def _checked_id(value: str) -> bool:
    """A country-prefixed VAT id or an IBAN that passes its checksum, whoever's it is."""
    from stdnum.eu import vat

    from .parsing.accounts import iban_valid

    number = compact(value)
    if len(number) < 8 or not number[:2].isalpha():
        return False
    try:
        return vat.is_valid(number) or iban_valid(number)
    except Exception:  # stdnum refuses an unknown prefix
        return False
