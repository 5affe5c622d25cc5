"""One consistent reading per document: totals chosen together, signs from the page, the
day/month order from every date printed, the caller's company as the client."""
from __future__ import annotations

from invoice_extract.extraction import consistency
from invoice_extract.extraction.candidate import Candidate
from invoice_extract.extraction.features._dates import printed_order
from invoice_extract.extraction.ranking import use_model

from engine_helpers import context, doc_of


def _extract(doc, **options):
    from invoice_extract.extraction.options import ExtractOptions
    from invoice_extract.extraction.pipeline import extract_document

    with use_model(None):  # the rules alone: these decisions do not depend on the model
        return extract_document(doc, ExtractOptions(**options))


def test_totals_are_chosen_together():
    ctx = context(doc_of([(0.1, "x")]))
    ctx.found["total"] = [Candidate(500.0, (), 0.6), Candidate(119.0, (), 0.5)]
    ctx.found["subtotal"] = [Candidate(100.0, (), 0.7)]
    ctx.found["total_tax_amount"] = [Candidate(19.0, (), 0.6)]
    consistency.choose_totals(ctx)
    assert ctx.found["total"][0].content == 119.0  # 100 + 19, though less likely alone
    assert len(ctx.found["total"]) == 2


def test_a_much_surer_total_is_kept_without_agreement():
    ctx = context(doc_of([(0.1, "x")]))
    ctx.found["total"] = [Candidate(500.0, (), 0.99), Candidate(119.0, (), 0.0001)]
    ctx.found["subtotal"] = [Candidate(100.0, (), 0.7)]
    ctx.found["total_tax_amount"] = [Candidate(19.0, (), 0.6)]
    consistency.choose_totals(ctx)
    assert ctx.found["total"][0].content == 500.0


def test_structured_totals_are_not_touched():
    ctx = context(doc_of([(0.1, "x")]))
    exact = Candidate(500.0, (), 2.0, origin="xml")
    ctx.found["total"] = [exact, Candidate(119.0, (), 0.5)]
    ctx.found["subtotal"] = [Candidate(100.0, (), 0.7)]
    ctx.found["total_tax_amount"] = [Candidate(19.0, (), 0.6)]
    consistency.choose_totals(ctx)
    assert ctx.found["total"][0] is exact


def test_a_negative_invoice_keeps_its_sign_and_the_subtotal_and_tax_follow():
    doc = doc_of([(0.05, "Acme Widgets Ltd"), (0.1, "INVOICE"), (0.2, "Invoice number: 77"),
                  (0.7, "Subtotal 100.00", 0.5), (0.74, "VAT 19% 19.00", 0.5), (0.78, "Total -119.00 EUR", 0.5)])
    result = _extract(doc)
    assert result["total"]["selected_value"]["content"] == -119.0
    assert result["subtotal"]["selected_value"]["content"] == -100.0
    assert result["total_tax_amount"]["selected_value"]["content"] == -19.0


def test_a_credit_note_is_read_positive():
    doc = doc_of([(0.05, "Acme Widgets Ltd"), (0.1, "CREDIT NOTE"), (0.2, "Credit note no: 77"),
                  (0.7, "Subtotal -100.00", 0.5), (0.74, "VAT 19% -19.00", 0.5), (0.78, "Total -119.00 EUR", 0.5)])
    result = _extract(doc)
    assert result["total"]["selected_value"]["content"] == 119.0
    assert result["subtotal"]["selected_value"]["content"] == 100.0


def test_one_unambiguous_date_settles_the_order_of_the_others():
    doc = doc_of([(0.1, "Invoice date: 11/03/2017"), (0.2, "Shipped 11/17/2017")])
    assert printed_order(context(doc)) is True
    result = _extract(doc, user_lang="fr_FR")  # the caller's language alone would say day first
    assert result["date"]["selected_value"]["content"] == "2017-11-03"
    doc = doc_of([(0.1, "Invoice date: 11/03/2017"), (0.2, "Shipped 17/11/2017")])
    assert printed_order(context(doc)) is False
    assert _extract(doc, user_lang="en_US")["date"]["selected_value"]["content"] == "2017-03-11"


def test_dates_printing_both_orders_leave_it_to_the_hints():
    doc = doc_of([(0.1, "Invoice date: 17/11/2017"), (0.2, "Shipped 11/17/2017")])
    assert printed_order(context(doc)) is None


