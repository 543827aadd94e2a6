"""Word search done by SQLite, so a search never loads a whole table into Python to filter it."""

from __future__ import annotations

from collections.abc import Sequence


def words_clause(query: str, columns: Sequence[str]) -> tuple[str, list[str]]:
    """(" AND ..." SQL, its arguments): every word of `query` appears, case-insensitively, in one of `columns`.

    instr() instead of LIKE, so the words need no escaping of % or _. An empty query gives ("", [])."""
    sql, args = "", []
    for word in query.lower().split():
        sql += " AND (" + " OR ".join(f"instr(lower({c}), ?) > 0" for c in columns) + ")"
        args += [word] * len(columns)
    return sql, args


def named_words_clause(query: str, columns: Sequence[str], prefix: str = "word") -> tuple[str, dict[str, str]]:
    """words_clause for SQL with named parameters: (" AND ..." SQL, {":prefixN" name: word})."""
    sql, args = "", {}
    for i, word in enumerate(query.lower().split()):
        sql += " AND (" + " OR ".join(f"instr(lower({c}), :{prefix}{i}) > 0" for c in columns) + ")"
        args[f"{prefix}{i}"] = word
    return sql, args
