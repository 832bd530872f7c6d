"""The request schema documents exactly what validation accepts."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from customer_segmentation.api.schemas.customers import GENDER_PATTERN
from customer_segmentation.schema import gender_spellings, normalise_gender

_WORDS = st.sampled_from([*gender_spellings(), "fem", "mal", "x", "", "femalee", "wo man"])
_SPACE = st.text(alphabet=" \t\n\r\x0b\x0c\x1c\x1f\x85\xa0\u2003\u3000\ufeff\u200b", max_size=3)


@settings(max_examples=500, deadline=None)
@given(before=_SPACE, word=_WORDS, after=_SPACE, swap=st.booleans())
def test_gender_pattern_agrees_with_the_pipeline(before: str, word: str, after: str, swap: bool) -> None:
    text = before + (word.swapcase() if swap else word) + after
    documented = re.match(GENDER_PATTERN, text) is not None
    assert documented == (normalise_gender(text) is not None), repr(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=12))
def test_gender_pattern_on_arbitrary_text(text: str) -> None:
    assert (re.match(GENDER_PATTERN, text) is not None) == (normalise_gender(text) is not None), repr(text)
