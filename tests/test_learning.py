"""Learning from validations: the engine part (extraction.learning: observe, aggregate,
apply) and the database part (models.learning: profiles per account, votes, reset, restart),
with the worker's process() running the real engine."""
from __future__ import annotations

import subprocess

import pytest

from conftest import CLI
from fixtures import make_invoice_pdf
from learning_helpers import bill, learned_features, selected
from service_helpers import assert_migration_round_trip, new_account, new_database, parse

from invoice_extract.extraction import ExtractOptions, extract, learning
from invoice_extract.extraction.reader import read_document
from invoice_extract.models.document_service import DocumentRef, DocumentService
from invoice_extract.models.learning import (SupplierObservation, SupplierProfile, ValidationLearning,
                                             account_profiles, learn_pending, reset_account)
from invoice_extract.models.worker import claim_next, process

FIELDS = ("invoice_id", "date", "due_date", "total", "subtotal", "total_tax_amount", "VAT_Number", "iban",
          "supplier", "currency")


def correct(results: dict, values: dict) -> set[str]:
    return {f for f in FIELDS if learning.same(f, learning.normalize(f, selected(results, f)),
                                               learning.normalize(f, values[f]["content"]))}


def observe_bill(i: int, **kw) -> dict:
    pdf, values = bill(i, **kw)
    return learning.observe(read_document(pdf, "bill.pdf"), extract(pdf), values)


# -- engine ---------------------------------------------------------------------------------
def test_plain_engine_gets_the_unusual_layout_wrong():
    pdf, values = bill(1)
    assert correct(extract(pdf), values) != set(FIELDS)


def test_observe_keeps_labels_positions_and_identity():
    obs = observe_bill(0)
    identity = {k: v for k, v in obs["identity"].items() if k not in ("ids", "layout")}
    assert identity == {"VAT_Number": "DE123456789", "iban": "DE89370400440532013000",
                        "supplier": "Zyx Trading", "email_domain": None}
    # the header's identifiers (the customer's VAT number too: it counts only when no other
    # known supplier prints it, and never without the supplier's name) and its layout
    assert obs["identity"]["ids"] == ["DE123456789", "FR11999999998"]
    assert ["zyx", 0.107, 0.066] in obs["identity"]["layout"]
    f = obs["fields"]
    assert f["invoice_id"]["left"] == "doc" and f["invoice_id"]["value"] == "77-010"
    assert f["subtotal"]["left"] == "goods" and f["total"]["left"] == "remit"
    assert f["due_date"]["left"] == "settle by"
    assert 0.7 < f["total"]["x"] < 0.9 and f["total"]["page"] == 0
    assert obs["due_days"] == 29


def test_observe_uses_the_validated_box():
    pdf, values = bill(0)
    doc = read_document(pdf, "bill.pdf")
    result = extract(pdf)
    # the accountant clicked the printed "Settle by" date for due_date: its box says where
    box_cand = next(c for c in result["date"]["candidates"] if c["content"] == "2024-03-01")  # the due date
    values["due_date"] = {"content": "2024-03-01", "box": ["01.03.2024", box_cand["page"], *box_cand["coords"]]}
    obs = learning.observe(doc, result, values)
    assert obs["fields"]["due_date"]["left"] == "settle by"


def test_second_bill_comes_out_right_and_says_what_was_learned():
    profile = learning.aggregate([observe_bill(0)], profile_id=1)
    for i in (1, 2, 3):
        pdf, values = bill(i)
        plain = extract(pdf)
        learned = extract(pdf, "bill.pdf", ExtractOptions(supplier_profiles=[profile]))
        assert correct(learned, values) == set(FIELDS), (i, correct(learned, values))
        assert len(correct(learned, values)) > len(correct(plain, values))
        assert {"invoice_id", "subtotal", "total"} <= learned_features(learned)
        # the protocol's keys are untouched; `learned` is the documented extra key
        sv = learned["invoice_id"]["selected_value"]
        assert set(sv) == {"content", "coords", "page", "score", "origin", "learned"}
        assert sv["learned"] is True and sv["origin"] == "text" and sv["coords"][2] > 0
        assert "learned" not in plain["total"]["selected_value"]


