"""Dates in the six languages, with Babel's month names (see also test_parsing.py)."""
from datetime import date

import pytest

from invoice_extract.extraction.parsing.dates import find_dates, month_first_for, parse_date


@pytest.mark.parametrize("text", [
    "5 January 2024", "5 Jan 2024", "January 5, 2024", "5 janvier 2024", "5 janv. 2024", "5. Januar 2024",
    "5. Jan. 2024",
    "5 januari 2024", "5 enero 2024", "5 gennaio 2024", "05-Jan-24", "05.01.2024", "05/01/24", "2024-01-05",
])
def test_fifth_of_january(text):
    assert parse_date(text) == date(2024, 1, 5)


@pytest.mark.parametrize("text,expected", [
    ("1er décembre 2023", date(2023, 12, 1)), ("17. Dezember 2023", date(2023, 12, 17)),
    ("17 dicembre 2023", date(2023, 12, 17)), ("17 diciembre 2023", date(2023, 12, 17)),
    ("17 december 2023", date(2023, 12, 17)), ("2 mars 2023", date(2023, 3, 2)),
    ("2. März 2023", date(2023, 3, 2)), ("2 maart 2023", date(2023, 3, 2)),
    ("03 / 10 / 2018", date(2018, 10, 3)),
])
def test_written_and_spaced_dates(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", [
    "HC03-7 - 15",  # a product code, not 3 July 2015
    "Tel 07-3507405", "31.02.2024", "Art. 12.13.1", "Version 1.2.3",
])
def test_not_dates(text):
    assert parse_date(text) is None


def test_month_first_only_when_the_user_writes_so_or_day_first_is_impossible():
    assert month_first_for("en_US") and not month_first_for("en_GB") and not month_first_for(None)
    assert parse_date("03/04/2024", month_first=True) == date(2024, 3, 4)
    assert parse_date("03/04/2024") == date(2024, 4, 3)
    assert parse_date("12/25/2024") == date(2024, 12, 25)  # no 25th month


def test_each_date_of_a_line_with_its_span():
    text = "Rechnungsdatum 01.02.2024 Fällig am 15.02.2024"
    found = [(text[m.start():m.end()], d) for m, d in find_dates(text)]
    assert found == [("01.02.2024", date(2024, 2, 1)), ("15.02.2024", date(2024, 2, 15))]


def test_letter_spaced_day_of_a_text_layer():
    assert parse_date("Rechnung Nr. 280081 vom 1 3.07.2018") == date(2018, 7, 13)
    # a quantity before a date stays a quantity
    assert parse_date("Pos 2 1 3.07.2018") == date(2018, 7, 3)


@pytest.mark.parametrize("text, expected", [
    ("Salesperson: Date: 1202/2018", date(2018, 2, 12)),  # separator dropped: DDMM/YYYY
    ("Date: 43/03/2018.", date(2018, 3, 13)),  # 1 read as 4 in the day
    ("19/62/2018 16:45", date(2018, 2, 19)),  # 0 read as 6 in the month
    ("O7/01/18 14:41", date(2018, 1, 7)),  # letter O for zero
    ("Datum 20032018", date(2018, 3, 20)),  # all separators dropped
    ("O05 Mar 2018 18:24", date(2018, 3, 5)),  # a speck before the day read as a letter
    ("Date 2 Mar 2O18", date(2018, 3, 2)),  # letter O in a written-month date's year
    # a line recognizer (PP-OCR) dropping the spaces around a date
    ("Date 29/12/201711:41", date(2017, 12, 29)),  # glued to the time
    ("Rechnung 582204vom21.09.2019", date(2019, 9, 21)),  # glued to the word before
    # a till's compact date ("Jul03'12") with its month's last letter read as a digit, or its
    # apostrophe as a colon, before the time of day
    ("Tbl 2/1 Ju103'12 02:34PM", date(2012, 7, 3)),
    ("JAN09:03 9:03PM", date(2003, 1, 9)),
])
def test_ocr_damaged_dates_are_read_on_ocr_lines(text, expected):
    from invoice_extract.extraction.parsing.dates import find_dates_ocr

    assert [v for _m, v in find_dates_ocr(text)] == [expected]
    assert parse_date(text) is None  # the strict reader, used on text layers, does not guess


@pytest.mark.parametrize("text", ["Tel 03-3271 9872", "12.95 15.90", "INVOICE NO : 18287/102/ToN49",
                                  "Date 63/2018", "Barcode 9556655864036", "99/99/2018",
                                  "105 Mar 2018", "Jalan 10, Mar 2018", "27 Mat 2018",
                                  "Ju103'12 total", "SUB12:30 13:45", "Tab12:30 13:45"])
def test_ocr_repair_does_not_invent_dates(text):
    from invoice_extract.extraction.parsing.dates import find_dates_ocr

    assert list(find_dates_ocr(text)) == []


def test_a_written_month_date_without_the_space_after_its_comma():
    assert parse_date("JUL 09,2008 16:35:19") == date(2008, 7, 9)


def test_ocr_repair_leaves_clean_dates_to_the_strict_reader():
    from invoice_extract.extraction.parsing.dates import find_dates_ocr

    assert list(find_dates_ocr("Date: 12/02/2018")) == []


def test_a_future_year_read_by_ocr_is_the_confused_glyph():
    from invoice_extract.extraction.parsing.dates import plausible_year

    assert plausible_year(date(2047, 12, 4), 2027) == date(2017, 12, 4)
    assert plausible_year(date(2048, 3, 24), 2027) == date(2018, 3, 24)
    assert plausible_year(date(2024, 3, 24), 2027) == date(2024, 3, 24)  # plausible: unchanged
    assert plausible_year(date(2029, 1, 1), 2027) is None  # no single-glyph reading fits


def test_colons_for_dots_only_with_a_four_digit_year():
    from invoice_extract.extraction.parsing.dates import find_dates_ocr

    assert [v for _m, v in find_dates_ocr("Fallig am: 14:04:2024")] == [date(2024, 4, 14)]
    assert list(find_dates_ocr("Time 10:06:20")) == []  # a time, not 10 June 2020


@pytest.mark.parametrize("text, expected", [
    ("Chk 7545 Dec26'07 07:26PM Gst 0", date(2007, 12, 26)),
    ("Jun17'13 09:35PM", date(2013, 6, 17)),
    ("Mar 5'19", date(2019, 3, 5)),
])
def test_a_tills_compact_date_with_an_apostrophe_year(text, expected):
    assert parse_date(text) == expected


def test_a_written_date_before_a_longer_number_is_a_date():
    # a row of values under a row of headers: the customer number follows the date
    assert [v for _m, v in find_dates("20 décembre 2020 6 décembre 2020 97651079")] == [
        date(2020, 12, 20), date(2020, 12, 6)]
    assert parse_date("1 - July 31, 2014") == date(2014, 7, 31)  # a four-digit year after: still not 2031


@pytest.mark.parametrize("text, day", [
    ("29. heinäkuuta 2031", date(2031, 7, 29)),  # Finnish
    ("12 sierpnia 2031", date(2031, 8, 12)),  # Polish
    ("3. března 2031", date(2031, 3, 3)),  # Czech
    ("7 oktober 2031", date(2031, 10, 7)),  # Swedish
])
def test_nordic_polish_czech_and_finnish_months_written_out(text, day):
    assert parse_date(text) == day


def test_their_abbreviations_are_not_read_they_are_other_languages_words():
    """Norwegian "des" (December) is French "des": "3 des 25 articles" is no date."""
    assert parse_date("3 des 25 articles") is None
