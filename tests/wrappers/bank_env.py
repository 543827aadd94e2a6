"""BankEnv: a tiny, real env following the trainfree contract (envs/contract.py).

Agent code runs with `exec` in a persistent namespace where `apis.bank.*`
and `apis.supervisor.*` act on an in-memory ledger; outputs follow AppWorld's
form. It has snapshots, oracle actions, API docs and a state-based evaluator,
so wrappers can be tested for real before (and beside) ToolWorld.
"""

from __future__ import annotations

import contextlib
import copy
import io
import traceback
from typing import Any

import gymnasium as gym

from envs.contract import TaskMeta
from envs.observation import make_observation, observation_space, text_space
from envs.toolworld.profile import TOOLWORLD_PROFILE

START_BALANCES = {"alice": 100, "bob": 20, "carol": 0}
PASSWORD = "hunter2-pw"
TASKS = {
    "send_bob_5": ("bob", 5),
    "send_carol_7": ("carol", 7),
}
DOCS = {
    ("bank", "login"): "login(username: str, password: str) -> {access_token}",
    ("bank", "show_balance"): "show_balance(access_token: str) -> {balance: int}",
    ("bank", "send_money"): "send_money(access_token: str, to: str, amount: int > 0) -> {balance}",
    ("supervisor", "show_account_passwords"): "show_account_passwords() -> [{account_name, password}]",
    ("supervisor", "complete_task"): "complete_task(answer=None, status='success')",
}


class APIError(Exception):
    pass


class _App:
    def __init__(self, env: BankEnv, name: str) -> None:
        self._env, self._name = env, name

    def __getattr__(self, api: str) -> Any:
        if (self._name, api) not in DOCS:
            raise APIError(f"Response status code is 404: no API {self._name}.{api}")
        return lambda **kwargs: self._env.call(self._name, api, kwargs)


class _Apis:
    def __init__(self, env: BankEnv) -> None:
        self.bank = _App(env, "bank")
        self.supervisor = _App(env, "supervisor")


class BankEnv(gym.Env):
    metadata = {"render_modes": []}
    profile = TOOLWORLD_PROFILE  # a tiny tool-use world: ToolWorld's prompt, code rule and search

    def __init__(self, max_steps: int = 8) -> None:
        self.max_steps = max_steps
        self.observation_space = observation_space(max_steps)
        self.action_space = text_space(4000)
        self.task_id = "send_bob_5"
        self._fresh()

    # -- contract ---------------------------------------------------------
    def list_tasks(self, split: str = "dev") -> list[TaskMeta]:
        return [TaskMeta(task_id=t, split=split, difficulty=1, scenario="send") for t in TASKS]

    def oracle_actions(self) -> list[str]:
        to, amount = TASKS[self.task_id]
        return [
            f"token = apis.bank.login(username='alice', password='{PASSWORD}')['access_token']",
            f"apis.bank.send_money(access_token=token, to='{to}', amount={amount})",
            "apis.supervisor.complete_task()",
        ]

    def get_state(self) -> dict[str, Any]:
        return copy.deepcopy({k: v for k, v in vars(self).items() if k in _STATE_KEYS}) | {
            "namespace": {k: copy.deepcopy(v) for k, v in self.namespace.items() if k not in ("apis", "__builtins__")}
        }

    def set_state(self, state: dict[str, Any]) -> None:
        state = copy.deepcopy(state)
        self.namespace = {"apis": _Apis(self), **state.pop("namespace")}
        for key, value in state.items():
            setattr(self, key, value)

    def api_doc(self, app: str, api: str) -> str:
        return DOCS.get((app, api), f"no API {app}.{api}")

    # -- gymnasium --------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        self.task_id = (options or {}).get("task_id", self.task_id)
        if self.task_id not in TASKS:
            raise ValueError(f"unknown task id {self.task_id!r}; known: {sorted(TASKS)}")
        self._fresh()
        return self._observation(), dict(self.list_tasks()[list(TASKS).index(self.task_id)])

    def step(self, action: Any):
        if not isinstance(action, str):
            output = f"Execution failed. Error: action must be a string, got {type(action).__name__}"
        else:
            output = self._run(action)
        self.history.append({"action": action if isinstance(action, str) else repr(action), "output": output})
        self.steps += 1
        terminated = self.completed
        truncated = not terminated and self.steps >= self.max_steps
        info: dict[str, Any] = {}
        reward = 0.0
        if terminated or truncated:
            success = terminated and self.balances == self._expected()
            reward = float(success)
            info = {"success": success, "evaluation": {"balances": dict(self.balances)}, "metrics": {"tgc": reward}}
        return self._observation(), reward, terminated, truncated, info

    # -- world ------------------------------------------------------------
    def call(self, app: str, api: str, kwargs: dict[str, Any]) -> Any:
        self.api_calls += 1
        if (app, api) == ("supervisor", "show_account_passwords"):
            return [{"account_name": "bank", "password": PASSWORD}]
        if (app, api) == ("supervisor", "complete_task"):
            self.completed = True
            return None
        if api == "login":
            if kwargs != {"username": "alice", "password": PASSWORD}:
                raise APIError("Response status code is 401: invalid credentials")
            self.tokens.append(f"tok{len(self.tokens)}x9f3a")
            return {"access_token": self.tokens[-1]}
        if kwargs.get("access_token") not in self.tokens:
            raise APIError("Response status code is 401: missing or invalid access_token")
        if api == "show_balance":
            return {"balance": self.balances["alice"]}
        to, amount = kwargs.get("to"), kwargs.get("amount")
        if to not in self.balances or not isinstance(amount, int) or amount <= 0:
            raise APIError(f"Response status code is 422: invalid to={to!r} or amount={amount!r}")
        self.balances["alice"] -= amount
        self.balances[to] += amount
        return {"balance": self.balances["alice"]}

    def _fresh(self) -> None:
        self.balances = dict(START_BALANCES)
        self.tokens: list[str] = []
        self.history: list[dict[str, str]] = []
        self.steps = 0
        self.api_calls = 0
        self.completed = False
        self.namespace: dict[str, Any] = {"apis": _Apis(self)}

    def _expected(self) -> dict[str, int]:
        to, amount = TASKS[self.task_id]
        expected = dict(START_BALANCES)
        expected["alice"] -= amount
        expected[to] += amount
        return expected

    def _run(self, code: str) -> str:
        buffer = io.StringIO()
        try:
            with contextlib.redirect_stdout(buffer):
                exec(compile(code, "<agent>", "exec"), self.namespace)  # noqa: S102 - the test world
        except BaseException as error:  # noqa: BLE001 - agent code may raise anything
            tail = "".join(traceback.format_exception_only(type(error), error)).strip()
            return f"{buffer.getvalue()}Execution failed. Traceback:\n  {tail}\nException: {error}"
        return buffer.getvalue() or "Execution successful."

    def _observation(self) -> dict[str, Any]:
        to, amount = TASKS[self.task_id]
        return make_observation(
            task_id=self.task_id,
            instruction=f"Send {amount} dollars to {to} from the bank account, then complete the task.",
            context="Use apis.bank.* and apis.supervisor.*.",
            history=self.history,
            steps_left=self.max_steps - self.steps,
        )


_STATE_KEYS = ("balances", "tokens", "history", "steps", "api_calls", "completed", "task_id")
