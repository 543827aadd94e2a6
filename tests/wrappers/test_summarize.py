import re

import pytest

from policies.render import render_messages
from tests.wrappers.bank_env import BankEnv
from tests.wrappers.scripted import ScriptedModel
from wrappers.summarize import Summarize

SUMMARY = "PROGRESS: logged in.\nKEY FACTS: see above.\nFAILURE MODES: none.\nNEXT ACTIONS: send money."


def printing(n_chars: int) -> str:
    """An action whose output is exactly n_chars characters (plus the newline print adds)."""
    return f"print('a' * {n_chars - 1})"


def make(env_steps: int = 20, **kwargs) -> tuple[Summarize, ScriptedModel]:
    model = ScriptedModel(
        {"summarizer": lambda messages, n: [SUMMARY] * n}, context_window=kwargs.pop("context_window", 1_000_000)
    )
    env = Summarize(BankEnv(max_steps=env_steps), model, **kwargs)
    env.reset()
    return env, model


def chars_of(env: Summarize, obs) -> int:
    return sum(len(m["content"]) for m in render_messages(obs, ""))


@pytest.mark.parametrize("extra, fires", [(0, False), (1, True)])
def test_fires_exactly_when_the_char_threshold_is_crossed(extra, fires):
    env, model = make(max_tokens=10**9)
    for _ in range(3):
        obs, *_ = env.step("x = 1")
    base = chars_of(env, obs)
    n = 24_000 - base - len(printing(20_000)) + extra  # output of printing(n) is n characters
    obs, _, _, _, info = env.step(printing(n))
    unsummarized = {**obs, "history": env.unwrapped._observation()["history"], "summary": ""}
    assert chars_of(env, unsummarized) == 24_000 + extra
    assert info["wrappers"]["summarize"]["fired"] is fires
    assert len(model.calls("summarizer")) == int(fires)


def test_fires_with_six_messages_over_the_char_threshold_and_keeps_system_first_user_and_last_six():
    env, model = make(max_tokens=10**9)
    for _ in range(3):
        env.step("x = 1")
    obs, _, _, _, info = env.step(printing(24_500))
    report = info["wrappers"]["summarize"]
    assert report["fired"] and report["summarized_turns"] == 1 and report["kept_turns"] == 3
    assert len(model.calls("summarizer")) == 1
    messages = render_messages(obs, "sys")
    assert [m["role"] for m in messages] == ["system", "user", "user"] + ["assistant", "user"] * 3
    assert messages[2]["content"].startswith("Summary of earlier steps:\n" + SUMMARY)


def test_fewer_than_six_messages_never_fire_on_size_alone():
    env, model = make(max_tokens=10)
    obs, _, _, _, info = env.step(printing(50_000))  # 4 messages
    assert not info["wrappers"]["summarize"]["fired"] and not model.calls("summarizer")


def test_token_threshold_fires_on_its_own():
    env, model = make(max_chars=10**9, max_tokens=3_000)
    for _ in range(3):
        env.step("x = 1")
    _, _, _, _, info = env.step(printing(11_000))  # ~2,750 tokens at 4 chars/token, plus prompt
    assert not info["wrappers"]["summarize"]["fired"]
    _, _, _, _, info = env.step(printing(2_000))
    assert info["wrappers"]["summarize"]["fired"]


def test_fires_when_the_prompt_would_not_fit_the_context_window():
    env, model = make(context_window=2_048, reply_reserve=512)
    for _ in range(3):
        env.step(printing(1_500))
    _, _, _, _, info = env.step(printing(1_500))  # ~1,500 tokens in total > 2,048 - 512
    assert info["wrappers"]["summarize"]["fired"]


def test_ledger_strings_survive_a_summary_that_drops_them():
    env, model = make(max_tokens=10**9, max_chars=2_000)
    env.step("t = apis.bank.login(username='alice', password='hunter2-pw'); print(t)")
    env.step("print({'email': 'bob.smith@example.org', 'transaction_id': 88231, 'amount': 17.5})")
    env.step("print(apis.supervisor.show_account_passwords())")
    for _ in range(3):
        obs, _, _, _, info = env.step(printing(1_000))
    assert info["wrappers"]["summarize"]["summarized_turns"] == 3
    summary = obs["summary"]
    assert SUMMARY in summary  # the LLM text, which mentions none of the values
    for verbatim in ("tok0x9f3a", "bob.smith@example.org", "transaction_id: 88231", "amount: 17.5", "hunter2-pw"):
        assert verbatim in summary, verbatim
    assert "tok0x9f3a" not in SUMMARY


def test_summaries_extend_incrementally_and_never_resummarize_a_prefix():
    env, model = make(max_tokens=10**9, max_chars=4_000)
    for _ in range(12):
        obs, _, _, _, info = env.step(printing(800))
    calls = model.calls("summarizer")
    assert len(calls) >= 2
    folded = [re.findall(r"### Step (\d+)", c.messages[-1]["content"]) for c in calls]
    all_steps = [int(s) for steps in folded for s in steps]
    assert all_steps == sorted(set(all_steps)), "a step was summarized twice"
    assert all_steps == list(range(1, max(all_steps) + 1))
    assert SUMMARY in calls[1].messages[-1]["content"]  # the second call extends the first summary
    assert info["wrappers"]["summarize"]["summarized_turns"] == max(all_steps)
    # stable prefix: system and first user message of the summarizer prompt never change
    assert len({(c.messages[0]["content"], c.messages[1]["content"].split("Summary so far")[0]) for c in calls}) == 1


def test_cached_summary_is_reused_without_new_calls_and_survives_a_rewind():
    env, model = make(max_tokens=10**9, max_chars=4_000)
    for _ in range(6):
        env.step(printing(800))
    n_calls = len(model.calls("summarizer"))
    state = env.unwrapped.get_state()
    env.step("x = 2")
    env.unwrapped.set_state(state)  # rewind one step (as the corrector does)
    obs = env.observation(env.unwrapped._observation())
    assert obs["summary"].startswith(SUMMARY)
    assert len(model.calls("summarizer")) <= n_calls + 1


def test_agent_prompt_must_exist():
    with pytest.raises(FileNotFoundError, match="no prompt template 'nope'"):
        Summarize(BankEnv(), ScriptedModel({}), agent_prompt="nope")


def test_reports_its_own_cost():
    env, model = make(max_tokens=10**9, max_chars=2_000)
    for _ in range(4):
        _, _, _, _, info = env.step(printing(800))
    cost = info["wrappers"]["summarize"]["cost"]
    assert cost["calls"] == len(model.calls("summarizer")) >= 1
    assert cost["prompt_tokens"] > 0 and cost["completion_tokens"] > 0


def test_long_tokens_the_agent_printed_do_not_keep_the_summarized_prompt_over_budget():
    """Five outputs each one 20,000-character letter+digit run: their ledger entries made a 100,083-character
    summary, a 100,295-character prompt against max_chars 24,000 once they were summarized."""
    env, _ = make(env_steps=40)
    for i in range(5):
        env.step(f"print('k{i}' * 10_000)")
    for _ in range(6):
        obs, _, _, _, info = env.step("x = 1")
    report = info["wrappers"]["summarize"]
    assert report["summarized_turns"] >= 4 and report["summary_chars"] < 1_000
    assert chars_of(env, obs) < 24_000
