"""Which header plays which role (customer, date, invoice, quantity, price or amount).

Common headers are recognised without options, by their squashed spelling (``rules.HEADER_ALIASES``);
an option names the column explicitly. Money comes from quantity × unit price when both columns are
there, otherwise from an amount column. The invoice is optional (without it, an order is a distinct
purchase timestamp). Anything the user must settle — a role no header matches, or one that two
headers could fill — is a one-line :class:`DataError` naming the columns and the option to use.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import ConfigError, DataError
from .options import TransactionOptions
from .rules import HEADER_ALIASES, ROLE_OPTION, Role
from .source import squash

#: How each role's usual headers are shown in messages.
EXAMPLES: dict[Role, str] = {
    "customer": "CustomerID, Customer ID, Customer, Client ID",
    "date": "InvoiceDate, OrderDate, Date, TransactionDate",
    "invoice": "InvoiceNo, Invoice, OrderID, TransactionID",
    "quantity": "Quantity, Qty, Units",
    "price": "UnitPrice, Price, PriceEach",
    "amount": "Amount, Revenue, Sales, Total",
}
_SHOWN = 25


@dataclass(frozen=True)
class ColumnMap:
    """The header chosen for each role; ``amount`` is set exactly when quantity and price are not."""

    customer: str
    date: str
    invoice: str | None = None
    quantity: str | None = None
    price: str | None = None
    amount: str | None = None

    @property
    def uses_amount(self) -> bool:
        return self.amount is not None

    def as_dict(self) -> dict[str, str]:
        """Role → header, for the roles in use (the report's ``columns``)."""
        roles: tuple[Role, ...] = ("customer", "date", "invoice", "quantity", "price", "amount")
        return {role: header for role in roles if (header := getattr(self, role)) is not None}


def _seen(header: Sequence[str]) -> str:
    shown = ", ".join(header[:_SHOWN])
    return shown + (f", … ({len(header)} columns)" if len(header) > _SHOWN else "")


def _explicit(header: Sequence[str], role: Role, name: str) -> str:
    if name in header:
        return name
    loose = [h for h in header if squash(h) == squash(name)]
    if len(loose) == 1:
        return loose[0]
    raise DataError(f"{ROLE_OPTION[role]} {name!r} is not a column of the input (columns seen: {_seen(header)})")


def _recognised(header: Sequence[str], role: Role, taken: set[str]) -> str | None:
    matches = [h for h in header if squash(h) in HEADER_ALIASES[role] and h not in taken]
    if len(matches) > 1:
        listed = ", ".join(repr(m) for m in matches)
        raise DataError(
            f"{len(matches)} columns could be the {role} column ({listed}): choose one with {ROLE_OPTION[role]}"
        )
    return matches[0] if matches else None


def _missing(role: Role, header: Sequence[str]) -> DataError:
    return DataError(
        f"no {role} column found (looked for headers like {EXAMPLES[role]}); columns seen: {_seen(header)} "
        f"— name it with {ROLE_OPTION[role]}"
    )


def resolve_columns(header: Sequence[str], options: TransactionOptions) -> ColumnMap:
    """Assign a header to every role the run needs, honouring explicit options first."""
    if options.amount_col and (options.quantity_col or options.price_col):
        raise ConfigError("give either --amount-col or --quantity-col with --price-col, not both")
    given: dict[Role, str | None] = {
        "customer": options.customer_col,
        "date": options.date_col,
        "invoice": options.invoice_col,
        "quantity": options.quantity_col,
        "price": options.price_col,
        "amount": options.amount_col,
    }
    explicit: dict[Role, str] = {role: _explicit(header, role, name) for role, name in given.items() if name}
    used = list(explicit.values())
    if len(set(used)) != len(used):
        repeated = next(h for h in used if used.count(h) > 1)
        raise ConfigError(f"column {repeated!r} is given for two roles")
    taken = set(used)

    def pick(role: Role) -> str | None:
        return explicit.get(role) or _recognised(header, role, taken)

    customer = pick("customer")
    if customer is None:
        raise _missing("customer", header)
    date = pick("date")
    if date is None:
        raise _missing("date", header)
    invoice = pick("invoice")
    if "amount" in explicit:
        return ColumnMap(customer, date, invoice, amount=explicit["amount"])
    quantity, price = pick("quantity"), pick("price")
    if quantity and price:
        return ColumnMap(customer, date, invoice, quantity=quantity, price=price)
    if "quantity" in explicit or "price" in explicit:
        raise _missing("price" if quantity else "quantity", header)
    amount = pick("amount")
    if amount:
        return ColumnMap(customer, date, invoice, amount=amount)
    if quantity or price:
        lacking: Role = "price" if quantity else "quantity"
        raise DataError(
            f"no {lacking} column found for {quantity or price!r} (looked for {EXAMPLES[lacking]}) and no amount "
            f"column ({EXAMPLES['amount']}); columns seen: {_seen(header)} — name one with {ROLE_OPTION[lacking]} "
            "or --amount-col"
        )
    raise DataError(
        f"no money columns found: neither quantity and price ({EXAMPLES['quantity']}; {EXAMPLES['price']}) nor an "
        f"amount ({EXAMPLES['amount']}); columns seen: {_seen(header)} — name them with --quantity-col and "
        "--price-col, or --amount-col"
    )
