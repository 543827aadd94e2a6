"""Whose fault an episode's error is: the one rule that keeps the headline rates honest.

An error is the **agent's** (a failure that counts in every rate, with its
reason) or the **infrastructure's** (the episode is retried, and if it keeps
failing it is reported apart and left out of the rates with a warning). It
is decided where the exception is caught, from the stage and the type:

- the model could not be reached or gave no usable answer (`ModelUnavailable`,
  raised by the model backends): infra, at any stage;
- before the agent's first action (stages `env`, `build`, `reset`: the env
  failed to start or reset, the wrapper stack failed to build): infra;
- anything else (stages `act`, `step`, `timeout`: the agent's reply, the env
  or a wrapper handling its action, its time budget, its context window): agent.

An agent can therefore only ever turn its episode into a failure: whatever
its action makes the env or a wrapper raise, the episode still counts. One
more check closes the last gap, an episode whose own content makes the model
server fail (a prompt that crashes it with a 5xx): when a model error met
after the agent acted persists through the retries while the model answers
a 1-token request, the episode's requests are what fails, so it is the
agent's (`final_kind`).
Records written before errors carried a `kind` count as the agent's (the
reading that cannot raise a rate).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

from policies.llm.base import ModelUnavailable

Kind = Literal["agent", "infra"]
AGENT: Kind = "agent"
INFRA: Kind = "infra"

#: Stages before the agent has acted: a failure there is the env's or the harness's.
BEFORE_ANY_ACTION = frozenset({"env", "build", "reset"})

#: Exceptions that say the infrastructure failed, whatever the stage.
INFRA_ERRORS: tuple[type[BaseException], ...] = (ModelUnavailable,)


def error_kind(exc: BaseException, stage: str) -> Kind:
    """`agent` or `infra` for an exception caught at `stage`."""
    if isinstance(exc, INFRA_ERRORS) or stage in BEFORE_ANY_ACTION:
        return INFRA
    return AGENT


def record_error_kind(record: Mapping[str, Any]) -> Kind | None:
    """The kind of a record's error (None when the episode ended without one)."""
    error = record.get("error")
    if not error:
        return None
    return INFRA if isinstance(error, Mapping) and error.get("kind") == INFRA else AGENT


def final_kind(error: Mapping[str, Any], model_answers: Callable[[], bool] | None) -> Kind:
    """The kind of an episode's error once its retries are spent: a model error met after the agent
    acted is the agent's when the model answers other requests (`model_answers`, None: no model)."""
    kind: Kind = INFRA if error.get("kind") == INFRA else AGENT
    if kind == INFRA and error.get("stage") not in BEFORE_ANY_ACTION and model_answers is not None:
        return AGENT if model_answers() else INFRA
    return kind
