"""The shipped migrations build exactly the schema that models.py declares, and can be undone."""

from __future__ import annotations

from sqlalchemy import inspect

from customer_segmentation.store import Store, upgrade_to_head
from customer_segmentation.store.engine import create_store_engine
from customer_segmentation.store.migrate import (
    current_revision,
    downgrade_engine,
    head_revision,
    schema_differences,
    upgrade_engine,
)
from customer_segmentation.store.models import Base

from .factories import cycling_memberships, make_run, make_segments


def test_a_new_store_is_at_head_and_matches_the_models(store_url: str) -> None:
    upgrade_to_head(store_url)
    engine = create_store_engine(store_url)
    try:
        with engine.connect() as connection:
            assert current_revision(connection) == head_revision() is not None
        assert schema_differences(engine) == []
        assert set(inspect(engine).get_table_names()) == set(Base.metadata.tables) | {"alembic_version"}
    finally:
        engine.dispose()


def test_the_comparison_sees_a_schema_that_lags_the_models(store_url: str) -> None:
    """The check above can fail: an empty database differs from the models."""
    engine = create_store_engine(store_url)
    try:
        assert schema_differences(engine) != []
    finally:
        engine.dispose()


def test_migrations_go_down_and_up_again(store_url: str) -> None:
    engine = create_store_engine(store_url)
    try:
        upgrade_engine(engine)
        downgrade_engine(engine, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade_engine(engine)
        assert schema_differences(engine) == []
    finally:
        engine.dispose()


def test_reopening_a_store_keeps_its_data(store_url: str) -> None:
    with Store(store_url) as store:
        store.record_run(make_run("v1"), make_segments([0, 1, 2]), cycling_memberships(3, [0, 1, 2]))
    upgrade_to_head(store_url)  # at head already: nothing happens
    with Store(store_url) as store:
        assert [r.model_version for r in store.runs()] == ["v1"]