def test_the_callers_company_name_is_the_client():
    doc = doc_of([(0.05, "Acme Widgets Ltd"), (0.1, "INVOICE"), (0.3, "Globex Trading Inc"),
                  (0.32, "12 Main Street"), (0.7, "Total 119.00 EUR", 0.5)])
    result = _extract(doc, user_company_name="GLOBEX TRADING INC")
    client = result["client"]["selected_value"]
    assert client["content"] == "GLOBEX TRADING INC"
    assert client["origin"] == "text" and client["coords"][2] > 0  # found where the page prints it
    assert "globex" not in result["supplier"]["selected_value"]["content"].lower()


def test_a_tax_above_its_subtotal_is_the_two_swapped():
    ctx = context(doc_of([(0.1, "x")]))
    ctx.found["total"] = [Candidate(2644.5, (), 0.9)]
    ctx.found["subtotal"] = [Candidate(494.5, (), 0.6), Candidate(2150.0, (), 0.5)]
    ctx.found["total_tax_amount"] = [Candidate(2150.0, (), 0.6), Candidate(494.5, (), 0.5)]
    consistency.choose_totals(ctx)
    # both readings add up; only one has a rate below 100 %
    assert (ctx.found["subtotal"][0].content, ctx.found["total_tax_amount"][0].content) == (2150.0, 494.5)


def test_a_vat_id_or_an_iban_is_not_the_invoice_number():
    ctx = context(doc_of([(0.1, "x")]))
    ctx.found["invoice_id"] = [Candidate("IT01114601006", (), 0.6), Candidate("2024-117", (), 0.4)]
    ctx.found["VAT_Number"] = [Candidate("IT01114601006", (), 0.8)]
    consistency.separate_identifiers(ctx)
    assert [c.content for c in ctx.found["invoice_id"]][:1] == ["2024-117"]
    # a checked id is one whoever's it is, even when the VAT finder set it aside (the buyer's)
    ctx.found["invoice_id"] = [Candidate("DE246813573", (), 0.6), Candidate("RE-88", (), 0.3)]
    ctx.found["VAT_Number"] = []
    consistency.separate_identifiers(ctx)
    assert ctx.found["invoice_id"][0].content == "RE-88"
    # an invoice number shaped like a code stays
    ctx.found["invoice_id"] = [Candidate("OM-QX-17", (), 0.6)]
    consistency.separate_identifiers(ctx)
    assert ctx.found["invoice_id"][0].content == "OM-QX-17"


def _valid_ids(module, prefix: str, digits: int, start: int, count: int = 2) -> list[str]:
    """The first ``count`` numbers from ``start`` that pass ``module``'s checksum, prefixed."""
    out, n = [], start
    while len(out) < count:
        number = str(n).zfill(digits)
        if module.is_valid(number):
            out.append(prefix + number)
        n += 1
    return out


def test_a_sidebars_vat_id_beside_the_clients_block_is_the_suppliers():
    """The seller's details run down a left sidebar; the client's block right of it prints the
    client's id on the rows where the sidebar prints the seller's: the rows are shared, the
    columns are not. (A column of keys right of the client's address stays the client's.)"""
    doc = doc_of([
        (0.05, [(0.03, "Skarvholm Data I/S"), (0.70, "FAKTURA")]),
        (0.10, "KUNDE", 0.32),
        (0.117, [(0.03, "Telefon +45 31 41 59 26"), (0.32, "Tornbjerg Montage A/S")]),
        (0.13, [(0.03, "MOMS-NR."), (0.32, "Skovbrynet 14")]),
        (0.145, [(0.03, "DK31415926"), (0.32, "8600 Silkeborg"), (0.70, "Moms-nr.: DK27182818")]),
        (0.16, [(0.32, "Moms-nr.: DK31415934")]),
    ])

    def cand(text, score):
        words = [w for page in doc.pages for w in page.words if w.text == text]
        return Candidate(text, words, score)

    for client_id in ("DK31415934", "DK27182818"):
        ctx = context(doc)
        ctx.found["supplier"] = [cand("Skarvholm", 0.9)]
        ctx.found["client"] = [Candidate("Tornbjerg Montage A/S",
                                         [w for w in doc.pages[0].words if w.text == "Tornbjerg"], 0.9)]
        ctx.found["VAT_Number"] = [cand(client_id, 0.75), cand("DK31415926", 0.55)]
        consistency.vat_of_the_wanted_party(ctx)
        assert ctx.found["VAT_Number"][0].content == "DK31415926"


