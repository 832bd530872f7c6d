"""Seeds derived from the one ``--random-state``, without arithmetic that can overflow.

``random_state + i`` looks harmless, but scikit-learn accepts seeds up to 2**32 - 1 only, so the
option's own maximum (``--random-state 4294967295``) plus a resample number was refused deep inside
a run. :class:`numpy.random.SeedSequence` hashes the seed with a stream number instead: every child
is a valid 32-bit seed, the children are statistically independent, and the same ``random_state``
always gives the same children (runs stay deterministic).
"""

from __future__ import annotations

import numpy as np

#: One stream per use, so the bootstrap's seeds never coincide with the evaluation samples'.
STABILITY_STREAM = 1
EVALUATION_STREAM = 2


def child_sequences(random_state: int, count: int, stream: int) -> list[np.random.SeedSequence]:
    """``count`` independent seed sequences for ``stream`` (pass one to ``np.random.default_rng``)."""
    return np.random.SeedSequence(random_state, spawn_key=(stream,)).spawn(count)


def child_seeds(random_state: int, count: int, stream: int) -> list[int]:
    """``count`` independent integer seeds in [0, 2**32) — valid for any scikit-learn ``random_state``."""
    return [int(seed) for seed in np.random.SeedSequence(random_state, spawn_key=(stream,)).generate_state(count)]
