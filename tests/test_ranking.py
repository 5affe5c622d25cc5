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
