"""A wrapper's own model reply far past its max_tokens (a server that ignores it) must not outgrow its purpose.

A hostile or buggy server can send ~400,000 characters where a few hundred
tokens were asked for. What a wrapper keeps of such a reply for later prompts
has to stay within the budget it asked for.
"""

from __future__ import annotations

from policies.llm_policy import LLMPolicy
from tests.wrappers.bank_env import BankEnv
from tests.wrappers.policies import greedy
from tests.wrappers.scripted import ScriptedModel, fenced
from tests.wrappers.test_aide_calls import SCRIPT, ServerLikeModel, _is_review, run_search
from wrappers.chaining import Chaining
from wrappers.self_consistency import SelfConsistency
from wrappers.self_reflection import SelfReflection
from wrappers.summarize import Summarize
from wrappers.tree_of_thoughts import TreeOfThoughts

HUGE_REPLY = "The summary goes on. " * 20_000  # 420,000 characters


def test_a_summary_past_its_max_tokens_leaves_the_agents_prompt_within_the_context() -> None:
    """The summary replaces old turns to fit the context; kept whole, a 420,000-character reply sat in every
    later prompt (~110,000 tokens against 32,768), and the agent could not be asked again."""
    model = ScriptedModel(
        {"summarizer": lambda messages, n: [HUGE_REPLY] * n, "agent": lambda messages, n: [fenced("x = 1")] * n}
    )
    env = Summarize(BankEnv(max_steps=20), model, summary_max_tokens=600)
    env.reset()
    agent = greedy(model)
    for _ in range(8):
        obs, _, _, _, info = env.step("print('a' * 5_000)")
    assert info["wrappers"]["summarize"]["fired"]
    assert model.count_message_tokens(agent.messages(obs)) < model.context_window
    assert agent.act(obs) == "x = 1"


def test_a_plan_past_its_max_tokens_is_cut_before_every_later_code_request_holds_it() -> None:
    """With plan_every_step false the first plan is asked for once and put into every code request (and every
    step's report) of the episode: whole, each request held its ~105,000 tokens against a 32,768 context."""
    plans = iter([HUGE_REPLY])
    model = ScriptedModel(
        {"chaining": lambda messages, n: [next(plans, fenced("x = 1"))] * n},  # the plan, then the code
    )
    chaining = Chaining(greedy(model), model, plan_every_step=False, max_tokens=768)
    obs, _ = BankEnv().reset()
    for _ in range(3):
        assert chaining.act(obs) == "x = 1"
    requests = model.calls("chaining")
    assert len(requests) == 4  # one plan, three code requests
    assert all(model.count_message_tokens(request.messages) < model.context_window for request in requests)


def test_an_aide_plan_past_its_max_tokens_is_cut_before_a_debug_or_improve_request_holds_it() -> None:
    """AIDE keeps each script's plan (the reply's text before its code) for the requests that debug or improve
    that script: whole, a 420,000-character plan filled each of them (~105,000 tokens against 32,768)."""
    scripts = iter([HUGE_REPLY + fenced("print('Validation metric: 0.9')")])  # the best draft
    model = ServerLikeModel(lambda request: "" if _is_review(request.messages) else next(scripts, SCRIPT), True)
    journal = run_search(model, steps=3, debug_prob=0.0)  # two drafts, then an improvement of the first
    assert journal[2]["operation"] == "improve" and journal[2]["parent"] == 0
    improve = model.scripts()[2].messages
    assert model.count_message_tokens(improve) < model.context_window
    assert sum(len(m["content"]) for m in improve) < 1024 * 8 + 20_000  # its plan within 1,024 tokens' worth


