"""Payment codes: Swiss QR-bill, EPC (GiroCode) and ZATCA QR codes generated with `qrcode`,
placed in PDFs (as an image and drawn as vector squares) and in a photo-like scan, read by
the engine; the payload parsers on their own; and the codes that must not break anything
(garbage, a bad IBAN checksum, a truncated TLV)."""
from __future__ import annotations

import base64
import io
import json
import random

import pytest
import qrcode
from PIL import Image

from invoice_extract.extraction import barcodes
from invoice_extract.extraction.barcodes import Barcode, code_regions, decode_image
from invoice_extract.extraction.options import ExtractOptions
from invoice_extract.extraction.pipeline import extract_document, run
from invoice_extract.extraction.reader import read_document
from invoice_extract.extraction.structured import STRUCTURED_SCORE
from invoice_extract.extraction.structured.payment_codes import (parse_epc, parse_payload, parse_swiss_qr,
                                                                 parse_zatca, structured_candidates)

from engine_helpers import context, doc_of
from fixtures import make_invoice_pdf

QR_IBAN = "CH4431999123000889012"
QRR = "210000000003139471430009017"


def swiss_payload(iban=QR_IBAN, name="Robert Schneider AG", amount="1949.75", currency="CHF",
                  ref_type="QRR", ref=QRR, message="Auftrag vom 15.06.2020 Zürich", billing="") -> str:
    lines = ["SPC", "0200", "1", iban,
             "S", name, "Rue du Lac", "1268", "2501", "Biel", "CH",
             "", "", "", "", "", "", "",
             amount, currency,
             "S", "Pia-Maria Rutschmann-Schnyder", "Grosse Marktgasse", "28", "9400", "Rorschach", "CH",
             ref_type, ref, message, "EPD"]
    if billing:
        lines.append(billing)
    return "\r\n".join(lines)


def epc_payload(bic="COBADEFFXXX", name="Acme Office Supplies GmbH", iban="DE25200800000481516234",
                amount="EUR847.00", ref="", text="Invoice INV-2024-0042", version="002") -> str:
    return "\n".join(["BCD", version, "1", "SCT", bic, name, iban, amount, "", ref, text])


def tlv(tag: int, value) -> bytes:
    raw = value.encode("utf-8") if isinstance(value, str) else value
    return bytes([tag, len(raw)]) + raw


def zatca_payload(seller="Al Salam Supplies Co. شركة السلام", vat="310122393500003",
                  timestamp="2024-03-15T14:25:03Z", total="1150.00", vat_total="150.00", extra=b"") -> str:
    raw = tlv(1, seller) + tlv(2, vat) + tlv(3, timestamp) + tlv(4, total) + tlv(5, vat_total) + extra
    return base64.b64encode(raw).decode("ascii")


def qr_image(payload, box_size: int = 6, border: int = 4) -> Image.Image:
    q = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=border)
    q.add_data(payload)
    q.make(fit=True)
    return q.make_image(fill_color="black", back_color="white").get_image().convert("RGB")


def qr_matrix(payload) -> list[list[bool]]:
    q = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    q.add_data(payload)
    q.make(fit=True)
    return q.get_matrix()


def invoice_with_code(payload, printed: list[str], vector: bool = False, at=(380, 60), size=130.0) -> bytes:
    """A digital one-page invoice printing ``printed`` lines, the code in its lower right
    corner: an embedded PNG, or (``vector``) one filled square per dark module."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    w, h = A4
    c.setFont("Helvetica", 11)
    for i, line in enumerate(printed):
        c.drawString(50, h - 60 - 16 * i, line)
    x, y = at
    if vector:
        matrix = qr_matrix(payload)
        module = size / len(matrix)
        for r, row in enumerate(matrix):
            for col, dark in enumerate(row):
                if dark:
                    c.rect(x + col * module, y + size - (r + 1) * module, module, module, stroke=0, fill=1)
    else:
        c.drawImage(ImageReader(qr_image(payload)), x, y, size, size)
    c.showPage()
    c.save()
    return buf.getvalue()


def selected(result: dict, feature: str):
    return result[feature]["selected_value"]


def expected_box(at=(380, 60), size=130.0):
    """The code's box relative to an A4 page (top-left origin)."""
    from reportlab.lib.pagesizes import A4

    w, h = A4
    return (at[0] / w, (h - at[1] - size) / h, (at[0] + size) / w, (h - at[1]) / h)


