"""Work admin on the phone, without the todo app (train/dev/test_normal): missed calls answered by text, or by email
for coworkers."""

from __future__ import annotations

import random

from envs.toolworld.evaluate import Answer, Expectation
from envs.toolworld.scenarios._common import Solution, fetch_all, login, pick
from envs.toolworld.scenarios._work import day
from envs.toolworld.scenarios.email import sent_email
from envs.toolworld.scenarios.work_people import text_to
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

SUBJECT = "Missed your call"


@scenario("work_missed_call_texts", apps=("phone", "email"))
def missed_call_texts(view: WorldView, rng: random.Random) -> TaskSpec:
    """One message per contact whose call I missed since a date and did not call back after (checked per number):
    coworkers get it by email, everyone else by text; unknown numbers and the people I already called back are
    distractors; the answer counts the people messaged."""
    since = day(-rng.choice((45, 60, 90)))
    missed = view.rows(
        "SELECT x.owner_id, x.phone_number, MAX(x.started_at) AS last, k.first_name, k.relationship, f.id AS person "
        "FROM phone_calls x "
        "LEFT JOIN phone_contacts k ON k.owner_id = x.owner_id AND k.phone_number = x.phone_number "
        "LEFT JOIN people f ON f.email = k.email WHERE x.direction = 'missed' AND x.started_at >= ? "
        "GROUP BY x.owner_id, x.phone_number ORDER BY x.owner_id, x.phone_number",
        since,
    )
    by_owner: dict[int, list[dict]] = {}
    for r in missed:
        r["called_back"] = bool(
            view.rows(
                "SELECT 1 FROM phone_calls WHERE owner_id = ? AND phone_number = ? AND direction = 'outgoing' "
                "AND started_at > ?",
                r["owner_id"],
                r["phone_number"],
                r["last"],
            )
        )
        by_owner.setdefault(r["owner_id"], []).append(r)

    def waiting(rows: list[dict]) -> list[dict]:
        return [r for r in rows if r["first_name"] and not r["called_back"]]

    owners = [
        o
        for o, rows in sorted(by_owner.items())
        if len(waiting(rows)) >= 3
        and len(waiting(rows)) > sum(r["relationship"] == "coworker" for r in waiting(rows)) == 1  # one email, texts
        and all(r["person"] for r in rows if r["first_name"])
        and len({r["person"] for r in rows if r["first_name"]}) == sum(1 for r in rows if r["first_name"])
    ]
    owner = pick(rng, owners, "person with missed calls from contacts", distinct=True)
    rows = by_owner[owner]
    message = "Sorry I missed your call, I'll call you back today."
    look = (
        login("phone", "email")
        + fetch_all(
            "missed",
            f"apis.phone.show_call_history(access_token=phone_token, direction='missed', started_after={since!r}",
        )
        + "last = {}\n"
        + "for c in missed:\n"
        + "    last[c['phone_number']] = max(last.get(c['phone_number'], ''), c['started_at'])\n"
        + fetch_all("contacts", "apis.phone.search_contacts(access_token=phone_token")
        + "known = {c['phone_number']: c for c in contacts}\n"
        + "print(last)\n"
    )
    act = f"""
        to_call = 0
        for number, when in last.items():
            if number not in known:
                continue
            back = apis.phone.show_call_history(access_token=phone_token, direction='outgoing', phone_number=number,
                                                started_after=when[:10])
            if any(c['started_at'] > when for c in back):
                continue
            contact = known[number]
            if contact['relationship'] == 'coworker' and contact['email']:
                apis.email.send_email(access_token=email_token, recipients=[contact['email']],
                                      subject={SUBJECT!r}, body={message!r})
            else:
                apis.phone.send_text_message(access_token=phone_token, phone_number=number, message={message!r})
            to_call += 1
        """
    check = (
        fetch_all("sent", "apis.phone.search_text_messages(access_token=phone_token")
        + "print(sent[:5])\n"
        + f"print(apis.email.show_threads(access_token=email_token, folder='sent', query={SUBJECT!r}, page_limit=20))\n"
        + "apis.supervisor.complete_task(answer=to_call)\n"
    )
    texted = waiting(rows)
    expectations: list[Expectation] = []
    for r in texted:
        if r["relationship"] == "coworker":
            expectations += sent_email(
                view, owner, [r["person"]], message, f"{r['first_name']} (a coworker) gets the email", subject=SUBJECT
            )
        else:
            expectations.append(
                text_to(owner, r["person"], [message], f"{r['first_name']} ({r['phone_number']}) gets the text")
            )
    expectations.append(Answer(len(texted), f"the answer is how many people I messaged ({len(texted)})"))
    return TaskSpec(
        owner,
        f"Go through the calls I missed since {since}. For each contact of mine who called (numbers not in my "
        "contacts don't count) and whom I haven't called back since their last missed call, text them once: "
        f"'{message}'. Coworkers get that as an email instead, subject '{SUBJECT}', to the email in my contacts. "
        "Tell me how many people you messaged.",
        Solution().step(look).step(act).step(check).steps(),
        expectations,
    )
