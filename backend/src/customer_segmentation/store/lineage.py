"""Which lineage a new run belongs to: its parent's, unless the feature schema changed.

Segment ids, user renames and retirements only make sense between runs that cluster the same
features: with a different schema, centroids live in a different space and nothing can be matched.
So the schema is fingerprinted, and a run continues its parent's lineage exactly when the
fingerprints agree; otherwise the run starts a new lineage, named after its own model version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from .records import RunSummary

#: Bump when the meaning of a feature changes without its name changing (e.g. a new encoding).
SCHEMA_FINGERPRINT_VERSION = 1


def schema_hash(features: Sequence[str]) -> str:
    """SHA-256 of the model's feature set: equal sets (in any order) give equal hashes."""
    payload = json.dumps({"v": SCHEMA_FINGERPRINT_VERSION, "features": sorted(set(features))})
    return hashlib.sha256(payload.encode()).hexdigest()


def lineage_for(model_version: str, run_schema_hash: str, parent: RunSummary | None) -> str:
    """The lineage id of a new run: the parent's if the schema is the same, else a new one."""
    if parent is not None and parent.schema_hash == run_schema_hash:
        return parent.lineage_id
    return model_version
