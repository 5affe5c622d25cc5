"""Amount and date parsing in the formats invoices print."""
from datetime import date

import pytest

from invoice_extract.extraction.parsing.dates import find_dates, parse_date
from invoice_extract.extraction.parsing.numbers import find_amounts, parse_number


@pytest.mark.parametrize("text,value", [
    ("1,234.56", 1234.56), ("1.234,56", 1234.56), ("1 234,56", 1234.56), ("1'234.56", 1234.56),
    ("1234", 1234.0), ("-12,00", -12.0), ("12,00-", -12.0), ("0,79", 0.79), ("10.000,00", 10000.0),
    ("1,234", 1234.0), ("12.5", 12.5),
])
def test_parse_number(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text,values", [
    ("Total 1,210.00 EUR", [1210.0]),
    ("USt. Gesamt: 75,04 €", [75.04]),
    ("RM 60.30", [60.3]),
    ("19% 336,00 €", [336.0]),  # a rate is not an amount
    ("19/10/2018 20:49:59", []),  # nor are dates and times
    ("RE-20190412/731", []),  # nor document numbers
    ("Subtotal (-218,48 €)", [-218.48]),
])
def test_find_amounts(text, values):
    assert [v for _m, v, _d in find_amounts(text)] == pytest.approx(values)


@pytest.mark.parametrize("text,expected", [
    ("Rechnung Nr. 5 vom 09.05.2017", date(2017, 5, 9)),
    ("15 March 2024", date(2024, 3, 15)),
    ("March 15, 2024", date(2024, 3, 15)),
    ("15. März 2024", date(2024, 3, 15)),
    ("le 3 août 2019", date(2019, 8, 3)),
    ("3 augustus 2019", date(2019, 8, 3)),
    ("3 de agosto de 2019", date(2019, 8, 3)),  # Spanish and Portuguese join the parts with "de"
    ("17 de janeiro de 2016", date(2016, 1, 17)),
    ("12 de marzo del 2024", date(2024, 3, 12)),
    ("3 agosto 2019", date(2019, 8, 3)),
    ("19/10/2018 20:49:59", date(2018, 10, 19)),
    ("2017-11-16", date(2017, 11, 16)),
    ("25-Dec-18", date(2018, 12, 25)),
    ("Tel 07-3507405", None),
])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_month_first_only_for_us_users():
    assert parse_date("02/01/2019") == date(2019, 1, 2)
    assert parse_date("02/01/2019", month_first=True) == date(2019, 2, 1)
    assert parse_date("13/01/2019", month_first=True) == date(2019, 1, 13)  # impossible month → day first


def test_find_dates_gives_spans():
    (m, value), = list(find_dates("Invoice date: 15.03.2024"))
    assert "Invoice date: 15.03.2024"[m.start():m.end()] == "15.03.2024"
