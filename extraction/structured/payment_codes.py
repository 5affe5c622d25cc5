"""Payment codes printed on the page: Swiss QR-bill, EPC (GiroCode) and ZATCA (Saudi e-invoice).

The reader decodes every 2D code into ``doc.attachments["barcodes"]`` (see
``extraction/barcodes.py``); this source reads the ones it knows:

* Swiss QR-bill (``SPC``, Swiss Payment Standards, Implementation Guidelines for the
  QR-bill 2.x): creditor IBAN, name, amount, currency, QRR/SCOR reference, and the Swico S1
  billing information (invoice number, date) when present. The raw payload is kept as the
  ``qr-bill`` feature, as Odoo's Swiss localization reads it.
* EPC069-12 credit transfer (``BCD``, the "GiroCode"): BIC, beneficiary, IBAN,
  ``EUR12.30`` amount, structured (RF) or unstructured remittance information.
* ZATCA (Saudi Arabia) simplified invoice QR: base64 TLV, tags 1 seller name, 2 VAT
  number, 3 timestamp, 4 total with VAT, 5 VAT total.

A code's values are exact, so they get ``STRUCTURED_SCORE`` and origin ``qr``; each points
at the words printing it when the page prints it too, else has no box (page = the code's
page). Every payload is parsed defensively: a malformed code gives fewer values, never an
exception.
"""
from __future__ import annotations

import base64
import binascii
import json
import logging
import re
from datetime import date
from typing import Any

from stdnum import iso11649
from stdnum.ch import esr

from ..candidate import Candidate, rank
from ..context import Context
from ..document import Document
from ..parsing.accounts import iban_valid
from . import STRUCTURED_SCORE
from .locate import locate_amount, locate_date, locate_text

_logger = logging.getLogger(__name__)

ORIGIN = "qr"
BIC_RX = re.compile(r"^[A-Z]{6}[A-Z0-9]{2}(?:[A-Z0-9]{3})?$")
AMOUNT_RX = re.compile(r"^\d{1,12}(?:\.\d{1,2})?$")
EPC_AMOUNT_RX = re.compile(r"^([A-Z]{3})(\d{1,9}(?:\.\d{1,2})?)$")
AMOUNT_FEATURES = {"total", "total_tax_amount"}
EXPENSE_FEATURES = {"currency", "supplier", "date", "total", "qr-bill"}


def _lines(payload: str) -> list[str]:
    return [line.strip() for line in payload.replace("\r\n", "\n").replace("\r", "\n").split("\n")]


def _at(lines: list[str], i: int) -> str:
    return lines[i] if i < len(lines) else ""


def _iban(value: str) -> str | None:
    value = re.sub(r"\s", "", value or "").upper()
    return value if value and iban_valid(value) else None


def _amount(value: str) -> float | None:
    value = (value or "").strip()
    if not AMOUNT_RX.match(value):
        return None
    return round(float(value), 2)


# ---------------------------------------------------------------- payload parsers

def parse_swiss_qr(payload: str) -> dict[str, Any] | None:
    """A Swiss QR-bill payload → feature values (``qr-bill`` is the raw payload), or None.

    Lines (IG QR-bill 2.x, 1-based): 1 QRType SPC, 2 version, 3 coding, 4 IBAN, 5–11 creditor
    (address type, name, …), 12–18 ultimate creditor, 19 amount, 20 currency, 21–27 debtor,
    28 reference type (QRR, SCOR, NON), 29 reference, 30 message, 31 trailer EPD,
    32 billing information.
    """
    lines = _lines(payload)
    if _at(lines, 0) != "SPC" or not re.fullmatch(r"\d{4}", _at(lines, 1)) or len(lines) < 20:
        return None
    values: dict[str, Any] = {"qr-bill": payload}
    iban = _iban(_at(lines, 3))
    if iban:
        values["iban"] = iban
    else:
        _logger.debug("QR-bill with an invalid IBAN %r", _at(lines, 3))
    if _at(lines, 5):
        values["supplier"] = _at(lines, 5)
    amount = _amount(_at(lines, 18))
    if amount is not None:
        values["total"] = amount
    if _at(lines, 19) in ("CHF", "EUR"):
        values["currency"] = _at(lines, 19)
    ref_type, ref = _at(lines, 27), re.sub(r"\s", "", _at(lines, 28)).upper()
    if ref_type == "QRR" and re.fullmatch(r"\d{27}", ref) and esr.is_valid(ref):
        values["payment_ref"] = ref
    elif ref_type == "SCOR" and iso11649.is_valid(ref):
        values["payment_ref"] = iso11649.compact(ref)
    values.update(_swico(_at(lines, 31)))
    return values


