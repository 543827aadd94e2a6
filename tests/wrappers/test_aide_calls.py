"""The AIDE-style search spends no model call that cannot change its result (issue 22).

The model here is a real ChatModel that behaves like a server in what matters: it honours `stop`
strings (cutting its reply at the first one) and, when `honours_tools`, answers a forced tool with
the tool call. Each test fails if the search sends the same request twice, asks for the review
without its schema, or lets a script's reply run past its first code block.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

import pytest

from policies.llm.base import ChatModel, ChatReply, ChatRequest, Message, Usage
from policies.llm.replay import request_key
from tests.wrappers.bank_env import BankEnv
from tests.wrappers.policies import greedy
from wrappers.aide import CODE_STOP, REVIEW_MAX_TOKENS, REVIEW_TOOL, journal_from_reports
from wrappers.tree_search import TreeSearch

#: What a chatty model writes: a plan, the script, then more text and a second block nobody asked for.
SCRIPT = "print('Validation metric: 0.7')"
CHATTY = f"Plan: a baseline.\n```python\n{SCRIPT}\n```\nYou could also try:\n```python\nprint('more')\n```\nGood luck!"
REVIEW = {"is_bug": False, "summary": "ran", "metric": 0.7, "lower_is_better": False, "has_csv_submission": True}


class ServerLikeModel(ChatModel):
    """Replies from `reply(request)`; cut at the first stop string, as servers do; keeps every request."""

    name = "server-like"
    context_window = 32_768

    def __init__(self, reply: Callable[[ChatRequest], str], honours_tools: bool) -> None:
        self.reply = reply
        self.honours_tools = honours_tools
        self.requests: list[ChatRequest] = []

    def _chat(self, request: ChatRequest, role: str) -> list[ChatReply]:
        self.requests.append(request)
        if request.tool is not None and self.honours_tools:
            call = {"function": {"name": request.tool.name, "arguments": json.dumps(REVIEW)}}
            return [self._reply("", role, "tool_calls", {"tool_calls": [call]})] * request.n
        text = self.reply(request)
        cuts = [text.index(stop) for stop in request.stop if stop in text]
        return [self._reply(text[: min(cuts)] if cuts else text, role, "stop", {})] * request.n

    def _reply(self, text: str, role: str, finish: str, extra: dict) -> ChatReply:
        return ChatReply(text, Usage(10, self.count_tokens(text)), 0.001, role, finish, self.name, extra)

    def reviews(self) -> list[ChatRequest]:
        return [r for r in self.requests if _is_review(r.messages)]

    def scripts(self) -> list[ChatRequest]:
        return [r for r in self.requests if not _is_review(r.messages)]


def _is_review(messages: Sequence[Message]) -> bool:
    return "Review the run of this script" in messages[-1]["content"]


def chatty_scripts_unreadable_reviews(request: ChatRequest) -> str:
    return "It looks fine to me." if _is_review(request.messages) else CHATTY


def run_search(model: ServerLikeModel, steps: int, **options: object) -> list[dict]:
    env = BankEnv(max_steps=steps + 1)
    policy = TreeSearch(greedy(model), model, env, mode="aide", num_drafts=2, **options)  # type: ignore[arg-type]
    obs, _ = env.reset()
    policy.reset(seed=0)
    reports = []
    for _ in range(steps):
        obs, *_ = env.step(policy.act(obs))
        reports.append(policy.step_info()["wrappers"]["tree_search"])
    return journal_from_reports(reports)


def test_the_review_is_one_call_that_asks_for_its_schema_and_is_read_from_the_tool_call():
    model = ServerLikeModel(chatty_scripts_unreadable_reviews, honours_tools=True)
    journal = run_search(model, steps=4)
    reviews = model.reviews()
    assert len(reviews) == 3  # one per reviewed step, no retry
    assert all(r.tool == REVIEW_TOOL and r.max_tokens == REVIEW_MAX_TOKENS for r in reviews)
    assert REVIEW_TOOL.parameters["required"] == list(REVIEW)  # the schema asks for every field the review reads
    assert [n["metric"] for n in journal[:3]] == [0.7, 0.7, 0.7] and not journal[0]["is_buggy"]
    assert journal[0]["analysis"] == "ran"


def test_an_unreadable_review_is_asked_again_with_the_problem_never_with_the_same_request():
    replies = iter(["It looks fine to me.", "Fine, really.", "Still fine.", "unused"])
    model = ServerLikeModel(lambda r: next(replies) if _is_review(r.messages) else CHATTY, honours_tools=False)
    journal = run_search(model, steps=2, review_retries=2)
    keys = [request_key(r) for r in model.requests]
    assert len(keys) == len(set(keys)), "a request was sent twice: its reply could not change"
    first, again, third = [r.messages[-1]["content"] for r in model.reviews()]
    assert "could not be read" not in first
    assert again.startswith(first) and "could not be read" in again and "It looks fine to me." in again
    assert third.startswith(first) and "Fine, really." in third and "It looks fine" not in third
    assert journal[0]["is_buggy"] and journal[0]["analysis"].startswith("review unreadable")


def test_a_model_that_repeats_its_unreadable_review_is_not_asked_a_third_time():
    model = ServerLikeModel(chatty_scripts_unreadable_reviews, honours_tools=False)
    run_search(model, steps=2, review_retries=5)
    assert len(model.reviews()) == 2  # the retry got the same reply back: a third ask would repeat the second
    keys = [request_key(r) for r in model.requests]
    assert len(keys) == len(set(keys))


def test_a_review_cut_off_at_its_token_cap_is_asked_again_saying_so():
    class CutOff(ServerLikeModel):
        def _reply(self, text: str, role: str, finish: str, extra: dict) -> ChatReply:
            finish = "length" if text.startswith('{"summary"') else finish
            return super()._reply(text, role, finish, extra)

    cut = '{"summary": "the script ran and printed its'
    model = CutOff(lambda r: cut if _is_review(r.messages) else CHATTY, honours_tools=False)
    run_search(model, steps=2, review_retries=1)
    assert "cut off" in model.reviews()[1].messages[-1]["content"]


def test_scripts_stop_at_the_end_of_their_first_code_block():
    model = ServerLikeModel(chatty_scripts_unreadable_reviews, honours_tools=True)
    journal = run_search(model, steps=4, debug_prob=0.0)
    scripts = model.scripts()
    assert len(scripts) == 4 and all(r.stop == CODE_STOP for r in scripts)  # drafts and improvements alike
    assert all(r.max_tokens == 1024 for r in scripts)  # TreeSearch's script_max_tokens: room for a whole script
    assert {n["operation"] for n in journal} == {"draft", "improve"}
    assert all(n["code"] == SCRIPT for n in journal)
    # the stop closes the first block, not the opening fence that names its language
    assert not any(stop in "Plan: a baseline.\n```python\n" for stop in CODE_STOP)
    assert CHATTY[: min(CHATTY.index(stop) for stop in CODE_STOP)] == f"Plan: a baseline.\n```python\n{SCRIPT}"


def test_the_last_scripts_run_is_reviewed_once_when_asked_after_the_episode():
    model = ServerLikeModel(chatty_scripts_unreadable_reviews, honours_tools=True)
    env = BankEnv(max_steps=3)
    policy = TreeSearch(greedy(model), model, env, mode="aide", num_drafts=2)
    obs, _ = env.reset()
    policy.reset(seed=0)
    for _ in range(2):
        obs, *_ = env.step(policy.act(obs))
    assert len(model.reviews()) == 1  # act reviews the previous script only
    policy.engine.review_last(obs)
    policy.engine.review_last(obs)
    assert len(model.reviews()) == 2
    assert all(node.reviewed and node.metric == 0.7 for node in policy.engine.journal)


def test_a_step_report_holds_in_full_only_the_nodes_made_and_reviewed_in_that_step():
    """A long search's trajectory grows with its steps, not with their square: each script (made unique
    here) is in at most two reports, and the reports together rebuild the journal the search keeps."""
    scripts = iter(range(10_000))

    def numbered_scripts(request: ChatRequest) -> str:
        return "" if _is_review(request.messages) else f"```python\nprint('script {next(scripts)}')\n```"

    model = ServerLikeModel(numbered_scripts, honours_tools=True)
    env = BankEnv(max_steps=31)
    policy = TreeSearch(greedy(model), model, env, mode="aide", num_drafts=2)
    obs, _ = env.reset()
    policy.reset(seed=0)
    reports = []
    for _ in range(30):
        obs, *_ = env.step(policy.act(obs))
        reports.append(json.dumps(policy.step_info()["wrappers"]["tree_search"]))
    made = [node.code for node in policy.engine.journal]
    assert len(set(made)) == 30
    assert max(sum(json.dumps(code) in report for report in reports) for code in made) == 2
    assert len(json.loads(reports[-1])["journal"]) == 30  # every node still has its row
    rebuilt = journal_from_reports(json.loads(report) for report in reports)
    assert rebuilt[:-1] == [node.to_dict() for node in policy.engine.journal][:-1]
    assert rebuilt[-1]["code"] == made[-1] and not rebuilt[-1]["reviewed"]  # the last script is not reviewed yet


def test_tool_call_arguments_with_raw_control_characters_are_read():
    from wrappers.aide import parse_review

    arguments = '{"is_bug": false, "summary": "ran\tfine\nand wrote it", "metric": 0.5}'  # raw tab and newline
    review = parse_review("", [{"function": {"name": REVIEW_TOOL.name, "arguments": arguments}}])
    assert review is not None and review.parsed_as == "tool_call" and review.summary == "ran\tfine\nand wrote it"


#: What a 135M model wrote in the side-by-side run: prose with no code block, and a block cut off mid-expression.
PROSE = "**Solution** I am thrilled to announce a model for churn. 1. **Transfer data**: download the dataset."
CUT_OFF = "Plan: a dictionary.\n```python\ndata = {\n    'usage_gb': [4.9, 0.0f],"


def scripted_scripts(*scripts: str) -> Callable[[ChatRequest], str]:
    """Scripts from `scripts` in turn (the last one again once they run out); reviews are tool calls."""
    queue = list(scripts)
    return lambda request: queue.pop(0) if len(queue) > 1 else queue[0]


def test_a_script_that_cannot_compile_is_drawn_again_and_the_first_that_compiles_is_run():
    model = ServerLikeModel(scripted_scripts(PROSE, CUT_OFF, CHATTY), honours_tools=True)
    journal = run_search(model, steps=1)
    assert len(model.scripts()) == 3 and journal[0]["samples"] == 3
    assert journal[0]["code"] == SCRIPT and journal[0]["plan"] == "Plan: a baseline."
    keys = [request_key(r) for r in model.scripts()]
    assert len(keys) == len(set(keys)), "each draw is a new sample (its own seed), never a repeated request"


def test_a_script_that_compiles_is_drawn_once():
    model = ServerLikeModel(scripted_scripts(CHATTY), honours_tools=True)
    journal = run_search(model, steps=2)
    assert len(model.scripts()) == 2 and [n["samples"] for n in journal] == [1, 1]


def test_when_no_draw_compiles_the_last_one_runs_and_its_error_reaches_the_review():
    model = ServerLikeModel(scripted_scripts(PROSE), honours_tools=True)
    journal = run_search(model, steps=2, script_samples=2)
    assert len(model.scripts()) == 4 and journal[0]["samples"] == 2 and journal[0]["code"] == PROSE
    assert "SyntaxError" in model.reviews()[0].messages[-1]["content"]  # the run's error, as the env reported it


def test_at_temperature_zero_a_script_is_drawn_once_since_a_new_draw_would_come_back_the_same():
    model = ServerLikeModel(scripted_scripts(PROSE, CHATTY), honours_tools=True)
    journal = run_search(model, steps=1, temperature=0.0)
    assert len(model.scripts()) == 1 and journal[0]["code"] == PROSE


#: A draft that breaks on its second line and goes on to its cap, as a 135M model's often do.
RUNAWAY = "Plan: a model.\n```python\nimport os\ndef train(){\n    x = 1\n" + "    print(x)\n" * 200


def test_a_draw_is_abandoned_at_the_line_its_code_broke_and_drawn_again():
    model = ServerLikeModel(scripted_scripts(RUNAWAY, CHATTY), honours_tools=True)
    journal = run_search(model, steps=1)
    assert all(r.abandon == "broken_python_block" for r in model.scripts())
    assert journal[0]["samples"] == 2 and journal[0]["abandoned"] == 1 and journal[0]["code"] == SCRIPT


def test_an_abandoned_last_draw_runs_cut_at_its_error_so_the_review_sees_that_error():
    model = ServerLikeModel(scripted_scripts(RUNAWAY), honours_tools=True)
    journal = run_search(model, steps=2, script_samples=2)
    assert journal[0]["abandoned"] == 2 and journal[0]["code"] == "import os\ndef train(){"
    assert "SyntaxError" in model.reviews()[0].messages[-1]["content"]


def test_with_script_abandon_null_a_draw_is_generated_to_its_end():
    """The sweep's other arm: no rule, so the runaway draw comes back whole and is drawn again for not compiling."""
    model = ServerLikeModel(scripted_scripts(RUNAWAY, CHATTY), honours_tools=True)
    journal = run_search(model, steps=1, script_abandon=None)
    assert all(r.abandon is None for r in model.scripts())
    assert journal[0]["samples"] == 2 and journal[0]["abandoned"] == 0 and journal[0]["code"] == SCRIPT


def test_an_unknown_script_abandon_rule_is_refused_when_the_wrapper_is_built():
    with pytest.raises(ValueError, match="unknown abandon rule 'nope'.*broken_python_block"):
        run_search(ServerLikeModel(scripted_scripts(CHATTY), honours_tools=True), steps=1, script_abandon="nope")


def test_an_empty_script_is_drawn_again_since_the_env_would_refuse_it():
    model = ServerLikeModel(scripted_scripts("Plan: nothing yet.\n```python\n\n```\n", CHATTY), honours_tools=True)
    journal = run_search(model, steps=1)
    assert journal[0]["samples"] == 2 and journal[0]["code"] == SCRIPT
