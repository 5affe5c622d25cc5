"""invoice_extract: self-hosted invoice and receipt extraction speaking Odoo's Extract API.

Kept free of imports on purpose: the engine (``invoice_extract.extraction``) must be
importable by worker processes without pulling in the web framework or the database.
"""

__version__ = "0.1.0"
