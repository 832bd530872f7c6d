"""Alembic environment: always run on a connection handed over by ``store.migrate`` (no alembic.ini).

The caller owns the connection and its transaction, so a migration and the lock that serialises
concurrent migrators commit or roll back together.
"""

from alembic import context

from customer_segmentation.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("migrate through customer_segmentation.store (see migrate.py), not the alembic CLI")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things: future migrations copy-and-move tables
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