def test_without_a_client_read_the_vat_id_beside_the_suppliers_name_wins():
    """The client's block prints its NIF; the footer prints the supplier's name and its NIF on
    one line. The id whose block another name heads yields to the one beside the supplier's."""
    from stdnum.pt import nif

    client_id, seller_id = _valid_ids(nif, "PT", 9, 503141592)
    result = _extract(doc_of([
        (0.05, "Tágide Engenharia S.A.", 0.36),
        (0.16, [(0.12, "Rua das Flores 61 · 9381-204 Lisboa"), (0.62, "N.º documento GS-2031-5558")]),
        (0.175, [(0.12, "Vale Lobo Lda"), (0.62, "Data da fatura 30/08/2031")]),
        (0.19, "Av Pinheiro 65", 0.12), (0.205, "3641-903 Vila Serrada", 0.12),
        (0.23, f"NIF: {client_id}", 0.12),
        (0.42, [(0.12, "Mesa de reunião"), (0.55, "4"), (0.65, "212,01"), (0.80, "848,04")]),
        (0.50, [(0.55, "Subtotal"), (0.80, "848,04 €")]), (0.52, [(0.55, "IVA 23%"), (0.80, "195,05 €")]),
        (0.54, [(0.55, "Valor total"), (0.80, "1 043,09 €")]),
        (0.90, [(0.07, "Tágide Engenharia S.A."), (0.35, "Banco do Mar"), (0.55, f"NIF: {seller_id}")]),
    ]))
    assert result["VAT_Number"]["selected_value"]["content"] == seller_id
    assert result["supplier"]["selected_value"]["content"] == "Tágide Engenharia S.A."


def _with_amounts(rows, total, subtotal, taxes):
    """A context whose amount candidates are the printed words of ``rows`` with these values
    and likelihoods (as the ranker would give them)."""
    doc = doc_of(rows)
    ctx = context(doc)

    def cand(text, score):
        words = [w for w in doc.pages[0].words if w.text == text]
        return Candidate(float(text.replace(".", "").replace(",", ".")), words[-1:], score)

    ctx.found["total"] = [cand(t, p) for t, p in total]
    ctx.found["subtotal"] = [cand(t, p) for t, p in subtotal]
    ctx.found["total_tax_amount"] = [cand(t, p) for t, p in taxes]
    return ctx


def test_the_taxes_of_several_rates_sum_to_the_total_tax():
    """No line prints the total tax: each rate prints its own. Their sum completes subtotal to
    total to the cent, and is the bill's tax; a 0 % rate's 0,00 is not."""
    rows = [(0.46, [(0.56, "Summe netto"), (0.86, "1.016,52")]),
            (0.47, [(0.56, "MwSt. 19 %"), (0.86, "46,84")]),
            (0.48, [(0.56, "MwSt. 7 %"), (0.86, "52,64")]),
            (0.49, [(0.56, "MwSt. 0 %"), (0.87, "0,00")]),
            (0.50, [(0.56, "Versand"), (0.87, "9,00")]),
            (0.51, [(0.56, "Rechnungsbetrag"), (0.85, "1.116,00")])]
    ctx = _with_amounts(rows, [("1.116,00", 0.7)], [("1.016,52", 0.3)],
                        [("0,00", 0.25), ("9,00", 0.05), ("46,84", 0.001), ("52,64", 0.001)])
    consistency.choose_totals(ctx)
    assert ctx.found["total_tax_amount"][0].content == 99.48


def test_a_sum_of_taxes_that_does_not_complete_the_total_is_not_chosen():
    """A shipping charge is no tax, and a sum that leaves subtotal + tax short of the total is
    no reading of the bill: the likeliest single tax stays."""
    rows = [(0.46, [(0.56, "Zwischensumme"), (0.86, "0,98")]),
            (0.47, [(0.56, "Versand"), (0.86, "0,30")]),
            (0.48, [(0.56, "Umsatzsteuer"), (0.86, "0,20")]),
            (0.49, [(0.56, "MwSt. 7 %"), (0.86, "0,07")]),
            (0.50, [(0.56, "Rechnungsbetrag"), (0.86, "1,48")])]
    ctx = _with_amounts(rows, [("1,48", 0.4)], [("0,98", 0.07)], [("0,30", 0.07), ("0,20", 0.09), ("0,07", 0.01)])
    consistency.choose_totals(ctx)
    assert ctx.found["total_tax_amount"][0].content == 0.2


