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


def contains(column: str, parameter: str = "?") -> str:
    """SQL that is true when `column`, lowercased, contains the text bound to `parameter`: instr() instead of
    LIKE, so % and _ in the words an agent searches for are characters, not wildcards."""
    return f"instr(lower({column}), {parameter}) > 0"


def word_conditions(column: str, query: str | None) -> tuple[list[str], list[str]]:
    """(conditions, their arguments): each distinct word of `query` appears, case-insensitively, in `column`."""
    words = search_words(query)
    return [contains(column) for _ in words], words


def words_clause(query: str, columns: Sequence[str]) -> tuple[str, list[str]]:
    """(" AND ..." SQL, its arguments): every word of `query` appears, case-insensitively, in one of `columns`.

    An empty query gives ("", [])."""
    sql, args = "", []
    for word in search_words(query):
        sql += " AND (" + " OR ".join(contains(c) for c in columns) + ")"
        args += [word] * len(columns)
    return sql, args


def named_words_clause(
    query: str, columns: Sequence[str], prefix: str = "word", argument: str = "query"
) -> tuple[str, dict[str, str]]:
    """words_clause for SQL with named parameters: (" AND ..." SQL, {":prefixN" name: word})."""
    sql, args = "", {}
    for i, word in enumerate(search_words(query, argument)):
        sql += " AND (" + " OR ".join(contains(c, f":{prefix}{i}") for c in columns) + ")"
        args[f"{prefix}{i}"] = word
    return sql, args
