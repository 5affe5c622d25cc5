"""Printed dates → ``datetime.date``, numeric or written, in en/fr/de/nl/es/it/pt, the Nordic
languages, Polish, Czech and Finnish.

Month names come from Babel's locale data (wide and abbreviated, format and stand-alone),
so every language Babel knows could be added by listing its locale.
"""
from __future__ import annotations

import re
from .text import unaccented, unaccented_same_length
from datetime import date
from functools import lru_cache

LOCALES = ("en", "fr", "de", "nl", "es", "it", "pt")
# Languages whose month names are read written out only: their abbreviations are words of
# other languages ("des", "pro", "lis") that a day and a two-digit number would turn into dates.
WIDE_ONLY_LOCALES = ("sv", "da", "nb", "pl", "cs", "fi")
# Locales that write numeric dates month first.
MONTH_FIRST_LOCALES = {"en_US", "en_PH", "en_CA"}


def _fold(text: str) -> str:
    return unaccented(text).lower().rstrip(".")


@lru_cache(maxsize=1)
def month_names() -> dict[str, int]:
    from babel import Locale

    names: dict[str, int] = {}
    for code in LOCALES + WIDE_ONLY_LOCALES:
        loc = Locale.parse(code)
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated") if code in LOCALES else ("wide",):
                for month, name in loc.months[context][width].items():
                    folded = _fold(name)
                    if len(folded) >= 3:
                        names.setdefault(folded, month)
    # common printed abbreviations Babel does not list (e.g. "Sept", "Mrz")
    for extra, month in (("sept", 9), ("mrz", 3), ("mae", 3), ("maerz", 3), ("okt", 10), ("dez", 12),
                         ("mei", 5), ("mag", 5), ("dic", 12), ("ene", 1), ("gen", 1), ("janv", 1),
                         ("fevr", 2), ("avr", 4), ("juil", 7), ("aout", 8), ("oct", 10), ("nov", 11),
                         ("dec", 12), ("febr", 2), ("juni", 6), ("juli", 7)):
        names.setdefault(extra, month)
    return names


def _month_pattern() -> str:
    names = sorted(month_names(), key=len, reverse=True)
    return "|".join(re.escape(n) for n in names)


@lru_cache(maxsize=1)
def patterns() -> list[tuple[re.Pattern, str]]:
    month = _month_pattern()
    sep = r"[./\-]"
    return [
        (re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)"), "ymd"),
        # numeric dates: separators tight, or spaced evenly with a four-digit year ("03 / 10 / 2018");
        # never glued to letters ("HC03-7 - 15" is a product code)
        # a text layer with letter spacing splits the day ("vom 1 3.07.2018")
        (re.compile(r"(?<![\d.] )(?<![\w.])(\d \d)(\.)(\d{2})\2(\d{4})(?![\d])"), "numeric"),
        (re.compile(rf"(?<![\w.])(\d{{1,2}})({sep})(\d{{1,2}})\2(\d{{4}}|\d{{2}})(?![\d])"), "numeric"),
        (re.compile(rf"(?<![\w.])(\d{{1,2}})\s?({sep})\s?(\d{{1,2}})\s?\2\s?(\d{{4}})(?![\d])"), "numeric"),
        # ("17 de janeiro de 2016", "12 de marzo del 2024": Spanish and Portuguese join with "de")
        # ("1 - July 31, 2014": the 31 is July's day, not a year: a four-digit year follows;
        # a longer number after a date is another field, "6 June 2020 97651079")
        (re.compile(rf"(?<!\w)(\d{{1,2}})(?:st|nd|rd|th|er|\.|º)?[\s\-/.]*(?:de\s+)?({month})\.?[\s\-/.,]*(?:del?\s+)?(\d{{4}}|\d{{2}})(?!\d)(?!,?\s+\d{{4}}(?!\d))", re.I), "dmy_text"),
        # ("JUL 09,2008": a line recognizer drops the space after the comma)
        (re.compile(rf"(?<!\w)({month})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,\s*|\s+)(\d{{4}})(?!\d)", re.I), "mdy_text"),
        # a restaurant till's compact date, the year after an apostrophe ("Dec26'07 07:26PM")
        (re.compile(rf"(?<![^\W\d_])({month})\.?\s?(\d{{1,2}})\s?['’`´](\d{{2}})(?!\d)", re.I), "mdy_short"),
    ]


