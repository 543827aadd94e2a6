"""Wrappers that read agent outputs and model replies with patterns must not stall or crash on them.

The agent decides what its code prints, and the model what it replies; a
pattern with super-linear backtracking turns one printed line into minutes of
wrapper time, and a deep JSON reply into a RecursionError. Each stall case
runs in a subprocess with a deadline hundreds of times what the linear
version needs (a hang check, not a speed target: the old patterns take
minutes on these inputs).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from wrappers.aide import parse_review

REPO = Path(__file__).resolve().parents[2]
HANG_CHECK_S = 60

STALLS = {
    "ledger_key_repeated_in_one_word": (
        "from wrappers.ledger import ledger_entries\nledger_entries(['token' * 40_000 + '='])"
    ),
    "correct_sections_spaces": "from wrappers.correct import parse_correction\nparse_correction(' ' * 100_000)",
    "correct_sections_blank_lines": "from wrappers.correct import parse_correction\nparse_correction('\\n' * 50_000)",
    "aide_exception_type_blank_lines": ("from wrappers.aide import _exception_type\n_exception_type('\\n' * 50_000)"),
    # an episode of 80 ToolWorld outputs at their 20,000-character limit, each full of distinct letter+digit
    # tokens, as summarize folds them: each token was checked against every entry so far (29 s for 40 outputs)
    "ledger_an_episode_of_tokens": (
        "from wrappers.ledger import ledger_entries\n"
        "ledger_entries([' '.join(f't{s:03d}{i:011d}xy' for i in range(1_052)) for s in range(80)])"
    ),
    # a reply (the agent's, a wrapper's) of a fence and spaces never closed: the opening fence's two runs of
    # blanks split them every way, ~80 s for 400,000 characters in the policy's reader and the abandon rule
    "reply_fence_then_spaces": (
        "from policies.llm_policy import extract_action\nextract_action('```' + ' ' * 500_000 + 'x')"
    ),
    "abandon_rule_fence_then_spaces": (
        "from policies.llm.abandon import broken_python_block\nbroken_python_block('```' + ' ' * 500_000 + 'x\\n')"
    ),
    # a review reply (asked for with 256 tokens) of a million "{" from a server that ignores max_tokens: each
    # brace was a JSON object to try, decoded from a copy of the rest of the reply (54 s of CPU for 1 MB)
    "aide_review_of_a_million_braces": (
        "from tests.wrappers.test_aide_calls import SCRIPT, ServerLikeModel, _is_review, run_search\n"
        "model = ServerLikeModel(lambda r: '{' * 1_000_000 if _is_review(r.messages) else SCRIPT, False)\n"
        "assert run_search(model, steps=2)[0]['is_buggy']"
    ),
    # a corrector reply (asked for with 768 tokens) whose patch is 8 MB of code, from a server that ignores
    # max_tokens: the patch was parsed whole three times (strip the finish call, has code, the APIs it calls),
    # ~34 s of CPU per attempt for 4 MB
    "correct_patch_of_megabytes": (
        "from tests.wrappers.bank_env import BankEnv\n"
        "from tests.wrappers.scripted import ScriptedModel\n"
        "from tests.wrappers.test_correct import FAILING, correction\n"
        "from wrappers.correct import Correct\n"
        "patch = 'x = apis.bank.balance(a=1, b=[1, 2, 3])\\n' * 200_000\n"
        "env = Correct(BankEnv(), ScriptedModel({'corrector': lambda messages, n: [correction(patch)] * n}))\n"
        "env.reset()\n"
        "attempts = env.step(FAILING)[4]['wrappers']['correct']['attempts']\n"
        "assert len(attempts) == 2 and all(len(a['patch']) <= 768 * 8 for a in attempts)"
    ),
}


@pytest.mark.parametrize("name", list(STALLS))
def test_reading_a_hostile_output_does_not_stall(name: str) -> None:
    try:
        done = subprocess.run(
            [sys.executable, "-c", STALLS[name]], cwd=REPO, capture_output=True, text=True, timeout=HANG_CHECK_S
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{name}: still running after {HANG_CHECK_S} s")
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_deeply_nested_json_review_is_read_as_text_not_a_crash() -> None:
    review = parse_review('{"is_bug": ' + "[" * 5_000)
    assert review is not None and review.parsed_as == "text"
