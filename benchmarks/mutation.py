"""Mutation score of the code that decides every reported number (issue 24), with mutmut 3.

Why mutmut: it records which tests reach each function in one plain pytest run and then runs only those tests
for each mutant, in forked workers, with every mutant of a file compiled in once behind a switch; cosmic-ray
re-runs the whole test command per mutant, which on this repo's subprocess-heavy ToolWorld and MLE tests is far
slower. Its config lives in pyproject.toml or setup.cfg and it writes a `mutants/` tree beside them, so nothing
runs in the checkout: each module is mutated in its own scratch copy of the committed HEAD under /work (sandboxed
workers cannot see /tmp), with the working tree's `*_mutants.py` tests laid over it, and a `[tool.mutmut]`
section written into that copy's pyproject.toml naming the one module and the tests that pin it.

    python -m benchmarks.mutation                    # every module (long: see README "Mutation score")
    python -m benchmarks.mutation medals summary     # some modules by name
    python -m benchmarks.mutation --report           # re-print the saved table
    python -m benchmarks.mutation --collect selection  # re-read a finished or stopped run's scratch copy
    python -m benchmarks.mutation --recheck summary    # re-test only a finished run's survivors after new tests

Each run merges its modules into benchmarks/results/mutation.json and rewrites mutation.md. Score = (killed +
timeout) / (mutants - equivalent - not checked). A timeout is mutmut's CPU-time limit (15x the covering tests'
own time): usually a mutant that hangs, but a slow covering test on a loaded machine can hit it too, so the
table shows them apart. "Not checked" mutants are those of a run stopped before it reached them. Each module runs
with the fewest fast tests that pin it (see MODULES): a test whose fixture prepares every competition or that
simulates hundreds of rounds would run for every mutant of each function it reaches. Run it under `nice`: it keeps
two cores busy for up to ~8 minutes per module (30 min for all, longer on a loaded machine).
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS_JSON = REPO / "benchmarks" / "results" / "mutation.json"
RESULTS_MD = REPO / "benchmarks" / "results" / "mutation.md"
SCRATCH = Path(os.environ.get("TRAINFREE_MUTATION_SCRATCH", "/work/mutation_scratch"))
TARGET = 0.85
# The copy's packages the tests import; mutmut copies them beside the mutated one.
PACKAGES = ["envs", "harness", "policies", "wrappers"]
ALSO_COPY = ["conf", "benchmarks", "train_free_eval.py"]


@dataclass(frozen=True)
class Module:
    """One row of the table: the files mutated together and the tests that pin them."""

    name: str
    files: tuple[str, ...]
    tests: tuple[str, ...]
    # Tests left out by name (pytest -k): slow statistical runs whose code the direct tests pin one rule at a time.
    skip: tuple[str, ...] = ()


GRADING_DIRECT = (
    "test_metric_value_checks",
    "test_log_loss_refuses_rows_that_do_not_sum_to_one_as_mlebench_does",
    "test_log_loss_clips_at_float64_eps_and_reads_one_column_as_binary",
    "test_multi_column_rmse_averages_per_column_scores_as_mlebench",
    "test_text_cells_like_NA_stay_text",
)

MODULES = [
    Module("medals", ("envs/mle/medals.py",), ("tests/mle/test_medals.py", "tests/mle/test_medals_mutants.py")),
    Module(
        "metrics",
        ("envs/mle/metrics.py",),
        (*(f"tests/mle/test_grading.py::{name}" for name in GRADING_DIRECT), "tests/mle/test_metrics_mutants.py"),
    ),
    Module(
        "grading",
        ("envs/mle/grading.py",),
        # The direct tests only (as for metrics): test_grading.py's others grade through a Competition whose fixture
        # prepares every built-in competition (~50 s a mutant under mutmut on a loaded machine); the mutants file
        # pins that path.
        (
            *(f"tests/mle/test_grading.py::{name}" for name in GRADING_DIRECT),
            "tests/mle/test_grading_mutants.py",
        ),
    ),
    Module(
        "failures",
        ("envs/toolworld/failures.py",),
        ("tests/toolworld/test_failures.py", "tests/toolworld/test_failures_mutants.py"),
    ),
    Module(
        "pages",
        ("envs/toolworld/pages.py",),
        ("tests/toolworld/test_failures.py", "tests/toolworld/test_pages_mutants.py"),
    ),
    Module(
        "evaluate",
        ("envs/toolworld/evaluate.py",),
        # The env-level tests play real episodes (one env per module, sandboxed worker) through mutmut's copy.
        ("tests/toolworld/test_evaluation.py", "tests/toolworld/test_evaluate_mutants.py"),
    ),
    Module(
        "results",
        ("harness/results.py",),
        ("tests/harness/test_results.py", "tests/harness/test_results_mutants.py"),
    ),
    Module(
        "summary",
        ("harness/summary.py",),
        ("tests/harness/test_summary.py", "tests/harness/test_summary_mutants.py"),
    ),
    Module(
        "selection",
        tuple(f"policies/selection/{name}.py" for name in ("base", "bandits", "contextual", "drift")),
        tuple(
            f"tests/selection/{name}.py"
            for name in ("test_strategies", "test_contextual", "test_drift", "test_state", "test_bandit_mutants")
        ),
        # Simulations of hundreds of rounds each (regret, LinUCB against MABWiser or every context-free strategy,
        # rollback per strategy and detector): every update rule is reached by them, so each mutant ran them all.
        skip=(
            *("regret", "pull_the_best_arm", "beats", "mabwiser"),
            *("sweeps_logged", "toolworld_tasks", "triggers_rollback"),
        ),
    ),
]


@dataclass(frozen=True)
class Equivalent:
    """A surviving mutant no test can kill: its name, a piece of its changed line (so a stale entry shows up as a
    survivor when the source moves) and why it behaves like the original."""

    name: str
    changed: str
    reason: str


_BAND_EDGE = "the bands meet there: both formulas give the same three places at this n"
_FLOOR_ABOVE_1 = "max(1, ...) of a share that is always well above 2 in this size band"
_TIE_MASKED = "an exact tie is a tie (isclose) and ties are masked out of `worse`, so >= and > count the same"
_ASCII_KEY = "json.dumps escapes every non-ASCII character (a lone surrogate too): the encoding never fails"
_SAME_LENGTH = "kinds is built from records one for one: zip's strict check can never fire"
_NEWLINES = (
    "universal-newline translation only rewrites line ends: csv gives the same rows and line numbers for a count"
)
_STRING_CELLS = "the cells are strings (every CSV is read with dtype=str): pandas gives an object array either way"
_ONE_ROW = "csv.reader over one string always yields one row (an empty string gives []): the default is never used"
_NO_NA = "with keep_default_na=False pandas reads no cell as missing unless na_values names some: [] is the default"
_UTF8_DEFAULT = "pandas reads UTF-8 when no encoding is given, and codec names are case-insensitive"
_GROWS_RACE = (
    "not equivalent but untestable without a race: only a file that grows between fstat and read (checked"
    " against the limit already) reaches the bounded read and its 'over the limit' reason"
)
_NAN_LAST = (
    "arms without data already rank last by the key's first item and candidates come in index order: among them"
    " max keeps the first (nan never compares greater), the lowest index, as equal -inf does"
)
_NO_FP_ERROR = "n is floored at 1e-300 and 0 / 1e-300 is 0: the division raises no floating-point error to silence"
_NEVER_EQUAL = "a draw of rng.random() equals the probability it is compared with with chance 0 (2^-53 steps)"
_NUMERIC_BOARD = "comparisons and isclose give the same answers on an int array as on a float one"

EQUIVALENT: list[Equivalent] = [
    Equivalent("envs.mle.medals.x_medal_positions__mutmut_6", "n <= 100", _BAND_EDGE + " (100: 10, 20, 40)"),
    Equivalent("envs.mle.medals.x_medal_positions__mutmut_7", "n < 101", _BAND_EDGE + " (100: 10, 20, 40)"),
    Equivalent("envs.mle.medals.x_medal_positions__mutmut_32", "n <= 250", _BAND_EDGE + " (250: 10, 50, 100)"),
    Equivalent("envs.mle.medals.x_medal_positions__mutmut_33", "n < 251", _BAND_EDGE + " (250: 10, 50, 100)"),
    Equivalent("envs.mle.medals.x_medal_positions__mutmut_51", "n <= 1000", _BAND_EDGE + " (1000: 12, 50, 100)"),
    Equivalent("envs.mle.medals.x_medal_positions__mutmut_52", "n < 1001", _BAND_EDGE + " (1000: 12, 50, 100)"),
    Equivalent("envs.mle.medals.x_medal_positions__mutmut_39", "max(2, int(0.2 * n))", _FLOOR_ABOVE_1),
    Equivalent("envs.mle.medals.x_medal_positions__mutmut_47", "max(2, int(0.4 * n))", _FLOOR_ABOVE_1),
    Equivalent("envs.mle.medals.x_medal_positions__mutmut_69", "max(2, int(0.05 * n))", _FLOOR_ABOVE_1),
    Equivalent("envs.mle.medals.x_medal_positions__mutmut_77", "max(2, int(0.1 * n))", _FLOOR_ABOVE_1),
    Equivalent("envs.mle.medals.x_leaderboard_percentile__mutmut_11", "board >= score", _TIE_MASKED),
    Equivalent("envs.mle.medals.x_leaderboard_percentile__mutmut_12", "board <= score", _TIE_MASKED),
    Equivalent("envs.mle.medals.x_leaderboard_percentile__mutmut_5", "dtype=None", _NUMERIC_BOARD),
    Equivalent("envs.mle.medals.x_leaderboard_percentile__mutmut_7", "np.asarray(scores)", _NUMERIC_BOARD),
    Equivalent(
        "harness.results.xǁResultStoreǁ_set_aside__mutmut_17",
        "XX.tmpXX",
        "the name of the temporary file is internal: it is renamed over results.jsonl at once",
    ),
    Equivalent(
        "harness.results.xǁResultStoreǁ_set_aside__mutmut_18",
        ".TMP",
        "the name of the temporary file is internal: it is renamed over results.jsonl at once",
    ),
    Equivalent("harness.results.xǁResultStoreǁappend__mutmut_16", "'UTF-8'", "codec names are case-insensitive"),
    Equivalent(
        "harness.results.xǁResultStoreǁappend__mutmut_8",
        "ensure_ascii=None",
        "json.dumps only tests ensure_ascii for truth: None acts as False",
    ),
    Equivalent(
        "envs.toolworld.pages.x_missed_apis__mutmut_13", "get(key, -2) <", "a page's stop is >= 0: below it, -1 or -2"
    ),
    Equivalent(
        "envs.toolworld.pages.x_missed_apis__mutmut_26", "get(key, -2), read.start", "a start is >= 0: -1 or -2 lose"
    ),
    *(
        Equivalent(f"envs.toolworld.pages.xǁPageReadǁof_call__mutmut_{n}", changed, _ASCII_KEY)
        for n, changed in ((14, "encode('utf-8')"), (16, "'UTF-8'"), (17, "XXreplaceXX"), (18, "'REPLACE'"))
    ),
    *(
        Equivalent(f"harness.summary.x_summarize__mutmut_{n}", changed, _SAME_LENGTH)
        for n, changed in (
            (8, "strict=None"),
            (11, "zip(records, kinds) if kind != INFRA"),
            (12, "strict=False"),
            (17, "strict=None"),
            (20, "zip(records, kinds) if kind == AGENT"),
            (21, "strict=False"),
            (26, "strict=None"),
            (29, "zip(records, kinds) if kind == INFRA"),
            (30, "strict=False"),
        )
    ),  # fmt: skip
    *(
        Equivalent(f"harness.summary.x_to_markdown__mutmut_{n}", "percent=None", "percent is only tested for truth")
        for n in (48, 69, 100, 115)
    ),
    Equivalent(
        "harness.summary.x__number__mutmut_7",
        "abs(value) > 0.1",
        "at exactly 0.1 (or -0.1) both formats print '0.1'",
    ),
    Equivalent(
        "harness.summary.x_rate_stat__mutmut_11",
        "proportion_ci(method='wilson')",
        "scipy's default confidence level is 0.95, the CONFIDENCE passed",
    ),
    Equivalent(
        "policies.selection.base.xǁSelectorǁload_state_dict__mutmut_27",
        "dtype=None",
        "saved counts are JSON ints and sums JSON floats: numpy infers the array's own dtype back",
    ),
    Equivalent(
        "policies.selection.base.xǁSelectorǁload_state_dict__mutmut_29",
        "np.asarray(value) if",
        "saved counts are JSON ints and sums JSON floats: numpy infers the array's own dtype back",
    ),
    Equivalent(
        "envs.toolworld.evaluate.x_normalize_answer__mutmut_13",
        "isinstance(value, bool) and value is None",
        "the text path gives the same: str(None) and str(a bool) are no number, lowered to 'none', 'true', 'false'",
    ),
    Equivalent(
        "envs.toolworld.evaluate.x_normalize_answer__mutmut_44",
        "rstrip('XX.XX')",
        "the text is lowercased first: it holds no 'X' for the longer strip set to take",
    ),
    *(
        Equivalent(f"policies.selection.base.xǁSelectorǁ_best_by_mean__mutmut_{n}", changed, _NAN_LAST)
        for n, changed in ((9, "isnan(means[a]) and False"), (11, "+math.inf if"))
    ),
    *(
        Equivalent(f"policies.selection.base.xǁSelectorǁmeans__mutmut_{n}", changed, _NO_FP_ERROR)
        for n, changed in (
            (1, "invalid=None"),
            (2, "divide=None"),
            (3, "errstate(divide="),
            (4, "errstate(invalid='ignore')"),
        )
    ),
    Equivalent("policies.selection.bandits.xǁEpsilonGreedyǁ_learned_choice__mutmut_1", "<= self.current", _NEVER_EQUAL),
    Equivalent("policies.selection.bandits.xǁThompsonSamplingǁ_learn__mutmut_11", "random() <= reward", _NEVER_EQUAL),
    Equivalent(
        "policies.selection.contextual.xǁLinUCBǁencode__mutmut_31",
        "np.append(x, 1.0)",
        "the appended column is the new pair's own, set to 1.0 on the next line",
    ),
    Equivalent(
        "policies.selection.base.xǁSelectorǁ__init____mutmut_1",
        "seed: int | None=1",
        "every strategy passes its own seed (default 0) on to Selector: the base's default is never used",
    ),
    Equivalent(
        "policies.selection.contextual.xǁLinUCBǁ__init____mutmut_48",
        "self._warned_full = None",
        "the flag is only tested for truth: None acts as False",
    ),
    Equivalent(
        "envs.mle.metrics.x__as_numbers_if_possible__mutmut_1",
        "astype(None)",
        "numpy reads astype(None) as astype(float64): the same conversion, refused on the same text",
    ),
    Equivalent(
        "envs.mle.metrics.x__check_row_probabilities__mutmut_16",
        "atol=ROW_SUM_ATOL)",
        "dropping rtol=ROW_SUM_RTOL leaves numpy's default rtol, which is the same 1e-5",
    ),
    Equivalent(
        "envs.mle.metrics.x__qwk__mutmut_8",
        "y_true.ravel().astype(None)",
        "class labels as floats (checked whole numbers) give scikit-learn the same confusion matrix as ints",
    ),
    Equivalent(
        "envs.mle.metrics.x__qwk__mutmut_9",
        "y_pred.ravel().astype(None)",
        "class labels as floats (checked whole numbers) give scikit-learn the same confusion matrix as ints",
    ),
    *(
        Equivalent(f"envs.mle.grading.x__check_rows__mutmut_{n}", changed, _NEWLINES)
        for n, changed in ((7, "newline=None"), (9, "io.StringIO(text), strict"))
    ),
    Equivalent("envs.mle.grading.x__typed_values__mutmut_3", "to_numpy(dtype=None)", _STRING_CELLS),
    Equivalent("envs.mle.grading.x_answer_values__mutmut_5", "to_numpy(dtype=None)", _STRING_CELLS),
    Equivalent("envs.mle.grading.x_parse_submission__mutmut_10", "find('\\n', None,", "str.find reads start None as 0"),
    *(
        Equivalent(f"envs.mle.grading.x_parse_submission__mutmut_{n}", changed, _ONE_ROW)
        for n, changed in ((27, "len(text)]]), None)"), (29, "len(text)]]))"))
    ),
    *(
        Equivalent(f"envs.mle.grading.x_read_csv_strict__mutmut_{n}", changed, _NO_NA)
        for n, changed in ((16, "na_values=None"), (21, "keep_default_na=False, encoding"))
    ),
    *(
        Equivalent(f"envs.mle.grading.x_read_csv_strict__mutmut_{n}", changed, _UTF8_DEFAULT)
        for n, changed in ((17, "encoding=None"), (22, "na_values=[])"), (25, "'UTF-8'"))
    ),
    Equivalent("envs.mle.grading.x_read_submission__mutmut_44", "'UTF-8'", "codec names are case-insensitive"),
    *(
        Equivalent(f"envs.mle.grading.x_read_submission__mutmut_{n}", changed, _GROWS_RACE)
        for n, changed in ((36, "handle.read(None)"), (38, "max_bytes + 2"), (41, "InvalidSubmission(None)"))
    ),
]


def scratch_copy(module: Module) -> Path:
    """The committed HEAD in a fresh scratch dir, plus the working tree's own *_mutants.py tests."""
    root = SCRATCH / module.name
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", "HEAD"], cwd=REPO, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(root)], input=archive, check=True)
    lay_mutant_tests(module, root)
    tests = [test for test in module.tests if (root / test.split("::")[0]).exists()]
    if module.skip:
        tests += ["-k", " and ".join(f"not {name}" for name in module.skip)]
    config = {
        "source_paths": PACKAGES,
        "only_mutate": list(module.files),
        "also_copy": ALSO_COPY,
        "pytest_add_cli_args": ["-p", "no:cacheprovider", "-q"],
        "pytest_add_cli_args_test_selection": tests,
    }
    section = "\n[tool.mutmut]\n" + "".join(f"{key} = {json.dumps(value)}\n" for key, value in config.items())
    with open(root / "pyproject.toml", "a", encoding="utf-8") as pyproject:
        pyproject.write(section)
    return root


