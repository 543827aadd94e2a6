import json

import pytest

from tests.wrappers.bank_env import PASSWORD, BankEnv
from tests.wrappers.policies import FixedPolicy, greedy
from tests.wrappers.scripted import ScriptedModel, fenced
from wrappers.aide import JOURNAL_ROW, journal_from_reports, parse_review
from wrappers.tree_search import TreeSearch

COMPLETE = "apis.supervisor.complete_task()"
SEND = (
    f"token = apis.bank.login(username='alice', password='{PASSWORD}')['access_token']\n"
    "apis.bank.send_money(access_token=token, to='bob', amount=5)"
)
PONDER = "print('thinking')"


def same_replies(messages, n):
    """The model, whoever asks: its first idea is always to finish right away."""
    history = "\n".join(m["content"] for m in messages if m["role"] == "assistant")
    if "send_money" in history:
        return [fenced(COMPLETE), fenced(PONDER), fenced(COMPLETE)][:n]
    return [fenced(COMPLETE), fenced(SEND), fenced(PONDER)][:n]


def play(env, policy, max_steps=6):
    obs, _ = env.reset(options={"task_id": "send_bob_5"})
    policy.reset(seed=0)
    for _ in range(max_steps):
        obs, reward, terminated, truncated, info = env.step(policy.act(obs))
        if terminated or truncated:
            return reward
    return 0.0


def judge_or(propose):
    """The model as the search's self-evaluation sees it: the task looks done once money went to bob."""

    def replies(messages, n):
        if "Judge the progress" not in messages[-1]["content"]:
            return propose(messages, n)
        history = "\n".join(m["content"] for m in messages if m["role"] == "assistant")
        return ["Score: 9" if "send_money" in history else "Score: 2"] * n

    return replies


def test_greedy_fails_the_crafted_task_and_tree_search_judging_its_finishes_solves_it():
    greedy_model = ScriptedModel({"agent": same_replies})
    assert play(BankEnv(), greedy(greedy_model)) == 0.0

    model = ScriptedModel({"agent": same_replies, "tree_search": judge_or(same_replies)})
    env = BankEnv()
    policy = TreeSearch(greedy(model), model, env, branching=3, node_budget=10, self_evaluate=True)
    assert play(env, policy) == 1.0
    assert env.balances == {"alice": 95, "bob": 25, "carol": 0}  # search branches left no trace
    info = policy.step_info()["wrappers"]["tree_search"]
    assert info["mode"] == "snapshot" and not info["searched"]  # the second step followed the plan
    # proposals from the root and from the send, a judgement of each of their 4 distinct children
    assert len(model.calls("tree_search")) == 6 and not model.calls("agent")


def test_without_a_judge_the_first_clean_finish_ends_the_search():
    model = ScriptedModel({"tree_search": same_replies})
    env = BankEnv()
    policy = TreeSearch(greedy(model), model, env, branching=3, node_budget=10)
    assert play(env, policy) == 0.0  # finishing at once ran clean: nothing but the grade says it is wrong
    tree = policy.step_info()["wrappers"]["tree_search"]["tree"]
    assert [(node["action"], node["finish"]) for node in tree] == [(COMPLETE, True)]


def test_a_finish_judged_below_finish_score_leaves_the_search_going():
    model = ScriptedModel({"tree_search": judge_or(same_replies)})
    env = BankEnv()
    strict = TreeSearch(greedy(model), model, env, branching=3, node_budget=10, self_evaluate=True, finish_score=10)
    obs, _ = env.reset()
    strict.act(obs)
    tree = strict.step_info()["wrappers"]["tree_search"]["tree"]
    assert len(tree) == 10 and [node["score"] for node in tree if node["finish"]][:2] == [2.0, 9.0]
    with pytest.raises(ValueError, match="finish_score is a self-evaluation score"):
        TreeSearch(greedy(model), model, env, self_evaluate=True, finish_score=float("nan"))


def test_node_budget_bounds_the_search_and_the_tree_is_reported():
    def never_finishes(messages, n):
        return [fenced(f"print({len(messages)} + {i})") for i in range(n)]

    model = ScriptedModel({"tree_search": never_finishes})
    env = BankEnv()
    policy = TreeSearch(greedy(model), model, env, branching=2, node_budget=5)
    obs, _ = env.reset()
    policy.act(obs)
    tree = policy.step_info()["wrappers"]["tree_search"]["tree"]
    assert len(tree) == 5 and env.history == []
    assert {node["depth"] for node in tree} >= {1, 2}


