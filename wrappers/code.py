"""Code in actions: is it code, is it the same program, which APIs does it call.

Wrappers compare, patch and vote over code, so they share one definition of
"the same program". (The code of a reply is `policies.llm_policy.extract_action`.)
"""

from __future__ import annotations

import ast
import re


def has_code(action: str) -> bool:
    """Whether an action is code that does something: prose fails to parse, and
    a lone word or string ("Done", "'ok'") is a statement that does nothing."""
    try:
        tree = ast.parse(action)
    except (SyntaxError, ValueError):
        return False
    inert = (ast.Constant, ast.Name)
    return any(
        not (isinstance(s, ast.Expr) and isinstance(s.value, inert)) and not isinstance(s, ast.Pass) for s in tree.body
    )


def normalize_code(code: str) -> str:
    """One text per program: comments, whitespace and formatting do not count.

    ast.unparse rewrites the program from its syntax tree; code that does not
    parse falls back to its lines with whitespace collapsed.
    """
    try:
        return ast.unparse(ast.parse(code))
    except (SyntaxError, ValueError):
        lines = (" ".join(line.split()) for line in code.splitlines())
        return "\n".join(line for line in lines if line)


def called_apis(code: str) -> list[tuple[str, str]]:
    """(app, api) pairs of `apis.<app>.<api>(...)` calls, in first-call order."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        pairs = re.findall(r"\bapis\.(\w+)\.(\w+)\s*\(", code)
        return list(dict.fromkeys(pairs))
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

    Code that does not parse is returned with the offending lines dropped.
    """
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return "\n".join(line for line in code.splitlines() if f"{function_name}(" not in line)
    tree = _StripCalls(function_name).visit(tree)
    return ast.unparse(ast.fix_missing_locations(tree))


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
