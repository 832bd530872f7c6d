"""Transactions in, segments out, end to end (issue 12's acceptance): the CLI on an order-line export
of the public retail shape, the exclusion report, the RFM names and revenue shares, the one-line
refusals, and POST /predict/transactions agreeing with the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient
from test_cli import cli

from customer_segmentation.api.app import create_app
from customer_segmentation.api.settings import ApiSettings
from customer_segmentation.modeling.card import ModelCard
from customer_segmentation.transactions.naming import VOCABULARY


def export(rows: int = 3000, seed: int = 3) -> pd.DataFrame:
    """Order lines like the public Online Retail export, with its quirks."""
    rng = np.random.default_rng(seed)
    customers = rng.integers(12000, 12120, size=rows).astype(float)
    loyal = customers < 12040
    days = np.where(loyal, rng.integers(300, 370, rows), rng.integers(0, 370, rows))
    minutes = rng.integers(8 * 60, 18 * 60, rows)
    stamps = pd.Timestamp("2010-12-01") + pd.to_timedelta(days, "D") + pd.to_timedelta(minutes, "min")
    frame = pd.DataFrame(
        {
            "InvoiceNo": (536000 + days * 10 + (customers % 10)).astype(int).astype(str),
            "StockCode": rng.choice(["85123A", "71053", "84406B"], rows),
            "Quantity": rng.integers(1, 12, rows),
            "InvoiceDate": [f"{s.month}/{s.day}/{s.year} {s.hour}:{s.minute:02d}" for s in stamps],
            "UnitPrice": np.round(np.where(loyal, rng.uniform(5, 30, rows), rng.uniform(0.5, 6, rows)), 2),
            "CustomerID": customers,
            "Country": "United Kingdom",
        }
    )
    quirks = rng.random(rows)
    frame.loc[quirks < 0.04, "CustomerID"] = np.nan  # guest checkouts
    cancelled = (quirks >= 0.04) & (quirks < 0.07)
    frame.loc[cancelled, "InvoiceNo"] = "C" + frame.loc[cancelled, "InvoiceNo"]
    frame.loc[cancelled, "Quantity"] *= -1
    frame.loc[(quirks >= 0.07) & (quirks < 0.09), "UnitPrice"] = 0.0
    return pd.concat([frame, frame.iloc[:25]], ignore_index=True)  # exact duplicate lines


def expected_rfm(frame: pd.DataFrame) -> pd.DataFrame:
    """The issue's definitions, computed independently with pandas."""
    lines = frame.drop_duplicates()
    lines = lines[
        lines["CustomerID"].notna()
        & ~lines["InvoiceNo"].astype(str).str.startswith("C")
        & (lines["Quantity"] > 0)
        & (lines["UnitPrice"] > 0)
    ].copy()
    lines["when"] = pd.to_datetime(lines["InvoiceDate"], format="%m/%d/%Y %H:%M")
    as_of = lines["when"].max().normalize() + pd.Timedelta(days=1)
    grouped = lines.assign(value=lines["Quantity"] * lines["UnitPrice"]).groupby(lines["CustomerID"].astype(int))
    return pd.DataFrame(
        {
            "recency_days": (as_of - grouped["when"].max().dt.normalize()).dt.days,
            "frequency": grouped["InvoiceNo"].nunique(),
            "monetary": grouped["value"].sum(),
        }
    )


@pytest.fixture(scope="module")
def orders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    frame = export()
    path = tmp_path_factory.mktemp("orders") / "orders.csv"
    frame.to_csv(path, index=False)
    return path, frame


