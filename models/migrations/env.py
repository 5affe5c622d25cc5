"""Alembic environment: runs on the connection the application hands over (see db.migrate)."""
from alembic import context
from sqlalchemy import create_engine

from invoice_extract.models import tables  # noqa: F401  (registers every table)
from invoice_extract.models.base import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
        with engine.begin() as connection:
            context.configure(connection=connection, target_metadata=target_metadata,
                              render_as_batch=True)
            context.run_migrations()
        return
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    context.run_migrations()


run()