def test_a_logos_short_name_yields_to_the_whole_name():
    ctx = context(doc_of([(0.1, "x")]))
    ctx.found["supplier"] = [Candidate("Skarvholm", (), 0.98), Candidate("Skarvholm Bredband AB", (), 0.3)]
    ctx.found["client"] = [Candidate("TS", (), 0.9), Candidate("Tornbjerg Stål A/S", (), 0.4)]
    consistency.whole_name(ctx, "supplier")
    consistency.whole_name(ctx, "client")
    assert ctx.found["supplier"][0].content == "Skarvholm Bredband AB"
    assert ctx.found["client"][0].content == "Tornbjerg Stål A/S"  # its initials
    ctx.found["supplier"] = [Candidate("Skarvholm Data", (), 0.9), Candidate("Skarvholm Bredband AB", (), 0.3)]
    consistency.whole_name(ctx, "supplier")
    assert ctx.found["supplier"][0].content == "Skarvholm Data"  # another name, not a short form


def test_the_only_vat_id_in_the_clients_block_is_not_the_suppliers():
    """A US firm bills a European client: the page prints the client's VAT id only, in the
    client's block; the supplier's id is unknown, not the client's."""
    from stdnum.nl import btw

    client_id = next(f"NL{n}B01" for n in range(314159265, 314160265) if btw.is_valid(f"NL{n}B01"))
    result = _extract(doc_of([
        (0.05, "Whitcombe Law Group PLLC", 0.33), (0.08, "Counsellors at Law", 0.45),
        (0.094, "91 Fenwick Way · Fennbrook, WI 53001 · Tel 414.555.0143", 0.24),
        (0.147, [(0.08, "Vossenberg Handel B.V."), (0.59, "Invoice No. R31-7953")]),
        (0.161, [(0.08, "Ridderspoorlaan 8"), (0.59, "Invoice Date March 3, 2031")]),
        (0.175, [(0.08, "2431 KX Vrijhoek"), (0.59, "Client No. 31407")]),
        (0.189, "Netherlands", 0.08),
        (0.203, [(0.08, f"VAT Registration No.: {client_id}"), (0.59, "Your Ref. KLM/31")]),
        (0.30, [(0.08, "Description"), (0.70, "Hours"), (0.78, "Rate"), (0.88, "Amount")]),
        (0.32, [(0.08, "Preparing the witness statement"), (0.70, "6.00"), (0.78, "590.00"), (0.88, "3,540.00")]),
        (0.36, [(0.60, "Total"), (0.88, "3,540.00")]),
    ]))
    assert "VAT_Number" not in result
    assert result["supplier"]["selected_value"]["content"] == "Whitcombe Law Group PLLC"


def test_a_zero_subtotal_is_no_reading_of_a_bill_to_pay():
    """A 0 % rate's 0,00 looked like the subtotal; with it nothing agrees, and the subtotal is
    the net amount the other amounts complete."""
    rows = [(0.38, [(0.56, "Net total"), (0.86, "258,56")]),
            (0.40, [(0.07, "VAT 0 %"), (0.25, "2,56"), (0.35, "0,00"), (0.56, "Invoice total"), (0.86, "309,76")]),
            (0.39, [(0.56, "VAT 20 %"), (0.86, "51,20")])]
    ctx = _with_amounts(rows, [("309,76", 0.9)], [("0,00", 0.13), ("258,56", 0.06)], [("0,00", 0.25), ("51,20", 0.02)])
    consistency.choose_totals(ctx)
    assert ctx.found["subtotal"][0].content == 258.56
    assert ctx.found["total_tax_amount"][0].content == 51.2


def test_one_name_is_not_both_parties():
    ctx = context(doc_of([(0.1, "x")]))
    # the supplier's logo name, made whole after the client was ranked: the client had taken
    # the issuer's name over the payment slip's payee for its own
    ctx.found["supplier"] = [Candidate("Quillon", (), 1.0), Candidate("Quillon Mobile Ltd", (), 0.9)]
    ctx.found["client"] = [Candidate("Quillon Mobile Ltd", (), 1.0), Candidate("Brackwater PLC", (), 0.99)]
    consistency.decide(ctx, learned=False)
    assert ctx.found["supplier"][0].content == "Quillon Mobile Ltd"
    assert [c.content for c in ctx.found["client"]] == ["Brackwater PLC"]
    # with no other name the client stays unread rather than named after the supplier
    ctx.found["client"] = [Candidate("QUILLON MOBILE LTD", (), 0.8)]
    consistency.two_parties(ctx)
    assert ctx.found["client"] == []
    # two different names are left as they are
    ctx.found["client"] = [Candidate("Quillon Data Ltd", (), 0.8)]
    consistency.two_parties(ctx)
    assert ctx.found["client"][0].content == "Quillon Data Ltd"
