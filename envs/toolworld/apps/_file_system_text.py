"""file_system text tools: read part of a file, count it, find and replace in it, compare two files."""

from __future__ import annotations

import difflib
from typing import Annotated, Any

from envs.toolworld.api import MAX_STORED_CHARS, ApiError, CallContext, P, replaced_text
from envs.toolworld.apps._file_system_base import PATH, app, existing_file

COMPARE_MAX_LINES = 2_000  # a line diff can cost the product of the two files' lengths


@app.api("GET", "/files/lines", {"path": "string", "line_count": 1, "lines": [{"line_number": 1, "line": "string"}]})
def show_file_lines(
    ctx: CallContext,
    path: PATH,
    start_line: Annotated[
        int, P("The first line to show, from 1; negative counts from the end (-3: last 3).", ge=-100_000, le=100_000)
    ] = 1,
    line_count: Annotated[int, P("How many lines to show.", ge=1, le=200)] = 20,
) -> dict[str, Any]:
    """Show some lines of a file (like head and tail), with the file's total line count."""
    if start_line == 0:
        raise ApiError(422, "Invalid argument 'start_line': lines count from 1 (or from -1 at the end), not 0.")
    row = existing_file(ctx, path)
    lines = row["content"].splitlines()
    first = start_line - 1 if start_line > 0 else max(0, len(lines) + start_line)
    return {
        "path": row["path"],
        "line_count": len(lines),
        "lines": [
            {"line_number": first + i + 1, "line": text} for i, text in enumerate(lines[first : first + line_count])
        ],
    }


@app.api("GET", "/files/stats", {"path": "string", "lines": 1, "words": 1, "characters": 1})
def count_file_words(ctx: CallContext, path: PATH) -> dict[str, Any]:
    """Count the lines, words and characters of a file."""
    row = existing_file(ctx, path)
    text = row["content"]
    return {"path": row["path"], "lines": len(text.splitlines()), "words": len(text.split()), "characters": len(text)}


@app.api("PATCH", "/files/replace", {"message": "string", "replacements": 1})
def replace_in_file(
    ctx: CallContext,
    path: PATH,
    find: Annotated[str, P("The exact text to find (case-sensitive).", min_length=1, max_length=1000)],
    replace_with: Annotated[str, P("The text to put in its place; may be empty.", max_length=1000)],
    max_replacements: Annotated[
        int | None, P("Replace at most this many occurrences, from the start.", ge=1, le=MAX_STORED_CHARS)
    ] = None,
) -> dict[str, Any]:
    """Find and replace text inside a file (413 if the file would pass 100,000 characters)."""
    row = existing_file(ctx, path)
    found = row["content"].count(find)
    if not found:
        raise ApiError(404, f"{find!r} does not occur in {row['path']}.")
    done = found if max_replacements is None else min(found, max_replacements)
    ctx.execute(
        "UPDATE file_system_files SET content = ?, updated_at = ? WHERE id = ?",
        replaced_text(row["content"], find, replace_with, done),
        ctx.timestamp(),
        row["id"],
    )
    return {"message": f"{done} replaced.", "replacements": done}


@app.api("GET", "/files/compare", {"identical": True, "differences": ["string"]})
def compare_files(
    ctx: CallContext,
    path: PATH,
    other_path: Annotated[str, P("The absolute path of the file to compare with.", min_length=1, max_length=1000)],
) -> dict[str, Any]:
    """Compare two of your files line by line: lines only in the first start with '-', only in the second with '+'."""
    first = existing_file(ctx, path)
    second = existing_file(ctx, other_path, "other_path")
    for row, argument in ((first, "path"), (second, "other_path")):
        if len(row["content"].splitlines()) > COMPARE_MAX_LINES:  # the lines the diff sees: "\r", "\x85" end one too
            raise ApiError(
                422,
                f"Invalid argument {argument!r}: {row['path']} has over {COMPARE_MAX_LINES:,} lines, too many to "
                "compare; read it in parts with show_file_lines.",
            )
    differences = [
        line
        for line in difflib.unified_diff(
            first["content"].splitlines(), second["content"].splitlines(), lineterm="", n=0
        )
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    return {"identical": first["content"] == second["content"], "differences": differences[:200]}
