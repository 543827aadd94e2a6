"""AIDE-style search for ML-engineering tasks (tree_search on MLE).

Each env step runs one script, so each `act` is one search step: first the
result of the previous script is reviewed into its node, then the next
operation is chosen as in AIDE: `num_drafts` drafts first; then with
probability `debug_prob` debug a random buggy leaf whose debug depth is at
most `max_debug_depth`; else draft if no node works yet; else improve the best
working node (greedy on the validation metric, direction-aware, None worst).

No model call is spent that cannot change the result. The review asks for
{is_bug, summary, metric, lower_is_better, has_csv_submission} as a forced
call of REVIEW_TOOL, which backends that can (OpenAI-compatible servers,
embedded llama.cpp) constrain to its JSON schema, so it always parses;
elsewhere the reply is read leniently, as a tool call, a JSON object, or
"key: value" text, in that order. An unreadable review is asked again at most
`review_retries` times, each time with what was wrong with the last reply
appended to the request (the same request at temperature 0 would only get the
same reply back), and no more once a reply repeats an unreadable one; a review
that stays unreadable marks the node buggy instead of failing the run. Scripts
(drafts, debugs, improvements) stop at the end of their first complete code
block (CODE_STOP): text after it was generated only to be thrown away. A script that is empty or does not
compile (prose with no code block, a block cut off at its cap: a small model writes many) is sure to fail
its run, so a sampling client draws it again, up to `script_samples` draws, and the first that compiles is run (the
last one if none does, so its error still reaches the next debug). A draw stops as soon as its code block
holds a syntax error that no continuation removes (SCRIPT_ABANDON, tree_search's default `script_abandon`;
null generates every draw to its end): a small model's drafts that run to the cap are mostly such text, and
everything generated after the error was paid for nothing. The code kept
ends at the line end where it was seen, so a last draw that is run still fails with that first error.
Buggy = is_bug, an exception, no metric, or no submission.csv. Where the env reports them (MLE: "submission.csv:
valid", "validation <metric> on a held-out split of train: 0.91"), the env's
submission status and validation score outrank the model's reading; so does
the script's own "Validation metric: <number>" line (the spelling every prompt
asks for, envs.mle.journal.VALIDATION_LINE), read mechanically.
"""

from __future__ import annotations

import json
import math
import random
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from envs.contract import Observation
from envs.mle.journal import STDOUT_MARK, VALIDATION_LINE
from policies.llm.abandon import ABANDONED
from policies.llm.base import ChatReply, ToolSpec
from wrappers.policy_wrapper import fill_prompt, with_user_turn
from wrappers.signals import is_error_output
from wrappers.snapshot_search import Agent
from wrappers.text import truncate_output

TERMINAL_CHARS = 5_000  # AIDE keeps the first and last 2,500 characters of long output
#: Stops a script draw once its code holds a syntax error no continuation removes (policies/llm/abandon.py).
SCRIPT_ABANDON = "broken_python_block"
#: Ends a reply at the close of its first code block. An opening fence carries its language ("```python"),
#: so only a closing one is three backticks alone on their line.
CODE_STOP = ("\n```\n",)
SUMMARY_CHARS = 300
#: Room for the review's JSON: the summary's 300 characters are ~75 tokens, the other fields ~40.
REVIEW_MAX_TOKENS = 256
REVIEW_TOOL = ToolSpec(
    name="submit_review",
    description="Submit the review of the script's run.",
    parameters={
        "type": "object",
        "properties": {
            "is_bug": {"type": "boolean", "description": "the run failed, or its output shows a bug"},
            "summary": {"type": "string", "maxLength": SUMMARY_CHARS, "description": "what happened, in 1-2 sentences"},
            "metric": {
                "anyOf": [{"type": "number"}, {"type": "null"}],
                "description": "the validation metric the script printed, null if none",
            },
            "lower_is_better": {"type": "boolean", "description": "true for an error or loss, false for a score"},
            "has_csv_submission": {"type": "boolean", "description": "the script wrote submission.csv"},
        },
        "required": ["is_bug", "summary", "metric", "lower_is_better", "has_csv_submission"],
    },
)


#: An AideNode's fields in every step's short journal row (AideNode.row).
JOURNAL_ROW = ("step", "operation", "parent", "reviewed", "is_buggy", "metric")


@dataclass
class AideNode:
    step: int
    operation: str  # draft | debug | improve
    plan: str
    code: str
    parent: int | None = None
    children: list[int] = field(default_factory=list)
    term_out: str = ""
    exec_time: float | None = None
    exc_type: str | None = None
    analysis: str = ""
    metric: float | None = None
    lower_is_better: bool | None = None
    is_buggy: bool = True
    debug_depth: int = 0
    reviewed: bool = False
    samples: int = 1  # scripts drawn for this node: the first that compiles is run
    abandoned: int = 0  # draws stopped early: their code already held a syntax error (SCRIPT_ABANDON)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def row(self) -> dict[str, Any]:
        """The node in a line: where it sits in the tree and how it scored, without its script or output."""
        return {key: getattr(self, key) for key in JOURNAL_ROW}