def _swico(info: str) -> dict[str, Any]:
    """Swico S1 billing information (``//S1/10/<invoice no>/11/<YYMMDD>…``): invoice number and date."""
    if not info.startswith("//S1/"):
        return {}
    out: dict[str, Any] = {}
    # tags and values alternate; a "/" inside a value is escaped as "\/"
    parts = [p.replace("\\/", "/") for p in re.split(r"(?<!\\)/", info[5:])]
    for tag, value in zip(parts[0::2], parts[1::2]):
        if tag == "10" and value:
            out["invoice_id"] = value
        elif tag == "11" and re.fullmatch(r"\d{6}(\d{6})?", value):
            try:
                out["date"] = date(2000 + int(value[:2]), int(value[2:4]), int(value[4:6]))
            except ValueError:
                pass
    return out


def parse_epc(payload: str) -> dict[str, Any] | None:
    """An EPC069-12 (GiroCode) payload → feature values, or None.

    Lines: 1 service tag BCD, 2 version 001/002, 3 character set, 4 identification SCT,
    5 BIC (optional in 002), 6 beneficiary name, 7 IBAN, 8 amount (``EUR12.30``), 9 purpose,
    10 structured remittance reference, 11 unstructured remittance text, 12 information.
    """
    lines = _lines(payload)
    if (_at(lines, 0) != "BCD" or _at(lines, 1) not in ("001", "002") or _at(lines, 2) not in "12345678"
            or not _at(lines, 2) or _at(lines, 3) not in ("SCT", "INST") or len(lines) < 7):
        return None
    values: dict[str, Any] = {}
    bic = _at(lines, 4).upper()
    if BIC_RX.match(bic):
        values["SWIFT_code"] = bic
    if _at(lines, 5):
        values["supplier"] = _at(lines, 5)
    iban = _iban(_at(lines, 6))
    if iban:
        values["iban"] = iban
    else:
        _logger.debug("EPC code with an invalid IBAN %r", _at(lines, 6))
    m = EPC_AMOUNT_RX.match(_at(lines, 7).upper())
    if m:
        values["currency"] = m.group(1)
        if float(m.group(2)) > 0:
            values["total"] = round(float(m.group(2)), 2)
    ref, text = re.sub(r"\s", "", _at(lines, 9)).upper(), _at(lines, 10)
    if ref:
        values["payment_ref"] = iso11649.compact(ref) if iso11649.is_valid(ref) else ref
    elif text:
        values["payment_ref"] = text
    return values


ZATCA_TAGS = {1: "supplier", 2: "VAT_Number", 3: "date", 4: "total", 5: "total_tax_amount"}


