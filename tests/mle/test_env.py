"""MLECompetitionEnv: the Gymnasium contract, the sandbox and the episode rules."""

from __future__ import annotations

import os
import time
from pathlib import Path

import gymnasium as gym
import pytest
from gymnasium.utils.env_checker import check_env

import envs  # noqa: F401  (registers the env ids)
from envs.mle.env import MLECompetitionEnv
from envs.mle.journal import runtime_band
from envs.sandbox import landlock
from wrappers.aide import _exec_time  # AIDE reads a band as its upper edge

WRITE_SAMPLE = "import shutil\nshutil.copy('input/sample_submission.csv', 'submission.csv')\nprint('copied')\n"


@pytest.mark.filterwarnings("error")  # gymnasium's checker warns where it cannot be sure: none may be left
@pytest.mark.parametrize("settings", [{}, {"vector_safe_info": True}, {"render_mode": "ansi"}])
def test_check_env_passes_as_shipped(mle_cache, tmp_path, settings) -> None:
    """Through gym.make, so the checker also builds the env in every declared render mode and closes it twice."""
    env = gym.make(
        "trainfree/MLECompetition-v0",
        competition="diabetes-progression",
        cache_dir=mle_cache,
        work_root=tmp_path,
        step_timeout_s=20,
        disable_env_checker=True,
        **settings,
    )
    try:
        check_env(env.unwrapped)
    finally:
        env.close()


def test_run_times_are_shown_as_bands_of_the_limit(make_env) -> None:
    env = make_env(step_timeout_s=20)
    env.reset()
    obs, _, _, _, info = env.step(WRITE_SAMPLE)
    band = runtime_band(env.get_state()["journal"][0]["runtime_s"], 20)  # the exact time stays in the state
    assert obs["history"][-1]["output"].startswith(f"[step 1] exit status 0 (run time {band})")
    assert f"| {band} |" in obs["context"] and info["journal_entry"]["runtime"] == band
    assert "runtime_s" not in info["journal_entry"]
    hidden = make_env(show_runtime=False)
    hidden.reset()
    obs, _, _, _, info = hidden.step(WRITE_SAMPLE)
    assert obs["history"][-1]["output"].startswith("[step 1] exit status 0\n")
    assert "runtime" not in info["journal_entry"]


def test_runtime_bands() -> None:
    bands = [runtime_band(t, 120) for t in (0.0, 11.9, 12.0, 29.9, 30, 59, 60, 89, 90, 119.9, 120, 121)]
    expected = ["under 12 s"] * 2 + ["12-30 s"] * 2 + ["30-60 s"] * 2 + ["60-90 s"] * 2 + ["90-120 s"] * 2
    assert bands == expected + ["the 120 s limit"] * 2
    assert [_exec_time(f"[step 1] exit status 0 (run time {band})") for band in ("under 12 s", "12-30 s")] == [12, 30]


def test_ansi_render_shows_the_episode(make_env) -> None:
    env = make_env(render_mode="ansi")
    env.reset()
    env.step("print('hello')\n")
    text = env.render()
    assert text is not None and text.startswith("[diabetes-progression] ")
    assert "--- step 1 ---\nprint('hello')\n\n>>>\n[step 1] exit status 0" in text and "hello" in text
    assert make_env().render() is None
    with pytest.raises(ValueError, match="render_mode must be None or 'ansi'"):
        make_env(render_mode="human")


def test_gymnasium_make_with_competition(mle_cache) -> None:
    env = gym.make("trainfree/MLECompetition-v0", competition="diabetes-progression", cache_dir=mle_cache)
    obs, info = env.reset(seed=0)
    assert info["task_id"] == "diabetes-progression" and info["competition"]["metric"] == "rmse"
    assert "Diabetes progression" in obs["instruction"]
    assert "train.csv" in obs["context"] and "submission.csv" in obs["context"] and obs["steps_left"] == 10
    env.close()


