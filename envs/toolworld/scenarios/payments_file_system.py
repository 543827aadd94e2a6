"""Scenarios joining payments history with file_system records."""

from __future__ import annotations

import random

from envs.toolworld.evaluate import Answer, InOrder, Inserted
from envs.toolworld.scenarios._common import Solution, fetch_all, full_name, login, pick
from envs.toolworld.scenarios._life import BILLS, PARSE_BILL, bills
from envs.toolworld.scenarios._rows import new_file
from envs.toolworld.scenarios.payments import find_email
from envs.toolworld.tasks import TaskSpec, WorldView, scenario


@scenario("payments_rent_record_file", apps=("payments", "file_system"))
def rent_record_file(view: WorldView, rng: random.Random) -> TaskSpec:
    """Housing costs month by month: each rent payment (payments) beside that month's bill files (one show_file
    per bill: the amount is only in the file's text); the answer is the year's total."""
    year = rng.choice(["2025", "2026"])
    path = f"{BILLS}/rent_{year}.txt"
    pairs = view.rows(
        "SELECT t.sender_id, t.receiver_id FROM payments_transactions t WHERE t.note = 'rent share' "
        "AND t.created_at LIKE ? || '-%' AND NOT EXISTS (SELECT 1 FROM file_system_files f "
        "WHERE f.owner_id = t.sender_id AND f.path = ?) GROUP BY t.sender_id, t.receiver_id HAVING COUNT(*) >= 4 "
        "AND COUNT(*) = COUNT(DISTINCT substr(t.created_at, 1, 7)) ORDER BY t.sender_id, t.receiver_id",
        year,
        path,
    )
    pair = pick(rng, pairs, "monthly rent payer", distinct=True)
    owner, landlord = pair["sender_id"], pair["receiver_id"]
    name = full_name(view, landlord)
    paid = view.rows(
        "SELECT created_at, amount FROM payments_transactions WHERE sender_id = ? AND receiver_id = ? "
        "AND note = 'rent share' AND created_at LIKE ? || '-%' ORDER BY created_at",
        owner,
        landlord,
        year,
    )
    monthly: dict[str, float] = {}
    for b in bills(view, owner):
        monthly[b["period"]] = round(monthly.get(b["period"], 0.0) + b["amount"], 2)
    lines = [
        f"{p['created_at'][:10]}: rent ${p['amount']:.2f}, bills ${monthly.get(p['created_at'][:7], 0.0):.2f}"
        for p in paid
    ]
    total = round(sum(p["amount"] + monthly.get(p["created_at"][:7], 0.0) for p in paid), 2)
    rent_only = round(sum(p["amount"] for p in paid), 2)
    look = (
        login("payments", "file_system")
        + find_email(name)
        + fetch_all(
            "sent",
            "apis.payments.show_transactions(access_token=payments_token, direction='sent', with_email=email, "
            f"query='rent share', start_date='{year}-01-01', end_date='{year}-12-31'",
        )
        + "rent = sorted((t for t in sent if t['note'] == 'rent share'), key=lambda t: t['created_at'])\n"
        + "print(len(rent), [(t['created_at'], t['amount']) for t in rent])\n"
    )
    read_bills = (
        PARSE_BILL
        + fetch_all(
            "files",
            f"apis.file_system.search_files(access_token=file_system_token, query='_{year}-', directory={BILLS!r}",
        )
        + "months = {t['created_at'][:7] for t in rent}\n"
        + "monthly = {}\n"
        + "for f in files:\n"
        + "    if f['name'].rsplit('_', 1)[-1][:7] in months:\n"
        + "        bill = parse_bill(f['path'], apis.file_system.show_file(access_token=file_system_token, "
        + "path=f['path'])['content'])\n"
        + "        monthly[bill['period']] = round(monthly.get(bill['period'], 0) + bill['amount'], 2)\n"
        + "print(monthly)\n"
    )
    write = (
        "lines, total = [], 0.0\n"
        "for t in rent:\n"
        "    bills = monthly.get(t['created_at'][:7], 0.0)\n"
        "    lines.append(f\"{t['created_at'][:10]}: rent ${t['amount']:.2f}, bills ${bills:.2f}\")\n"
        "    total += t['amount'] + bills\n"
        "lines.append(f'Total: ${total:.2f}')\n"
        f"apis.file_system.create_file(access_token=file_system_token, path={path!r}, content='\\n'.join(lines))\n"
    )
    check = (
        f"print(apis.file_system.show_file(access_token=file_system_token, path={path!r})['content'])\n"
        "apis.supervisor.complete_task(answer=round(total, 2))\n"
    )
    return TaskSpec(
        owner,
        f"Make a record of my housing costs in {year}: create the file {path} with one line per payment I sent {name} "
        f"on the payments app with the note 'rent share' in {year}, oldest first, written as 'YYYY-MM-DD: rent "
        "$<amount>, bills $<bills>', where <bills> adds the amounts due of all my bill files in "
        f"{BILLS} for that payment's month (two decimals, $0.00 if none), then a last line 'Total: $<all the rent "
        "and bills listed>'. Tell me that total.",
        Solution().step(look).step(read_bills).step(write).step(check).steps(),
        [
            Inserted(
                "file_system_files",
                new_file(owner, path, InOrder([*lines, f"Total: ${total:.2f}"])),
                f"{path} lists the {len(lines)} rent payments to {name} in {year} with their month's bills, then "
                f"'Total: ${total:.2f}'",
                what="rent record files",
            ),
            Answer(
                total,
                f"the answer is the year's rent and bills (${total:.2f})",
                traps={f"{rent_only:g}": "that is the rent alone"},
            ),
        ],
    )