@pytest.fixture(scope="module")
def trained_rfm(orders: tuple[Path, pd.DataFrame], tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("rfm")
    done = cli("--transactions", str(orders[0]), "--output-root", str(root), "-q")
    assert done.returncode == 0, done.stderr
    return root


def test_every_customers_rfm_matches_the_definitions(orders: tuple[Path, pd.DataFrame], trained_rfm: Path) -> None:
    clustered = pd.read_csv(trained_rfm / "data" / "processed" / "clustered_data.csv").set_index("customer_id")
    expected = expected_rfm(orders[1])
    assert sorted(clustered.index) == sorted(expected.index)
    joined = clustered.join(expected, rsuffix="_expected")
    assert (joined["recency_days"] == joined["recency_days_expected"]).all()
    assert (joined["frequency"] == joined["frequency_expected"]).all()
    np.testing.assert_allclose(joined["monetary"], joined["monetary_expected"], rtol=1e-9)
    assert (trained_rfm / "data" / "processed" / "rfm.csv").is_file()


def test_exclusions_names_and_revenue(trained_rfm: Path) -> None:
    quality = json.loads((trained_rfm / "reports" / "data_quality.json").read_text())
    steps = {a["step"]: a["count"] for a in quality["actions"]}
    assert steps["guest_line"] > 0 and steps["cancellation"] > 0 and steps["duplicate_line"] == 25
    summary = (trained_rfm / "reports" / "summary.txt").read_text()
    assert "order lines read" in summary and "of revenue" in summary and "How certain" in summary
    card = ModelCard.model_validate_json((trained_rfm / "models" / "model_card.json").read_text())
    assert card.feature_schema.kind == "rfm"
    assert {s.name for s in card.feature_schema.features} == {"recency_days", "frequency", "monetary"}
    assert [s.transform.value for s in card.feature_schema.features] == ["none", "log1p", "log1p"]
    names = [s.name for s in card.segments]
    assert len(set(names)) == len(names)
    assert all(any(name.startswith(word) for word in VOCABULARY) for name in names)
    assert all(s.action for s in card.segments)
    assert sum(s.revenue_share or 0.0 for s in card.segments) == pytest.approx(1.0)
    assert (trained_rfm / "reports" / "figures" / "revenue_share.png").is_file()


def test_ambiguous_dates_and_missing_customer_column_are_refused(tmp_path: Path) -> None:
    ambiguous = pd.DataFrame(
        {
            "InvoiceNo": ["1", "2"],
            "InvoiceDate": ["1/2/2011", "3/4/2011"],
            "CustomerID": [1, 2],
            "Quantity": [1, 2],
            "UnitPrice": [1.0, 2.0],
        }
    )
    ambiguous.to_csv(tmp_path / "ambiguous.csv", index=False)
    done = cli("--transactions", str(tmp_path / "ambiguous.csv"), "--output-root", str(tmp_path / "a"), "-q")
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "--date-format" in done.stderr
    ambiguous.drop(columns=["CustomerID"]).to_csv(tmp_path / "nocustomer.csv", index=False)
    done = cli("--transactions", str(tmp_path / "nocustomer.csv"), "--output-root", str(tmp_path / "b"), "-q")
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "InvoiceNo" in done.stderr
    assert not (tmp_path / "a" / "models").exists() and not (tmp_path / "b" / "models").exists()


def test_predict_transactions_matches_the_cli(orders: tuple[Path, pd.DataFrame], trained_rfm: Path) -> None:
    settings = ApiSettings(artifacts_root=trained_rfm, frontend_dir=trained_rfm / "no-dashboard")
    with TestClient(create_app(settings)) as client:
        answer = client.post("/predict/transactions", files={"file": ("orders.csv", orders[0].read_bytes())})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    served = pd.DataFrame(body["customers"]).assign(customer_id=lambda f: f["customer_id"].astype(int))
    clustered = pd.read_csv(trained_rfm / "data" / "processed" / "clustered_data.csv")
    merged = clustered.merge(served, on="customer_id", suffixes=("_cli", "_api"))
    assert len(merged) == len(clustered)
    for column in ("recency_days", "frequency", "monetary", "segment"):
        np.testing.assert_allclose(merged[f"{column}_cli"], merged[f"{column}_api"], rtol=1e-9)
    assert body["exclusions"]["guest_line"] > 0
