"""``Store``: the one door to the database — record a run in one transaction, read history, rename.

Opening a store migrates its database to the newest schema. Every method runs in its own short
transaction and returns frozen records (``records.py``), never ORM objects, so nothing a caller
holds can go stale or write back. Writes on SQLite take the write lock up front (see ``engine.py``),
so a rename made while a run is being recorded waits for it instead of failing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import ColumnElement, Row, Select, and_, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from .checks import CUSTOMER_COLUMN, SEGMENT_COLUMN, check_run, membership_columns
from .engine import WRITE, create_store_engine
from .errors import UnknownRunError, UnknownSegmentError
from .migrate import upgrade_engine
from .models import Lineage, Membership, RetiredSegment, Run, Segment
from .models import SegmentLabel as LabelRow
from .records import (
    HistoryEntry,
    RetiredSegmentInfo,
    RunDetail,
    RunRecord,
    RunSummary,
    SegmentLabel,
    SegmentRecord,
    StoredSegment,
)
from .writing import Progress, add_run, insert_memberships

DEFAULT_CHUNK_ROWS = 50_000
_Parent = aliased(Run, name="parent")


class Store:
    """The persistent store at ``url`` (any SQLAlchemy URL; see ``engine.database_url``)."""

    def __init__(self, url: str, *, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> None:
        self.url = url
        self.chunk_rows = chunk_rows
        self._engine = create_store_engine(url)
        self._write_engine = self._engine.execution_options(**{WRITE: True})
        try:
            upgrade_engine(self._engine)
        except BaseException:
            self._engine.dispose()
            raise

    def close(self) -> None:
        """Release the connections (the store can be reopened with a new ``Store``)."""
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with Session(self._engine) as session, session.begin():
            yield session

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with Session(self._write_engine) as session, session.begin():
            yield session

    # -- writing -------------------------------------------------------------------------------
    def record_run(
        self,
        run: RunRecord,
        segments: Sequence[SegmentRecord],
        memberships: pd.DataFrame,
        *,
        retired: Sequence[int] = (),
        progress: Progress | None = None,
    ) -> RunDetail:
        """Record a run, its segments, the segment ids it retires and its memberships — all or nothing.

        ``memberships`` has one row per customer: ``customer_id`` (stored as text) and ``segment_id``
        (one of ``segments``). Raises InvalidRecordError, RunExistsError, UnknownRunError (parent) or
        LineageError before anything is committed; any failure, including the process being killed,
        leaves the store as it was.
        """
        check_run(run, segments, retired)
        customers, segment_ids = membership_columns(memberships, {s.segment_id for s in segments})
        with self._write() as session:
            run_id = add_run(session, run, segments, retired)
            insert_memberships(
                session.connection(), run_id, customers, segment_ids, chunk_rows=self.chunk_rows, progress=progress
            )
        detail = self.run(run.model_version)
        assert detail is not None  # just committed
        return detail

    def rename_segment(
        self, lineage_id: str, segment_id: int, name: str | None = None, action: str | None = None
    ) -> SegmentLabel:
        """Set the user's name and/or action for a segment of the lineage's latest run.

        ``None`` leaves a field as it is; an empty string clears it (back to the generated one). The
        label is keyed by lineage + stable id, so it carries over to every later run of the lineage.
        """
        with self._write() as session:
            # Locking the lineage serialises concurrent first renames of a segment on PostgreSQL.
            if session.get(Lineage, lineage_id, with_for_update=True) is None:
                raise UnknownSegmentError(f"no lineage {lineage_id}")
            latest = session.scalar(_latest_id(lineage_id))
            if latest is None or session.get(Segment, (latest, segment_id)) is None:
                raise UnknownSegmentError(f"segment {segment_id} is not in the latest run of lineage {lineage_id}")
            label = session.get(LabelRow, (lineage_id, segment_id))
            if label is None:
                label = LabelRow(lineage_id=lineage_id, segment_id=segment_id)
                session.add(label)
            if name is not None:
                label.user_name = name.strip() or None
            if action is not None:
                label.user_action = action.strip() or None
            label.updated_at = datetime.now(UTC)
            session.flush()
            return _label(label)

    # -- reading -------------------------------------------------------------------------------
    def runs(self, limit: int = 50, offset: int = 0, *, lineage_id: str | None = None) -> list[RunSummary]:
        """Recorded runs, newest first (by creation time, then by recording order)."""
        query = _summaries()
        if lineage_id is not None:
            query = query.where(Run.lineage_id == lineage_id)
        with self._read() as session:
            return [_summary(row) for row in session.execute(query.limit(limit).offset(offset))]

    def run(self, version: str) -> RunDetail | None:
        """One run with its segments (user labels merged) and the ids it retired; None if unknown."""
        with self._read() as session:
            row = session.execute(_summaries().where(Run.model_version == version)).one_or_none()
            if row is None:
                return None
            run_id = row[0].id
            segments = session.execute(
                select(Segment, LabelRow.user_name, LabelRow.user_action)
                .outerjoin(LabelRow, _label_of(row[0].lineage_id))
                .where(Segment.run_id == run_id)
                .order_by(Segment.segment_id)
            )
            retired = session.scalars(
                select(RetiredSegment.segment_id)
                .where(RetiredSegment.retired_in_run_id == run_id)
                .order_by(RetiredSegment.segment_id)
            )
            return RunDetail(
                run=_summary(row),
                segments=tuple(_segment(s, user_name, user_action) for s, user_name, user_action in segments),
                retired_segment_ids=tuple(retired),
            )

    def latest_run(self, lineage_id: str | None = None) -> RunSummary | None:
        """The newest run of ``lineage_id`` (of any lineage when None)."""
        found = self.runs(limit=1, lineage_id=lineage_id)
        return found[0] if found else None

    def segment_labels(self, lineage_id: str) -> dict[int, SegmentLabel]:
        """The user labels of a lineage, by stable segment id."""
        with self._read() as session:
            rows = session.scalars(select(LabelRow).where(LabelRow.lineage_id == lineage_id))
            return {row.segment_id: _label(row) for row in rows}

    def max_segment_id(self, lineage_id: str) -> int | None:
        """The largest segment id the lineage ever used (retired ones included); None for no run."""
        with self._read() as session:
            return session.scalar(
                select(func.max(Segment.segment_id))
                .join(Run, Run.id == Segment.run_id)
                .where(Run.lineage_id == lineage_id)
            )

    def retired_segments(self, lineage_id: str) -> list[RetiredSegmentInfo]:
        with self._read() as session:
            rows = session.execute(
                select(RetiredSegment.segment_id, Run.model_version)
                .join(Run, Run.id == RetiredSegment.retired_in_run_id)
                .where(RetiredSegment.lineage_id == lineage_id)
                .order_by(RetiredSegment.segment_id)
            )
            return [RetiredSegmentInfo(lineage_id, segment_id, version) for segment_id, version in rows]

    def customer_history(self, customer_id: str) -> list[HistoryEntry]:
        """The customer's segment in every recorded run that saw them, newest first."""
        query = (
            select(Run.model_version, Run.created_at, Run.lineage_id, Membership.segment_id, Segment.generated_name)
            .add_columns(LabelRow.user_name)
            .join(Run, Run.id == Membership.run_id)
            .join(Segment, and_(Segment.run_id == Membership.run_id, Segment.segment_id == Membership.segment_id))
            .outerjoin(LabelRow, _label_of(Run.lineage_id))
            .where(Membership.customer_id == str(customer_id))
            .order_by(Run.created_at.desc(), Run.id.desc())
        )
        with self._read() as session:
            return [
                HistoryEntry(version, created, lineage, segment_id, user_name or generated)
                for version, created, lineage, segment_id, generated, user_name in session.execute(query)
            ]

    def memberships(self, version: str) -> pd.DataFrame:
        """Every customer of a run with their segment id, ordered by customer id."""
        with self._read() as session:
            run_id = session.scalar(select(Run.id).where(Run.model_version == version))
            if run_id is None:
                raise UnknownRunError(f"run {version} is not recorded")
            result = session.connection().execute(
                select(Membership.customer_id, Membership.segment_id)
                .where(Membership.run_id == run_id)
                .order_by(Membership.customer_id)
            )
            # Plain tuples from the driver: a Row object per customer triples the time for 10 M rows,
            # and neither column needs SQLAlchemy's result processing (text and integer).
            rows = result.cursor.fetchall()
        frame = pd.DataFrame(rows, columns=[CUSTOMER_COLUMN, SEGMENT_COLUMN])
        return frame.astype({CUSTOMER_COLUMN: "string", SEGMENT_COLUMN: "int64"})


