"""Word search done by SQLite, so a search never loads a whole table into Python to filter it."""

from __future__ import annotations

from collections.abc import Sequence

from envs.toolworld.api import ApiError

# Distinct words of one search query: each word is one more scan of every text searched, and 100 words (what
# QUERY_MAX_CHARS admits) over the 4 MB of note text the storage bound admits took 0.4 s of env CPU in one call
QUERY_MAX_WORDS = 20


def search_words(query: str | None, argument: str = "query") -> list[str]:
    """The distinct lowercase words of a search query (a repeated word matches nothing more), or 422 past
    QUERY_MAX_WORDS."""
    words = list(dict.fromkeys((query or "").lower().split()))
    if len(words) > QUERY_MAX_WORDS:
        raise ApiError(
            422, f"Invalid argument {argument!r}: at most {QUERY_MAX_WORDS} different words, got {len(words)}."
        )
    return words


def words_clause(query: str, columns: Sequence[str]) -> tuple[str, list[str]]:
    """(" AND ..." SQL, its arguments): every word of `query` appears, case-insensitively, in one of `columns`.

    instr() instead of LIKE, so the words need no escaping of % or _. An empty query gives ("", [])."""
    sql, args = "", []
    for word in search_words(query):
        sql += " AND (" + " OR ".join(f"instr(lower({c}), ?) > 0" for c in columns) + ")"
        args += [word] * len(columns)
    return sql, args


def named_words_clause(
    query: str, columns: Sequence[str], prefix: str = "word", argument: str = "query"
) -> tuple[str, dict[str, str]]:
    """words_clause for SQL with named parameters: (" AND ..." SQL, {":prefixN" name: word})."""
    sql, args = "", {}
    for i, word in enumerate(search_words(query, argument)):
        sql += " AND (" + " OR ".join(f"instr(lower({c}), :{prefix}{i}) > 0" for c in columns) + ")"
        args[f"{prefix}{i}"] = word
    return sql, args
