"""Imports point one way: harness -> wrappers -> policies / envs -> sandbox and the shared contract.

The import graph is read with `ast` from the source (every `import` and
`from ... import`, also inside functions), so a lazy import that runs against
the layers fails too. envs and policies are peers: neither imports the other.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("envs", "policies", "wrappers", "harness")

#: Module prefixes, most specific first, with their layer; a lower number is a lower layer.
LAYERS: tuple[tuple[str, str, int], ...] = (
    ("envs.contract", "shared contract", 0),
    ("envs.observation", "shared contract", 0),
    ("envs.sandbox", "sandbox", 0),
    ("envs", "envs", 1),
    ("policies", "policies", 1),
    ("wrappers", "wrappers", 2),
    ("harness", "harness", 3),
    ("train_free_eval", "harness", 3),
)


def layer_of(module: str) -> tuple[str, int] | None:
    """(layer name, rank) of a project module; None for the standard library and third parties."""
    for prefix, name, rank in LAYERS:
        if module == prefix or module.startswith(prefix + "."):
            return name, rank
    return None


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, module: str) -> list[tuple[int, str]]:
    """(line, module) of every import in a file, relative imports resolved."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.append((node.lineno, base))
    return found


def upward_imports(root: Path) -> list[str]:
    """Every import from a module into a layer above it, or between the peers envs and policies."""
    files = [p for package in PACKAGES for p in sorted((root / package).rglob("*.py"))]
    files += [p for p in [root / "train_free_eval.py"] if p.exists()]
    problems = []
    for path in files:
        module = module_name(path, root)
        own = layer_of(module)
        assert own is not None, f"{module} is in no layer"
        for line, target in imported_modules(path, module):
            theirs = layer_of(target)
            if theirs is None or theirs == own:
                continue
            if theirs[1] > own[1] or (theirs[1] == own[1] and theirs[0] != own[0]):
                problems.append(f"{path.relative_to(root)}:{line}: {module} ({own[0]}) imports {target} ({theirs[0]})")
    return problems


def test_no_module_imports_a_layer_above_it():
    problems = upward_imports(REPO)
    assert not problems, "imports against the layers:\n" + "\n".join(problems)


def test_the_check_names_an_upward_import(tmp_path):
    for package in PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "envs" / "sandbox").mkdir()
    (tmp_path / "envs" / "sandbox" / "__init__.py").write_text("")
    (tmp_path / "policies" / "chooser.py").write_text("import json\nfrom harness.results import read_results\n")
    (tmp_path / "envs" / "sandbox" / "worker.py").write_text("def f():\n    from ..toolworld import apps\n")
    (tmp_path / "envs" / "mle.py").write_text("from policies.base import Policy\nfrom envs.contract import TaskMeta\n")
    (tmp_path / "wrappers" / "fine.py").write_text("from policies.base import Policy\nfrom envs.sandbox import bwrap\n")
    assert upward_imports(tmp_path) == [
        "envs/mle.py:1: envs.mle (envs) imports policies.base (policies)",
        "envs/sandbox/worker.py:2: envs.sandbox.worker (sandbox) imports envs.toolworld (envs)",
        "policies/chooser.py:2: policies.chooser (policies) imports harness.results (harness)",
    ]
