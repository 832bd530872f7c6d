"""Every exclusion reason is counted, each line once, in the documented order."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from customer_segmentation.transactions import TransactionOptions, derive_customers

HEADER = "InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID\n"
VALID = [
    "536365,85123A,6,12/1/2010 8:26,2.55,17850.0",
    "536365,71053,6,12/1/2010 8:26,3.39,17850.0",
    "536366,22633,6,12/13/2010 8:28,1.85,17850.0",
    "CA-2016-1,22632,6,12/14/2010 9:00,1.85,13047",  # an order id starting "CA-": not a cancellation
    "536370,22728,24,12/15/2010 8:45,3.75,12583",
]
# Each block: the lines and the one reason each of them must be counted under.
DUPLICATES = ["536365,85123A,6,12/1/2010 8:26,2.55,17850.0", "536365,85123A,6,12/1/2010 8:26,2.55,17850.0"]
GUESTS = [
    "536367,84879,32,12/1/2010 8:34,1.69,",
    "536367,22745,6,12/1/2010 8:34,2.10,NA",
    "C536368,22960,-1,12/1/2010 9:00,4.25,",  # a guest's cancellation: guest comes first
    "536369,21756,0,12/1/2010 9:01,5.95, ",  # blank after trimming, and a zero quantity: still a guest
]
CANCELLATIONS = ["C536379,D,-1,12/1/2010 9:41,27.50,14527", "C536383,35004C,-1,not a date,4.65,15311"]
NON_POSITIVE = [
    "536370,22727,12,12/1/2010 8:45,0,12583",  # zero price
    "536371,22726,-12,12/1/2010 8:45,3.75,12583",  # negative quantity without a C invoice (an adjustment)
    "536372,22725,abc,12/1/2010 8:45,3.75,12583",  # not a number
    "536373,22724,1_000,12/1/2010 8:45,3.75,12583",  # not a number for pandas and Spark either
    "536374,22723,4,12/1/2010 8:45,,12583",  # no price
    "536374,22722,4,#VALUE!,-1,12583",  # bad date too, but the value rule comes first
]
UNPARSEABLE = [
    "536375,22721,4,#VALUE!,3.75,12583",
    "536376,22720,4,,3.75,12583",
    "536377,22719,4,13/45/2011 8:00,1,12583",
]
FUTURE = ["536378,22718,4,12/20/2010 10:00,1.25,12583", "536379,22717,4,1/3/2011 10:00,1.25,17850"]


@pytest.fixture
def dirty(tmp_path: Path) -> Path:
    lines = VALID + DUPLICATES + GUESTS + CANCELLATIONS + NON_POSITIVE + UNPARSEABLE + FUTURE
    path = tmp_path / "dirty.csv"
    path.write_text(HEADER + "\n".join(lines) + "\n")
    return path


def test_each_reason_is_counted_once(dirty: Path) -> None:
    derived = derive_customers(dirty, TransactionOptions(as_of=date(2010, 12, 15)))
    assert derived.exclusions == {
        # two copies of VALID[0]: both are duplicates of it (the first occurrence is the valid line)
        "duplicate_line": len(DUPLICATES),
        "guest_line": len(GUESTS),
        "cancellation": len(CANCELLATIONS),
        "non_positive_value": len(NON_POSITIVE),
        "unparseable_date": len(UNPARSEABLE),
        "future_date": len(FUTURE),
    }
    assert derived.lines_valid == len(VALID)
    assert derived.lines_in == derived.lines_valid + sum(derived.exclusions.values())
    customers = derived.customers.set_index("customer_id")
    assert sorted(customers.index) == [12583, 13047, 17850]
    # 17850: invoices 536365 (2 lines, copies excluded) and 536366; 6×2.55 + 6×3.39 + 6×1.85
    assert customers.loc[17850, "frequency"] == 2
    assert customers.loc[17850, "monetary"] == pytest.approx(6 * 2.55 + 6 * 3.39 + 6 * 1.85)
    assert customers.loc[17850, "recency_days"] == 2  # last purchase 13 Dec, as of 15 Dec
    assert customers.loc[17850, "tenure_days"] == 14  # first purchase 1 Dec
    assert customers.loc[12583, "recency_days"] == 0  # bought on the as-of day itself


def test_quality_actions_name_the_columns(dirty: Path) -> None:
    derived = derive_customers(dirty, TransactionOptions(as_of=date(2010, 12, 15)))
    actions = {step: (column, count) for step, column, count, _ in derived.to_quality_actions()}
    assert actions["guest_line"] == ("CustomerID", len(GUESTS))
    assert actions["cancellation"] == ("InvoiceNo", len(CANCELLATIONS))
    assert actions["unparseable_date"] == ("InvoiceDate", len(UNPARSEABLE))
    assert actions["duplicate_line"] == (None, len(DUPLICATES))
    assert all(isinstance(detail, str) and detail for *_, detail in derived.to_quality_actions())


def test_default_as_of_is_the_day_after_the_last_valid_purchase(dirty: Path) -> None:
    derived = derive_customers(dirty)
    assert derived.as_of == date(2011, 1, 4)  # last valid purchase: FUTURE[1] on 3 Jan 2011
    assert derived.exclusions["future_date"] == 0
    assert derived.customers["recency_days"].min() == 1
