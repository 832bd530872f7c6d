"""Order lines (transactions) → one row per customer: recency, frequency, monetary, tenure and
average order value, with every excluded line counted by reason (see :mod:`.aggregate`)."""

from .aggregate import DerivedCustomers, TransactionCheck, check_transactions, derive_customers
from .options import TransactionOptions

__all__ = ["DerivedCustomers", "TransactionCheck", "TransactionOptions", "check_transactions", "derive_customers"]