def test_a_thought_past_its_max_tokens_is_cut_before_the_score_and_code_requests_hold_it() -> None:
    """tree_of_thoughts puts each proposed thought in its score request, in the next depth's proposals and in
    the code request: whole, one 420,000-character thought made each ~105,000 tokens against a 32,768
    context, and the step ended in ContextLengthExceeded, scored as the agent's failure."""

    def tot(messages, n: int) -> list[str]:
        asked = messages[-1]["content"]
        return [HUGE_REPLY if "Write thought" in asked else "Score: 7" if "Score: N" in asked else fenced("x = 1")] * n

    model = ScriptedModel({"tree_of_thoughts": tot})
    search = TreeOfThoughts(greedy(model), model, k=2, b=1, d=2, max_tokens=256)
    obs, _ = BankEnv().reset()
    assert search.act(obs) == "x = 1"
    requests = model.calls("tree_of_thoughts")
    assert len(requests) == 2 + 2 + 2 + 1  # two depths of (1 proposal call + 2 scores), then the code
    assert all(model.count_message_tokens(request.messages) < model.context_window for request in requests)


def test_a_critique_past_its_max_tokens_is_cut_before_the_revision_request_holds_it() -> None:
    """self_reflection's revision request holds its critique: whole, a 420,000-character one was ~105,000
    tokens against a 32,768 context (ContextLengthExceeded: the agent's failure)."""
    replies = iter([HUGE_REPLY, fenced("x = 2")])
    model = ScriptedModel({"self_reflection": lambda messages, n: [next(replies)] * n})
    reflection = SelfReflection(greedy(model), model, max_tokens=768)
    env = BankEnv()
    env.reset()
    obs, *_ = env.step("print('hi')")
    assert reflection.act(obs) == "x = 2"
    requests = model.calls("self_reflection")
    assert all(model.count_message_tokens(request.messages) < model.context_window for request in requests)
    assert len(reflection.step_info()["wrappers"]["self_reflection"]["critique"]) <= 768 * 8 + 100


#: A program of 400,000 characters in one code block: parsing it (has_code, normalize_code) takes ~1 s.
HUGE_PROGRAM = fenced("x = apis.bank.balance(a=1, b=[1, 2, 3])\n" * 10_000)


def test_an_agent_reply_past_its_max_tokens_is_cut_before_the_env_and_the_corrector_read_it() -> None:
    """The agent's action is its reply's code: whole, a server's 16 MB reply was parsed twice a step by the
    corrector's triggers (has_code, normalize_code: ~20 s of CPU for 4 MB, ~80 s for 16 MB) before the env
    refused it as too long."""
    model = ScriptedModel({"agent": lambda messages, n: [HUGE_PROGRAM] * n})
    agent = LLMPolicy(model, greedy(model).system_prompt, max_tokens=512)
    obs, _ = BankEnv().reset()
    assert len(agent.act(obs)) <= 512 * 8 + 100


def test_self_consistency_samples_past_their_max_tokens_are_cut_before_the_vote() -> None:
    """Each of the k samples was normalized whole (ast.parse and unparse: ~12 s of CPU for 4 MB)."""
    model = ScriptedModel({"self_consistency": lambda messages, n: [HUGE_PROGRAM] * n})
    voting = SelfConsistency(greedy(model), model, k=3, max_tokens=512)
    obs, _ = BankEnv().reset()
    assert len(voting.act(obs)) <= 512 * 8 + 100


def test_code_a_wrapper_asks_for_itself_is_cut_as_the_agents_is() -> None:
    """Only the agent's reply and the vote's samples were cut: the code chaining (like tree_of_thoughts,
    self_reflection's revision and self-debugging) asks for after its plan became the action whole. Every wrapper
    reply is now read within what it asked for, in the wrapper's model client."""
    replies = iter(["Plan: add one."])
    model = ScriptedModel({"chaining": lambda messages, n: [next(replies, HUGE_PROGRAM)] * n})
    chaining = Chaining(greedy(model), model, plan_every_step=False, max_tokens=512)
    obs, _ = BankEnv().reset()
    assert len(chaining.act(obs)) <= 512 * 8 + 100