def lay_mutant_tests(module: Module, root: Path) -> None:
    """The working tree's own *_mutants.py tests of the module, over the copy's (mutmut copies tests/ on each run)."""
    for test in module.tests:
        if test.endswith("_mutants.py") and (REPO / test).exists():
            shutil.copy2(REPO / test, root / test)


def survivors_of(module: Module, root: Path) -> list[str]:
    """Names of the mutants a finished run in the copy left alive."""
    from mutmut.stats import status_by_exit_code

    names = []
    for path in module.files:
        meta = json.loads((root / "mutants" / f"{path}.meta").read_text(encoding="utf-8"))
        names += [key for key, code in meta["exit_code_by_key"].items() if status_by_exit_code[code] == "survived"]
    return sorted(names)


def stale_files(module: Module, root: Path) -> list[str]:
    """The module's files whose committed HEAD differs from the copy's: a recheck there would test old code."""
    head = {
        path: subprocess.run(["git", "show", f"HEAD:{path}"], cwd=REPO, capture_output=True, check=True).stdout
        for path in module.files
    }
    return [path for path, text in head.items() if (root / path).read_bytes() != text]


def run_mutmut(root: Path, max_children: int, mutants: list[str] | None = None) -> float:
    """Runs mutmut in the copy, on every mutant or only on the named ones (a recheck: mutmut keeps the other
    results and collects the stats of the tests added since); returns the wall time in seconds."""
    mutmut = Path(sys.executable).with_name("mutmut")
    started = time.monotonic()
    log_name = "mutmut-recheck.log" if mutants else "mutmut.log"
    with open(root / log_name, "w", encoding="utf-8") as log:
        done = subprocess.run(
            [str(mutmut), "run", "--max-children", str(max_children), *(mutants or [])],
            cwd=root,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    if done.returncode != 0:
        raise RuntimeError(f"mutmut failed in {root} (exit {done.returncode}): see {root / log_name}")
    return time.monotonic() - started


def function_sources(mutated_file: Path) -> dict[str, str]:
    """Source of every function mutmut wrote into the mutated file, by its generated name."""
    tree = ast.parse(mutated_file.read_text(encoding="utf-8"))
    return {
        node.name: ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and "__mutmut_" in node.name
    }


def mutant_diff(sources: dict[str, str], key: str) -> str:
    """The lines a mutant changes, as a -/+ diff against its function's original."""
    function = key.rsplit(".", 1)[1]
    original_name = function.rsplit("__mutmut_", 1)[0] + "__mutmut_orig"
    original = sources.get(original_name, "")
    mutated = sources.get(function, "").replace(function, original_name)
    lines = difflib.unified_diff(original.splitlines(), mutated.splitlines(), lineterm="", n=0)
    return "\n".join(line for line in lines if line[:1] in "+-" and line[:3] not in ("---", "+++"))


def equivalence_reason(key: str, diff: str) -> str | None:
    added = "\n".join(line for line in diff.splitlines() if line.startswith("+"))
    for entry in EQUIVALENT:
        if entry.name == key and entry.changed in added:
            return entry.reason
    return None


def collect(module: Module, root: Path, seconds: float) -> dict:
    """Counts and survivors of one module from mutmut's per-file .meta results."""
    from mutmut.stats import status_by_exit_code

    counts = {"mutants": 0, "killed": 0, "survived": 0, "timeout": 0, "equivalent": 0, "other": 0, "not_checked": 0}
    survivors, equivalents = [], []
    for path in module.files:
        meta = json.loads((root / "mutants" / f"{path}.meta").read_text(encoding="utf-8"))
        sources = function_sources(root / "mutants" / path)
        for key, code in sorted(meta["exit_code_by_key"].items()):
            status = status_by_exit_code[code]
            counts["mutants"] += 1
            if status in ("killed", "timeout", "not checked"):
                counts[status.replace(" ", "_")] += 1
                continue
            diff = mutant_diff(sources, key)
            reason = equivalence_reason(key, diff) if status == "survived" else None
            if reason is not None:
                counts["equivalent"] += 1
                equivalents.append({"mutant": key, "diff": diff, "reason": reason})
            elif status == "survived":
                counts["survived"] += 1
                survivors.append({"mutant": key, "diff": diff})
            else:
                counts["other"] += 1
                survivors.append({"mutant": key, "diff": diff, "status": status})
    scored = counts["mutants"] - counts["equivalent"] - counts["not_checked"]  # a stopped run: what it checked
    score = (counts["killed"] + counts["timeout"]) / scored if scored else 1.0
    return {
        **counts,
        "score": round(score, 4),
        "files": list(module.files),
        "tests": list(module.tests),
        "seconds": round(seconds, 1),
        "survivors": survivors,
        "equivalents": equivalents,
    }


def table(results: dict[str, dict]) -> list[str]:
    rows = [
        "| module | mutants | killed | survived | timeout | score | equivalent | run time |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for module in MODULES:
        if module.name in results:
            r = results[module.name]
            unchecked = f" ({r['not_checked']} not checked: run stopped)" if r.get("not_checked") else ""
            rows.append(
                f"| {module.name} ({', '.join(r['files'])}) | {r['mutants']}{unchecked} | {r['killed']} | "
                f"{r['survived'] + r['other']} | {r['timeout']} | {r['score']:.1%} | {r['equivalent']} | "
                f"{r['seconds']:.0f} s |"
            )
        else:
            rows.append(f"| {module.name} | not run | | | | | | |")
    return rows


def markdown(results: dict[str, dict]) -> str:
    lines = ["# Mutation score (mutmut 3, benchmarks/mutation.py)", "", *table(results), ""]
    lines.append(f"Target: at least {TARGET:.0%} of non-equivalent mutants killed per module.")
    for module in MODULES:
        r = results.get(module.name)
        if r is None or not (r["survivors"] or r["equivalents"]):
            continue
        lines += ["", f"## {module.name}", ""]
        for entry in r["equivalents"]:
            lines += [f"- equivalent `{entry['mutant']}`: {entry['reason']}", "  ```diff", *_indent(entry["diff"])]
            lines.append("  ```")
        for entry in r["survivors"]:
            status = entry.get("status", "survived")
            lines += [f"- {status} `{entry['mutant']}`", "  ```diff", *_indent(entry["diff"]), "  ```"]
    return "\n".join(lines) + "\n"


def _indent(text: str) -> list[str]:
    return ["  " + line for line in text.splitlines()]


def load_results() -> dict[str, dict]:
    if RESULTS_JSON.exists():
        return json.loads(RESULTS_JSON.read_text(encoding="utf-8"))["modules"]
    return {}


def save(results: dict[str, dict]) -> None:
    import mutmut

    payload = {"tool": f"mutmut {mutmut.__version__}", "target": TARGET, "modules": results}
    RESULTS_JSON.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    RESULTS_MD.write_text(markdown(results), encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    names = [module.name for module in MODULES]
    parser.add_argument("modules", nargs="*", metavar="MODULE", help=f"some of: {', '.join(names)} (default: all)")
    parser.add_argument("--max-children", type=int, default=2, help="mutants tested at once (default 2)")
    parser.add_argument("--report", action="store_true", help="print the saved results, run nothing")
    parser.add_argument(
        "--collect", action="store_true", help="re-read the finished runs left in the scratch copies, run nothing"
    )
    parser.add_argument(
        "--recheck",
        action="store_true",
        help="re-test only the survivors of the finished runs in the scratch copies against the *_mutants.py tests "
        "as they are now (refused where the mutated file changed since the copy was made)",
    )
    args = parser.parse_args(argv)
    unknown = sorted(set(args.modules) - set(names))
    if unknown:
        parser.error(f"unknown module(s) {', '.join(unknown)}; choose from {', '.join(names)}")
    results = load_results()
    if not args.report:
        for module in [m for m in MODULES if not args.modules or m.name in args.modules]:
            if args.collect:
                root = SCRATCH / module.name
                # From the config written before the run to mutmut's last line of progress.
                seconds = (root / "mutmut.log").stat().st_mtime - (root / "pyproject.toml").stat().st_mtime
            elif args.recheck:
                root = SCRATCH / module.name
                stale = stale_files(module, root)
                if stale:
                    parser.error(f"{module.name}: {', '.join(stale)} changed since its copy was made: run it in full")
                lay_mutant_tests(module, root)
                again = survivors_of(module, root)
                print(f"{module.name}: re-testing {len(again)} survivors in {root}", flush=True)
                seconds = results[module.name]["seconds"] + (run_mutmut(root, args.max_children, again) if again else 0)
            else:
                root = scratch_copy(module)
                print(f"{module.name}: mutating {', '.join(module.files)} in {root}", flush=True)
                seconds = run_mutmut(root, args.max_children)
            row = collect(module, root, seconds)
            results = {**load_results(), module.name: row}  # re-read: another run may have saved meanwhile
            save(results)
            print(next(row for row in table(results) if row.startswith(f"| {module.name} (")), flush=True)
    print(markdown(results))


if __name__ == "__main__":
    main()
