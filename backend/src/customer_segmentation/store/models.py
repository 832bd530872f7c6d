"""The store's tables, as typed SQLAlchemy 2 ORM models — the single source the migrations must match.

Runs get an integer surrogate key besides their public ``model_version``: memberships hold one row
per customer per run (10 M rows for a large table), and an integer reference in each row and in its
indexes is several times smaller than the version string; it also orders runs recorded within the
same second. Everything outside this package speaks ``model_version`` only.

Segment labels (a user's name and action) are keyed by lineage + stable segment id, not by run, so
a rename made on one run applies to the matched segment of every later run of the same lineage.
A lineage has exactly one feature schema (its ``schema_hash``): a schema change starts a new one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: Constraint names are fixed so that migrations can refer to them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

VERSION_LENGTH = 64
HASH_LENGTH = 64


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite keeps no zone: it is re-attached)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, datetime: UTCDateTime}


class Lineage(Base):
    """A family of runs over one feature schema; segment ids and labels are unique within it."""

    __tablename__ = "lineages"

    lineage_id: Mapped[str] = mapped_column(String(VERSION_LENGTH), primary_key=True)
    schema_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    created_at: Mapped[datetime]


class Run(Base):
    """One published training run."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    model_version: Mapped[str] = mapped_column(String(VERSION_LENGTH), unique=True)
    created_at: Mapped[datetime] = mapped_column(index=True)
    data_sha256: Mapped[str] = mapped_column(String(HASH_LENGTH))
    k: Mapped[int]
    lineage_id: Mapped[str] = mapped_column(ForeignKey("lineages.lineage_id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    scores: Mapped[dict[str, Any]]
    engine: Mapped[str] = mapped_column(String(32))
    source_name: Mapped[str] = mapped_column(Text)


class Segment(Base):
    """A segment as one run found it (generated name, size, centroid)."""

    __tablename__ = "segments"

    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    segment_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    generated_name: Mapped[str] = mapped_column(Text)
    generated_action: Mapped[str] = mapped_column(Text)
    size: Mapped[int]
    share: Mapped[float] = mapped_column(Float)
    centroid: Mapped[dict[str, Any]]


class SegmentLabel(Base):
    """A user's name and action for a segment of a lineage (outlives any single run)."""

    __tablename__ = "segment_labels"

    lineage_id: Mapped[str] = mapped_column(ForeignKey("lineages.lineage_id", ondelete="CASCADE"), primary_key=True)
    segment_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_name: Mapped[str | None] = mapped_column(Text)
    user_action: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime]


class RetiredSegment(Base):
    """A segment id of a lineage that a run no longer found; its id is never given out again."""

    __tablename__ = "retired_segments"

    lineage_id: Mapped[str] = mapped_column(ForeignKey("lineages.lineage_id", ondelete="CASCADE"), primary_key=True)
    segment_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    retired_in_run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)


class Membership(Base):
    """Which segment a customer was in, in one run (bulk-written with Core inserts, never as objects)."""

    __tablename__ = "memberships"
    __table_args__ = (
        ForeignKeyConstraint(["run_id", "segment_id"], ["segments.run_id", "segments.segment_id"], ondelete="CASCADE"),
        Index("ix_memberships_customer_id", "customer_id"),
        # SQLite: the rows live in the primary-key b-tree itself, not in a rowid table plus an index.
        {"sqlite_with_rowid": False},
    )

    run_id: Mapped[int] = mapped_column(Integer, primary_key=True)  # to runs via the segment key
    customer_id: Mapped[str] = mapped_column(Text, primary_key=True)
    segment_id: Mapped[int]