def test_without_profiles_or_for_another_supplier_nothing_changes():
    profile = learning.aggregate([observe_bill(0)], profile_id=1)
    pdf = make_invoice_pdf()  # Acme: another VAT number, IBAN and name
    assert extract(pdf) == extract(pdf, "x.pdf", ExtractOptions(supplier_profiles=[profile]))
    assert extract(pdf) == extract(pdf, "x.pdf", ExtractOptions(supplier_profiles=[]))


def test_same_vat_other_name_is_another_supplier():
    """Sample data reuses one VAT number for several companies: the name decides."""
    profile = learning.aggregate([observe_bill(0, supplier="Kranich Werkzeug GmbH", iban="FR76 3000 6000 0112 3456 7890 189")])
    pdf, _ = bill(1, supplier="Quux Logistics", iban="DE25 2008 0000 0481 5162 34")
    assert learning.match_profile(read_document(pdf, "x.pdf"), [profile]) is None
    pdf, _ = bill(1, supplier="Kranich Werkzeug GmbH", iban="DE25 2008 0000 0481 5162 34")
    assert learning.match_profile(read_document(pdf, "x.pdf"), [profile]) is profile


def test_one_contradicting_validation_does_not_flip_an_established_field():
    good = [observe_bill(i) for i in range(3)]
    # a careless validation: invoice number taken from the date line, a wrong currency and IBAN
    pdf, values = bill(3)
    values["invoice_id"] = {"content": "04.02.2024"}
    values["currency"] = {"content": "USD"}
    values["iban"] = {"content": "GB33BUKB20201555555555"}
    bad = learning.observe(read_document(pdf, "bill.pdf"), extract(pdf), values)
    assert bad["fields"]["invoice_id"]["left"] == "issued"
    profile = learning.aggregate(good + [bad], profile_id=1)
    assert learning.winner(profile["fields"]["invoice_id"]["left"])[:2] == ("doc", 3)
    assert learning.winner(profile["fields"]["currency"]["values"])[:2] == ("EUR", 3)
    pdf, values = bill(4)
    result = extract(pdf, "bill.pdf", ExtractOptions(supplier_profiles=[profile]))
    assert correct(result, values) == set(FIELDS)
    # one good then one bad: a tie keeps what was learned first
    profile = learning.aggregate(good[:1] + [bad], profile_id=1)
    result = extract(pdf, "bill.pdf", ExtractOptions(supplier_profiles=[profile]))
    assert selected(result, "invoice_id") == "77-414" and selected(result, "currency") == "EUR"


def test_structured_values_stay_above_learning():
    profile = learning.aggregate([observe_bill(0)], profile_id=1)
    # a wrong learned label for the total must not beat an exact e-invoice value: simulated by
    # checking the ranking rule on a structured candidate
    from invoice_extract.extraction.candidate import Candidate

    cands = [Candidate(1.0, (), 2.0, origin="xml"), Candidate(2.0, (), 0.5)]
    learning._boost(cands, cands[1], 1.0)
    assert cands[1].score < cands[0].score <= 2.0 and profile


# -- database, worker ---------------------------------------------------------------------------
def run_worker_once(db):
    doc_id = claim_next(db, "test-worker")
    assert doc_id is not None
    process(db, doc_id, "test-worker")  # the real engine
    return doc_id


def parse_and_extract(service, db, token, pdf) -> tuple[str, dict]:
    parsed = parse(service, token, pdf)
    assert parsed.status == "success"
    run_worker_once(db)
    outcome = service.get_result(DocumentRef(uuid=parsed.document_uuid))
    assert outcome.status == "success"
    return parsed.document_uuid, outcome.results