def _summaries() -> Select[Run, str, str | None]:
    return (
        select(Run, Lineage.schema_hash, _Parent.model_version)
        .join(Lineage, Lineage.lineage_id == Run.lineage_id)
        .outerjoin(_Parent, _Parent.id == Run.parent_id)
        .order_by(Run.created_at.desc(), Run.id.desc())
    )


def _label_of(lineage_id: str | InstrumentedAttribute[str]) -> ColumnElement[bool]:
    """Join condition: the user label of the segment row, in the given lineage."""
    return and_(LabelRow.lineage_id == lineage_id, LabelRow.segment_id == Segment.segment_id)


def _latest_id(lineage_id: str) -> Select[int]:
    return select(Run.id).where(Run.lineage_id == lineage_id).order_by(Run.created_at.desc(), Run.id.desc()).limit(1)


def _summary(row: Row[Run, str, str | None]) -> RunSummary:
    run, schema, parent_version = row
    return RunSummary(
        model_version=run.model_version,
        created_at=run.created_at,
        data_sha256=run.data_sha256,
        k=run.k,
        schema_hash=schema,
        lineage_id=run.lineage_id,
        parent_version=parent_version,
        scores=dict(run.scores),
        engine=run.engine,
        source_name=run.source_name,
    )


def _segment(row: Segment, user_name: str | None, user_action: str | None) -> StoredSegment:
    return StoredSegment(
        segment_id=row.segment_id,
        generated_name=row.generated_name,
        generated_action=row.generated_action,
        size=row.size,
        share=row.share,
        centroid=dict(row.centroid),
        user_name=user_name,
        user_action=user_action,
    )


def _label(row: LabelRow) -> SegmentLabel:
    return SegmentLabel(row.lineage_id, row.segment_id, row.user_name, row.user_action, row.updated_at)
