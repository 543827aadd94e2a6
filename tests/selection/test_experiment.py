"""The deployment experiment: its stream of real examples, its drifts, its rollback measure, and its command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from policies.selection.experiment import main, rollback_rounds
from policies.selection.experiment_data import DEGRADED_SHARE, LABEL_SHIFT_SHARE, MODELS, deploy
from policies.selection.simulate import Trace
from policies.selection.stream import ClassifierStream, Phase

REPO = Path(__file__).resolve().parents[2]


def test_stream_rewards_average_to_the_exact_expected_accuracy_and_change_at_the_drift():
    correct = np.array([[1, 0], [1, 1], [0, 1], [0, 0]], dtype=bool)
    stream = ClassifierStream(["a", "b"], Phase(correct, [1, 1, 1, 1]), Phase(correct, [0, 0, 1, 3]), drift_at=2000)
    assert stream.expected(0).tolist() == [0.5, 0.5] and stream.expected(2000).tolist() == [0.0, 0.25]
    assert (stream.best(0), stream.best(2000)) == (0, 1)
    stream.start(np.random.default_rng(0))
    rng = np.random.default_rng(1)
    before = np.mean([stream.reward(0, t, rng) for t in range(2000)])
    after = np.mean([stream.reward(1, t, rng) for t in range(2000, 6000)])
    assert before == pytest.approx(0.5, abs=0.04) and after == pytest.approx(0.25, abs=0.03)
    assert {stream._example(t) for t in range(2000, 6000)} == {2, 3}  # zero-weight examples never come
    with pytest.raises(ValueError, match="one weight per example"):
        Phase(correct, [1, 1])


@pytest.fixture(scope="module")
def wine():
    return deploy("wine")


def test_the_three_drifts_do_what_they_say(wine):
    base = wine.stream("degraded_model", 100).before.accuracy
    assert len(wine.validation_scores) == len(MODELS) and all(0.5 < a <= 1.0 + 1e-9 for a in base)
    degraded = wine.stream("degraded_model", 100)
    assert degraded.after.accuracy[:-1].tolist() == base[:-1].tolist()  # only the newest model breaks
    assert degraded.after.accuracy[-1] == pytest.approx(base[-1] * (1 - DEGRADED_SHARE), abs=0.12)
    label = wine.stream("label_shift", 100)
    favoured = np.isin(wine.pool_y, wine.spec.favoured)
    assert label.after.weights[favoured].sum() == pytest.approx(LABEL_SHIFT_SHARE)
    assert (label.after.correct == label.before.correct).all()  # same answers, another class mix
    covariate = wine.stream("covariate_shift", 100)
    assert (covariate.after.weights == covariate.before.weights).all()
    assert covariate.after.accuracy[-1] < base[-1] - 0.3  # the recalibration breaks the SVM
    with pytest.raises(ValueError, match="unknown scenario"):
        wine.stream("concept_drift", 100)
    with pytest.raises(ValueError, match="unknown data set"):
        deploy("iris")


def test_rollback_rounds_count_from_the_drift_until_the_dropped_model_serves_under_half():
    correct = np.array([[1, 1], [1, 1]], dtype=bool)
    dropped = ClassifierStream(["a", "b"], Phase(correct, [1, 1]), Phase(correct & [[1, 0]], [1, 1]), drift_at=100)

    def trace(arms):
        arms = np.asarray(arms)
        return Trace(arms, np.zeros(len(arms)), np.zeros(len(arms)), np.zeros(len(arms), dtype=int), [])

    assert rollback_rounds(trace([1] * 130 + [0] * 70), dropped) == (True, 30 - 9)  # first window under half
    assert rollback_rounds(trace([1] * 200), dropped) == (True, None)  # never
    assert rollback_rounds(trace([0] * 200), dropped) == (False, None)  # it served a model that did not drop
    assert rollback_rounds(trace([0, 1] * 100), dropped) == (False, None)  # it served no model mostly


def test_quick_experiment_prints_saves_and_shows_detection_pays(tmp_path, capsys):
    out = tmp_path / "experiment"
    assert main(["--quick", "--datasets", "wine", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "| naive | yes |" in printed and "wine / degraded_model: naive_bayes" in printed
    for name in ("table.md", "results.json", "regret_wine.png"):
        assert (out / name).stat().st_size > 0
    assert (out / "regret_wine.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = json.loads((out / "results.json").read_text())
    assert saved["settings"]["seeds"] == 2 and saved["settings"]["horizon"] == 400
    rows = {(r["scenario"], r["strategy"], r["drift_detection"]): r for r in saved["rows"]}
    assert len(rows) == 3 * 6 * 2
    # naive serves the newest model; when it breaks, detection rolls back in every seed and cuts the regret
    with_detection, without = rows["degraded_model", "naive", True], rows["degraded_model", "naive", False]
    assert with_detection["rollback"]["rolled_back"] == with_detection["rollback"]["on_dropped_model"] == 2
    assert without["rollback"]["rolled_back"] == 0
    assert with_detection["regret"]["mean"] < 0.5 * without["regret"]["mean"]


def test_bad_sizes_and_names_exit_with_a_message(capsys):
    assert main(["--horizon", "100", "--drift-at", "100"]) == 2
    assert "0 < --drift-at < horizon" in capsys.readouterr().err
    assert main(["--quick", "--strategies", "softmax"]) == 2
    assert "unknown strategy 'softmax'" in capsys.readouterr().err


def test_the_module_runs_from_the_command_line():
    proc = subprocess.run(
        [sys.executable, "-m", "policies.selection.experiment", "--help"], cwd=REPO, capture_output=True, text=True
    )
    assert proc.returncode == 0 and "--quick" in proc.stdout