def test_beam_width_one_keeps_a_single_open_node_so_the_search_goes_deep():
    def clean_then_errors(messages, n):  # below the root every idea fails, so depth lowers the value
        if len(messages) == 2:
            return [fenced(f"print({i})") for i in range(n)]
        return [fenced(f"raise Exception('{len(messages)}-{i}')") for i in range(n)]

    model = ScriptedModel({"tree_search": clean_then_errors})
    env = BankEnv(max_steps=10)
    best_first = TreeSearch(greedy(model), model, env, branching=2, node_budget=6)
    beam = TreeSearch(greedy(model), model, env, branching=2, node_budget=6, beam_width=1)
    obs, _ = env.reset()
    depths = []
    for policy in (best_first, beam):
        policy.act(obs)
        depths.append(max(node["depth"] for node in policy.step_info()["wrappers"]["tree_search"]["tree"]))
    assert depths == [2, 3]  # best-first goes back to the better sibling; the beam has dropped it


def test_self_evaluation_scores_steer_the_search():
    def replies(messages, n):
        if "Judge the progress" in messages[-1]["content"]:
            return ["Score: 9" if "'right'" in messages[-2]["content"] else "Score: 1"] * n
        return [fenced("print('wrong')"), fenced("print('right')")][:n]

    model = ScriptedModel({"tree_search": replies})
    env = BankEnv()
    policy = TreeSearch(greedy(model), model, env, branching=2, node_budget=4, self_evaluate=True)
    obs, _ = env.reset()
    policy.act(obs)
    tree = policy.step_info()["wrappers"]["tree_search"]["tree"]
    assert tree[2]["parent"] == 2  # the third node expanded the better-scored 'right' branch


def test_snapshot_mode_needs_snapshots_and_a_prompting_policy():
    class NoSnapshots(BankEnv):
        set_state = None

    with pytest.raises(ValueError, match="snapshot search needs env.unwrapped.get_state"):
        TreeSearch(greedy(ScriptedModel({})), ScriptedModel({}), NoSnapshots())
    with pytest.raises(ValueError, match="FixedPolicy is not a ChatPolicy"):
        TreeSearch(FixedPolicy("x"), ScriptedModel({}), BankEnv())
    with pytest.raises(ValueError, match="mode must be one of"):
        TreeSearch(greedy(ScriptedModel({})), ScriptedModel({}), BankEnv(), mode="mcts")


# -- AIDE mode -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, tool_calls, expected",
    [
        (
            '{"is_bug": false, "summary": "ok", "metric": 0.91, "lower_is_better": false, "has_csv_submission": true}',
            None,
            (False, 0.91, "json"),
        ),
        ('Sure! Here is my review:\n```json\n{"is_bug": true, "metric": null}\n```', None, (True, None, "json")),
        ("is_bug: no\nsummary: fine\nmetric: 0.5 (accuracy)\nlower_is_better: false", None, (False, 0.5, "text")),
        (
            "",
            [{"function": {"name": "submit_review", "arguments": json.dumps({"is_bug": False, "metric": 3})}}],
            (False, 3.0, "tool_call"),
        ),
    ],
)
def test_review_is_read_from_tool_call_json_or_text(text, tool_calls, expected):
    review = parse_review(text, tool_calls)
    assert (review.is_bug, review.metric, review.parsed_as) == expected


def test_unreadable_review_is_none():
    assert parse_review("I think it went well.") is None


def aide_model(unreadable_first_review: bool = True):
    state = {"reviews": 0}

    def replies(messages, n):
        request = messages[-1]["content"]
        if "Review the run of this script" in request:
            state["reviews"] += 1
            if unreadable_first_review and state["reviews"] == 1:
                return ["It looks fine to me."] * n
            output = request.split("Output:")[1]
            if "Error" in output:
                return ['{"is_bug": true, "summary": "crashed", "metric": null, "lower_is_better": false}'] * n
            metric = output.split("Validation metric:")[1].split()[0]
            return [
                f"is_bug: false\nsummary: ran\nmetric: {metric}\nlower_is_better: false\nhas_csv_submission: true"
            ] * n
        if "Write a new solution" in request:
            draft = (
                "print('Validation metric: 0.7')" if "attempt 0" not in request else "raise ValueError('bad column')"
            )
            return [f"Plan: a baseline.\n{fenced(draft)}"] * n
        if "This solution failed" in request:
            return [fenced("print('Validation metric: 0.8')")] * n
        if "best working solution so far (validation metric: 0.8)" in request:
            return [fenced("print('Validation metric: 0.9')")] * n
        return [fenced("print('Validation metric: 0.85')")] * n

    return ScriptedModel({"tree_search": replies})