def journal_from_reports(reports: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The whole journal, node by node in full, from an episode's tree_search step reports in order (each
    step's `step_info()["wrappers"]["tree_search"]`): every node as it was last reported (the last script's
    as made: it is reviewed only by a next step, or `review_last`), its children from the parent links."""
    nodes: dict[int, dict[str, Any]] = {}
    for report in reports:
        for key in ("reviewed", "node"):
            if report.get(key):
                nodes[report[key]["step"]] = dict(report[key])
    journal = [nodes[step] for step in sorted(nodes)]
    for node in journal:
        node["children"] = [child["step"] for child in journal if child["parent"] == node["step"]]
    return journal


@dataclass
class Review:
    is_bug: bool
    summary: str
    metric: float | None
    lower_is_better: bool | None
    has_csv_submission: bool | None
    parsed_as: str
    #: Why a metric the review gave was not taken (not a finite number: nan, inf, 1e400), else "".
    refused: str = ""


_BOOL = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


def parse_review(text: str, tool_calls: Any = None) -> Review | None:
    """A review from a tool call, a JSON object, or key: value lines; None if unreadable."""
    for source, data in (("tool_call", _from_tool_calls(tool_calls)), ("json", _first_json_object(text))):
        if isinstance(data, dict) and "is_bug" in data:
            return _review(data, source)
    fields = {}
    for key in ("is_bug", "summary", "metric", "lower_is_better", "has_csv_submission"):
        match = re.search(rf"{key}\W*[:=]\s*(.+)", text, re.IGNORECASE)
        if match:
            fields[key] = match.group(1).strip().strip('",')
    return _review(fields, "text") if "is_bug" in fields else None


def _review(data: Mapping[str, Any], source: str) -> Review:
    raw = data.get("metric")
    metric = _as_float(raw)
    refused = ""
    number = isinstance(raw, (int, float)) and not isinstance(raw, bool)
    if metric is None and (number or (isinstance(raw, str) and _NUMBER.search(raw))):
        refused = f"metric {truncate_output(str(raw), 40)!r} refused: not a finite number"
    return Review(
        is_bug=bool(_as_bool(data.get("is_bug"))),
        summary=str(data.get("summary") or "")[:SUMMARY_CHARS],  # only the schema bounds it, and not every backend
        metric=metric,
        lower_is_better=_as_bool(data.get("lower_is_better")),
        has_csv_submission=_as_bool(data.get("has_csv_submission")),
        parsed_as=source,
        refused=refused,
    )


def _from_tool_calls(tool_calls: Any) -> Any:
    for call in tool_calls or ():
        arguments = (call.get("function") or {}).get("arguments") if isinstance(call, Mapping) else None
        if isinstance(arguments, str):
            try:  # strict=False: llama.cpp's grammar lets raw newlines and tabs into strings
                return json.loads(arguments, strict=False)
            # ValueError (JSONDecodeError's base): an integer past int's 4,300-digit limit; RecursionError: depth
            except (ValueError, RecursionError):
                continue
        if isinstance(arguments, Mapping):
            return arguments
    return None


def _first_json_object(text: str) -> Any:
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\{", text):
        try:
            return decoder.raw_decode(text[match.start() :])[0]
        # not JSON (JSONDecodeError), an integer past int's 4,300-digit limit (ValueError), or nested past the
        # decoder's stack (RecursionError)
        except (ValueError, RecursionError):
            continue
    return None


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool) or value is None:
        return value
    return _BOOL.get(str(value).strip().lower().split()[0] if str(value).strip() else "", None)


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", re.IGNORECASE)


def _finite(value: float) -> float | None:
    """A metric only when it is a finite number: a NaN compares false with every other metric, so with it the best
    node would depend on the journal's order, and an inf (a model's "1e400") would beat every real score."""
    return value if math.isfinite(value) else None


def _as_float(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return _finite(float(value))
        except OverflowError:  # an int too large for a float
            return None
    if isinstance(value, (list, dict)):
        return None  # str() of a deep or huge structure costs its size, and it is no number anyway
    match = _NUMBER.search(str(value or ""))
    return _finite(float(match.group(0))) if match else None


def _unreadable(reply: ChatReply) -> str:
    """Why a review could not be read, for the request that asks again."""
    if reply.finish_reason == "length":
        return "it was cut off before the JSON object was complete; keep the summary short"
    calls = reply.extra.get("tool_calls")
    shown = reply.text.strip() or (json.dumps(calls) if calls else "")
    if not shown:
        return "it was empty"
    return f"it was not a JSON object with an is_bug field: {truncate_output(shown, 200)!r}"


def _may_run(code: str) -> bool:
    """Whether a script is worth a step: not empty (the env refuses an empty script as an invalid action) and
    valid Python, by compiling it (never running it); one that is not (prose with no code block, a block cut
    off at the token cap) fails its run for certain."""
    if not code.strip():
        return False
    try:
        compile(code, "solution.py", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # ValueError: null bytes in the source
        return False
    return True


def _exception_type(output: str) -> str | None:
    # [ \t]*, not \s*: whitespace that may span lines makes a run of blank lines cost cubic time
    found = re.findall(r"^[ \t]*(?:[\w.]+\.)?(\w+(?:Error|Exception|Interrupt))[ \t]*:", output, re.MULTILINE)
    return found[-1] if found else None


def _exec_time(output: str) -> float | None:
    # a band ("run time 12-30 s", as the MLE env shows it) counts as its upper edge
    match = re.search(
        r"(?:runtime|run time|took|elapsed|after)\D{0,20}?(?:\d+(?:\.\d+)?-)?(\d+(?:\.\d+)?)\s*s\b",
        output,
        re.IGNORECASE,
    )
    return float(match.group(1)) if match else None


def _env_submission(output: str) -> bool | None:
    """What the env itself says about submission.csv (MLE: "submission.csv: valid")."""
    match = re.search(r"submission\.csv: (valid|invalid|missing)", output)
    return None if match is None else match.group(1) == "valid"


def _env_metric(output: str) -> float | None:
    """The env's own validation score on a held-out split, when it reports one. Only the env's lines, before the
    script's stdout, are read: a script that prints "validation accuracy: 0.99" does not speak for the env (it
    did when the env's score was unavailable), nor crash the search with "1..2"."""
    env_lines = output.partition(STDOUT_MARK)[0]
    # {:.5g} writes large and small scores as 1.2346e+05 and 1e-05
    number = r"(-?\d+(?:\.\d*)?(?:e[-+]?\d+)?)"
    match = re.search(rf"^validation [^\n]*?: {number}[ \t]*$", env_lines, re.MULTILINE | re.IGNORECASE)
    return _finite(float(match.group(1))) if match else None


