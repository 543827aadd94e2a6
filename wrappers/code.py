"""Code in actions: is it code, is it the same program, which APIs does it call.

Wrappers compare, patch and vote over code, so they share one definition of
"the same program". (The code of a reply is `policies.llm_policy.extract_action`.)
Every analysis goes through `analyse`: model-written code may be prose, hold a
null byte, or be valid yet so long or deeply nested that the parser or a
recursive walk of its tree overflows; each such case is "could not analyse",
answered by the analysis's own fallback, never an error that ends the episode.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

#: What parsing, walking or unparsing model-written code raises when it cannot be analysed: not Python
#: (SyntaxError), a null byte (ValueError), nesting past the parser's or the interpreter's stack
#: (RecursionError; MemoryError is the parser's own answer to some deep expressions).
CANNOT_ANALYSE = (SyntaxError, ValueError, RecursionError, MemoryError)


def analyse(code: str, work: Callable[[ast.Module], T], fallback: Callable[[], T]) -> T:
    """`work(tree)` on the syntax tree of `code`, or `fallback()` when the code cannot be analysed."""
    try:
        return work(ast.parse(code))
    except CANNOT_ANALYSE:
        return fallback()


def has_code(action: str) -> bool:
    """Whether an action is code that does something: prose fails to parse, and
    a lone word or string ("Done", "'ok'") is a statement that does nothing.
    Code too deep to parse is not code either: the env could not compile it."""
    return analyse(action, _does_something, lambda: False)


def _does_something(tree: ast.Module) -> bool:
    inert = (ast.Constant, ast.Name)
    return any(
        not (isinstance(s, ast.Expr) and isinstance(s.value, inert)) and not isinstance(s, ast.Pass) for s in tree.body
    )


def normalize_code(code: str) -> str:
    """One text per program: comments, whitespace and formatting do not count.

    ast.unparse rewrites the program from its syntax tree; code that cannot be
    analysed falls back to its lines with whitespace collapsed.
    """
    return analyse(code, ast.unparse, lambda: _collapsed_lines(code))


def _collapsed_lines(code: str) -> str:
    lines = (" ".join(line.split()) for line in code.splitlines())
    return "\n".join(line for line in lines if line)


def called_apis(code: str) -> list[tuple[str, str]]:
    """(app, api) pairs of `apis.<app>.<api>(...)` calls, in first-call order."""
    return analyse(code, _called_apis, lambda: list(dict.fromkeys(re.findall(r"\bapis\.(\w+)\.(\w+)\s*\(", code))))


def _called_apis(tree: ast.Module) -> list[tuple[str, str]]:
    found: list[tuple[int, int, tuple[str, str]]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Attribute)
            and isinstance(func.value.value, ast.Name)
            and func.value.value.id == "apis"
        ):
            found.append((node.lineno, node.col_offset, (func.value.attr, func.attr)))
    return list(dict.fromkeys(pair for _, _, pair in sorted(found)))


def strip_calls(code: str, function_name: str) -> str:
    """Remove every statement that calls `function_name` (e.g. complete_task).

    Code that cannot be analysed is returned with the offending lines dropped.
    """
    return analyse(
        code,
        lambda tree: ast.unparse(ast.fix_missing_locations(_StripCalls(function_name).visit(tree))),
        lambda: "\n".join(line for line in code.splitlines() if f"{function_name}(" not in line),
    )


class _StripCalls(ast.NodeTransformer):
    def __init__(self, function_name: str) -> None:
        self.function_name = function_name

    def generic_visit(self, node: ast.AST) -> ast.AST:
        super().generic_visit(node)
        for field in ("body", "orelse", "finalbody"):
            body = getattr(node, field, None)
            if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                kept = [stmt for stmt in body if not self._calls(stmt)]
                if not kept and field == "body":
                    kept = [ast.Pass()]
                setattr(node, field, kept)
        return node

    def _calls(self, stmt: ast.stmt) -> bool:
        if isinstance(stmt, (ast.If, ast.For, ast.While, ast.With, ast.Try, ast.FunctionDef)):
            return False  # compound statements keep their shape; their bodies were filtered
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name == self.function_name:
                    return True
        return False
