# Odoo-style manifest: describes the addon, what it needs and the data it loads.
{
    "name": "Invoice Extract",
    "version": "0.1.0",
    "summary": "Self-hosted invoice and receipt digitization speaking Odoo's Extract API",
    "description": "Extracts supplier bills and receipts (digital PDF, scans, photos, "
    "e-invoices, payment QR codes) and serves the results over Odoo's IAP Extract "
    "JSON-RPC protocol (versions 120, 121/122 and 123), and Klippa's, Itemize's and Staple's "
    "REST APIs over the same document service.",
    "author": "invoice_extract developers",
    "category": "Accounting/Accounting",
    "license": "LGPL-3",
    "depends": [],
    "external_dependencies": {
        "python": [
            "fastapi", "uvicorn", "sqlalchemy", "alembic", "pdfplumber", "pypdfium2",
            "pytesseract", "pyzbar", "lxml", "stdnum", "schwifty", "babel", "PIL",
            "requests", "jsonrpcclient", "jinja2", "rapidocr", "onnxruntime", "jwt", "regex",
        ],
        "bin": ["tesseract"],
    },
    "data": [
        "security/ir.model.access.csv",
        "security/ir.rule.csv",
        "data/integration_sample_invoice.json",
        "data/integration_sample_expense.json",
    ],
    "installable": True,
    "application": True,
}