def test_worker_learns_per_account_and_survives_a_restart(tmp_path):
    db = new_database(tmp_path)
    service = DocumentService(db)
    a, b = new_account(db, 10, "a"), new_account(db, 10, "b")
    pdf0, values0 = bill(0)
    uuid0, _ = parse_and_extract(service, db, a, pdf0)
    assert service.validate(DocumentRef(uuid=uuid0), values0).status == "success"
    # the validation is recorded; the worker learns it before extracting the next document
    pdf1, values1 = bill(1)
    _, result_a = parse_and_extract(service, db, a, pdf1)
    assert correct(result_a, values1) == set(FIELDS)
    assert "invoice_id" in learned_features(result_a)
    # account b sends the same supplier's bill: it learned nothing from a's validation
    _, result_b = parse_and_extract(service, db, b, pdf1)
    assert not learned_features(result_b) and correct(result_b, values1) != set(FIELDS)
    with db.session() as session:
        assert session.query(SupplierProfile).count() == 1
        assert session.query(ValidationLearning).one().state == "learned"
    db.dispose()

    # restart: a new Database object on the same file
    from invoice_extract.models.db import Database

    db2 = Database(db.url)
    db2.migrate()
    service2 = DocumentService(db2)
    pdf2, values2 = bill(2)
    _, result = parse_and_extract(service2, db2, a, pdf2)
    assert correct(result, values2) == set(FIELDS) and learned_features(result)
    db2.dispose()


def test_several_validations_vote_and_a_bad_one_does_not_flip(tmp_path):
    db = new_database(tmp_path)
    service = DocumentService(db)
    token = new_account(db, 20)
    for i in range(3):
        pdf, values = bill(i)
        uuid, _ = parse_and_extract(service, db, token, pdf)
        service.validate(DocumentRef(uuid=uuid), values)
    pdf, values = bill(3)
    uuid, _ = parse_and_extract(service, db, token, pdf)
    bad = dict(values, invoice_id={"content": "04.02.2024"}, currency={"content": "USD"})
    service.validate(DocumentRef(uuid=uuid), bad)
    learn_pending(db)  # an idle worker's job
    [profile] = account_profiles(db, 1)
    assert profile["documents"] == 4
    assert learning.winner(profile["fields"]["invoice_id"]["left"])[:2] == ("doc", 3)
    pdf, values = bill(4)
    _, result = parse_and_extract(service, db, token, pdf)
    assert correct(result, values) == set(FIELDS)


def test_reset_forgets_one_account_only(tmp_path):
    db = new_database(tmp_path)
    service = DocumentService(db)
    a, b = new_account(db, 10, "a"), new_account(db, 10, "b")
    for token in (a, b):
        pdf, values = bill(0)
        uuid, _ = parse_and_extract(service, db, token, pdf)
        service.validate(DocumentRef(uuid=uuid), values)
    learn_pending(db)
    learn_pending(db)
    assert len(account_profiles(db, 1)) == 1 and len(account_profiles(db, 2)) == 1
    out = subprocess.run(CLI + ["learning", "show", "--account-token", a, "--database-url", db.url],
                         capture_output=True, text=True, check=True).stdout
    assert "Zyx Trading" in out and "invoice_id: label_left doc (1/1)" in out
    out = subprocess.run(CLI + ["learning", "reset", "--account-token", a, "--database-url", db.url],
                         capture_output=True, text=True, check=True).stdout
    assert "1 supplier profile(s) forgotten" in out
    assert account_profiles(db, 1) == [] and len(account_profiles(db, 2)) == 1
    # a's next bill is read by the plain engine again (the reset validation is not relearned)
    pdf, values = bill(1)
    _, result = parse_and_extract(service, db, a, pdf)
    assert not learned_features(result)
    _, result = parse_and_extract(service, db, b, pdf)
    assert correct(result, values) == set(FIELDS)
    with db.session() as session:
        assert session.query(SupplierObservation).filter_by(account_id=1).count() == 0
    bad = subprocess.run(CLI + ["learning", "show", "--account-token", "nope", "--database-url", db.url],
                         capture_output=True, text=True)
    assert bad.returncode != 0 and "no account" in bad.stderr