def _year(y: str) -> int:
    n = int(y)
    return n + 2000 if n < 70 and len(y) == 2 else (n + 1900 if len(y) == 2 else n)


def _make(y: int, m: int, d: int) -> date | None:
    if not 1970 <= y <= 2099:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def find_dates(text: str, month_first: bool = False):
    """Yield (match, date) for each date printed in ``text``."""
    folded = unaccented_same_length(text, lower=True)
    taken: list[tuple[int, int]] = []
    for rx, kind in patterns():
        for m in rx.finditer(folded):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            value = _interpret(m, kind, month_first)
            if value is not None:
                taken.append(m.span())
                yield m, value


def _interpret(m: re.Match, kind: str, month_first: bool) -> date | None:
    if kind == "ymd":
        return _make(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if kind == "numeric":
        a, b, y = int(m.group(1).replace(" ", "")), int(m.group(3)), _year(m.group(4))
        if month_first and a <= 12:
            return _make(y, a, b) or _make(y, b, a)
        return _make(y, b, a) or _make(y, a, b)
    if kind == "dmy_text":
        month = month_names().get(_fold(m.group(2)))
        return _make(_year(m.group(3)), month, int(m.group(1))) if month else None
    month = month_names().get(_fold(m.group(1)))
    return _make(_year(m.group(3)), month, int(m.group(2))) if month else None


def parse_date(text: str, month_first: bool = False) -> date | None:
    for _m, value in find_dates(text, month_first):
        return value
    return None


def month_first_for(user_lang: str | None) -> bool:
    return bool(user_lang) and user_lang.replace("-", "_") in MONTH_FIRST_LOCALES


# ---------------------------------------------------------------- OCR damage
# Tesseract on thermal-printed receipts drops separators ("1202/2018") and swaps look-alike
# glyphs ("O7/01/18", "43/03/2018" for 13/03, "19/62/2018" for 19/02). These readings are
# only tried on OCR lines, where no well-formed date was found on the same token.
OCR_GLYPHS = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "|": "1", "S": "5",
                            "B": "8", "Z": "2", ",": ".", ":": "."})
# digits an OCR engine reads for another (the likelier mistake first)
OCR_DIGIT_CONFUSIONS = {"4": "1", "6": "0", "7": "1", "8": "0", "3": "8", "9": "0", "5": "6"}
_G = "[0-9OoDQIl|SBZ]"
# (":" as a separator only with a four-digit year: "14:04:2024" is a date, "10:06:20" a time)
OCR_DATE_TOKEN = re.compile(rf"(?<![\w/.\-])({_G}{{1,2}}[/.,\-]?{_G}{{1,2}}[/.,\-]{_G}{{2,4}}|\d{{1,2}}[.,]\d{{6}}|\d{{8}}"
                            rf"|\d{{1,2}}:\d{{1,2}}:\d{{4}})"
                            r"(?![\w/.\-]*\d)")


def _ocr_readings(token: str):
    """(day, month, year) readings of a damaged numeric date token, likeliest first."""
    clean = token.translate(OCR_GLYPHS)
    parts = re.split(r"[/.\-]", clean)
    if len(parts) == 2 and len(parts[0]) == 4 and len(parts[1]) in (2, 4):  # "1202/2018": DDMM/YYYY
        parts = [parts[0][:2], parts[0][2:], parts[1]]
    elif len(parts) == 2 and len(parts[1]) == 6 and len(parts[0]) in (1, 2):  # "21.032018"
        parts = [parts[0], parts[1][:2], parts[1][2:]]
    elif len(parts) == 1 and len(clean) == 8:  # "20032018"
        parts = [clean[:2], clean[2:4], clean[4:]]
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return
    d, m, y = parts
    yield d, m, y
    # one confused glyph in the day's or month's tens digit
    if len(m) == 2 and m[0] in OCR_DIGIT_CONFUSIONS:
        yield d, OCR_DIGIT_CONFUSIONS[m[0]] + m[1], y
    if len(d) == 2 and d[0] in OCR_DIGIT_CONFUSIONS:
        yield OCR_DIGIT_CONFUSIONS[d[0]] + d[1], m, y