_PRINTED_METRIC = re.compile(
    rf"^[ \t]*{re.escape(VALIDATION_LINE)}[ \t]*(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)[ \t]*$", re.MULTILINE | re.IGNORECASE
)


def _printed_metric(output: str) -> float | None:
    """The last "Validation metric: <number>" line the script printed, as every prompt asks it to."""
    found = _PRINTED_METRIC.findall(output)
    return _finite(float(found[-1])) if found else None


def _metric(node: AideNode) -> float:
    """The metric of a node known to have one (`best` keeps only those)."""
    assert node.metric is not None
    return node.metric


class AideSearch:
    def __init__(
        self,
        agent: Agent,
        *,
        num_drafts: int,
        debug_prob: float,
        max_debug_depth: int,
        review_retries: int,
        seed: int,
        script_max_tokens: int,
        script_samples: int,
        script_abandon: str | None,
    ) -> None:
        """The search parameters' defaults (AIDE's own) live in one place: TreeSearch's signature."""
        self.agent = agent
        self.script_max_tokens = script_max_tokens
        self.script_samples = script_samples
        self.script_abandon = script_abandon
        self.num_drafts = num_drafts
        self.debug_prob = debug_prob
        self.max_debug_depth = max_debug_depth
        self.review_retries = review_retries
        self.seed = seed
        self.reset()

    def reset(self, seed: int | None = None) -> None:
        self.journal: list[AideNode] = []
        self._pending: AideNode | None = None
        self.rng = random.Random(self.seed if seed is None else seed)

    # -- one search step per env step ---------------------------------------------
    def act(self, observation: Observation) -> tuple[str, dict[str, Any]]:
        """The next script, and the step's report: in full only the node reviewed now and the node made now,
        the rest of the journal as one short row per node (its shape and scores), so a long search's reports
        grow by a row a node, not by whole scripts and outputs; together they hold every node."""
        reviewed = None
        if self._pending is not None and observation["history"]:
            reviewed = self._pending
            self._review(reviewed, observation)
        operation, parent = self._choose()
        node = self._generate(observation, operation, parent)
        self._pending = node
        best = self.best()
        return node.code, {
            "operation": operation,
            "parent": parent.step if parent else None,
            "best_step": best.step if best else None,
            "best_metric": best.metric if best else None,
            "node": node.to_dict(),
            "reviewed": reviewed.to_dict() if reviewed else None,
            "journal": [n.row() for n in self.journal],
        }

    def review_last(self, observation: Observation) -> None:
        """Review the last script's run: `act` does it before the next step, so after the episode's last
        step only this completes the journal (and makes the last step cost what the others did)."""
        if self._pending is not None and not self._pending.reviewed and observation["history"]:
            self._review(self._pending, observation)

    def best(self) -> AideNode | None:
        good = [n for n in self.journal if n.reviewed and not n.is_buggy and n.metric is not None]
        if not good:
            return None
        lower = next((n.lower_is_better for n in good if n.lower_is_better is not None), False)
        return min(good, key=_metric) if lower else max(good, key=_metric)

    def _choose(self) -> tuple[str, AideNode | None]:
        drafts = sum(n.operation == "draft" for n in self.journal)
        if drafts < self.num_drafts:
            return "draft", None
        if self.rng.random() < self.debug_prob:
            leaves = [
                n
                for n in self.journal
                if n.reviewed and n.is_buggy and not n.children and n.debug_depth <= self.max_debug_depth
            ]
            if leaves:
                return "debug", self.rng.choice(leaves)
        best = self.best()
        return ("draft", None) if best is None else ("improve", best)

    def _generate(self, observation: Observation, operation: str, parent: AideNode | None) -> AideNode:
        fresh = Observation({**observation, "history": (), "summary": self._memory()})
        values = {"plan": "", "code": "", "output": "", "metric": ""}
        if parent is not None:
            values = {
                "plan": parent.plan,
                "code": parent.code,
                "output": parent.term_out,
                "metric": "none" if parent.metric is None else str(parent.metric),
            }
        messages = with_user_turn(self.agent.messages(fresh), fill_prompt(f"aide_{operation}", **values))
        # a sample at temperature 0 would come back the same: only a sampling client draws again
        samples = self.script_samples if self.agent.client.temperature > 0 else 1
        drawn = abandoned = 0
        while True:
            reply = self.agent.client.ask(
                messages, stop=CODE_STOP, max_tokens=self.script_max_tokens, abandon=self.script_abandon
            )[0]
            text, drawn, abandoned = reply.text, drawn + 1, abandoned + (reply.finish_reason == ABANDONED)
            code = self.agent.parse(text)
            if drawn == samples or _may_run(code):
                break
        node = AideNode(
            step=len(self.journal),
            operation=operation,
            plan=text.split("```")[0].strip(),
            code=code,
            parent=parent.step if parent else None,
            debug_depth=parent.debug_depth + 1 if operation == "debug" and parent else 0,
            samples=drawn,
            abandoned=abandoned,
        )
        if parent is not None:
            parent.children.append(node.step)
        self.journal.append(node)
        return node

    def _review(self, node: AideNode, observation: Observation) -> None:
        output = observation["history"][-1]["output"]
        node.term_out = truncate_output(output, TERMINAL_CHARS)
        node.exc_type = _exception_type(output) or ("ExecutionFailed" if is_error_output(output) else None)
        node.exec_time = _exec_time(output)
        request = fill_prompt("aide_review", code=node.code, output=node.term_out)
        context = self.agent.messages({**observation, "history": (), "summary": ""})
        review, asked, unreadable = None, request, []
        for _ in range(1 + self.review_retries):
            reply = self.agent.client.ask(
                with_user_turn(context, asked), temperature=0.0, max_tokens=REVIEW_MAX_TOKENS, tool=REVIEW_TOOL
            )[0]
            review = parse_review(reply.text, reply.extra.get("tool_calls"))
            problem = _unreadable(reply)
            if review is not None or problem in unreadable:  # read, or stuck: asking again would repeat a request
                break
            unreadable.append(problem)
            asked = fill_prompt("aide_review_again", request=request, problem=problem)
        node.reviewed = True
        if review is None:
            node.analysis = "review unreadable: counted as buggy"
            return
        node.analysis = f"{review.summary} ({review.refused})" if review.refused else review.summary
        # the env's own signals, when present, outrank what the model read from the output
        read = (_env_metric(output), _printed_metric(output), review.metric)
        node.metric = next((value for value in read if value is not None), None)
        node.lower_is_better = review.lower_is_better
        has_csv = _env_submission(output)
        has_csv = review.has_csv_submission if has_csv is None else has_csv
        node.is_buggy = bool(review.is_bug or node.exc_type or node.metric is None or has_csv is False)

    def _memory(self) -> str:
        """What earlier working attempts tried and scored, for new drafts and improvements."""
        lines = [
            f"- attempt {n.step} ({n.operation}): {n.analysis or n.plan[:200]} -> metric {n.metric}"
            for n in self.journal
            if n.reviewed and not n.is_buggy
        ]
        return "Earlier working attempts:\n" + "\n".join(lines) if lines else ""
