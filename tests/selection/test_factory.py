"""Selectors from Hydra configs: conf/selector/*.yaml and command-line overrides."""

from __future__ import annotations

from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from policies.selection import STRATEGIES, ThompsonSampling, make_selector, parse_arms

CONF = Path(__file__).resolve().parents[2] / "conf"


def test_every_selector_yaml_builds_its_strategy():
    names = {path.stem for path in (CONF / "selector").glob("*.yaml")}
    assert names == {"none", *STRATEGIES}
    assert make_selector(OmegaConf.load(CONF / "selector" / "none.yaml")) is None
    for name in STRATEGIES:
        cfg = OmegaConf.load(CONF / "selector" / f"{name}.yaml")
        selector = make_selector(cfg)
        assert selector.name == name and selector.n_arms == 3
        assert parse_arms(cfg.arms) == [(), ("summarize",), ("summarize", "correct")]


def test_hydra_override_picks_the_strategy_and_arms():
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        cfg = compose(
            config_name="eval",
            overrides=[
                "selector=thompson",
                "selector.arms=[[],[summarize]]",
                "selector.seed=3",
                "selector.drift.kind=window",
            ],
        )
    selector = make_selector(cfg.selector)
    assert isinstance(selector, ThompsonSampling)
    assert (selector.n_arms, selector.seed, selector.drift.kind) == (2, 3, "window")
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        assert make_selector(compose(config_name="eval").selector) is None  # the default: no selection


@pytest.mark.parametrize(
    "cfg, message",
    [
        ({"name": "softmax", "n_arms": 2}, "unknown selector 'softmax'"),
        ({"name": "ucb1"}, "needs `arms`"),
        ({"name": "ucb1", "arms": [[], ["summarize"]], "exploraton": 1}, r"unknown option\(s\) \['exploraton'\]"),
        ({"name": "ucb1", "arms": "summarize"}, "non-empty list"),
        ({"name": "ucb1", "arms": [[], "summarize"]}, "list of wrapper names"),
        ({"name": "ucb1", "arms": [["a"], ["a"]]}, "distinct"),
        ({"name": "ucb1", "arms": [[], ["a"]], "n_arms": 3}, "n_arms=3 but 2 arms"),
        ({"name": "thompson", "arms": [[]], "drift": {"kind": "adwin"}}, "unknown drift detector 'adwin'"),
    ],
)
def test_bad_configs_get_errors_that_name_the_problem(cfg, message):
    with pytest.raises(ValueError, match=message):
        make_selector(cfg)


def test_hydra_composes_the_contextual_selector():
    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        cfg = compose(config_name="eval", overrides=["selector=linucb", "selector.features=[difficulty]"])
    selector = make_selector(cfg.selector)
    assert (selector.name, selector.n_arms, selector.features, selector.alpha) == ("linucb", 3, ["difficulty"], 1.0)
