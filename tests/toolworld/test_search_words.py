"""Search queries are words in every app: % and _ are characters to find, never LIKE wildcards.

Payments and shop searched with LIKE '%word%': a query of "_" listed every user, "e%" every note with an e."""

from __future__ import annotations

from typing import Any

import pytest

from .apps_client import World


@pytest.fixture(scope="module")
def world() -> World:
    return World()  # the tests only read


BUYER = "SELECT owner_id FROM shop_orders GROUP BY owner_id ORDER BY COUNT(*) DESC, owner_id"
PAYER = "SELECT payer_id FROM payments_requests GROUP BY payer_id ORDER BY COUNT(*) DESC, payer_id"
MOST_ASKED = "SELECT product_id FROM shop_questions GROUP BY product_id ORDER BY COUNT(*) DESC, product_id"
#: (app, api, who searches: the person with the most orders or requests, or None for a public API, what else the
#: API needs)
SEARCHES = [
    ("shop", "search_products", None, {}),
    ("shop", "show_sellers", None, {}),
    ("shop", "show_product_questions", None, {"product_id": MOST_ASKED}),
    ("shop", "show_orders", BUYER, {}),
    ("payments", "show_transactions", PAYER, {}),
    ("payments", "show_requests", PAYER, {}),
    ("payments", "search_users", PAYER, {}),
    ("payments", "show_friends", PAYER, {}),
    ("payments", "show_feed", PAYER, {"scope": "everyone"}),
]


@pytest.mark.parametrize(("app", "api", "who", "needs"), SEARCHES, ids=[search[1] for search in SEARCHES])
def test_percent_and_underscore_in_a_query_are_characters(
    world: World, app: str, api: str, who: str | None, needs: dict[str, str]
) -> None:
    kwargs = {name: world.value(value) if value.startswith("SELECT") else value for name, value in needs.items()}

    def found(query: str) -> list[Any]:
        if who is not None:
            return world.all_pages(world.value(who), app, api, query=query, **kwargs)
        status, body = world.server(1).call(app, api, kwargs={"query": query, "page_limit": 20, **kwargs})
        assert status == 200, body
        return body

    assert found("e"), "nothing to search: pick other data"
    for query in ("%", "_", "e%", "e_", "%e"):  # no text of the world holds % or _
        assert found(query) == [], query
