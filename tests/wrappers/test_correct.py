import pytest

from tests.wrappers.bank_env import PASSWORD, BankEnv
from tests.wrappers.scripted import ScriptedModel, fenced
from wrappers.correct import Correct, parse_correction

LOGIN = f"token = apis.bank.login(username='alice', password='{PASSWORD}')['access_token']"
# sends the money, then crashes: a partial effect that a naive retry would double
FAILING = f"{LOGIN}\napis.bank.send_money(access_token=token, to='bob', amount=5)\nprint(token['balance'])"
PATCH = f"{LOGIN}\nresult = apis.bank.send_money(access_token=token, to='bob', amount=5)\nprint(result['balance'])"


def correction(patch: str, category: str = "runtime_error") -> str:
    return (
        f"CATEGORY: {category}\nEVIDENCE: TypeError: string indices must be integers\n"
        "DIAGNOSIS: the code indexed the token instead of the result.\nFIX STEPS: 1. keep the result\nPATCH:\n"
        + fenced(patch)
    )


def oracle_balances() -> dict[str, int]:
    env = BankEnv()
    env.reset()
    for action in env.oracle_actions():
        env.step(action)
    return env.balances


def test_failing_action_becomes_passing_and_final_state_equals_the_oracles():
    model = ScriptedModel({"corrector": [correction(PATCH)]})
    env = Correct(BankEnv(), model)
    env.reset()
    obs, _, _, _, info = env.step(FAILING)
    report = info["wrappers"]["correct"]
    assert report["fired"] and report["trigger"] == "error" and report["fixed"] and report["restored"]
    assert report["attempts"][0]["category"] == "runtime_error"
    assert obs["history"][-1] == {"action": PATCH, "output": "95\n"}  # the patch ran instead of the failed code
    assert len(obs["history"]) == 1
    obs, reward, terminated, _, info = env.step("apis.supervisor.complete_task()")
    assert terminated and reward == 1.0 and info["success"]
    assert env.unwrapped.balances == oracle_balances()  # no double transfer from the failed step


def test_without_snapshots_the_patch_runs_after_the_failed_step():
    model = ScriptedModel({"corrector": [correction(PATCH)]})
    env = Correct(BankEnv(), model, use_snapshots=False)
    env.reset()
    obs, _, _, _, info = env.step(FAILING)
    assert info["wrappers"]["correct"]["fixed"] and not info["wrappers"]["correct"]["restored"]
    assert [t["action"] for t in obs["history"]] == [FAILING, PATCH]
    assert env.unwrapped.balances["bob"] == 30  # both ran: why restoring matters


def test_the_corrector_sees_only_the_failed_code_its_output_and_api_docs():
    model = ScriptedModel({"corrector": [correction(PATCH)]})
    env = Correct(BankEnv(), model)
    env.reset()
    env.step("secret_history_marker = 1")
    env.step(FAILING)
    (request,) = model.calls("corrector")
    prompt = "\n".join(m["content"] for m in request.messages)
    assert "secret_history_marker" not in prompt
    assert FAILING in prompt and "string indices must be integers" in prompt
    assert "bank.login: login(username: str" in prompt and "bank.send_money: send_money(" in prompt


def test_complete_task_is_stripped_from_the_patch():
    model = ScriptedModel({"corrector": [correction(PATCH + "\napis.supervisor.complete_task()")]})
    env = Correct(BankEnv(), model)
    env.reset()
    _, _, terminated, _, info = env.step(FAILING)
    attempt = info["wrappers"]["correct"]["attempts"][0]
    assert attempt["stripped_complete_task"] and "complete_task" not in attempt["patch"]
    assert not terminated and not env.unwrapped.completed


def test_a_patch_that_only_completes_the_task_is_refused_and_attempts_are_bounded():
    model = ScriptedModel({"corrector": [correction("apis.supervisor.complete_task()")] * 3})
    env = Correct(BankEnv(), model, max_attempts=3)
    env.reset()
    obs, _, terminated, _, info = env.step(FAILING)
    report = info["wrappers"]["correct"]
    assert len(report["attempts"]) == 3 and not report["fixed"]
    assert all(a["error"].startswith("refused") for a in report["attempts"])
    assert obs["history"][-1]["action"] == FAILING and not terminated


def test_failing_patches_stop_after_max_attempts_each_from_the_same_snapshot():
    bad_patch = (
        f"{LOGIN}\napis.bank.send_money(access_token=token, to='bob', amount=5)\nraise Exception('still broken')"
    )
    model = ScriptedModel({"corrector": [correction(bad_patch)] * 2})
    env = Correct(BankEnv(), model, max_attempts=2)
    env.reset()
    _, _, _, _, info = env.step(FAILING)
    assert len(info["wrappers"]["correct"]["attempts"]) == 2 and not info["wrappers"]["correct"]["fixed"]
    assert env.unwrapped.balances["bob"] == 25  # every attempt started from the pre-step state


def test_two_turns_without_code_trigger_the_corrector():
    model = ScriptedModel({"corrector": [correction(LOGIN, "reasoning")]})
    env = Correct(BankEnv(), model)
    env.reset()
    _, _, _, _, info = env.step("# I will log in next.")
    assert not info["wrappers"]["correct"]["fired"]
    obs, _, _, _, info = env.step("'All done.'")
    assert info["wrappers"]["correct"]["trigger"] == "no_code" and info["wrappers"]["correct"]["fixed"]
    assert obs["history"][-1]["action"] == LOGIN


def test_a_repeated_identical_action_triggers_the_corrector_even_if_formatted_differently():
    model = ScriptedModel({"corrector": [correction("print(apis.bank.show_balance(access_token=token))", "loop")]})
    env = Correct(BankEnv(), model)
    env.reset()
    env.step(LOGIN)
    _, _, _, _, info = env.step(LOGIN.replace("=", " = ") + "  # again")
    assert info["wrappers"]["correct"]["trigger"] == "repeat"
    assert info["wrappers"]["correct"]["attempts"][0]["output"] == "{'balance': 100}\n"


def test_no_trigger_no_call_and_cost_is_reported():
    model = ScriptedModel({"corrector": [correction(PATCH)]})
    env = Correct(BankEnv(), model)
    env.reset()
    _, _, _, _, info = env.step(LOGIN)
    assert not info["wrappers"]["correct"]["fired"] and not model.requests
    _, _, _, _, info = env.step(FAILING)
    assert info["wrappers"]["correct"]["cost"]["calls"] == 1
    assert info["wrappers"]["correct"]["episode"] == {"fired": 1, "fixed": 1, "attempts": 1}


def test_parse_correction_reads_sections_and_text_patch_without_fence():
    parsed = parse_correction("**Category:** pagination\nEvidence: x\nDiagnosis: y\nFix steps: z\nPatch: print(1)")
    assert (parsed.category, parsed.evidence, parsed.diagnosis, parsed.fix_steps, parsed.patch) == (
        "pagination",
        "x",
        "y",
        "z",
        "print(1)",
    )


def test_bad_config_is_refused():
    with pytest.raises(ValueError, match="max_attempts must be >= 1"):
        Correct(BankEnv(), ScriptedModel({}), max_attempts=0)
