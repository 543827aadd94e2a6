from wrappers.ledger import format_ledger, ledger_entries

API_OUTPUT = (
    '{"access_token": "tok0x9f3a12345678abcd", "song_id": 5, "email": "a.b@c.org", "amount": 17.5}\n'
    "your code is 7Q2XK9MZP4RT88LL ok"
)


def test_keeps_credentials_ids_emails_numbers_and_tokens_verbatim():
    entries = ledger_entries([API_OUTPUT])
    assert entries == [
        "access_token: tok0x9f3a12345678abcd",
        "song_id: 5",
        "email: a.b@c.org",
        "amount: 17.5",
        "a.b@c.org",
        "7Q2XK9MZP4RT88LL",
    ]
    assert format_ledger(entries).splitlines()[1] == "- access_token: tok0x9f3a12345678abcd"


def test_long_runs_give_no_entries_and_the_newest_entries_survive_the_cap():
    assert ledger_entries(["a" * 50_000, "x" * 50_000 + "@", "key: " + "9" * 5_000]) == []
    entries = ledger_entries([f"item_id: {i}" for i in range(100)], max_entries=3)
    assert entries == ["item_id: 97", "item_id: 98", "item_id: 99"]
    assert format_ledger([]) == ""


def test_no_entry_is_longer_than_a_value_one_copies_whatever_the_output_holds():
    """A token, a number's key or an email as long as ToolWorld's 20,000-character output made an entry that
    long: kept in every later prompt, it held the prompt over budget however much was summarized."""
    from wrappers.ledger import ENTRY_MAX_CHARS

    outputs = ["k1" * 10_000, "a" * 20_000 + ": 5", "x" * 20_000 + "@example.org", "token=abc123def456ghi789jk"]
    entries = ledger_entries(outputs)
    assert all(len(entry) <= ENTRY_MAX_CHARS for entry in entries)
    assert entries == ["token: abc123def456ghi789jk"]  # the short values are still kept
