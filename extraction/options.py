"""What a caller tells the engine about the document and about itself."""
from __future__ import annotations

from dataclasses import dataclass, field

from .limits import DEFAULT_LIMITS, Limits


@dataclass
class ExtractOptions:
    document_type: str = "invoice"  # "invoice" (vendor bill / customer invoice) or "expense"
    # "client": the user received the bill (vendor bill); "supplier": the user issued it.
    perspective: str = "client"
    user_company_vat: str | None = None
    user_company_name: str | None = None
    user_company_country_code: str | None = None
    user_lang: str | None = None  # e.g. "fr_FR"
    purchase_order_regex: str | None = None
    limits: Limits = field(default_factory=lambda: DEFAULT_LIMITS)
    # What validations taught about the caller's suppliers (plain data, see extraction.learning):
    # empty, the engine's behaviour is unchanged.
    supplier_profiles: list = field(default_factory=list)
    # The document is plain UTF-8 text (reader.read_text), as the API that sent it declared.
    text_document: bool = False

    @classmethod
    def from_user_infos(cls, document_type: str = "invoice", user_infos: dict | None = None,
                        **extra) -> "ExtractOptions":
        """Build options from the ``user_infos`` dict Odoo clients send on parse."""
        ui = user_infos or {}
        return cls(
            document_type=document_type,
            perspective=ui.get("perspective") or "client",
            user_company_vat=ui.get("user_company_vat") or ui.get("user_company_VAT") or None,
            user_company_name=ui.get("user_company_name") or None,
            user_company_country_code=ui.get("user_company_country_code") or None,
            user_lang=ui.get("user_lang") or None,
            purchase_order_regex=ui.get("purchase_order_regex") or None,
            **extra,
        )