@lru_cache(maxsize=1)
def ocr_text_date() -> re.Pattern:
    """A date with its month written ("05 Mar 2018") whose day or year OCR damaged: a speck
    read as a letter before the day ("O05 Mar 2018"), a letter for a digit ("2O18")."""
    return re.compile(rf"(?<![\w/.\-])({_G}{{1,3}})[\s\-/.]*({_month_pattern()})\.?[\s\-/.,]*({_G}{{4}}|{_G}{{2}})(?![\w/.\-]*\d)",
                      re.I)


def _ocr_text_readings(text: str):
    """(match, date) for the written-month dates of ``ocr_text_date``."""
    folded = unaccented_same_length(text, lower=True)
    for m in ocr_text_date().finditer(folded):
        day, year = text[m.start(1):m.end(1)].translate(OCR_GLYPHS), text[m.start(3):m.end(3)].translate(OCR_GLYPHS)
        month = month_names().get(_fold(m.group(2)))
        if month and day.isdigit() and year.isdigit():
            value = _make(_year(year), month, int(day))
            if value is not None:
                yield m, value


# A numeric date glued to the time after it ("29/12/201711:41"): a line recognizer (PP-OCR)
# drops the space between them.
OCR_DATE_BEFORE_TIME = re.compile(r"(?<![\w.])(\d{1,2})([./\-])(\d{1,2})\2(\d{4})(?=\d{1,2}:\d{2})")
# ... or to the word before it ("582204vom21.09.2019", "Date:16/11/2017"): a four-digit year only.
OCR_DATE_AFTER_WORD = re.compile(r"(?<=[^\W\d_][^\W\d_])(\d{1,2})([./\-])(\d{1,2})\2(\d{4})(?![\d])")


# ... the compact till date with its month's last letter read as a digit ("Ju103'12" for
# Jul03'12) or its apostrophe as a colon ("JAN09:03 9:03PM"): only before a time of day.
OCR_COMPACT_DATE = re.compile(r"(?<![^\W\d_])([^\W\d_]{2}(?:[^\W\d_]|[1|]))\.?\s?(\d{1,2})\s?[':’`´](\d{2})(?=\s*\d{1,2}:\d{2})")


def _compact_readings(text: str):
    for m in OCR_COMPACT_DATE.finditer(text):
        month = month_names().get(_fold(m.group(1)[:2] + m.group(1)[2].replace("1", "l").replace("|", "l")))
        value = _make(_year(m.group(3)), month, int(m.group(2))) if month else None
        if value is not None:
            yield m, value


def find_dates_ocr(text: str, month_first: bool = False):
    """Yield (match, date) for dates damaged by OCR that ``find_dates`` cannot read."""
    taken = [m.span() for m, _v in find_dates(text, month_first)]
    for rx in (OCR_DATE_BEFORE_TIME, OCR_DATE_AFTER_WORD):
        for m in rx.finditer(text):
            value = _interpret(m, "numeric", month_first)
            if value is not None and not any(s < m.end() and m.start() < e for s, e in taken):
                taken.append(m.span())
                yield m, value
    for m, value in (*_ocr_text_readings(text), *_compact_readings(text)):
        if not any(s < m.end() and m.start() < e for s, e in taken):
            taken.append(m.span())
            yield m, value
    for m in OCR_DATE_TOKEN.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        for d, mo, y in _ocr_readings(m.group(1)):
            year = _year(y) if len(y) in (2, 4) else None
            value = _make(year, int(mo), int(d)) if year else None
            if month_first and value is None and year:
                value = _make(year, int(d), int(mo))
            if value is not None:
                yield m, value
                break


def plausible_year(value: date, latest_year: int) -> date | None:
    """An OCR date whose year lies in the future ("2047" for 2017, "2048" for 2018), read
    with the one confused glyph in the year's tens digit; None when no reading fits."""
    if value.year <= latest_year:
        return value
    year = str(value.year)
    fixed = OCR_DIGIT_CONFUSIONS.get(year[2])
    if fixed is None:
        return None
    candidate = int(year[:2] + fixed + year[3])
    if candidate > latest_year:
        return None
    return _make(candidate, value.month, value.day)