def assert_box_near(box, expected, tol=0.02):
    assert all(abs(a - b) < tol for a, b in zip(box, expected)), (box, expected)


# ---------------------------------------------------------------- payload parsers

def test_swiss_qr_bill_payload():
    payload = swiss_payload(billing="//S1/10/10201409/11/200701/20/140.000-53/30/106017086")
    values = parse_swiss_qr(payload)
    assert values["qr-bill"] == payload
    assert values["iban"] == QR_IBAN
    assert values["supplier"] == "Robert Schneider AG"
    assert values["total"] == 1949.75
    assert values["currency"] == "CHF"
    assert values["payment_ref"] == QRR
    assert values["invoice_id"] == "10201409"
    assert values["date"].isoformat() == "2020-07-01"


def test_swiss_qr_bill_scor_non_and_open_amount():
    values = parse_swiss_qr(swiss_payload(ref_type="SCOR", ref="RF18 5390 0754 7034", amount="", currency="EUR",
                                          iban="CH5800791123000889012"))
    assert values["payment_ref"] == "RF18539007547034"
    assert values["currency"] == "EUR" and "total" not in values  # an open amount is no total
    values = parse_swiss_qr(swiss_payload(ref_type="NON", ref=""))
    assert "payment_ref" not in values
    # a QRR reference with a wrong check digit is no reference
    assert "payment_ref" not in parse_swiss_qr(swiss_payload(ref=QRR[:-1] + "8"))
    # LF-only line ends (some generators) read the same
    assert parse_swiss_qr(swiss_payload().replace("\r\n", "\n"))["iban"] == QR_IBAN


def test_swiss_qr_bill_bad_iban_keeps_the_other_values():
    values = parse_swiss_qr(swiss_payload(iban="CH4431999123000889013"))
    assert "iban" not in values
    assert values["total"] == 1949.75 and values["qr-bill"].startswith("SPC")


def test_epc_payload():
    values = parse_epc(epc_payload())
    assert values == {"SWIFT_code": "COBADEFFXXX", "supplier": "Acme Office Supplies GmbH",
                      "iban": "DE25200800000481516234", "currency": "EUR", "total": 847.0,
                      "payment_ref": "Invoice INV-2024-0042"}
    # version 001, a structured (RF) reference wins over the text; version 002 may omit the BIC
    values = parse_epc(epc_payload(version="001", ref="RF18 5390 0754 7034", amount="EUR12.3"))
    assert values["payment_ref"] == "RF18539007547034" and values["total"] == 12.3
    values = parse_epc(epc_payload(bic="", amount=""))
    assert "SWIFT_code" not in values and "total" not in values and values["iban"] == "DE25200800000481516234"
    assert "SWIFT_code" not in parse_epc(epc_payload(bic="COBA-DE"))  # not the shape of a BIC
    assert "iban" not in parse_epc(epc_payload(iban="DE25200800000481516235"))
    assert parse_epc(epc_payload(version="003")) is None


def test_zatca_payload():
    values = parse_zatca(zatca_payload())
    assert values["supplier"] == "Al Salam Supplies Co. شركة السلام"
    assert values["VAT_Number"] == "310122393500003"
    assert values["date"].isoformat() == "2024-03-15"
    assert values["total"] == 1150.0 and values["total_tax_amount"] == 150.0
    # phase 2 adds binary tags (hash, signature, key): skipped
    extra = tlv(6, "n2H7d+Jp0a0yCqgZ1oWdVG8fYE0=") + tlv(7, bytes(range(200, 250))) + tlv(8, b"\x30\x56" + bytes(60))
    assert parse_zatca(zatca_payload(extra=extra))["total"] == 1150.0


def test_zatca_truncated_and_garbage():
    raw = base64.b64decode(zatca_payload())
    cut = base64.b64encode(raw[:-5]).decode()  # the VAT total's value is cut short
    values = parse_zatca(cut)
    assert values["total"] == 1150.0 and "total_tax_amount" not in values
    assert parse_zatca(base64.b64encode(raw[:3]).decode()) is None  # not even the seller's name
    assert parse_zatca("not base64 at all!") is None
    assert parse_zatca(base64.b64encode(b"\x02\x03abc").decode()) is None  # does not start with tag 1
    assert parse_zatca(base64.b64encode(tlv(1, b"\xff\xfe\xfd")).decode()) is None  # name is not text
    assert parse_zatca("aGVsbG8gd29ybGQ=") is None  # base64 of "hello world"


