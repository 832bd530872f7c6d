"""A run's migration report: its own ``reports/migration.json`` while the run's artifacts are kept,
else recomputed from the memberships in the store (who moved where, segment-share PSI; no feature
drift — the store keeps segments, not the customers' features)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ...lifecycle.drift import EPSILON, MAJOR, MODERATE, categorical_psi
from ...lifecycle.migration import migration_matrix
from ...publish import CURRENT, STAGING_PREFIX, runs_dir
from ...store import Store
from .errors import NotFound

_ASCII_INTEGER = re.compile(r"[+-]?[0-9]+")


def customer_keys(customer_id: str) -> list[str]:
    """The id as given, then (for an integer written with zeros or a sign: "007") as the store has it."""
    key = customer_id.strip()
    keys = [key]
    if _ASCII_INTEGER.fullmatch(key) and str(int(key)) != key:
        keys.append(str(int(key)))
    return keys


def migration_file(root: Path, version: str) -> dict[str, Any] | None:
    """The ``reports/migration.json`` of run ``version`` if one of the kept run folders holds it."""
    folder = runs_dir(root)
    if not folder.is_dir():
        return None
    for run in sorted(folder.iterdir(), reverse=True):
        if run.name == CURRENT or run.name.startswith(STAGING_PREFIX) or run.is_symlink() or not run.is_dir():
            continue
        try:
            card = json.loads((run / "models" / "model_card.json").read_text(encoding="utf-8"))
            if card.get("model_version") != version:
                continue
            report: dict[str, Any] = json.loads((run / "reports" / "migration.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        return {**report, "drift_source": "artifacts"}
    return None


def migration_from_store(store: Store, version: str) -> dict[str, Any]:
    """The report recomputed from recorded memberships (NotFound for an unknown version)."""
    detail = store.run(version)
    if detail is None:
        raise NotFound(f"no run {version!r} is recorded (GET /runs lists them)")
    run = detail.run
    base: dict[str, Any] = {
        "model_version": version,
        "parent_version": run.parent_version,
        "lineage_id": run.lineage_id,
        "retired_ids": list(detail.retired_segment_ids),
        "drift": None,
        "drift_source": "store",
        "share_changes": [],
        "notes": ["feature drift is kept with the run's artifacts, which are no longer on disk"],
    }
    parent = store.run(run.parent_version) if run.parent_version is not None else None
    if parent is None:
        reason = "no previous run is recorded for this run: nothing to compare with"
        return {
            **base,
            "status": "fresh",
            "reason": reason,
            "new_ids": [s.segment_id for s in detail.segments],
            "kept_ids": [],
            "migration": None,
        }
    continued = parent.run.lineage_id == run.lineage_id
    old_ids = {s.segment_id for s in parent.segments}
    new_ids = [s.segment_id for s in detail.segments]
    old = _members(store, parent.run.model_version)
    new = _members(store, version)
    migration = migration_matrix(old, new).to_dict()
    if continued:
        psi = categorical_psi(old.to_numpy(), new.to_numpy(), name="segment", kind="segment")
        base["drift"] = {
            "features": [],
            "segments": psi.to_dict(),
            "parent_rows": len(old),
            "new_rows": len(new),
            "bins": len(psi.bins),
            "epsilon": EPSILON,
        }
        base["share_changes"] = migration["share_changes"]
    reason = (
        f"continues lineage {run.lineage_id} of the previous run {parent.run.model_version}"
        if continued
        else f"a fresh lineage: the feature schema differs from the previous run {parent.run.model_version}'s"
    )
    return {
        **base,
        "status": "continued" if continued else "fresh",
        "reason": f"{reason} (recomputed from the store; PSI > {MAJOR} major shift, {MODERATE}–{MAJOR} moderate)",
        "kept_ids": sorted(old_ids & set(new_ids)) if continued else [],
        "new_ids": sorted(set(new_ids) - old_ids) if continued else sorted(new_ids),
        "migration": migration,
    }


def _members(store: Store, version: str) -> Any:
    frame = store.memberships(version)
    return frame.set_index("customer_id")["segment_id"]
