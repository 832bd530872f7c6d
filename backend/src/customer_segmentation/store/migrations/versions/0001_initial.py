"""Runs, lineages, segments, user labels, retired segments and memberships.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the column types: a migration must not change when models.py does later.
TIMESTAMP = sa.DateTime(timezone=True)
VERSION = sa.String(length=64)
HASH = sa.String(length=64)


def upgrade() -> None:
    op.create_table(
        "lineages",
        sa.Column("lineage_id", VERSION, nullable=False),
        sa.Column("schema_hash", HASH, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("lineage_id", name=op.f("pk_lineages")),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("model_version", VERSION, nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("data_sha256", HASH, nullable=False),
        sa.Column("k", sa.Integer(), nullable=False),
        sa.Column("lineage_id", VERSION, nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("engine", sa.String(length=32), nullable=False),
        sa.Column("source_name", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["lineage_id"], ["lineages.lineage_id"], name=op.f("fk_runs_lineage_id_lineages")),
        sa.ForeignKeyConstraint(["parent_id"], ["runs.id"], name=op.f("fk_runs_parent_id_runs"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
        sa.UniqueConstraint("model_version", name=op.f("uq_runs_model_version")),
    )
    op.create_index(op.f("ix_runs_created_at"), "runs", ["created_at"])
    op.create_index(op.f("ix_runs_lineage_id"), "runs", ["lineage_id"])
    op.create_table(
        "segment_labels",
        sa.Column("lineage_id", VERSION, nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("user_name", sa.Text(), nullable=True),
        sa.Column("user_action", sa.Text(), nullable=True),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(
            ["lineage_id"],
            ["lineages.lineage_id"],
            name=op.f("fk_segment_labels_lineage_id_lineages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("lineage_id", "segment_id", name=op.f("pk_segment_labels")),
    )
    op.create_table(
        "retired_segments",
        sa.Column("lineage_id", VERSION, nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("retired_in_run_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lineage_id"],
            ["lineages.lineage_id"],
            name=op.f("fk_retired_segments_lineage_id_lineages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["retired_in_run_id"],
            ["runs.id"],
            name=op.f("fk_retired_segments_retired_in_run_id_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("lineage_id", "segment_id", name=op.f("pk_retired_segments")),
    )
    op.create_index(op.f("ix_retired_segments_retired_in_run_id"), "retired_segments", ["retired_in_run_id"])
    op.create_table(
        "segments",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("generated_name", sa.Text(), nullable=False),
        sa.Column("generated_action", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("share", sa.Float(), nullable=False),
        sa.Column("centroid", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_segments_run_id_runs"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("run_id", "segment_id", name=op.f("pk_segments")),
    )
    op.create_table(
        "memberships",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Text(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id", "segment_id"],
            ["segments.run_id", "segments.segment_id"],
            name=op.f("fk_memberships_run_id_segment_id_segments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "customer_id", name=op.f("pk_memberships")),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_memberships_customer_id", "memberships", ["customer_id"])


def downgrade() -> None:
    for table in ("memberships", "segments", "retired_segments", "segment_labels", "runs", "lineages"):
        op.drop_table(table)  # indexes go with their table
