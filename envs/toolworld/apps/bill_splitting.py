"""bill_splitting: a splitwise-like app; groups, shared expenses, balances and settling up.

The app is declared in `_bill_splitting_core` (tables and ledger rules) and its
APIs live in one helper module per kind of thing; importing them here registers
them on the one `app`. See `_bill_splitting_core` for how debts are computed.
"""

from __future__ import annotations

# isort: off
from envs.toolworld.apps import (  # noqa: F401  (importing registers the APIs, in this order in the docs)
    _bill_splitting_groups,
    _bill_splitting_expenses,
    _bill_splitting_balances,
    _bill_splitting_recurring,
    _bill_splitting_notices,
    _bill_splitting_data,
)

# isort: on
from envs.toolworld.apps._bill_splitting_core import app, equal_shares, group_balance, pair_debts

__all__ = ["app", "equal_shares", "group_balance", "pair_debts"]