def parse_zatca(payload: str) -> dict[str, Any] | None:
    """A ZATCA QR (base64 of TLV: tag byte, length byte, UTF-8 value) → feature values, or None.

    Tags 1 seller name, 2 VAT number, 3 timestamp (ISO 8601), 4 invoice total with VAT,
    5 VAT total; later tags (hash, signature, keys of phase 2) are skipped. A truncated
    field ends the reading: the complete fields before it are kept if they include the
    seller and the VAT number.
    """
    text = re.sub(r"\s", "", payload or "")
    if len(text) < 8 or not re.fullmatch(r"[A-Za-z0-9+/]+=*", text):
        return None
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    if not raw or raw[0] != 1:
        return None
    fields: dict[int, str] = {}
    i = 0
    while i + 2 <= len(raw):
        tag, length = raw[i], raw[i + 1]
        if i + 2 + length > len(raw):
            _logger.debug("ZATCA TLV truncated at tag %s", tag)
            break
        value = raw[i + 2: i + 2 + length]
        i += 2 + length
        if tag in ZATCA_TAGS and tag not in fields:
            try:
                fields[tag] = value.decode("utf-8").strip()
            except UnicodeDecodeError:
                if tag == 1:
                    return None  # the seller's name is text: not a ZATCA code after all
    vat = re.sub(r"\s", "", fields.get(2, ""))
    if not fields.get(1) or not re.fullmatch(r"[A-Z]{0,2}\d{5,20}", vat):
        return None  # seller and VAT number are the least a ZATCA code states
    values: dict[str, Any] = {"supplier": fields[1], "VAT_Number": vat}
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", fields.get(3, ""))
    if m:
        try:
            values["date"] = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            pass
    for tag, feature in ((4, "total"), (5, "total_tax_amount")):
        amount = _amount(fields.get(tag, "").replace(",", ""))
        if amount is not None:
            values[feature] = amount
    return values


def parse_payload(payload: str) -> tuple[str, dict[str, Any]] | None:
    """(kind, values) of a payment code's payload — kind ``qr-bill``, ``epc`` or ``zatca`` — or None."""
    if not isinstance(payload, str) or not payload.strip():
        return None
    head = payload.lstrip("\ufeff").lstrip()
    for kind, parse in (("qr-bill", parse_swiss_qr), ("epc", parse_epc), ("zatca", parse_zatca)):
        if kind == "qr-bill" and not head.startswith("SPC"):
            continue
        if kind == "epc" and not head.startswith("BCD"):
            continue
        try:
            values = parse(head)
        except Exception:  # a parser bug on an odd payload must not cost the document
            _logger.warning("cannot parse %s payload", kind, exc_info=True)
            values = None
        if values:
            return kind, values
    return None


# ---------------------------------------------------------------- candidates

def _candidate(doc: Document, feature: str, value: Any, page: int) -> Candidate | None:
    if feature == "qr-bill":
        return Candidate(value, (), STRUCTURED_SCORE, origin=ORIGIN, page=page)
    if feature in AMOUNT_FEATURES:
        words = locate_amount(doc, value)
    elif isinstance(value, date):
        words = locate_date(doc, value)
        value = value.isoformat()
    elif feature == "SWIFT_code":
        from ..features.swift_code import describe

        info = describe(value)
        if info is None:
            return None
        words = locate_text(doc, value)
        value = json.dumps(info, ensure_ascii=False)
    else:
        words = locate_text(doc, str(value))
    return Candidate(value, tuple(words), STRUCTURED_SCORE, origin=ORIGIN, page=None if words else page)


def structured_candidates(ctx: Context) -> dict[str, list[Candidate]]:
    doc = ctx.doc
    out: dict[str, list[Candidate]] = {}
    seen: set[str] = set()
    for code in doc.attachments.get("barcodes") or []:
        payload = getattr(code, "payload", None)
        if not isinstance(payload, str) or payload in seen:
            continue
        seen.add(payload)
        parsed = parse_payload(payload)
        if parsed is None:
            continue
        page = getattr(code, "page", 0) or 0
        for feature, value in parsed[1].items():
            if ctx.options.document_type == "expense" and feature not in EXPENSE_FEATURES:
                continue
            try:
                cand = _candidate(doc, feature, value, page)
            except Exception:
                _logger.warning("cannot place %s of a payment code", feature, exc_info=True)
                continue
            if cand is not None:
                out.setdefault(feature, []).append(cand)
    return {feature: rank(cands) for feature, cands in out.items()}
