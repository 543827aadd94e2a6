"""The corrector on the real ToolWorld: the final DB equals the oracle's."""

from envs.toolworld.world.changes import net_changes
from tests.wrappers.scripted import ScriptedModel, fenced
from wrappers.code import called_apis, strip_calls
from wrappers.correct import Correct

COMPLETE = "apis.supervisor.complete_task()"
# sending a text twice is visible in the DB, so a double effect fails the task
TASK = "phone_text_relation_0"


def run_oracle(env, task_id):
    env.reset(options={"task_id": task_id})
    for action in env.oracle_actions():
        *_, info = env.step(action)
    return net_changes(env.conn), info


def test_corrected_episode_ends_with_the_oracles_db_and_no_double_effects(toolworld_env):
    env = toolworld_env
    task_id = TASK
    oracle_changes, oracle_info = run_oracle(env, task_id)
    assert oracle_info["success"] and oracle_changes

    env.reset(options={"task_id": task_id})
    work = strip_calls("\n".join(env.oracle_actions()), "complete_task")
    failing = work + "\nprint(summary_of_what_was_sent)"  # does the work, then a NameError
    corrector = (
        "CATEGORY: runtime_error\nEVIDENCE: NameError\nDIAGNOSIS: undefined name\nFIX STEPS: 1. drop it\nPATCH:\n"
    )
    model = ScriptedModel({"corrector": [corrector + fenced(work + "\n" + COMPLETE)]})
    wrapped = Correct(env, model)
    wrapped.reset(options={"task_id": task_id})
    obs, _, terminated, _, info = wrapped.step(failing)
    report = info["wrappers"]["correct"]
    assert report["fired"] and report["trigger"] == "error" and report["fixed"] and report["restored"]
    assert report["attempts"][0]["stripped_complete_task"] and not terminated
    prompt = model.calls("corrector")[0].messages[1]["content"]
    for app, api in called_apis(work)[:5]:  # the docs of the APIs it called
        assert f'"app_name": "{app}", "api_name": "{api}"' in prompt
    obs, reward, terminated, _, info = wrapped.step(env.oracle_actions()[-1])  # its complete_task, with the answer
    assert terminated and reward == 1.0 and info["success"]
    assert net_changes(env.conn) == oracle_changes  # the failed step's text was not sent twice


def test_without_restoring_the_failed_steps_effects_stay_and_the_task_fails(toolworld_env):
    env = toolworld_env
    task_id = TASK
    env.reset(options={"task_id": task_id})
    work = strip_calls("\n".join(env.oracle_actions()), "complete_task")
    model = ScriptedModel({"corrector": ["PATCH:\n" + fenced(work)]})
    wrapped = Correct(env, model, use_snapshots=False)
    wrapped.reset(options={"task_id": task_id})
    wrapped.step(work + "\nprint(undefined_name)")
    _, reward, terminated, _, info = wrapped.step(env.oracle_actions()[-1])  # the right answer, yet:
    assert terminated and reward == 0.0  # the message went out twice: collateral damage