def test_aide_drafts_then_debugs_buggy_leaves_then_improves_the_best_node():
    model = aide_model()
    env = BankEnv(max_steps=10)
    policy = TreeSearch(greedy(model), model, env, mode="aide", num_drafts=2, debug_prob=1.0, max_debug_depth=3)
    obs, _ = env.reset()
    policy.reset(seed=0)
    reports = []
    for _ in range(5):
        obs, *_ = env.step(policy.act(obs))
        reports.append(policy.step_info()["wrappers"]["tree_search"])
    info = reports[-1]
    journal = journal_from_reports(reports)
    assert info["journal"] == [{k: n[k] for k in JOURNAL_ROW} for n in journal]  # each node's row, no more
    assert [n["operation"] for n in journal] == ["draft", "draft", "debug", "improve", "improve"]
    assert [n["parent"] for n in journal] == [None, None, 1, 2, 3]
    assert journal[1]["is_buggy"] and journal[1]["exc_type"] == "ValueError" and journal[1]["children"] == [2]
    assert journal[2]["debug_depth"] == 1 and not journal[2]["is_buggy"] and journal[2]["metric"] == 0.8
    assert journal[0]["metric"] == 0.7  # its first review was unreadable; the retry was read
    assert info["best_metric"] == 0.9 and info["best_step"] == 3
    assert journal[0]["plan"] == "Plan: a baseline.\nHere is the code."  # the text before the code


def test_aide_review_that_stays_unreadable_marks_the_node_buggy_after_bounded_retries():
    def replies(messages, n):
        if "Review the run" in messages[-1]["content"]:
            return ["no idea"] * n
        return [fenced("print('Validation metric: 1')")] * n

    model = ScriptedModel({"tree_search": replies})
    env = BankEnv()
    policy = TreeSearch(greedy(model), model, env, mode="aide", num_drafts=1, review_retries=2)
    obs, _ = env.reset()
    obs, *_ = env.step(policy.act(obs))
    first = policy.step_info()["wrappers"]["tree_search"]
    policy.act(obs)
    journal = journal_from_reports([first, policy.step_info()["wrappers"]["tree_search"]])
    assert journal[0]["is_buggy"] and journal[0]["analysis"].startswith("review unreadable")
    reviews = [c for c in model.calls("tree_search") if "Review the run" in c.messages[-1]["content"]]
    assert len(reviews) == 2  # the retry got "no idea" again: a third ask would repeat the second request
    assert journal[1]["operation"] == "draft"  # nothing works yet: draft again


def test_aide_best_node_respects_lower_is_better():
    from wrappers.aide import AideNode, AideSearch

    search = AideSearch(
        agent=None,  # type: ignore[arg-type]
        num_drafts=5,
        debug_prob=0.5,
        max_debug_depth=3,
        review_retries=2,
        seed=0,
        script_max_tokens=1024,
        script_samples=3,
        script_abandon=None,
    )
    for step, metric in enumerate([0.3, 0.1, 0.2]):
        search.journal.append(
            AideNode(step, "draft", "", "", metric=metric, lower_is_better=True, is_buggy=False, reviewed=True)
        )
    assert search.best().step == 1


def test_aide_prefers_the_envs_submission_status_and_validation_score():
    from wrappers.aide import _env_metric, _env_submission, _exec_time

    output = (
        "[step 2] exit 0 after 3.25 s\nsubmission.csv: missing\n"
        "validation accuracy on a held-out split of train: 0.8125\n--- stdout (end) ---\nacc 0.99"
    )
    assert _env_submission(output) is False and _env_metric(output) == 0.8125 and _exec_time(output) == 3.25
    assert _env_submission("submission.csv: valid") is True and _env_metric("no score here") is None


def test_on_toolworld_tree_search_solves_what_greedy_fails_with_the_same_replies(toolworld_env):
    from envs.toolworld.world.changes import net_changes
    from wrappers.code import strip_calls

    env = toolworld_env
    env.reset(options={"task_id": "phone_text_relation_0"})
    for action in env.oracle_actions():
        env.step(action)
    oracle_changes = net_changes(env.conn)
    work = strip_calls("\n".join(env.oracle_actions()), "complete_task")
    finish = env.oracle_actions()[-1]  # the oracle's own complete_task: this task's answer is the texts counted

    def replies(messages, n):
        done = any("send_text_message" in m["content"] for m in messages if m["role"] == "assistant")
        ideas = [finish, PONDER] if done else [finish, work]  # the first idea: finish at once
        return [fenced(ideas[i % len(ideas)]) for i in range(n)]

    def play_toolworld(policy):
        obs, _ = env.reset(options={"task_id": "phone_text_relation_0"})
        policy.reset(seed=0)
        for _ in range(4):
            obs, reward, terminated, truncated, info = env.step(policy.act(obs))
            if terminated or truncated:
                return reward
        return 0.0

    assert play_toolworld(greedy(ScriptedModel({"agent": replies}))) == 0.0
    model = ScriptedModel({"tree_search": replies})
    assert play_toolworld(TreeSearch(greedy(model), model, env, branching=2, node_budget=4)) == 1.0
    assert net_changes(env.conn) == oracle_changes  # the searched branches left no trace in the DB
