"""bill_splitting: a splitwise-like app; groups, shared expenses, balances and settling up.

Who owes whom is pairwise and exact: in an expense paid by P, every other
person with a share owes P that share; a settlement from A to B reduces what
A owes B. Group balances and debts are sums of those, so they always agree.
"""

from __future__ import annotations

from envs.toolworld.api import App
from envs.toolworld.apps._accounts import add_account_apis

app = App(
    "bill_splitting",
    "Split bills with groups: shared expenses, who owes whom, settling up.",
    schema="""
    CREATE TABLE bill_splitting_groups (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, created_by INTEGER NOT NULL, created_at TEXT NOT NULL);
    CREATE TABLE bill_splitting_members (id INTEGER PRIMARY KEY AUTOINCREMENT, group_id INTEGER NOT NULL, person_id INTEGER NOT NULL, UNIQUE(group_id, person_id));
    CREATE TABLE bill_splitting_expenses (
        id INTEGER PRIMARY KEY AUTOINCREMENT, group_id INTEGER NOT NULL, description TEXT NOT NULL, amount REAL NOT NULL, category TEXT NOT NULL,
        paid_by INTEGER NOT NULL, created_by INTEGER NOT NULL, date TEXT NOT NULL
    );
    CREATE TABLE bill_splitting_shares (id INTEGER PRIMARY KEY AUTOINCREMENT, expense_id INTEGER NOT NULL, person_id INTEGER NOT NULL, amount REAL NOT NULL);
    CREATE TABLE bill_splitting_settlements (
        id INTEGER PRIMARY KEY AUTOINCREMENT, group_id INTEGER NOT NULL, payer_id INTEGER NOT NULL, receiver_id INTEGER NOT NULL, amount REAL NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE bill_splitting_comments (id INTEGER PRIMARY KEY AUTOINCREMENT, expense_id INTEGER NOT NULL, author_id INTEGER NOT NULL, text TEXT NOT NULL, created_at TEXT NOT NULL);
    """,
)
add_account_apis(app)
