"""Helpers for the service, worker, webhook and CLI tests: generated documents, a fresh
database, and stand-in engines that worker processes load by name ("module:function").

The stand-in engines exercise the worker machinery (leases, kills, retries); they are
never used by the product. Tests of the real engine call it directly.
"""
from __future__ import annotations

import io
import os
import time

from invoice_extract.models.account import create_account
from invoice_extract.models.db import Database
from invoice_extract.models.document_service import DocumentService, ParseRequest


def invoice_pdf(pages: int = 1, password: str | None = None, supplier: str = "Northwind Traders Ltd") -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, encrypt=password)
    for page in range(pages):
        c.drawString(72, 780, supplier)
        c.drawString(72, 760, "12 Harbour Street, Bristol BS1 4DJ, United Kingdom")
        c.drawString(360, 720, f"Invoice INV-2024-{page + 17:04d}")
        c.drawString(360, 705, "Invoice date: 05/03/2024")
        c.drawString(72, 640, "Consulting services     10 x 85.00     850.00")
        c.drawString(360, 560, "Subtotal: 850.00 GBP")
        c.drawString(360, 545, "VAT 20%: 170.00 GBP")
        c.drawString(360, 530, "Total: 1,020.00 GBP")
        c.showPage()
    c.save()
    return buf.getvalue()


def png_image() -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (400, 200), "white")
    ImageDraw.Draw(img).text((20, 20), "Receipt total 12.50", fill="black")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def new_database(tmp_path) -> Database:
    db = Database(f"sqlite:///{tmp_path / 'service.sqlite3'}")
    db.migrate()
    return db


def new_account(db: Database, credits: int = 5, name: str = "test") -> str:
    with db.session() as session:
        _account, token = create_account(session, name, credits)
    return token


def parse(service: DocumentService, token: str | None, data: bytes | None = None, **kw):
    return service.parse(ParseRequest(account_token=token, document_type=kw.pop("document_type", "invoice"),
                                      documents=[data if data is not None else invoice_pdf()],
                                      file_names=kw.pop("file_names", ["bill.pdf"]), **kw))


# -- stand-in engines (loaded by name in spawned worker processes) ---------------------------

def sleepy_engine(data: bytes, file_name: str, options) -> dict:
    """Sleeps TEST_ENGINE_SECONDS, then reports which process did the work."""
    time.sleep(float(os.environ.get("TEST_ENGINE_SECONDS", "0")))
    return {"engine_pid": os.getpid(), "size": len(data), "document_type": options.document_type,
            "user_lang": options.user_lang}


def dying_engine(data: bytes, file_name: str, options) -> dict:
    """Dies like a process killed by the OOM killer, every time."""
    os._exit(9)


def failing_engine(data: bytes, file_name: str, options) -> dict:
    raise RuntimeError("engine bug")


def assert_migration_round_trip(tmp_path, down_to: str, tables: set[str]) -> None:
    """Downgrading to ``down_to`` drops ``tables``; migrating again brings them back."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import inspect

    from invoice_extract.models.db import MIGRATIONS

    db = new_database(tmp_path)
    try:
        assert tables <= set(inspect(db.engine).get_table_names())
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.set_main_option("sqlalchemy.url", db.url)
        with db.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, down_to)
        assert not tables & set(inspect(db.engine).get_table_names())
        db.migrate()
        assert tables <= set(inspect(db.engine).get_table_names())
    finally:
        db.dispose()
