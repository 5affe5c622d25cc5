"""The learned ranker: trained on a tiny set of invoices generated here, its model file loads,
ranks the true values first on an invoice it did not see, and the engine falls back to the
finders' order without it. Structured values stay above everything."""
from __future__ import annotations

import random

import pytest

from invoice_extract.extraction import ranking
from invoice_extract.extraction.options import ExtractOptions
from invoice_extract.extraction.pipeline import extract_document
from invoice_extract.extraction.reader import read_document

from fixtures import make_invoice_pdf

pytest.importorskip("sklearn")

LABEL_SETS = [
    {"title": "INVOICE", "invoice_id": "Invoice number:", "date": "Invoice date:", "due": "Due date:",
     "bill_to": "Bill to:", "desc": "Description", "qty": "Qty", "price": "Unit price", "amount": "Amount",
     "subtotal": "Subtotal", "tax": "VAT", "total": "Total", "vat_id": "VAT ID:", "ref": "Payment reference:"},
    {"title": "RECHNUNG", "invoice_id": "Rechnungsnummer:", "date": "Rechnungsdatum:", "due": "Fällig am:",
     "bill_to": "Rechnung an:", "desc": "Bezeichnung", "qty": "Menge", "price": "Einzelpreis", "amount": "Betrag",
     "subtotal": "Nettobetrag", "tax": "USt", "total": "Gesamtbetrag", "vat_id": "USt-IdNr.:", "ref": "Verwendungszweck:"},
    {"title": "FACTURE", "invoice_id": "N° de facture :", "date": "Date de facture :", "due": "Échéance :",
     "bill_to": "Facturé à :", "desc": "Désignation", "qty": "Qté", "price": "Prix unitaire", "amount": "Montant",
     "subtotal": "Total HT", "tax": "TVA", "total": "Total TTC", "vat_id": "N° TVA :", "ref": "Référence :"},
]


