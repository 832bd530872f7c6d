"""What a Spark run computed: the default engine's :class:`RunResult` plus the Spark details that go
into the card's ``spark`` section and the reproduce line. Its own module, so that :mod:`.run` and
:mod:`.write` both import it and neither imports the other's caller."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...run_result import RunResult


@dataclass
class SparkRunResult(RunResult):
    """A :class:`RunResult` whose reproduce line says that Spark trained it; ``spark`` is the card's
    ``spark`` section (passed to :func:`card_builder.build_card`)."""

    spark: dict[str, Any] = field(default_factory=dict)
    spark_args: list[str] = field(default_factory=list)

    @property
    def command(self) -> str:
        return " ".join([super().command, "--engine spark", *self.spark_args])