def test_unlearnable_validations_are_skipped(tmp_path):
    db = new_database(tmp_path)
    service = DocumentService(db)
    token = new_account(db, 5)
    pdf, _ = bill(0)
    uuid, _ = parse_and_extract(service, db, token, pdf)
    service.validate(DocumentRef(uuid=uuid), {"total": {"content": 45.38}})  # no supplier identity
    assert learn_pending(db) == 0
    with db.session() as session:
        row = session.query(ValidationLearning).one()
        assert row.state == "skipped" and "identity" in row.message
    assert account_profiles(db, 1) == []


def test_migration_0003_downgrades_and_upgrades(tmp_path):
    assert_migration_round_trip(tmp_path, "0002", {"supplier_profiles", "supplier_observations", "validation_learning"})


def test_learning_from_a_scan_applies_to_the_next_scan():
    """OCR words: labels and positions learned from one scanned bill serve the next one."""
    from fixtures import make_invoice_image
    from learning_helpers import bill_spec

    image0, values0 = make_invoice_image(**bill_spec(0)), bill(0)[1]
    observation = learning.observe(read_document(image0, "b.png"), extract(image0, "b.png"), values0)
    assert observation["fields"]["invoice_id"]["left"] == "doc"
    image1, values1 = make_invoice_image(**bill_spec(1)), bill(1)[1]
    result = extract(image1, "b.png", ExtractOptions(supplier_profiles=[learning.aggregate([observation], 1)]))
    assert {"invoice_id", "subtotal", "total", "date", "iban"} <= correct(result, values1)
    assert result["invoice_id"]["selected_value"]["origin"] == "ocr"


def test_a_malformed_profile_never_costs_the_extraction():
    pdf, _ = bill(1)
    broken = {"id": 1, "identity": {"VAT_Number": [["DE123456789", 1]]}, "fields": {"total": {"left": 5}}}
    result = extract(pdf, "bill.pdf", ExtractOptions(supplier_profiles=[broken]))
    assert result["total"]["selected_value"]["content"] == bill(1)[1]["total"]["content"]


# -- recognising a supplier as an accountant would ---------------------------------------------

def page_of(lines: list[str], conf: float = 0.8):
    """A one-page scan-like document: each string a line of words, top to bottom."""
    from invoice_extract.extraction.document import Document, Page, Word, assign_lines

    words = []
    for li, line in enumerate(lines):
        x = 0.1
        for text in line.split():
            w = 0.012 * len(text)
            words.append(Word(text, x, 0.03 + li * 0.03, x + w, 0.05 + li * 0.03, 0, conf=conf))
            x += w + 0.02
    return Document(pages=[Page(0, 600, 1600, assign_lines(words), source="ocr")])


RECEIPT = ["KEDAI ALAT TULIS MAJU", "NO. 12, JALAN BUNGA RAYA", "(123456-X)", "TEL: 07-1234 5678",
           "CASH SALE", "TOTAL RM 12.50"]


def receipt_profile() -> dict:
    doc = page_of(RECEIPT)
    return learning.aggregate([learning.observe(doc, {}, {"supplier": {"content": "KEDAI ALAT TULIS MAJU"}})],
                              profile_id=1)


def test_header_identifiers_are_the_suppliers_registration_and_phone_numbers():
    ids = learning.printed_ids(page_of(RECEIPT))
    assert "123456X" in ids and "0712345678" in ids
    assert not any("JALAN" in i for i in ids)  # words without digits are no identifier


def test_a_noisy_name_with_the_same_phone_number_is_the_same_store():
    profile = receipt_profile()
    noisy = page_of(["KEDAI ALAT TUL1S MAJU", "N0. 12, JALAN BUNGA RAYA", "TEL: 07-1234 5678",
                     "TOTAL RM 7.00"])
    assert learning.match_profile(noisy, [profile]) is profile
    other = page_of(["KEDAI BUKU MAJU JAYA", "TEL: 03-5555 0101", "TOTAL RM 7.00"])
    assert learning.match_profile(other, [profile]) is None