def generated(n: int, seed: int):
    """(Document, truth) pairs: invoices of varied values, languages and line tables."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        lines = tuple((f"Item {k}", rnd.randint(1, 9), round(rnd.uniform(5, 900), 2)) for k in range(rnd.randint(1, 5)))
        labels = LABEL_SETS[i % len(LABEL_SETS)]
        invoice_id = f"{rnd.choice(['INV', 'RE', 'F'])}-{rnd.randint(1000, 99999)}"
        pdf = make_invoice_pdf(lines=lines, labels=labels, invoice_id=invoice_id, payment_ref=invoice_id,
                               tax_rate=rnd.choice([7.0, 19.0, 20.0]),
                               number_format=rnd.choice(["1,234.56", "1.234,56"]))
        doc = read_document(pdf, "generated.pdf", ExtractOptions().limits, "eng")
        sub = round(sum(q * p for _d, q, p in lines), 2)
        out.append((doc, {"invoice_id": invoice_id, "subtotal": sub}))
    return out


def training_rows(pairs):
    rows = []
    for doc, truth in pairs:
        collected: list = []
        extract_document(doc, ExtractOptions(), collect=collected)
        for feature, cand, x in collected:
            if feature == "invoice_id":
                rows.append((feature, x, int(cand.content == truth["invoice_id"])))
            elif feature == "subtotal":
                rows.append((feature, x, int(abs(cand.content - truth["subtotal"]) < 0.005)))
    return rows


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    from invoice_extract.bench.ranker_data import train
    from invoice_extract.bench.train_ranker import write_model

    model = train(training_rows(generated(9, seed=1)), features=("invoice_id", "subtotal"))
    path = tmp_path_factory.mktemp("ranker") / "ranker.json"
    write_model(model, path)
    return path


def test_the_model_file_loads_and_is_small(model_file):
    model = ranking.Ranker.load(model_file)
    assert model.knows("invoice_id") and model.knows("subtotal")
    assert not model.knows("supplier")  # not trained: the finders' order stays for it
    assert model_file.stat().st_size < 50_000


def test_the_model_ranks_an_unseen_invoice(model_file):
    model = ranking.Ranker.load(model_file)
    for doc, truth in generated(3, seed=99):
        with ranking.use_model(model):
            result = extract_document(doc, ExtractOptions())
        assert result["invoice_id"]["selected_value"]["content"] == truth["invoice_id"]
        assert result["subtotal"]["selected_value"]["content"] == pytest.approx(truth["subtotal"])
        scores = [c["score"] for c in result["subtotal"]["candidates"]]
        assert all(0.0 <= s <= 1.0 for s in scores)
        assert scores == sorted(scores, reverse=True)
        # the model weighed amounts the rules passed over, and put them below
        assert len(result["subtotal"]["candidates"]) > 1
        assert "_broad" not in result["subtotal"]["candidates"][-1]


def test_training_is_reproducible(tmp_path):
    from invoice_extract.bench.ranker_data import train

    rows = training_rows(generated(6, seed=5))
    assert train(rows, features=("subtotal",)) == train(rows, features=("subtotal",))


def test_a_missing_model_file_keeps_the_finders_order(tmp_path, monkeypatch):
    monkeypatch.setenv(ranking.MODEL_ENV, str(tmp_path / "nowhere.json"))
    assert ranking.load_model() is None
    doc, truth = generated(1, seed=3)[0]
    result = extract_document(doc, ExtractOptions())
    assert result["invoice_id"]["selected_value"]["content"] == truth["invoice_id"]


def test_a_model_of_another_format_is_refused(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "something else"}')
    with pytest.raises(ValueError):
        ranking.Ranker.load(bad)


def test_structured_values_stay_first(model_file):
    from invoice_extract.extraction.candidate import Candidate

    from engine_helpers import context, doc_of

    doc = doc_of([(0.1, "Invoice number: A-1"), (0.8, "Subtotal 100.00"), (0.85, "Total 119.00")])
    ctx = context(doc)
    exact = Candidate(50.0, (), 2.0, origin="xml")
    ranked = ranking.rerank(ctx, "subtotal", [exact, Candidate(100.0, (), 0.5)], ranking.Ranker.load(model_file))
    assert ranked[0] is exact and ranked[0].score == 2.0


def test_the_committed_model_is_the_default():
    model = ranking.Ranker.load(ranking.MODEL_PATH)
    for feature in ("total", "subtotal", "total_tax_amount", "date", "invoice_id", "supplier"):
        assert model.knows(feature)
    with ranking.use_model(model):
        assert ranking.load_model() is model
    if not ranking.os.environ.get(ranking.MODEL_ENV):
        assert ranking.load_model() is not None  # data/ranker.json, loaded without scikit-learn


# ---------------------------------------------------------------- pages read by OCR alone
GREETINGS = ["WELCOME", "THANK YOU", "BIENVENUE", "WILLKOMMEN", "Welcome to"]
MERCHANTS = ["CORNER DELI", "Mama Rosa", "BLUE DOOR KITCHEN", "Peach Tree", "GOLDEN SPOON", "Harbor Books",
             "NORTHSIDE GRILL", "Lucky Star", "SERI JAYA"]


def receipt_page(rnd: random.Random, merchant: str):
    """An OCR page of a till receipt: the merchant's name below a greeting line (or first),
    then its address, phone, items and total."""
    from dataclasses import replace

    from engine_helpers import page_of

    header = [rnd.choice(GREETINGS)] if rnd.random() < 0.6 else []
    rows = header + [merchant, f"NO {rnd.randint(1, 99)}, JALAN {rnd.choice(['BUNGA', 'MAWAR', 'PUTRA'])}",
                     f"TEL: 03-{rnd.randint(1000, 9999)} {rnd.randint(1000, 9999)}", "CASH BILL",
                     f"DATE: {rnd.randint(10, 28)}/0{rnd.randint(1, 9)}/2018"]
    rows += [f"{rnd.randint(1, 3)} {item} {rnd.uniform(1, 50):.2f}" for item in rnd.sample(
        ["CAFE LATTE", "BREAD LOAF", "NAIL 2IN", "A4 PAPER", "RICE 5KG"], 3)]
    rows += [f"TOTAL {rnd.uniform(20, 200):.2f}"]
    page = page_of([(0.04 + 0.05 * k, text) for k, text in enumerate(rows)])
    words = [replace(w, conf=0.9) for w in page.words]
    return replace(page, words=words, source="ocr")


def generated_receipts(n: int, seed: int):
    from invoice_extract.extraction.document import Document

    rnd = random.Random(seed)
    return [(Document(pages=[receipt_page(rnd, m)]), m) for m in (rnd.choice(MERCHANTS) for _ in range(n))]


def receipt_rows(pairs):
    rows = []
    for doc, merchant in pairs:
        collected: list = []
        extract_document(doc, ExtractOptions(document_type="expense"), collect=collected)
        rows += [(f, x, int(c.content == merchant)) for f, c, x in collected if f == "supplier"]
    return rows


@pytest.fixture(scope="module")
def ocr_model():
    from invoice_extract.bench.ranker_data import train

    trained = train(receipt_rows(generated_receipts(24, seed=7)), features=("supplier",))
    return ranking.Ranker({"format": trained["format"], ranking.OCR_SECTION: trained["features"]})


def test_each_kind_of_document_gets_its_own_section(ocr_model):
    from dataclasses import replace

    (receipt, _m), = generated_receipts(1, seed=2)  # an A4-shaped OCR page
    till_roll = replace(receipt, pages=[replace(receipt.pages[0], width=400, height=1400)])
    printed = generated(1, seed=2)[0][0]
    with ranking.use_model(ocr_model):
        assert ranking.model_for(receipt, "expense").knows("supplier")
        assert ranking.model_for(till_roll, "invoice").knows("supplier")  # shaped like a receipt
        assert ranking.model_for(receipt, "invoice") is None  # a scanned bill: the finders' order
        assert not ranking.model_for(printed, "invoice").knows("supplier")  # no text-layer section here
    assert ocr_model.section(ranking.DIGITAL_SECTION).models == {}


def test_the_ocr_section_ranks_a_receipts_merchant_among_its_first_lines(ocr_model):
    right = 0
    pairs = generated_receipts(12, seed=99)
    for doc, merchant in pairs:
        with ranking.use_model(ocr_model):
            result = extract_document(doc, ExtractOptions(document_type="expense"))
        cands = result["supplier"]["candidates"]
        right += cands[0]["content"] == merchant
        scores = [c["score"] for c in cands]
        assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert right >= 11, right


def test_a_receipts_header_lines_are_offered_but_not_logos_or_titles():
    from dataclasses import replace

    from invoice_extract.extraction.context import Context
    from invoice_extract.extraction.document import Document

    from engine_helpers import page_of

    page = page_of([(0.03, "车车本车车车车本车车车"), (0.08, "INVOICE 1234"), (0.13, "Corner Deli"),
                    (0.18, "12 Main Street"), (0.23, "TOTAL 9.50")])
    ctx = Context(doc=Document(pages=[replace(page, source="ocr")]), options=ExtractOptions(document_type="expense"))
    offered = [c.content for c in ranking.receipt_name_candidates(ctx, [])]
    assert "Corner Deli" in offered and "Corner Deli 12 Main Street" in offered
    assert not any("车" in t for t in offered) and not any(t.startswith("INVOICE") for t in offered)


def test_the_committed_model_has_an_ocr_section_for_the_supplier():
    model = ranking.Ranker.load(ranking.MODEL_PATH)
    assert model.section(ranking.OCR_SECTION).knows("supplier")
    assert not model.section(ranking.OCR_SECTION).knows("total")  # ranking it lost on held-out receipts
