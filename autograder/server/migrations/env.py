"""Alembic's entry point for the course server's migrations (see ``autograder.server.database``)."""

from alembic import context

from autograder.server.models import Base
from autograder.server.scale import records  # noqa: F401  (its tables belong to the same schema)

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    # Batch mode lets a later migration alter a column on SQLite, which has no ALTER COLUMN.
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