@pytest.mark.parametrize("payload", [
    "", "   ", "SPC", "SPC\n0200\n1", "BCD", "BCD\n002\n1\nSCT", "https://example.com/pay?x=1", "4006381333931",
    "SPC\n" + "\n" * 40, "BCD\n001\n" + "x\n" * 30, "AQ==", "AQVIZWxsbw", "\x00\x01\x02", "SPC\r\n0200\r\n" + "é" * 500,
])
def test_garbage_payloads_give_nothing(payload):
    assert parse_payload(payload) is None


def test_garbage_payloads_never_raise():
    rnd = random.Random(7)
    alphabet = "SPCBD0123456789\n\r+/=AZaz é"
    for _ in range(300):
        payload = rnd.choice(["SPC\n0200\n", "BCD\n002\n", "AQ", ""]) + "".join(
            rnd.choice(alphabet) for _ in range(rnd.randrange(0, 120)))
        parse_payload(payload)
    doc = doc_of([(0.1, "Some text")])
    doc.attachments["barcodes"] = [Barcode("SPC\n0200\n1\nCH00\n" * 3, "QRCODE", 0, (0, 0, 1, 1)),
                                   Barcode(None, "QRCODE", 0, (0, 0, 1, 1)), "not a barcode"]
    assert structured_candidates(context(doc)) == {}


# ---------------------------------------------------------------- decoding

def test_decode_image_utf8_latin1_and_box():
    page = Image.new("RGB", (1000, 1400), "white")
    page.paste(qr_image(swiss_payload(), box_size=4), (600, 900))
    found = decode_image(page, 3)
    assert len(found) == 1
    code = found[0]
    assert code.payload == swiss_payload() and code.symbology == "QRCODE" and code.page == 3
    assert "Zürich" in code.payload  # zbar's encoding guess (Big5 …) is not applied
    size = qr_image(swiss_payload(), box_size=4).size[0] - 2 * 4 * 4
    assert_box_near(code.box, (616 / 1000, 916 / 1400, (616 + size) / 1000, (916 + size) / 1400), tol=0.01)
    # an EPC code in ISO 8859-1 (character set 2) reads back as Latin-1
    latin = epc_payload(name="Müller Bürobedarf").replace("\n1\n", "\n2\n", 1)
    assert decode_image(qr_image(latin.encode("latin-1")), 0)[0].payload == latin


def test_decode_image_nothing_and_region():
    assert decode_image(Image.new("L", (300, 300), 255), 0) == []
    code = decode_image(qr_image("BCD"), 1, region=(0.5, 0.5, 1.0, 1.0))[0]
    assert all(0.5 <= v <= 1.0 for v in code.box)


def test_plain_digital_invoice_renders_nothing(monkeypatch):
    """No embedded image, no cluster of small shapes: the page is not rendered at all."""
    import pdfplumber

    with pdfplumber.open(io.BytesIO(make_invoice_pdf())) as pdf:
        assert code_regions(pdf.pages[0]) == []
    monkeypatch.setattr(barcodes, "decode_image", lambda *a, **k: pytest.fail("rendered a plain page"))
    doc = read_document(make_invoice_pdf())
    assert doc.attachments["barcodes"] == []


