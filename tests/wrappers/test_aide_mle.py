"""tree_search's AIDE mode on a real MLE competition, with scripted replies."""

import json

import pytest

from envs.mle.prepare import prepare
from envs.mle.registry import get_spec
from tests.wrappers.policies import greedy
from tests.wrappers.scripted import ScriptedModel, fenced
from wrappers.aide import journal_from_reports
from wrappers.stack import apply_stack, parse_stack

COMPETITION = "diabetes-progression"
BROKEN = "columns = {'age': 1}\nprint(columns['no_such_column'])"


@pytest.fixture(scope="module")
def mle_cache(tmp_path_factory):
    root = tmp_path_factory.mktemp("mle-cache")
    prepare(COMPETITION, root)
    return root


@pytest.mark.slow
def test_aide_on_a_real_competition_reviews_runs_debugs_the_broken_draft_and_ends_valid(mle_cache, tmp_path):
    from envs.mle.env import MLECompetitionEnv

    baseline = get_spec(COMPETITION).baseline_script

    def replies(messages, n):
        request = messages[-1]["content"]
        if "Review the run" in request:
            broken = "Error" in request.split("Output:")[1]
            return [
                json.dumps(
                    {
                        "is_bug": broken,
                        "summary": "ran",
                        "metric": None if broken else 50.0,
                        "lower_is_better": True,
                        "has_csv_submission": not broken,
                    }
                )
            ] * n
        if "Write a new solution" in request:
            return [fenced(BROKEN if "attempt 0" in request else baseline)] * n
        return [fenced(baseline)] * n  # debug and improve

    model = ScriptedModel({"tree_search": replies})
    env = MLECompetitionEnv(
        COMPETITION, cache_dir=mle_cache, work_root=tmp_path, max_steps=3, validation=True, step_timeout_s=120
    )
    try:
        stack = parse_stack([("tree_search", {"num_drafts": 2, "debug_prob": 1.0})], MLECompetitionEnv.profile)
        wrapped, policy = apply_stack(env, greedy(model), model, stack)
        obs, _ = wrapped.reset(seed=0, options={"task_id": COMPETITION})
        policy.reset(seed=0)
        reports = []
        for _ in range(3):
            obs, reward, terminated, truncated, info = wrapped.step(policy.act(obs))
            reports.append(policy.step_info()["wrappers"]["tree_search"])
        journal = journal_from_reports(reports)
        assert policy.mode == "aide"
        assert [n["operation"] for n in journal] == ["draft", "draft", "debug"]
        assert not journal[0]["is_buggy"] and journal[0]["exec_time"] is not None
        validation = [line for line in journal[0]["term_out"].splitlines() if line.startswith("validation")]
        assert validation and str(journal[0]["metric"])[:4] in validation[0]  # the env's score, not the model's 50.0
        assert journal[1]["is_buggy"] and journal[1]["exc_type"] == "KeyError"
        assert journal[2]["parent"] == 1 and journal[2]["debug_depth"] == 1
        assert truncated and info["evaluation"]["valid_submission"]
    finally:
        env.close()