def test_an_identifier_several_suppliers_print_tells_none_apart():
    one = receipt_profile()
    two = learning.aggregate([learning.observe(page_of(["OTHER TRADING CO", "TEL: 07-1234 5678"]), {},
                                               {"supplier": {"content": "OTHER TRADING CO"}})], profile_id=2)
    # the shared phone number counts for neither; an unreadable name leaves no match
    garbled = page_of(["#%@ ~~ ###", "TEL: 07-1234 5678", "TOTAL 7.00"])
    assert learning.match_profile(garbled, [one, two]) is None


def test_a_label_printed_before_many_values_is_no_evidence():
    lines = ["ACME SUPPLIES", "Pens 1 RM 2.83", "Paper 2 RM 33.02", "Ink 1 RM 4.13", "Grand Total RM 73.00"]
    doc = page_of(lines)
    spec = {"count": 1, "left": [["rm", 1]], "above": [], "row": [], "positions": [], "nwords": 1}
    hits = learning._label_hits(doc, "total", spec)
    # (after "Grand Total", "RM" is part of another label)
    assert len({v for v, _w, _s in hits}) == 3 and all(s <= 0.34 for _v, _w, s in hits)
    spec["left"] = [["grand total rm", 1]]
    (value, _words, support), = learning._label_hits(doc, "total", spec)
    assert value == 73.0 and support > 0.9


# -- learning never takes a field away from the plain engine on weak evidence -----------------

def _extract(doc, profiles=()):
    from invoice_extract.extraction.pipeline import extract_document

    return extract_document(doc, ExtractOptions(supplier_profiles=list(profiles)))


def test_a_place_without_its_label_does_not_overrule_the_plain_total():
    """Receipts grow with their items: where the total sat on the validated one, the next one
    prints an item price, and its own total under a label the validated one did not have."""
    first = page_of(["KEDAI ALAT TULIS MAJU", "TEL: 07-1234 5678", "Item A 5.00", "Item B 7.50",
                     "TOTAL RM 12.50", "CASH RM 20.00", "CHANGE RM 7.50"])
    observation = learning.observe(first, {}, {"supplier": {"content": "KEDAI ALAT TULIS MAJU"},
                                               "total": {"content": 12.5}})
    assert observation["fields"]["total"]["left"] == "total"  # the currency mark is no part of it
    profile = learning.aggregate([observation], profile_id=1)
    later = ["KEDAI ALAT TULIS MAJU", "TEL: 07-1234 5678", "Item A 2.00", "Item C 3.00", "Item D 4.50",
             "AMOUNT DUE RM 9.50", "CASH RM 20.00", "CHANGE RM 10.50"]
    assert selected(_extract(page_of(later)), "total") == 9.5
    result = _extract(page_of(later), [profile])
    assert selected(result, "total") == 9.5
    # a value only the learned place proposed is not made a candidate
    assert 4.5 not in [c["content"] for c in result["total"]["candidates"]]


def test_a_currency_mark_between_label_and_amount_is_not_the_label():
    """A code the currency finder does not read ("XOF") stands before every amount; learning
    "xof" as the total's label would make the tax the next bill's total."""
    first = page_of(["ZYX TRADING", "TEL: 07-1234 5678", "Item A XOF 5.00", "Net total XOF 10.00",
                     "VAT XOF 2.00", "Grand total XOF 12.00"])
    observation = learning.observe(first, {}, {"supplier": {"content": "ZYX TRADING"}, "total": {"content": 12.0}})
    assert observation["fields"]["total"]["left"] == "grand total"
    profile = learning.aggregate([observation], profile_id=1)
    # another layout of the same supplier: only the tax has the mark alone before it
    later = page_of(["ZYX TRADING", "TEL: 07-1234 5678", "Net total 20.00", "XOF 4.00", "Grand total XOF 24.00"])
    (value, _words, support), = learning._label_hits(later, "total", profile["fields"]["total"])
    assert value == 24.0 and support > 0.9
    assert selected(_extract(later, [profile]), "total") == 24.0


