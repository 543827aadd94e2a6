"""Money records kept as files: monthly payments statements in the file system."""

from __future__ import annotations

import random

from envs.toolworld.evaluate import Answer, Expectation, InBlocks, Inserted, NewRow, runs
from envs.toolworld.scenarios._common import Solution, fetch_all, full_name, login, pick
from envs.toolworld.scenarios._money import money
from envs.toolworld.scenarios._rows import new_file
from envs.toolworld.tasks import TaskSpec, WorldView, scenario

HALVES = {
    "H1 2025": ("2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"),
    "H2 2025": ("2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12"),
}
LAST_DAY = {f"{m:02d}": days for m, days in enumerate((31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31), start=1)}


@scenario("money_files_monthly_statements", apps=("payments", "file_system"))
def monthly_statements(view: WorldView, rng: random.Random) -> TaskSpec:
    """One statement file per month of a half-year (money in and out, then the net) in a new directory; the answer
    is the month with the best net."""
    label = rng.choice(sorted(HALVES))
    months = HALVES[label]
    folder = f"/documents/statements/{label.replace(' ', '_')}"
    owners = view.rows(
        "SELECT p.id FROM people p WHERE NOT EXISTS (SELECT 1 FROM file_system_directories d WHERE d.owner_id = p.id "
        "AND d.path = '/documents/statements') ORDER BY p.id"
    )
    candidates = []
    for (owner,) in ((r["id"],) for r in owners):
        nets = []
        for month in months:
            row = view.row(
                "SELECT COUNT(*) AS n, ROUND(COALESCE(SUM(CASE WHEN receiver_id = ?1 THEN amount ELSE -amount END), "
                "0), 2) AS net FROM payments_transactions WHERE (sender_id = ?1 OR receiver_id = ?1) "
                "AND created_at LIKE ?2",
                owner,
                f"{month}-%",
            )
            nets.append((row["net"], row["n"]))
        best = max(net for net, _ in nets)
        if all(2 <= n <= 15 for _, n in nets) and sum(net == best for net, _ in nets) == 1:
            candidates.append(owner)
    owner = pick(rng, candidates, "person with a few payments each month", distinct=True)
    expectations: list[Expectation] = [
        Inserted(
            "file_system_directories",
            {"owner_id": owner, "path": path},
            f"the directory {path} is created",
            what="directories",
        )
        for path in ("/documents/statements", folder)
    ]
    best, best_net = "", float("-inf")
    statements: dict[str, tuple[list[str], list[list[str]], float]] = {}
    for month in months:
        rows = view.rows(
            "SELECT * FROM payments_transactions WHERE (sender_id = ?1 OR receiver_id = ?1) AND created_at LIKE ?2 "
            "ORDER BY created_at, id",
            owner,
            f"{month}-%",
        )
        lines = [
            f"{t['created_at'][:10]} received {money(t['amount'])} from {full_name(view, t['sender_id'])}"
            if t["receiver_id"] == owner
            else f"{t['created_at'][:10]} sent {money(t['amount'])} to {full_name(view, t['receiver_id'])}"
            for t in rows
        ]
        net = round(sum(t["amount"] if t["receiver_id"] == owner else -t["amount"] for t in rows), 2)
        if net > best_net:
            best, best_net = month, net
        statements[month] = (lines, runs(lines, [t["created_at"] for t in rows]), net)
    for month, (lines, blocks, net) in statements.items():
        path = f"{folder}/{month}.txt"
        starred = " and is starred (the best month)" if month == best else ""
        expectations.append(
            Inserted(
                "file_system_files",
                new_file(owner, path, InBlocks(*blocks, [f"Net: {net:.2f}"]), starred=int(month == best)),
                f"{path} lists the {len(lines)} payments of {month}, then 'Net: {net:.2f}'{starred}",
                what="statement files",
            )
        )
        if net < 0:
            expectations.append(
                Inserted(
                    "file_system_tags",
                    {
                        "file_id": NewRow("file_system_files", {"owner_id": owner, "path": path}),
                        "owner_id": owner,
                        "tag": "important",
                    },
                    f"{path} (net {net:.2f}) is tagged important",
                    what="tags",
                )
            )
    expectations.append(Answer(best, f"the answer is the month with the best net ({best})"))
    look = (
        login("payments", "file_system")
        + "statements = {}\n"
        + f"for month in {list(months)!r}:\n"
        + fetch_all(
            "moves",
            "apis.payments.show_transactions(access_token=payments_token, start_date=f'{month}-01', "
            "end_date=f'{month}-{LAST_DAY[month[5:]]}', sort_by='created_at'",
            indent="    ",
        )
        + "    statements[month] = [t for t in moves if t['created_at'].startswith(month)]\n"
        + "    print(month, len(statements[month]))\n"
        + "print(apis.file_system.show_directory(access_token=file_system_token, path='/documents'))\n"
    )
    act = (
        f"apis.file_system.create_directory(access_token=file_system_token, path={folder!r}, parents=True)\n"
        "nets = {}\n"
        "for month, moves in statements.items():\n"
        "    lines = []\n"
        "    for t in moves:\n"
        "        if t['receiver']['email'] == me['email']:\n"
        "            lines.append(f\"{t['created_at'][:10]} received ${t['amount']:.2f} from {t['sender']['name']}\")\n"
        "        else:\n"
        "            lines.append(f\"{t['created_at'][:10]} sent ${t['amount']:.2f} to {t['receiver']['name']}\")\n"
        "    nets[month] = round(sum(t['amount'] if t['receiver']['email'] == me['email'] else -t['amount'] "
        "for t in moves), 2)\n"
        "    lines.append(f'Net: {nets[month]:.2f}')\n"
        f"    apis.file_system.create_file(access_token=file_system_token, path=f'{folder}/{{month}}.txt', "
        "content='\\n'.join(lines))\n"
        "    if nets[month] < 0:\n"
        f"        apis.file_system.add_file_tag(access_token=file_system_token, path=f'{folder}/{{month}}.txt', "
        "tag='important')\n"
    )
    check = (
        "best = max(nets, key=nets.get)\n"
        f"apis.file_system.star_file(access_token=file_system_token, path=f'{folder}/{{best}}.txt')\n"
        f"print(apis.file_system.show_directory(access_token=file_system_token, path={folder!r}))\n"
        "apis.supervisor.complete_task(answer=best)\n"
    )
    return TaskSpec(
        owner,
        f"Write my payments statements for {label}: create the directory {folder} and in it one file per month "
        "named 'YYYY-MM.txt', listing every payment I sent or received on the payments app that month, oldest first, "
        "one per line as 'YYYY-MM-DD received $<amount> from <full name>' or 'YYYY-MM-DD sent $<amount> to <full "
        "name>' (two decimals), then a last line 'Net: <received minus sent, two decimals, negative with a minus "
        "sign>'. Tag 'important' the file of each month I spent more than I received. Star the file of the month "
        "with the best net, and tell me which month (YYYY-MM) that is.",
        Solution().step(f"LAST_DAY = {LAST_DAY!r}\n" + look).step(act).step(check).steps(),
        expectations,
    )