def test_a_missing_work_root_is_created(mle_cache, tmp_path) -> None:
    work_root = tmp_path / "not" / "yet"
    env = gym.make(
        "trainfree/MLECompetition-v0", competition="diabetes-progression", cache_dir=mle_cache, work_root=work_root
    )
    env.reset(seed=0)
    assert any(work_root.iterdir())
    env.close()


def test_unknown_competition_and_bad_options_are_named() -> None:
    with pytest.raises(KeyError, match="unknown competition 'nope'"):
        MLECompetitionEnv("nope")
    with pytest.raises(ValueError, match="unknown selection"):
        MLECompetitionEnv("diabetes-progression", selection="random")


def test_reset_without_task_id_picks_from_split_by_seed(make_env) -> None:
    env = make_env(None, split="lite")
    first = env.reset(seed=3)[1]["task_id"]
    assert first == env.reset(seed=3)[1]["task_id"]
    assert first in {t["task_id"] for t in env.list_tasks("lite")}
    lite = {t["task_id"] for t in env.list_tasks("lite")}
    assert len(env.list_tasks("all")) == 22 and len(lite) == 21 and "diabetes-progression" not in lite


@pytest.mark.parametrize(
    "action, message",
    [(42, "got int"), (None, "got NoneType"), ("x" * 5001, "over the 5,000 limit"), ("   \n", "empty")],
)
def test_bad_actions_get_an_error_observation(make_env, action, message) -> None:
    env = make_env(max_action_chars=5000)
    env.reset()
    obs, reward, terminated, truncated, info = env.step(action)
    assert message in obs["history"][-1]["output"] and not terminated and reward == 0.0
    assert info["journal_entry"]["buggy"]
    obs, *_ = env.step(WRITE_SAMPLE)  # the env keeps working
    assert "submission.csv: valid" in obs["history"][-1]["output"]


