"""The persistent store: runs, their segments, user labels and memberships in a SQL database.

Embedded SQLite beside the artifacts by default, any SQLAlchemy URL (PostgreSQL through psycopg 3)
via ``SEGMENTATION_DATABASE_URL``; the schema is versioned with Alembic and migrated on open.

    store = Store(database_url(settings))
    parent = store.latest_run()
    lineage = lineage_for(version, schema_hash(features), parent)
    store.record_run(RunRecord(...), [SegmentRecord(...), ...], memberships_frame)
"""

from .checks import CUSTOMER_COLUMN, SEGMENT_COLUMN
from .engine import ENV_VAR, database_url
from .errors import (
    InvalidRecordError,
    LineageError,
    RunExistsError,
    StoreError,
    UnknownRunError,
    UnknownSegmentError,
)
from .lineage import lineage_for, schema_hash
from .migrate import upgrade_to_head
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
from .repository import Store

__all__ = [
    "CUSTOMER_COLUMN",
    "ENV_VAR",
    "SEGMENT_COLUMN",
    "HistoryEntry",
    "InvalidRecordError",
    "LineageError",
    "RetiredSegmentInfo",
    "RunDetail",
    "RunExistsError",
    "RunRecord",
    "RunSummary",
    "SegmentLabel",
    "SegmentRecord",
    "Store",
    "StoreError",
    "StoredSegment",
    "UnknownRunError",
    "UnknownSegmentError",
    "database_url",
    "lineage_for",
    "schema_hash",
    "upgrade_to_head",
]
