"""Bank account numbers: when a printed IBAN counts as one."""
from __future__ import annotations

from stdnum import iban as std_iban


def iban_valid(text: str) -> bool:
    """An IBAN as Odoo's ``base_iban`` accepts one: the ISO 7064 mod-97 check digits and the
    country's length and format. A national check digit inside the account part (Belgium,
    Spain, Norway …) is the bank's to check, not the bill's reader: a bill printing an
    account that passes mod 97 prints an IBAN."""
    try:
        return std_iban.is_valid(text, check_country=False)
    except Exception:  # stdnum refuses what is no text at all
        return False
