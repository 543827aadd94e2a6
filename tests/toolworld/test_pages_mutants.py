"""Page reads and the missed-page rule, number by number (issue 24: mutants of envs/toolworld/pages.py)."""

from __future__ import annotations

import hashlib
import json

from envs.toolworld.api import PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX
from envs.toolworld.pages import PageRead, hint, missed_apis, paged_apis


def read(start: int, stop: int, total: int, api: str = "shop.show_orders", key: str = "k") -> PageRead:
    return PageRead(api, key, start, stop, total)


def test_a_call_becomes_the_slice_it_served_of_the_list_its_other_arguments_name():
    page = PageRead.of_call("shop.show_orders", {"status": "delivered", "b": 1}, page_index=2, page_limit=5, total=13)
    digest = hashlib.sha256(json.dumps({"b": 1, "status": "delivered"}).encode()).hexdigest()[:16]
    assert page == PageRead("shop.show_orders", digest, 10, 13, 13) and page.reached_end
    first = PageRead.of_call("shop.show_orders", {"b": 1, "status": "delivered"}, 0, 5, 13)
    assert (first.key, first.start, first.stop, first.reached_end) == (digest, 0, 5, False)
    other = PageRead.of_call("shop.show_orders", {"status": "pending"}, 0, 5, 13)
    assert other.key != digest and len(other.key) == 16
    odd = PageRead.of_call("a.b", {"when": object(), "text": "\ud800"}, 0, 5, 5)  # not JSON, a lone surrogate
    assert len(odd.key) == 16 and odd.reached_end


def test_records_round_trip_as_plain_lists():
    page = read(5, 10, 20)
    assert page.as_record() == ["shop.show_orders", "k", 5, 10, 20]
    assert PageRead.from_record(["x.y", 7, "0", 5.0, "9"]) == PageRead("x.y", "7", 0, 5, 9)


def test_a_page_with_more_after_it_is_missed_until_a_later_read_goes_on_from_its_end():
    assert missed_apis([read(0, 5, 12)]) == {"shop.show_orders"}
    assert missed_apis([read(0, 5, 12), read(5, 10, 12), read(10, 12, 12)]) == set()
    assert missed_apis([read(0, 5, 12), read(5, 10, 12)]) == {"shop.show_orders"}
    assert missed_apis([read(0, 5, 12), read(0, 5, 12)]) == {"shop.show_orders"}  # re-reading page 0
    assert missed_apis([read(0, 5, 12), read(4, 12, 12)]) == {"shop.show_orders"}  # must start at its end or later
    assert missed_apis([read(0, 5, 12), read(6, 12, 12)]) == set()
    # A read of another list of the same API, or the same list read on before the page, does not count.
    assert missed_apis([read(0, 5, 12), read(5, 12, 12, key="other")]) == {"shop.show_orders"}
    assert missed_apis([read(5, 12, 12), read(0, 5, 12)]) == {"shop.show_orders"}
    assert missed_apis([read(0, 5, 5), read(0, 0, 0, api="a.b")]) == set()


def test_only_lists_longer_than_one_default_page_read_to_their_end_count_as_paged():
    assert paged_apis([read(0, PAGE_LIMIT_DEFAULT + 1, PAGE_LIMIT_DEFAULT + 1)]) == {"shop.show_orders"}
    assert paged_apis([read(0, PAGE_LIMIT_DEFAULT, PAGE_LIMIT_DEFAULT)]) == set()
    assert paged_apis([read(0, 5, PAGE_LIMIT_DEFAULT + 1)]) == set()


def test_the_hint_names_each_api_sorted_and_the_page_limits():
    assert hint(["b.y", "a.x"]) == (
        "apis.a.x, apis.b.y returned a page with more results after it that were never read: lists are paginated "
        f"(page_limit default {PAGE_LIMIT_DEFAULT}, max {PAGE_LIMIT_MAX}); fetch every page with page_index"
    )


def test_the_furthest_later_start_of_a_list_is_kept_across_reads():
    # A one-item first page is missed; re-reading the list whole from its start afterwards does not go on from it.
    assert missed_apis([read(0, 1, 3)]) == {"shop.show_orders"}
    assert missed_apis([read(0, 1, 5), read(0, 5, 5)]) == {"shop.show_orders"}
    # The page 0-7 is covered by the read from 10 two reads later, though the read between starts at 5.
    assert missed_apis([read(0, 7, 12), read(5, 10, 12), read(10, 12, 12)]) == set()
