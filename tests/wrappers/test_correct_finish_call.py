"""The corrector speaks of the env's own finish call: ToolWorld's complete_task, none on MLE."""

from dataclasses import replace

from envs.mle.env import MLECompetitionEnv
from envs.toolworld.profile import TOOLWORLD_PROFILE
from tests.wrappers.bank_env import BankEnv
from tests.wrappers.scripted import ScriptedModel
from tests.wrappers.test_correct import FAILING, correction
from wrappers.correct import Correct


class NoFinishBankEnv(BankEnv):
    """The bank world under a profile with no finishing call, as MLE's (a script run ends nothing)."""

    profile = replace(TOOLWORLD_PROFILE, name="no_finish", finish_call=None)


def refusal_and_prompt(env: BankEnv) -> tuple[str, str]:
    model = ScriptedModel({"corrector": [correction("# nothing to run")]})
    wrapped = Correct(env, model, max_attempts=1)
    wrapped.reset()
    _, _, _, _, info = wrapped.step(FAILING)
    (attempt,) = info["wrappers"]["correct"]["attempts"]
    (_, request), *_ = model.requests
    return attempt["error"], request.messages[0]["content"]


def test_mle_declares_no_finish_call_and_toolworld_declares_complete_task():
    assert MLECompetitionEnv.profile.finish_call is None
    assert TOOLWORLD_PROFILE.finish_call == "complete_task"


def test_without_a_finish_call_the_refusal_and_the_prompt_never_mention_complete_task():
    error, prompt = refusal_and_prompt(NoFinishBankEnv())
    assert error == "refused: the patch has no code to run"
    assert "complete_task" not in prompt and "you never finish the task yourself." in prompt


def test_toolworld_refusal_and_prompt_name_complete_task():
    error, prompt = refusal_and_prompt(BankEnv())
    assert error == "refused: the patch has no code to run (complete_task calls are stripped)"
    assert "you never finish the task yourself: never call complete_task." in prompt
