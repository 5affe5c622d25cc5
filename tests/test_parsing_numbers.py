"""Amounts as invoices and receipts print them (see also test_parsing.py)."""
import pytest

from invoice_extract.extraction.parsing.numbers import decimal_places, find_amounts, parse_amount, parse_number, parse_percent


@pytest.mark.parametrize("text,value", [
    ("1.234.567,89", 1234567.89), ("1,234,567.89", 1234567.89), ("1 234 567,89", 1234567.89),
    ("1'234'567.89", 1234567.89), ("0,125", 0.125), ("(12.00)", -12.0), ("12.00-", -12.0),
    ("1\u00a0234,56", 1234.56), ("abc", None), ("", None),
])
def test_parse_number_formats(text, value):
    assert parse_number(text) == (pytest.approx(value) if value is not None else None)


@pytest.mark.parametrize("text,value", [
    ("€ 1.234,56", 1234.56), ("1.234,56 €", 1234.56), ("$1,234.56", 1234.56), ("CHF 1'234.50", 1234.5),
    ("RM60.30", 60.3), ("EUR -12,00", -12.0), ("12,00- EUR", -12.0), ("£ 9.99", 9.99),
])
def test_currency_marks_next_to_amounts(text, value):
    assert parse_amount(text) == pytest.approx(value)


def test_several_amounts_and_their_decimals():
    found = list(find_amounts("2 x 4.50 = 9.00 (qty 2)"))
    assert [v for _m, v, _d in found] == pytest.approx([2.0, 4.5, 9.0, 2.0])
    assert [d for _m, _v, d in found] == [False, True, True, False]


def test_percentages_and_phone_numbers_are_not_amounts():
    assert [v for _m, v, _d in find_amounts("MwSt 19 % Tel. 089/123456 Fax +49-89-1234")] == []


def test_ocr_split_decimals_only_on_ocr_text():
    assert [v for _m, v, _d in find_amounts("TOTAL RM 73. 00", ocr=True)] == pytest.approx([73.0])
    assert [v for _m, v, _d in find_amounts("TOTAL RM 33, 92", ocr=True)] == pytest.approx([33.92])
    # in a text layer "items 1, 22" are two numbers
    assert [v for _m, v, _d in find_amounts("items 1, 22")] == pytest.approx([1.0, 22.0])


@pytest.mark.parametrize("text,value", [("19%", 19.0), ("7,7 %", 7.7), ("19 percent", None)])
def test_parse_percent(text, value):
    assert parse_percent(text) == value


def test_cents_printed_without_their_leading_zero():
    assert [v for _m, v, _d in find_amounts("TAX .50 TOTAL 3.00")] == pytest.approx([0.5, 3.0])
    assert parse_amount(".75") == pytest.approx(0.75)
    # a point inside a word or a longer number is no such amount
    assert [v for _m, v, _d in find_amounts("No.50 v.12")] == []


def test_ocr_marks_before_amounts_and_a_space_for_the_decimal_point():
    # a "$" read as a point before an amount that has its own decimals
    assert [v for _m, v, _d in find_amounts("TTL .148.50", ocr=True)] == pytest.approx([148.5])
    # … on a text layer the same characters are no amount
    assert [v for _m, v, _d in find_amounts("TTL .148.50")] == []
    # the decimal point read as a space, after a currency sign
    assert [v for _m, v, _d in find_amounts("Total $27 50", ocr=True)] == pytest.approx([27.5])
    # without the sign, a count and a price stay two numbers
    assert [v for _m, v, _d in find_amounts("Qty 12 00", ocr=True)] == pytest.approx([12.0, 0.0])
    # the repairs keep the text's length: the matches point at the printed words
    m, _v, _d = next(find_amounts("CASH .148.50", ocr=True))
    assert "CASH .148.50"[m.start("num"):m.end("num")] == "148.50"


def test_three_decimal_currencies_read_their_third_decimal():
    # by default one separator before three digits groups thousands …
    assert parse_amount("12.500") == pytest.approx(12500.0)
    with decimal_places(3):
        # … in a document in OMR, KWD or BHD it is the decimal mark
        assert parse_amount("12.500") == pytest.approx(12.5)
        assert parse_amount("OMR 1,312.500") == pytest.approx(1312.5)
        assert parse_amount("1234,750") == pytest.approx(1234.75)
        assert [d for _m, _v, d in find_amounts("Total 12.500")] == [True]
        # a separator printed twice still groups thousands
        assert parse_amount("1.234.500") == pytest.approx(1234500.0)
        assert parse_amount("12.50") == pytest.approx(12.5)
    assert parse_amount("12.500") == pytest.approx(12500.0)  # the block ends with the document