def test_the_learned_label_at_its_place_still_wins():
    first = page_of(["ZYX TRADING", "TEL: 07-1234 5678", "Item A 5.00", "Remit 12.50"])
    profile = learning.aggregate([learning.observe(first, {}, {"supplier": {"content": "ZYX TRADING"},
                                                               "total": {"content": 12.5}})], profile_id=1)
    later = page_of(["ZYX TRADING", "TEL: 07-1234 5678", "Item A 9.00", "Remit 19.00"])
    result = _extract(later, [profile])
    assert selected(result, "total") == 19.0 and result["total"]["selected_value"]["learned"]


def test_a_bill_in_a_foreign_currency_keeps_its_own():
    lines = ["ACME SUPPLIES", "Currency: GBP", "Total 100.00", "Charges of our bank in EUR are ours"]
    assert selected(_extract(page_of(lines)), "currency") == "GBP"
    profile = {"id": 1, "documents": 1, "identity": {"supplier": [["ACME SUPPLIES", 1]]},
               "fields": {"currency": {"count": 1, "values": [["EUR", 1]], "left": [], "above": [], "row": [],
                                       "positions": [], "nwords": 1}}}
    assert selected(_extract(page_of(lines), [profile]), "currency") == "GBP"
    # a bill that does not say which: the supplier's usual currency settles it
    vague = ["ACME SUPPLIES", "Total 100.00", "Charges in GBP or EUR accepted"]
    assert selected(_extract(page_of(vague), [profile]), "currency") == "EUR"


def test_weak_evidence_keeps_the_plain_choice_first():
    from invoice_extract.extraction.candidate import Candidate

    chosen, runner = Candidate(9.5, (), 0.3), Candidate(4.5, (), 0.4)  # totals chosen together
    cands = [chosen, runner]
    assert not learning._boost(cands, runner, 0.5)
    assert learning._order(cands, set())[0] is chosen
    assert learning._boost(cands, runner, 1.2)
    assert learning._order(cands, {id(runner)})[0] is runner


# -- the supplier's line table --------------------------------------------------------------

OWN_HEADERS = dict(__import__("learning_helpers").UNUSUAL_LABELS, desc="Particulars", qty="Nos", price="Each",
                   amount="Line")


def own_table_bill(i: int, lines) -> bytes:
    from learning_helpers import bill_spec

    spec = bill_spec(i)
    spec.update(labels=OWN_HEADERS, lines=lines)
    return make_invoice_pdf(**spec)


def line_values(result: dict) -> list[tuple]:
    return [tuple(line[k]["selected_value"]["content"] if k in line else None
                  for k in ("description", "quantity", "unit_price", "subtotal"))
            for line in result.get("invoice_lines") or []]


def test_the_suppliers_own_column_headers_read_its_next_table():
    first = own_table_bill(0, (("Widget", 3, 12.5), ("Gadget", 2, 4.0)))
    plain = extract(first, "bill.pdf")
    assert not plain.get("invoice_lines")  # no header the vocabulary knows
    values = {"supplier": {"content": "Zyx Trading"}, "VAT_Number": {"content": "DE123456789"},
              "subtotal": {"content": 45.5}, "total": {"content": 55.06},
              "invoice_lines": {"lines": [{"description": "Widget", "quantity": 3, "unit_price": 12.5,
                                           "subtotal": 37.5}]}}
    observation = learning.observe(read_document(first, "bill.pdf"), plain, values)
    assert observation["columns"] == {"description": "particulars", "quantity": "nos", "unit_price": "each",
                                      "subtotal": "line"}
    profile = learning.aggregate([observation], profile_id=1)
    assert learning.summary(profile)["line_columns"]["quantity"] == "nos (1/1)"
    later = own_table_bill(1, (("Bolt", 10, 0.25), ("Nut", 20, 0.1), ("Washer", 5, 0.5)))
    result = extract(later, "bill.pdf", ExtractOptions(supplier_profiles=[profile]))
    # the table ends at the supplier's own subtotal label ("Goods"), as learned
    assert line_values(result) == [("Bolt", 10.0, 0.25, 2.5), ("Nut", 20.0, 0.1, 2.0), ("Washer", 5.0, 0.5, 2.5)]
    # a table the vocabulary reads already is left as the plain engine read it
    usual = bill(2)[0]
    assert line_values(extract(usual, "bill.pdf", ExtractOptions(supplier_profiles=[profile]))) == \
        line_values(extract(usual, "bill.pdf"))


