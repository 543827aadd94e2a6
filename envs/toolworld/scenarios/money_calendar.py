"""Money and shopping on the calendar: delivery days of shop subscriptions, days to pay what people ask for."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from envs.toolworld.evaluate import Answer, Expectation, Inserted, NewRow, Updated
from envs.toolworld.scenarios._common import Solution, as_deep_as_found, fetch_all, full_name, login, pick
from envs.toolworld.scenarios._money import money, primary_calendar
from envs.toolworld.scenarios._rows import new_all_day_event
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

DONE = "apis.supervisor.complete_task()\n"


def _day_words(day: str) -> str:
    return date.fromisoformat(day).strftime("%B %-d, %Y")


DELIVERIES_ACTIVE_AT_LEAST = 5  # active subscriptions of money_calendar_subscription_deliveries' subscriber


def _raised(view: WorldView, product_id: int) -> bool:
    """Whether a product's latest price change raised its price (show_price_history's first two rows)."""
    latest = view.rows(
        "SELECT price FROM shop_price_history WHERE product_id = ? ORDER BY changed_at DESC, id DESC LIMIT 2",
        product_id,
    )
    return len(latest) == 2 and latest[0]["price"] > latest[1]["price"]


@scenario("money_calendar_subscription_deliveries", apps=("shop", "calendar"))
def subscription_deliveries(view: WorldView, rng: random.Random) -> TaskSpec:
    """Each active subscription whose product's price did not just go up has its next delivery put on the calendar
    (deliveries before a day skipped first); the ones whose price went up at its latest change are paused instead.
    Deep: whether a price went up is only in each product's price history (show_price_history per subscription;
    the subscription list has today's price alone), over 5+ active subscriptions among paused and cancelled ones,
    some raised and some not, each event checked."""
    skip_before = rng.choice(["2026-05-24", "2026-05-27", "2026-05-30"])

    def usable(owner: int, at_least: int) -> bool:
        subs = view.rows(
            "SELECT product_id, next_delivery FROM shop_subscriptions WHERE owner_id = ? AND status = 'active'", owner
        )
        kept = [s for s in subs if not _raised(view, s["product_id"])]
        return (
            len(subs) >= at_least
            and len(kept) < len(subs)
            and any(s["next_delivery"] < skip_before for s in kept)
            and any(s["next_delivery"] >= skip_before for s in kept)
        )

    def subscribers(at_least: int) -> list[dict[str, Any]]:
        rows = view.rows(
            "SELECT owner_id FROM shop_subscriptions GROUP BY owner_id HAVING SUM(status = 'active') >= ? "
            "AND SUM(status != 'active') >= 1 ORDER BY owner_id",
            at_least,
        )
        return [r for r in rows if usable(r["owner_id"], at_least)]

    # a world with no such subscriber (not world 0) takes one with fewer active subscriptions
    at_least, owners = as_deep_as_found(range(DELIVERIES_ACTIVE_AT_LEAST, 2, -1), subscribers)
    owner = pick(
        rng,
        owners,
        f"subscriber with {at_least}+ active subscriptions (a price just raised, early and later "
        "deliveries) and inactive ones",
        distinct=True,
    )["owner_id"]
    subs = view.rows(
        "SELECT s.*, p.name FROM shop_subscriptions s JOIN shop_products p ON p.id = s.product_id "
        "WHERE s.owner_id = ? AND s.status = 'active' ORDER BY s.id",
        owner,
    )
    calendar = primary_calendar(view, owner)
    expectations: list[Expectation] = []
    for s in subs:
        if _raised(view, s["product_id"]):
            expectations.append(
                Updated(
                    "shop_subscriptions",
                    s["id"],
                    {"status": "paused"},
                    f"the {s['name']} subscription, whose price went up at its latest change, is paused",
                )
            )
            continue
        day = s["next_delivery"]
        if day < skip_before:
            day = (date.fromisoformat(day) + timedelta(weeks=s["every_weeks"])).isoformat()
            expectations.append(
                Updated(
                    "shop_subscriptions",
                    s["id"],
                    {"next_delivery": day},
                    f"the {s['name']} delivery of {s['next_delivery']} is skipped (next: {day})",
                )
            )
        title = f"Delivery: {s['name']} x{s['quantity']}"
        expectations.append(
            Inserted(
                "calendar_events",
                new_all_day_event(owner, calendar, title, day),
                f"an all-day free event '{title}' on {day} in the primary calendar",
                what="delivery events",
            )
        )
    look = (
        login("shop", "calendar")
        + fetch_all("subs", "apis.shop.show_subscriptions(access_token=shop_token, status='active'")
        + "for s in subs:\n"
        "    print(s['subscription_id'], s['name'], s['quantity'], s['next_delivery'], s['every_weeks'])\n"
        + "calendars = apis.calendar.show_calendars(access_token=calendar_token, ownership='mine')\n"
        + "print([(c['calendar_id'], c['name']) for c in calendars])\n"
    )
    prices = (
        "raised = set()\n"
        "for s in subs:\n"
        "    history = apis.shop.show_price_history(product_id=s['product_id'], page_limit=2)\n"
        "    print(s['name'], history)\n"
        "    if len(history) == 2 and history[0]['price'] > history[1]['price']:\n"
        "        raised.add(s['subscription_id'])\n"
    )
    act = (
        "created = []\n"
        "for s in subs:\n"
        "    if s['subscription_id'] in raised:\n"
        "        apis.shop.set_subscription_status(access_token=shop_token, subscription_id=s['subscription_id'], "
        "status='paused')\n"
        "        continue\n"
        "    day = s['next_delivery']\n"
        f"    if day < {skip_before!r}:\n"
        "        day = apis.shop.skip_next_delivery(access_token=shop_token, "
        "subscription_id=s['subscription_id'])['next_delivery']\n"
        "    title = f\"Delivery: {s['name']} x{s['quantity']}\"\n"
        "    event = apis.calendar.create_event(access_token=calendar_token, title=title, start=day, all_day=True, "
        "busy=False)\n"
        "    created.append(event['event_id'])\n"
    )
    check = (
        "for event_id in created:\n"
        "    event = apis.calendar.show_event(access_token=calendar_token, event_id=event_id)\n"
        "    print(event['title'], event['start'], event['all_day'], event['busy'])\n"
        + fetch_all("after", "apis.shop.show_subscriptions(access_token=shop_token, status='active'")
        + "print([(s['name'], s['next_delivery']) for s in after])\n"
        + fetch_all("paused", "apis.shop.show_subscriptions(access_token=shop_token, status='paused'")
        + "print([s['name'] for s in paused if s['subscription_id'] in raised])\n"
        + DONE
    )
    return TaskSpec(
        owner,
        "Put the next delivery of each of my active shop subscriptions on my calendar: an all-day event on my primary "
        "calendar titled 'Delivery: <product name> x<quantity>' on the delivery day, shown as free. Paused and "
        f"cancelled subscriptions do not count. Any delivery due before {_day_words(skip_before)} comes too soon: skip "
        "that delivery first (only once, even when the day it moves to is still before then), and put the day it "
        "moves to on the calendar instead. But first look at each product's price history: a subscription whose "
        "product's latest price change was a price increase gets no event and no skip; pause it instead.",
        Solution().step(look).step(prices).step(act).step(check).steps(),
        expectations,
    )


@scenario("money_calendar_pay_by_dates", apps=("payments", "calendar"))
def pay_by_dates(view: WorldView, rng: random.Random) -> TaskSpec:
    """Pending requests received over an amount get a pay-by day two weeks after they were sent, one week for those
    the requester already reminded me of; the answer is what they add up to. Deep because the payer has 6-12 such
    requests among 7-22 pending ones (pages of them), each scheduled and checked."""
    limit = rng.choice([15, 25, 35])
    owners = view.rows(
        "SELECT payer_id FROM payments_requests WHERE status = 'pending' GROUP BY payer_id "
        "HAVING SUM(amount > ?1) BETWEEN 6 AND 12 AND SUM(amount <= ?1) >= 1 AND SUM(amount > ?1 AND reminders > 0) "
        ">= 1 AND SUM(amount > ?1 AND reminders = 0) >= 1 ORDER BY payer_id",
        limit,
    )
    owner = pick(rng, owners, "payer with 6-12 large and some small pending requests", distinct=True)["payer_id"]
    rows = view.rows(
        "SELECT * FROM payments_requests WHERE payer_id = ? AND status = 'pending' AND amount > ? ORDER BY id",
        owner,
        limit,
    )
    calendar = primary_calendar(view, owner)
    expectations: list[Expectation] = []
    for r in rows:
        days = 7 if r["reminders"] else 14
        due = (date.fromisoformat(r["created_at"][:10]) + timedelta(days=days)).isoformat()
        title = f"Pay {full_name(view, r['requester_id'])} {money(r['amount'])} ({r['note']})"
        expectations += [
            Inserted(
                "calendar_events",
                new_all_day_event(owner, calendar, title, due),
                f"an all-day free event '{title}' on {due}, {days} days after the request"
                + (" (they reminded me)" if r["reminders"] else ""),
                what="pay-by events",
            ),
            Inserted(
                "calendar_reminders",
                {
                    "event_id": NewRow("calendar_events", {"title": title, "organizer_id": owner}),
                    "person_id": owner,
                    "minutes_before": 1440,
                    "method": "popup",
                },
                f"'{title}' has a reminder a day (1440 minutes) before",
                what="reminders",
            ),
        ]
    total = round(sum(r["amount"] for r in rows), 2)
    everything = round(
        view.value("SELECT SUM(amount) FROM payments_requests WHERE payer_id = ? AND status = 'pending'", owner), 2
    )
    expectations.append(
        Answer(
            total,
            f"the answer is what those requests add up to ({money(total)})",
            traps={f"{everything:g}": f"that is every pending request, also those of ${limit} or less"},
        )
    )
    look = (
        login("payments", "calendar")
        + fetch_all(
            "pending",
            "apis.payments.show_requests(access_token=payments_token, direction='received', status='pending'",
        )
        + "for r in pending:\n"
        "    print(r['request_id'], r['requester']['name'], r['amount'], r['note'], r['created_at'], r['reminders'])\n"
    )
    act = (
        f"large = [r for r in pending if r['amount'] > {limit}]\n"
        "created = []\n"
        "for r in large:\n"
        "    days = 7 if r['reminders'] else 14\n"
        "    due = (datetime.date.fromisoformat(r['created_at'][:10]) + datetime.timedelta(days=days)).isoformat()\n"
        "    title = f\"Pay {r['requester']['name']} ${r['amount']:.2f} ({r['note']})\"\n"
        "    event = apis.calendar.create_event(access_token=calendar_token, title=title, start=due, all_day=True, "
        "busy=False, reminder_minutes=1440)\n"
        "    created.append(event['event_id'])\n"
    )
    check = (
        "for event_id in created:\n"
        "    event = apis.calendar.show_event(access_token=calendar_token, event_id=event_id)\n"
        "    print(event['title'], event['start'], event['busy'])\n"
        "    print(apis.calendar.show_event_reminders(access_token=calendar_token, event_id=event_id))\n"
        "apis.supervisor.complete_task(answer=round(sum(r['amount'] for r in large), 2))\n"
    )
    return TaskSpec(
        owner,
        f"I want to pay what people asked me for on the payments app in time. For every pending request I received "
        f"for more than ${limit}, add an all-day event to my primary calendar, shown as free, with a reminder a day "
        "(1440 minutes) before, on the day two weeks after the request was sent (one week after when they have "
        "already sent me a reminder about it), titled 'Pay <their full name> "
        "$<amount with two decimals> (<the request's note>)'. Then tell me how much those requests add up to.",
        Solution().step(look).step("import datetime\n" + act).step(check).steps(),
        expectations,
    )


@scenario("money_calendar_shared_bills", apps=("bill_splitting", "calendar"))
def shared_bills(view: WorldView, rng: random.Random) -> TaskSpec:
    """A repeating all-day event per active recurring expense of my groups, titled with my share; paused ones are
    distractors; the answer is my shares' sum. Deep: 4+ active rules over several groups, each group read for its
    member count (the rule list lacks it), one event made and checked per rule."""
    until = rng.choice(["2026-09-30", "2026-10-31", "2026-12-31"])
    owners = view.rows(
        "SELECT m.person_id FROM bill_splitting_members m JOIN bill_splitting_recurring r ON r.group_id = m.group_id "
        "GROUP BY m.person_id HAVING SUM(r.is_active) >= 4 AND SUM(1 - r.is_active) >= 1 ORDER BY m.person_id"
    )
    owner = pick(rng, owners, "member with active and paused recurring expenses", distinct=True)["person_id"]
    rows = view.rows(
        "SELECT r.*, g.name AS group_name, "
        "(SELECT COUNT(*) FROM bill_splitting_members x WHERE x.group_id = r.group_id) AS members "
        "FROM bill_splitting_recurring r JOIN bill_splitting_groups g ON g.id = r.group_id "
        "JOIN bill_splitting_members m ON m.group_id = r.group_id AND m.person_id = ? WHERE r.is_active = 1 "
        "ORDER BY r.id",
        owner,
    )
    calendar = primary_calendar(view, owner)
    expectations: list[Expectation] = []
    shares = []
    for r in rows:
        share = round(r["amount"] / r["members"], 2)
        shares.append(share)
        title = f"{r['description']} ({r['group_name']}): my share {money(share)}"
        expectations.append(
            Inserted(
                "calendar_events",
                new_all_day_event(
                    owner, calendar, title, r["next_date"], recurrence=r["frequency"], recurrence_until=until
                ),
                f"a {r['frequency']} all-day free event '{title}' from {r['next_date']} until {until}",
                what="bill events",
            )
        )
    total = round(sum(shares), 2)
    expectations.append(Answer(total, f"the answer is the sum of my shares ({money(total)})"))
    look = (
        login("bill_splitting", "calendar")
        + fetch_all(
            "recurring",
            "apis.bill_splitting.show_recurring_expenses(access_token=bill_splitting_token, status='active'",
        )
        + "groups = {}\n"
        "for r in recurring:\n"
        "    if r['group_id'] not in groups:\n"
        "        groups[r['group_id']] = apis.bill_splitting.show_group(access_token=bill_splitting_token, "
        "group_id=r['group_id'])\n"
        "    print(r['description'], r['amount'], r['frequency'], r['next_date'], groups[r['group_id']]['name'])\n"
    )
    act = (
        "shares = []\n"
        "created = []\n"
        "for r in recurring:\n"
        "    group = groups[r['group_id']]\n"
        "    share = round(r['amount'] / len(group['members']), 2)\n"
        "    shares.append(share)\n"
        "    title = f\"{r['description']} ({group['name']}): my share ${share:.2f}\"\n"
        "    event = apis.calendar.create_event(access_token=calendar_token, title=title, start=r['next_date'], "
        f"all_day=True, busy=False, recurrence=r['frequency'], recurrence_until={until!r})\n"
        "    created.append(event['event_id'])\n"
    )
    check = (
        "for event_id in created:\n"
        "    event = apis.calendar.show_event(access_token=calendar_token, event_id=event_id)\n"
        "    print(event['title'], event['start'], event['recurrence'], event['recurrence_until'])\n"
        "apis.supervisor.complete_task(answer=round(sum(shares), 2))\n"
    )
    return TaskSpec(
        owner,
        "Put my shared bills on my calendar: for every active recurring expense of my bill splitting groups (paused "
        "ones do not count), add an all-day event to my primary calendar, shown as free, starting on its next date and "
        f"repeating as often as the expense does (weekly or monthly) until {_day_words(until)}, titled '<description> "
        "(<group name>): my share $<amount divided by the number of group members, rounded to the cent>'. Then tell "
        "me what my shares of them add up to.",
        Solution().step(look).step(act).step(check).steps(),
        expectations,
    )