def test_timeout_kills_the_script_and_its_children(make_env) -> None:
    env = make_env(step_timeout_s=1.5)
    env.reset()
    marker = f"60.{os.getpid()}{time.monotonic_ns() % 10**6}"  # this test's child, found by its command line
    script = (
        f"import subprocess, time\nsubprocess.Popen(['sleep', '{marker}'])\nprint('started', flush=True)\n"
        "time.sleep(60)\n"
    )
    obs, *_ = env.step(script)
    out = obs["history"][-1]["output"]
    entry = env._journal[-1]
    assert "wall-time limit" in out and "started" in out and entry["runtime_s"] < 10 and not entry["ran_ok"]
    deadline = time.monotonic() + 5  # a killed child may take a moment to be reaped
    while _processes_running(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _processes_running(marker), "the script's child outlived the timeout"


def _processes_running(argument: str) -> list[int]:
    """Pids of live (not zombie) processes with `argument` on their command line, in any pid namespace."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if argument.encode() in cmdline and state != "Z":
            found.append(int(proc.name))
    return found


def test_memory_cap_stops_a_greedy_script(make_env) -> None:
    env = make_env(memory_mb=400)
    env.reset()
    obs, *_ = env.step("import numpy as np\nx = np.ones(2 * 1024**3 // 8)\nprint('allocated')\n")
    out = obs["history"][-1]["output"]
    assert "out of memory" in out and "allocated" not in out.split("stdout")[1]
    obs, *_ = env.step(WRITE_SAMPLE)
    assert "submission.csv: valid" in obs["history"][-1]["output"]


def test_private_data_is_out_of_reach(make_env, mle_cache) -> None:
    env = make_env(confine_files=False)
    env.reset()
    probe = (
        "import os\n"
        "print('ENV', sorted(os.environ.items()))\n"
        "print('FILES', [os.path.join(d, f) for d, _, fs in os.walk('.') for f in fs])\n"
        "print('PARENT', os.listdir('..'))\n"
        "print('THREADS', os.environ['OMP_NUM_THREADS'])\n"
    )
    obs, *_ = env.step(probe)
    out = obs["history"][-1]["output"]
    assert "THREADS 1" in out and "FILES" in out
    assert "answers" not in out and "private" not in out and str(mle_cache) not in out
    assert "input/train.csv" in out


@pytest.mark.skipif(not landlock.supported(), reason="the kernel has no Landlock")
def test_confined_scripts_cannot_read_the_answers_even_by_absolute_path(make_env, mle_cache) -> None:
    env = make_env()
    _, info = env.reset()
    assert info["files_confined"]
    answers = str(mle_cache / "diabetes-progression" / "prepared" / "private" / "answers.csv")
    config = str(mle_cache / "diabetes-progression" / "config.json")
    probe = (
        "import pandas as pd\n"
        "print('TRAIN', len(pd.read_csv('input/train.csv')))\n"
        f"for path in [{answers!r}, {config!r}, '..']:\n"
        "    try:\n"
        "        open(path).read() if not path.endswith('..') else __import__('os').listdir(path)\n"
        "        print('READ', path)\n"
        "    except PermissionError:\n"
        "        print('DENIED', path)\n"
    )
    obs, *_ = env.step(probe)
    out = obs["history"][-1]["output"]
    assert "TRAIN 700" in out and "READ" not in out and out.count("DENIED") == 3


def test_scripts_cannot_change_the_cached_public_data(make_env, mle_cache) -> None:
    env = make_env()
    env.reset()
    env.step("open('input/train.csv', 'w').write('overwritten')\n")
    assert (
        (mle_cache / "diabetes-progression" / "prepared" / "public" / "train.csv").read_text().startswith("patient_id")
    )


def test_submit_grades_and_reports_metrics(make_env) -> None:
    env = make_env(max_steps=5)
    env.reset()
    env.step("raise SystemExit('bad idea')\n")
    env.step(WRITE_SAMPLE)
    obs, reward, terminated, truncated, info = env.step("submit")
    assert terminated and not truncated
    ev = info["evaluation"]
    assert ev["valid_submission"] and ev["submission_exists"] and ev["chosen_step"] == 2
    assert info["metrics"]["valid_code_rate"] == 0.5 and info["metrics"]["made_submission"] == 1.0
    assert info["success"] is False and 0.0 <= reward <= 1.0 and reward == ev["leaderboard_percentile"]
    assert [e["buggy"] for e in info["journal"]] == [True, False]
    with pytest.raises(RuntimeError, match="episode is over"):
        env.step(WRITE_SAMPLE)


def test_no_submission_means_zero_reward(make_env) -> None:
    env = make_env(max_steps=2)
    env.reset()
    env.step("print('thinking')\n")
    obs, reward, terminated, truncated, info = env.step("print('still thinking')\n")
    assert truncated and not terminated and reward == 0.0
    assert info["metrics"]["made_submission"] == 0.0 and info["evaluation"]["score"] is None


def test_an_episode_of_invalid_submissions_made_one_and_says_why_none_was_graded(make_env) -> None:
    """Every step wrote a submission.csv, none valid: the report said "no submission.csv was produced" and
    made_submission 0 (as for an episode that wrote none); MLE-bench grades such an agent's last file: made,
    not valid, with its reason."""
    env = make_env(max_steps=3)
    env.reset()
    env.step("open('submission.csv', 'w').write('a,b\\n1,2\\n')\n")
    env.step(
        "import pandas as pd\npd.read_csv('input/sample_submission.csv').assign(leak=1).to_csv('submission.csv')\n"
    )
    obs, reward, terminated, truncated, info = env.step("print('done')\n")
    evaluation, metrics = info["evaluation"], info["metrics"]
    assert truncated and reward == 0.0 and evaluation["score"] is None and evaluation["chosen_step"] is None
    assert evaluation["submission_exists"] and not evaluation["valid_submission"] and not evaluation["any_medal"]
    assert (metrics["made_submission"], metrics["valid_submission"]) == (1.0, 0.0)
    assert evaluation["invalid_reason"].startswith("no valid submission.csv: the last one written (step 2) was invalid")
    assert "unexpected ['', 'leak']" in evaluation["invalid_reason"]


def test_auto_submit_ends_on_first_valid_submission(make_env) -> None:
    env = make_env(auto_submit=True)
    env.reset()
    *_, terminated, truncated, info = env.step("open('submission.csv','w').write('patient_id,progression\\n')\n")
    assert not terminated  # an invalid submission does not end the episode
    *_, terminated, truncated, info = env.step(WRITE_SAMPLE)
    assert terminated and info["evaluation"]["valid_submission"]


def test_time_budget_truncates(make_env) -> None:
    env = make_env(time_budget_s=0.01)
    env.reset()
    *_, terminated, truncated, info = env.step(WRITE_SAMPLE)
    assert truncated and info["evaluation"]["valid_submission"]


def test_state_snapshot_and_restore(make_env) -> None:
    env = make_env(selection="last", reward="medal")
    env.reset()
    env.step(WRITE_SAMPLE)
    snapshot = env.get_state()
    env.step("print(1)\n")
    env.set_state(snapshot)
    obs, reward, terminated, *_ = env.step("submit")
    assert len(obs["history"]) == 2 and terminated
    assert env.get_state()["journal"] == snapshot["journal"]
    assert reward in (0.0, 1 / 3, 2 / 3, 1.0)


def test_validation_feedback_and_best_selection(make_env) -> None:
    env = make_env(validation=True, selection="best")
    env.reset()
    good = env.oracle_actions()[0]
    env.step(good)
    obs, *_ = env.step(WRITE_SAMPLE)
    assert "validation rmse on a held-out split of train" in obs["history"][-1]["output"]
    scores = [e["metric"] for e in env._journal]
    assert scores[0] < scores[1]  # ridge beats the constant guess on validation
    *_, info = env.step("submit")
    assert info["evaluation"]["chosen_step"] == 1  # the best by validation, not the last


def test_plan_is_split_from_code(make_env) -> None:
    env = make_env()
    env.reset()
    env.step("I will copy the sample.\n```python\n" + WRITE_SAMPLE + "```\nThat's all.")
    entry = env._journal[-1]
    assert entry["plan"].startswith("I will copy the sample.") and entry["code"] == WRITE_SAMPLE
    assert entry["submission"] == "valid"
    obs, *_ = env.step("# Plan: fit a ridge model\n" + WRITE_SAMPLE)
    assert env._journal[-1]["plan"] == "Plan: fit a ridge model"
    assert "| I will copy the sample. That's all." in obs["context"] and "| Plan: fit a ridge model" in obs["context"]


def test_async_vector_env_runs_episodes_in_parallel(mle_cache, tmp_path) -> None:
    make = lambda: gym.make(  # noqa: E731
        "trainfree/MLECompetition-v0",
        competition="diabetes-progression",
        cache_dir=mle_cache,
        work_root=tmp_path,  # close(terminate=True) ends the workers before their envs remove their episode folders
        max_steps=2,
        vector_safe_info=True,
    )
    venv = gym.vector.AsyncVectorEnv([make, make], shared_memory=False)
    try:
        venv.reset(seed=0)
        venv.step((WRITE_SAMPLE, "print('no submission')\n"))
        _, reward, terminated, _, info = venv.step(("submit", "submit"))
        assert terminated.all() and reward[1] == 0  # the sample's constant may be below every team: reward 0 too
        assert list(info["metrics"]["made_submission"]) == list(info["metrics"]["valid_submission"]) == [1.0, 0.0]
        evaluation = info["evaluation"]
        assert evaluation["score"][0] > 0 and list(evaluation["_score"]) == [True, False]  # env 1: no score
    finally:
        venv.close(terminate=True)