def test_a_failing_decoder_never_costs_the_text(monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("zbar exploded")

    monkeypatch.setattr(barcodes, "scan_pdf_page", boom)
    doc = read_document(invoice_with_code(epc_payload(), ["Acme Office Supplies GmbH", "Invoice"]))
    assert doc.attachments["barcodes"] == [] and "Acme" in doc.text


# ---------------------------------------------------------------- the engine

def test_qr_bill_image_in_a_digital_pdf():
    printed = ["Robert Schneider AG", "Rue du Lac 1268, 2501 Biel", "Invoice 10201409",
               f"IBAN CH44 3199 9123 0008 8901 2", "Reference 21 00000 00003 13947 14300 09017",
               "Total: CHF 1,949.75"]
    data = invoice_with_code(swiss_payload(), printed)
    doc = read_document(data)
    [code] = doc.attachments["barcodes"]
    assert_box_near(code.box, expected_box())
    result = extract_document(doc, ExtractOptions())
    qr_bill = selected(result, "qr-bill")
    assert qr_bill["content"] == swiss_payload() and qr_bill["origin"] == "qr"
    assert qr_bill["coords"] == [0.0, 0.0, 0.0, 0.0, 0.0] and qr_bill["page"] == 0
    for feature, value in (("iban", QR_IBAN), ("total", 1949.75), ("currency", "CHF"),
                           ("supplier", "Robert Schneider AG"), ("payment_ref", QRR)):
        sel = selected(result, feature)
        assert sel["content"] == value, feature
        assert sel["origin"] == "qr" and sel["score"] == STRUCTURED_SCORE
        assert sel["coords"][2] > 0, f"{feature} should point at its printed words"
    # the total's box is on the "Total" line (the 6th printed line), not on the code
    assert abs(selected(result, "total")["coords"][1] - (60 + 16 * 5) / 842) < 0.02


def test_qr_value_outranks_a_conflicting_printed_value():
    printed = ["Robert Schneider AG", "Invoice 10201409", "Subtotal: CHF 1,850.00", "Total: CHF 2,000.00"]
    result = run(invoice_with_code(swiss_payload(), printed), "bill.pdf", ExtractOptions())
    total = result["total"]
    assert total["selected_value"]["content"] == 1949.75 and total["selected_value"]["origin"] == "qr"
    assert total["selected_value"]["coords"] == [0.0, 0.0, 0.0, 0.0, 0.0]  # not printed: no box
    assert any(c["content"] == 2000.0 and c["origin"] == "text" for c in total["candidates"][1:])


def test_epc_drawn_as_vectors():
    printed = ["Acme Office Supplies GmbH", "Invoice INV-2024-0042", "Total 847.00 EUR",
               "IBAN DE25 2008 0000 0481 5162 34  BIC COBADEFFXXX"]
    data = invoice_with_code(epc_payload(), printed, vector=True)
    doc = read_document(data)
    [code] = doc.attachments["barcodes"]
    assert code.payload == epc_payload()
    assert_box_near(code.box, expected_box())
    result = extract_document(doc, ExtractOptions())
    swift = selected(result, "SWIFT_code")
    assert swift["origin"] == "qr"
    info = json.loads(swift["content"])
    assert info["bic"] == "COBADEFFXXX" and info["country_code"] == "DE"
    assert set(info) >= {"bic", "country_code", "verified_bic"}
    assert selected(result, "iban")["content"] == "DE25200800000481516234"
    assert selected(result, "total")["content"] == 847.0 and selected(result, "total")["origin"] == "qr"
    assert selected(result, "payment_ref")["content"] == "Invoice INV-2024-0042"
    assert selected(result, "supplier")["content"] == "Acme Office Supplies GmbH"
    assert "qr-bill" not in result


def test_small_vector_code_and_two_codes_on_one_page():
    """A 2 cm ZATCA code drawn as vectors beside an embedded EPC image: both read once."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.drawString(50, 780, "Simplified tax invoice  Al Salam Supplies Co.")
    matrix = qr_matrix(zatca_payload())
    module = 60.0 / len(matrix)
    for r, row in enumerate(matrix):
        for col, dark in enumerate(row):
            if dark:
                c.rect(60 + col * module, 100 + 60 - (r + 1) * module, module, module, stroke=0, fill=1)
    c.drawImage(ImageReader(qr_image(epc_payload())), 380, 60, 130, 130)
    c.showPage()
    c.save()
    doc = read_document(buf.getvalue())
    payloads = sorted(code.payload for code in doc.attachments["barcodes"])
    assert payloads == sorted([zatca_payload(), epc_payload()])


def test_zatca_on_a_photo_like_scan():
    """A receipt photo: the code is read on the image OCR reads, rotated and noisy."""
    from PIL import ImageDraw, ImageFont

    img = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(img)
    try:
        font = ImageFont.truetype("DejaVuSans.ttf", 34)
    except OSError:
        font = ImageFont.load_default()
    for i, line in enumerate(["Al Salam Supplies Co.", "VAT 310122393500003", "Date 2024-03-15",
                              "TOTAL SAR 1,250.00"]):
        draw.text((100, 100 + 60 * i), line, fill="black", font=font)
    img.paste(qr_image(zatca_payload(), box_size=8), (700, 1100))
    img = img.rotate(3, expand=True, fillcolor="white", resample=Image.BICUBIC)
    rnd = random.Random(1)
    px = img.load()
    for _ in range(int(img.size[0] * img.size[1] * 0.002)):
        px[rnd.randrange(img.size[0]), rnd.randrange(img.size[1])] = (0, 0, 0)
    out = io.BytesIO()
    img.convert("L").save(out, "JPEG", quality=80)

    doc = read_document(out.getvalue())
    [code] = doc.attachments["barcodes"]
    assert code.payload == zatca_payload()
    x0, y0, x1, y1 = code.box
    assert 0.5 < x0 < x1 < 0.95 and 0.55 < y0 < y1 < 0.95
    result = extract_document(doc, ExtractOptions())
    assert selected(result, "supplier")["content"] == "Al Salam Supplies Co. شركة السلام"
    assert selected(result, "VAT_Number")["content"] == "310122393500003"
    assert selected(result, "date")["content"] == "2024-03-15"
    total = result["total"]["selected_value"]
    assert total["content"] == 1150.0 and total["origin"] == "qr"  # the printed 1,250.00 loses
    assert selected(result, "total_tax_amount")["content"] == 150.0
    # an expense keeps only the expense features
    expense = extract_document(doc, ExtractOptions(document_type="expense"))
    assert selected(expense, "total")["content"] == 1150.0
    assert "VAT_Number" not in expense and "total_tax_amount" not in expense


def test_qr_bill_on_a_scanned_pdf():
    from fixtures import render_pdf

    printed = ["Robert Schneider AG", "Rue du Lac 1268, 2501 Biel", "Total CHF 1949.75"]
    page = render_pdf(invoice_with_code(swiss_payload(), printed), dpi=150)
    out = io.BytesIO()
    page.save(out, "PDF", resolution=150)
    doc = read_document(out.getvalue())
    assert doc.pages[0].source == "ocr"
    [code] = doc.attachments["barcodes"]
    assert_box_near(code.box, expected_box())
    result = extract_document(doc, ExtractOptions())
    assert selected(result, "iban")["content"] == QR_IBAN
    assert selected(result, "qr-bill")["content"] == swiss_payload()


def test_broken_codes_in_a_pdf_cost_nothing():
    printed = ["Acme Office Supplies GmbH", "Invoice INV-2024-0042", "Total 847.00 EUR",
               "IBAN DE25 2008 0000 0481 5162 34"]
    bad_iban = swiss_payload(iban="CH4431999123000889013", amount="847.00", currency="EUR")
    for payload in ("hello world", bad_iban, "BCD\n002\n1\nSCT\n\n\n\n",
                    base64.b64encode(base64.b64decode(zatca_payload())[:40]).decode()):
        result = run(invoice_with_code(payload, printed), "bill.pdf", ExtractOptions())
        assert selected(result, "total")["content"] == 847.0
        assert selected(result, "iban")["content"] == "DE25200800000481516234"
        assert selected(result, "iban")["origin"] == "text"  # a bad checksum is never proposed
        assert ("qr-bill" in result) == (payload == bad_iban)


def test_structured_candidates_locate_printed_words():
    doc = doc_of([(0.1, "Robert Schneider AG"), (0.5, "Total CHF 1,949.75"),
                  (0.6, "Ref 21 00000 00003 13947 14300 09017")])
    doc.attachments["barcodes"] = [Barcode(swiss_payload(), "QRCODE", 0, (0.6, 0.7, 0.8, 0.9))] * 2
    found = structured_candidates(context(doc))
    assert [c.content for c in found["total"]] == [1949.75]  # the same code twice counts once
    assert found["total"][0].words and found["total"][0].words[0].y0 == 0.5
    assert " ".join(w.text for w in found["payment_ref"][0].words) == "21 00000 00003 13947 14300 09017"
    assert found["iban"][0].words == () and found["iban"][0].page == 0
    assert found["qr-bill"][0].words == ()


def test_undo_zbar_encoding_guess():
    """The fallback for a pyzbar without the raw-bytes hook: zbar's Big5/Shift-JIS/Latin-1
    guesses on UTF-8 bytes are undone."""
    from invoice_extract.extraction.barcodes import _undo_guess

    for guessed, text in (("Z羹rich", "Zürich"), ("Mﾃｼller", "Müller"), ("CafÃ©", "Café"), ("plain", "plain"),
                          ("Łódź", "Łódź")):
        assert _undo_guess(guessed.encode("utf-8")).decode("utf-8") == text
