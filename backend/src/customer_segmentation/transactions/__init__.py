"""Order lines (transactions) → one row per customer: recency, frequency, monetary, tenure and
average order value, with every excluded line counted by reason (see :mod:`.aggregate`)."""

from .aggregate import derive_customers
from .check import TransactionCheck, check_transactions
from .options import TransactionOptions
from .result import DerivedCustomers

__all__ = ["DerivedCustomers", "TransactionCheck", "TransactionOptions", "check_transactions", "derive_customers"]
