"""Database access: one engine per process, migrations at start.

Default: ``sqlite:///var/invoice_extract.sqlite3`` (relative to the working directory,
``var/`` is created); any SQLAlchemy URL through ``--database-url`` or
``INVOICE_EXTRACT_DATABASE_URL`` (e.g. ``postgresql+psycopg://user@host/db``: the models
and migrations use portable SQL only). SQLite runs in WAL mode with a 30 s busy timeout
so the server and its worker processes share one file.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event, make_url
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_DATABASE_URL = "sqlite:///var/invoice_extract.sqlite3"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def database_url(explicit: str | None = None) -> str:
    return explicit or os.environ.get("INVOICE_EXTRACT_DATABASE_URL") or DEFAULT_DATABASE_URL


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # SQLAlchemy's pysqlite recipe: stop the driver from issuing its own (deferred) BEGIN,
    # so the "begin" listener below decides how every transaction starts.
    dbapi_connection.isolation_level = None
    # WAL lets readers work while a writer commits; the busy timeout makes concurrent
    # writers (server + worker processes) wait instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Database:
    def __init__(self, url: str | None = None):
        self.url = database_url(url)
        kwargs: dict = {"future": True}
        if self.url.startswith("sqlite"):
            path = make_url(self.url).database
            if path and path != ":memory:" and not path.startswith("file:"):
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(self.url, **kwargs)
        if self.url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
            # SQLite's own transaction handling defers locks; BEGIN IMMEDIATE makes the
            # claim of a document or a credit a real critical section.
            event.listen(self.engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def migrate(self) -> None:
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed on success, rolled back on error."""
        session = self.sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
