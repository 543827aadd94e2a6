"""Scenarios joining payments history with file_system records."""

from __future__ import annotations

import random

from envs.toolworld.evaluate import Inserted
from envs.toolworld.scenarios._common import Solution, fetch_all, full_name, login, pick
from envs.toolworld.scenarios.payments import DONE, find_email
from envs.toolworld.scenarios.shop_bills_files import Receipt
from envs.toolworld.tasks import TaskSpec, WorldView, scenario


@scenario("payments_rent_record_file", apps=("payments", "file_system"))
def rent_record_file(view: WorldView, rng: random.Random) -> TaskSpec:
    year = rng.choice(["2025", "2026"])
    path = f"/documents/bills/rent_{year}.txt"
    pairs = view.rows(
        "SELECT t.sender_id, t.receiver_id FROM payments_transactions t WHERE t.note = 'rent share' "
        "AND t.created_at LIKE ? || '-%' AND NOT EXISTS (SELECT 1 FROM file_system_files f "
        "WHERE f.owner_id = t.sender_id AND f.path = ?) GROUP BY t.sender_id, t.receiver_id HAVING COUNT(*) >= 4 "
        "ORDER BY t.sender_id, t.receiver_id",
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
    lines = [f"{p['created_at'][:10]}: ${p['amount']:.2f}" for p in paid]
    total = f"Total: ${round(sum(p['amount'] for p in paid), 2):.2f}"
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
    write = (
        "lines = [f\"{t['created_at'][:10]}: ${t['amount']:.2f}\" for t in rent]\n"
        "lines.append(f\"Total: ${round(sum(t['amount'] for t in rent), 2):.2f}\")\n"
        f"apis.file_system.create_file(access_token=file_system_token, path={path!r}, content='\\n'.join(lines))\n"
        + DONE
    )
    return TaskSpec(
        owner,
        f"Make a record of the rent I paid {name} in {year}: create the file {path} with one line per payment I sent "
        f"them on the payments app with the note 'rent share' in {year}, written as 'YYYY-MM-DD: $<amount>' (two "
        "decimals), then a last line 'Total: $<sum of those payments>'.",
        Solution().step(look).step(write).steps(),
        [
            Inserted(
                "file_system_files",
                {"owner_id": owner, "path": path, "content": Receipt(lines, total), "starred": 0},
                f"{path} lists the {len(lines)} rent payments to {name} in {year}, then '{total}'",
                what="rent record files",
            )
        ],
    )