def test_a_learned_name_printed_over_two_header_lines_is_found():
    lines = ["MOKA", "GARDEN", "12 HARBOUR LANE", "TEL: 4410 2299", "TL 29.70"]
    profile = {"id": 1, "documents": 1, "identity": {"supplier": [["MOKA GARDEN", 1]]},
               "fields": {"supplier": {"count": 1, "values": [["MOKA GARDEN", 1]], "left": [], "above": [],
                                       "row": [], "positions": [], "nwords": 2}}}
    def photo():  # a photo of a receipt, not a till-roll-shaped page: no two-line name candidates
        doc = page_of(lines)
        doc.pages[0].height = 800
        return doc

    assert "MOKA GARDEN" not in [c["content"] for c in _extract(photo())["supplier"]["candidates"]]
    result = _extract(photo(), [profile])
    assert selected(result, "supplier") == "MOKA GARDEN"
    assert len(result["supplier"]["selected_value"]["coords"]) == 5


def test_a_learned_label_is_not_part_of_a_longer_label():
    """The label learned is every close word left of the value, so "Discount Total" and
    "Total Tax" are other labels than "Total"; a currency code after it still belongs."""
    first = page_of(["HILLTOP MARKET", "NOTEBOOK 4.20", "PENCILS 15.80", "TOTAL 20.00", "CASH 50.00", "CHANGE 30.00"])
    observation = learning.observe(first, {}, {"total": {"content": 20.0}})
    assert observation["fields"]["total"]["left"] == "total"
    spec = learning.aggregate([observation], profile_id=1)["fields"]["total"]
    later = page_of(["HILLTOP MARKET", "DISCOUNT TOTAL 1.50", "TOTAL DISCOUNT 1.50", "STAPLER 8.40", "TOTAL TAX 0.67",
                     "TOTAL USD 31.17"])
    assert [v for v, _w, _s in learning._label_hits(later, "total", spec)] == [31.17]


def test_what_was_paid_on_one_line_confirms_the_total_over_the_tax():
    """A till printing "CASH TENDERED CHANGE 40.00 8.83" on one line: which label owns which
    amount is lost, but their difference is what was paid, and that is the total."""
    lines = ["HILLTOP MARKET", "14/06/21", "DISCOUNT TOTAL 1.50", "NOTEBOOK 4.20", "PENCILS 5.80",
             "STAPLER 8.40", "FOLDERS 11.10", "TOTAL STATE 2.5% TAX 0.77", "TOTAL TAX 0.77",
             "TOTAL 31.17", "PAID CASH TENDERED CHANGE 40.00 8.83"]
    assert selected(_extract(page_of(lines)), "total") == 31.17


def test_a_tax_number_of_any_country_is_learned_where_the_page_prints_it():
    """A tax number without an EU VAT shape, under a label no vocabulary has: once validated,
    the bills printing it get it."""
    lines = ["NORTHERN PIXEL STUDIO", "TEL: 604-555-0147", "Firm ID 123456789RT0001", "Fee 100.00", "Total 105.00"]
    first = page_of(lines)
    observation = learning.observe(first, {}, {"supplier": {"content": "NORTHERN PIXEL STUDIO"},
                                               "VAT_Number": {"content": "123456789RT0001"}})
    profile = learning.aggregate([observation], profile_id=1)
    later = page_of(lines[:3] + ["Fee 200.00", "Total 210.00"])
    assert selected(_extract(later), "VAT_Number") != "123456789RT0001"  # the plain engine does not read it
    assert selected(_extract(later, [profile]), "VAT_Number") == "123456789RT0001"
    # a bill that does not print it is not given it
    unprinted = page_of(lines[:2] + ["Fee 200.00", "Total 210.00"])
    assert selected(_extract(unprinted, [profile]), "VAT_Number") is None
