"""One evaluation run: pick the episodes, run the missing ones in parallel, summarize.

The run directory holds everything: run.json (what was asked; a resumed run
must ask the same), results.jsonl (one line per finished episode),
trajectories/, summary.json, summary.md and the PNG plots (and shard.json for a
shard, `shard=I/N`: harness/shard.py). Running again on
the same directory runs only the episodes that have no line yet.

Before the first episode the model must answer a 1-token request, or the run
stops with its URL and error (`ModelNotAnswering`). An episode that ends in an
infrastructure error (harness/blame.py) is retried `infra_retries` times with
a doubling backoff. The summary's `exit_code` says whether the numbers can be
trusted: no episode completed, or infra errors above `max_infra_error_share`,
make it non-zero.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import math
import os
import re
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import gymnasium as gym

from envs.contract import EnvProfile, registered_profile, trainfree_env
from harness import plots
from harness.blame import AGENT, INFRA, final_kind, record_error_kind
from harness.build import make_env, make_model, policy_factory
from harness.choosers import FixedStack, StackChooser
from harness.episode import EnvTimer, EpisodeResult, EpisodeSpec, failed_episode, json_safe, run_episode
from harness.parallel import EnvPool, ParallelRunner, ProcessRunner, WorkFailed, close_quietly
from harness.progress import progress_bar
from harness.results import REJECTED_FILE, ResultStore, read_run_file
from harness.shard import Shard, shard_episodes
from harness.summary import summarize, to_markdown
from harness.worker_backend import check_workers_backend, choose_workers_backend
from policies.base import Policy
from policies.llm.accounting import Accountant, MeteredModel
from policies.llm.base import ChatModel, ModelUnavailable
from wrappers.stack import StackInput, WrapperStack, apply_stack, parse_stack

log = logging.getLogger(__name__)

RUN_FILE = "run.json"
TRAJECTORY_DIR = "trajectories"

#: Exit codes of train_free_eval.py (README, "Exit codes"); 1 is any other error (bad config, crash).
EXIT_OK = 0
EXIT_MODEL_NOT_ANSWERING = 2
EXIT_NOTHING_COMPLETED = 3
EXIT_TOO_MANY_INFRA_ERRORS = 4

#: Largest max_steps a run takes: an env's observation space counts the steps left in a 64-bit integer, and
#: max_steps=1e30 failed there with "OverflowError: Python int too large to convert to C long".
MAX_STEPS = 1_000_000

#: Longest wait between two attempts of an episode that hit an infrastructure error.
MAX_INFRA_BACKOFF_S = 60.0

#: Longest episode_timeout_s: the longest a thread can wait (~292 years); past it, waiting on the episode's loop
#: raised "OverflowError: timestamp out of range for platform time_t" and the run ended with no episode recorded.
MAX_EPISODE_TIMEOUT_S = threading.TIMEOUT_MAX


class RunConfigMismatch(ValueError):
    """A run dir holds results of a different configuration than the one asked now."""


class ModelNotAnswering(RuntimeError):
    """The model failed its health check: no episode was run and nothing was written."""


@dataclass(frozen=True)
class RunRequest:
    """What a run is asked to do, in plain types (the Hydra config, flattened)."""

    env: Mapping[str, Any]
    policy: Mapping[str, Any]
    wrappers: StackInput
    split: str
    tasks: Sequence[str] | None = None
    limit: int | None = None
    seeds: Sequence[int] = (0,)
    max_steps: int | None = None
    workers: int = 1
    workers_backend: str = "auto"  # threads, processes or auto (harness/worker_backend.py)
    episode_timeout_s: float | None = None
    retry_errors: bool = False
    infra_retries: int = 2
    infra_backoff_s: float = 5.0
    max_infra_error_share: float = 0.1
    save_trajectories: bool = True
    progress: bool = True
    selector: Mapping[str, Any] | None = None
    shard: str | None = None  # "I/N": only the I-th of N slices of the episodes (harness/shard.py)

    def __post_init__(self) -> None:
        """A bad value of the run's own settings fails here, naming the setting, before any episode starts."""
        for name, value, optional in (
            ("limit", self.limit, True),
            ("max_steps", self.max_steps, True),
            ("workers", self.workers, False),
        ):
            if (value is not None or not optional) and not (
                isinstance(value, int) and not isinstance(value, bool) and value >= 1
            ):
                raise ValueError(f"{name} must be a whole number >= 1{' or null' if optional else ''}, got {value!r}")
        if self.max_steps is not None and self.max_steps > MAX_STEPS:
            raise ValueError(f"max_steps must be at most {MAX_STEPS:,} or null, got {self.max_steps!r}")
        check_workers_backend(self.workers_backend)
        _check_tasks(self.tasks)
        if not self.seeds or not all(
            isinstance(seed, int) and not isinstance(seed, bool) and seed >= 0 for seed in self.seeds
        ):
            raise ValueError(f"seeds must be a non-empty list of whole numbers >= 0, got {list(self.seeds)!r}")
        timeout = self.episode_timeout_s
        if timeout is not None and not (_is_number(timeout) and timeout > 0):
            raise ValueError(f"episode_timeout_s must be a number > 0 or null, got {timeout!r}")
        if timeout is not None and timeout > MAX_EPISODE_TIMEOUT_S:
            raise ValueError(
                f"episode_timeout_s must be at most {MAX_EPISODE_TIMEOUT_S:,.0f} (the longest a thread can wait), "
                f"or null for no limit; got {timeout!r}"
            )
        retries = self.infra_retries
        if not (isinstance(retries, int) and not isinstance(retries, bool) and retries >= 0):
            raise ValueError(f"infra_retries must be a whole number >= 0, got {retries!r}")
        if not (_is_number(self.infra_backoff_s) and self.infra_backoff_s >= 0):
            raise ValueError(f"infra_backoff_s must be a number >= 0, got {self.infra_backoff_s!r}")
        share = self.max_infra_error_share
        if not (_is_number(share) and 0 <= share <= 1):
            raise ValueError(f"max_infra_error_share must be a number in [0, 1], got {share!r}")
        if self.shard is not None:
            Shard.parse(self.shard)
            if (self.selector or {}).get("name") not in (None, "none"):
                raise ValueError(
                    "shard cannot be combined with a selector: it learns from the episodes of its own run, "
                    "so N shards would be N separate selectors"
                )

    @cached_property
    def profile(self) -> EnvProfile:
        """The env's profile (envs/contract.py), read from its registration without making it."""
        env_id = self.env["id"]
        try:
            return registered_profile(env_id)
        except (ValueError, TypeError, ImportError) as err:
            raise ValueError(f"env {self.env.get('name')!r}: cannot make {env_id!r}: {err}") from err

    @cached_property
    def stack(self) -> WrapperStack:
        """The configured `wrappers`, parsed and checked for the env once."""
        return parse_stack(self.wrappers, self.profile)

    @property
    def label(self) -> str:
        selector = (self.selector or {}).get("name")
        return f"selector:{selector}" if selector not in (None, "none") else self.stack.label

    def identity(self) -> dict[str, Any]:
        """What must not change between a run and its resumption (results would mix)."""
        return json_safe(
            {
                "env": {"id": self.env["id"], "kwargs": self.env.get("kwargs") or {}},
                "max_steps": self.max_steps,
                "policy": self.policy,
                "wrappers": self.stack.to_plain(),
                "selector": self.selector or {},
            }
        )


def _check_tasks(tasks: Any) -> None:
    """`tasks` is null or a list of task ids: `tasks=alpha_0` on the command line is a string, which was read
    letter by letter ("unknown task id(s) ['a', 'l', ...]")."""
    if tasks is None:
        return
    if isinstance(tasks, str) or not all(isinstance(task, str) for task in tasks):
        raise ValueError(f"tasks must be a list of task ids such as tasks=[a,b], got {tasks!r}")


def _is_number(value: Any) -> bool:
    """A real, finite number (not a bool, not NaN or infinity, which pass every comparison check wrongly)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def select_episodes(env: gym.Env, request: RunRequest) -> list[EpisodeSpec]:
    """Tasks of the split (or the listed ones), first `limit`, each with every seed."""
    tasks = list(trainfree_env(env).list_tasks(request.split))
    if not tasks:
        raise ValueError(f"env {request.profile.name!r} has no tasks in split {request.split!r}")
    if request.tasks:
        by_id = {task["task_id"]: task for task in tasks}
        missing = [task_id for task_id in request.tasks if task_id not in by_id]
        if missing:
            raise ValueError(
                f"unknown task id(s) {missing} in split {request.split!r}; "
                f"e.g. {sorted(by_id)[:5]} ({len(by_id)} tasks)"
            )
        tasks = [by_id[task_id] for task_id in request.tasks]
    if request.limit is not None:
        tasks = tasks[: int(request.limit)]
    return [EpisodeSpec(task=task, seed=int(seed)) for task in tasks for seed in request.seeds]


class WorkerProcessLost(RuntimeError):
    """The harness worker process playing an episode died or could not start (workers_backend=processes)."""


class EpisodeWorker:
    """Plays one episode on a borrowed env: metered model, policy, the chosen stack, record, trajectory."""

    def __init__(
        self,
        request: RunRequest,
        pool: EnvPool,
        model: ChatModel | None,
        make_policy: Callable[[ChatModel | None, gym.Env], Policy],
        trajectory_dir: Path | None,
    ) -> None:
        self.request = request
        self.pool = pool
        self.model = model
        self.make_policy = make_policy
        self.trajectory_dir = trajectory_dir
        #: Set when the model fails a health check after an episode's retries: no new episode should start.
        self.model_down = threading.Event()

    def play(self, spec: EpisodeSpec, stack: WrapperStack) -> dict[str, Any]:
        accountant = Accountant()
        model = MeteredModel(self.model, accountant) if self.model is not None else None
        env_time_s = 0.0
        for attempt in range(1, self.request.infra_retries + 2):
            result, env_time = self._play(spec, model, stack)
            env_time_s += env_time
            error = result.record["error"]
            if record_error_kind(result.record) != INFRA or attempt > self.request.infra_retries:
                break
            backoff = min(self.request.infra_backoff_s * 2 ** (attempt - 1), MAX_INFRA_BACKOFF_S)
            log.warning(
                "episode %s: infrastructure error (%s at %s: %s); attempt %d of %d again in %.1f s",
                spec.key,
                error["type"],
                error["stage"],
                error["reason"][:300],
                attempt + 1,
                self.request.infra_retries + 1,
                backoff,
            )
            time.sleep(backoff)
        self._settle_blame(result)
        return self._finish(result, attempt, stack, accountant, env_time_s)  # every attempt's calls cost

    def lost(self, spec: EpisodeSpec, stack: WrapperStack, failure: WorkFailed) -> dict[str, Any]:
        """The record of an episode whose worker process died (a failure: the agent may have caused it)
        or could not start (an infrastructure error, before any action)."""
        result = failed_episode(spec, WorkerProcessLost(failure.reason), stage="worker" if failure.started else "env")
        return self._finish(result, 1, stack, Accountant(), 0.0)

    def _finish(
        self, result: EpisodeResult, attempts: int, stack: WrapperStack, accountant: Accountant, env_time_s: float
    ) -> dict[str, Any]:
        """The episode's results line, its trajectory written beside it."""
        cost = accountant.to_dict()
        spec_key = result.record["key"]
        record = {
            **result.record,
            "attempts": attempts,
            "stack": stack.names,
            "policy": self.request.policy.get("name"),
            "llm": cost,
            "model_time_s": round(cost["total"]["model_time_s"], 4),
            "env_time_s": round(env_time_s, 4),
        }
        if self.trajectory_dir is not None:
            _write_json_atomically(
                self.trajectory_dir / trajectory_name(spec_key), {**result.trajectory, "record": record}
            )
        return record

    def _settle_blame(self, result: EpisodeResult) -> None:
        """A model error that survived the retries while the model answers is the episode's own (harness/blame.py)."""
        error = result.record["error"]
        model_answers = self._model_answers if self.model is not None else None
        if error is None or final_kind(error, model_answers) == error["kind"]:
            return
        for problem in (error, result.trajectory.get("error") or {}):
            problem["kind"] = AGENT
            problem["reason"] += (
                " [the agent's: the model answers a 1-token request, so this episode's own requests are what fails]"
            )

    def _model_answers(self) -> bool:
        """Whether the model answers a 1-token request now; when it does not, the run stops starting episodes."""
        assert self.model is not None
        try:
            self.model.health_check()
        except ModelUnavailable as error:
            log.error("%s; no new episode starts: resume with the same run dir once it is back", error)
            self.model_down.set()
            return False
        return True

    def _play(self, spec: EpisodeSpec, model: ChatModel | None, stack: WrapperStack) -> tuple[EpisodeResult, float]:
        """The episode's result and its env time; failing to get an env or build the stack is its error.

        An env whose episode ended in an error is replaced; one the deadline's watchdog killed is
        dropped without another close (the watchdog is closing it, maybe still blocked in it).
        """
        try:
            env = self.pool.borrow()
        except Exception as exc:  # noqa: BLE001 - no env for this episode is its error, not the run's
            return failed_episode(spec, exc, stage="env"), 0.0
        timer = EnvTimer(env)
        result: EpisodeResult | None = None
        try:
            try:
                wrapped_env, policy = apply_stack(timer, self.make_policy(model, env), model, stack)
            except Exception as exc:  # noqa: BLE001 - a failed build is this episode's error, not the run's
                result = failed_episode(spec, exc, stage="build")
            else:
                result = run_episode(
                    wrapped_env,
                    policy,
                    spec,
                    timeout_s=self.request.episode_timeout_s,
                    kill=lambda: close_quietly(env),
                )
        finally:
            if result is not None and result.env_lost:
                self.pool.drop(env)
            else:
                self.pool.give_back(env, broken=result is None or result.record["error"] is not None)
        assert result is not None  # both branches set it; only a BaseException gets past them
        return result, timer.seconds


def run_evaluation(
    request: RunRequest,
    run_dir: str | Path,
    chooser: StackChooser | None = None,
    model: ChatModel | None = None,
) -> dict[str, Any]:
    """Run every missing episode of `request` in `run_dir`; return the summary of all of them.

    `model` replaces the one `request.policy.model` describes (the caller keeps
    ownership and closes it); by default the run builds its model and closes it.
    """
    run_dir = Path(run_dir)
    others = [request.wrappers, request.selector]  # where models other than the policy's may be configured
    backend, why = choose_workers_backend(
        request.workers_backend, request.workers, request.policy, others, model_given=model is not None
    )
    if request.stack.model_users and model is None and request.policy.get("model") is None:
        raise ValueError(
            f"wrappers {request.stack.model_users} need a model, and policy {request.policy.get('name')!r} has none; "
            "use an LLM policy, or give each of them its own `model` in its settings"
        )
    chooser = chooser or FixedStack(request.stack)
    with contextlib.ExitStack() as cleanup:
        if model is None:
            model = make_model(request.policy)
            if model is not None:
                cleanup.callback(model.close)
        if model is not None:
            _check_model_answers(model)  # before anything is written in the run dir
        store = cleanup.enter_context(ResultStore(run_dir))
        make_policy = policy_factory(request.policy, request.profile)
        pool = EnvPool(_env_maker(request), request.workers)
        cleanup.callback(pool.close)
        specs = _prepare(pool, model, make_policy, request, chooser.all_stacks())
        _check_identity(run_dir, request)  # after the config proved good: a bad one must not claim the run dir
        specs = _shard_of(specs, run_dir, request)
        done = store.finished_keys(retry_infra_errors=request.retry_errors)
        todo = [spec for spec in specs if spec.key not in done]
        _announce(request, len(specs), len(todo), store.rejected, f"{backend}: {why}")
        trajectory_dir = run_dir / TRAJECTORY_DIR if request.save_trajectories else None
        if trajectory_dir is not None:
            trajectory_dir.mkdir(exist_ok=True)
        worker = EpisodeWorker(request, pool, model, make_policy, trajectory_dir)
        run_all = _in_processes if backend == "processes" else _in_threads
        started = time.monotonic()
        played = cleanup.enter_context(contextlib.closing(run_all(worker, chooser, _until(worker.model_down, todo))))
        ran = _run_with_progress(played, len(todo), store, chooser, request)
        elapsed = time.monotonic() - started
        wanted = {spec.key for spec in specs}
        records = [record for key, record in store.latest().items() if key in wanted]
    summary = summarize(records, request.profile)
    summary.update(
        label=request.label, split=request.split, policy=request.policy.get("name"), run_wall_time_s=round(elapsed, 3)
    )
    summary["not_started"] = len(todo) - ran
    summary["exit_code"], summary["problems"] = judge(summary, request.max_infra_error_share)
    if chooser.state():
        summary["selector"] = chooser.state()
    write_outputs(run_dir, summary, title=_title(request))
    return summary


#: Every episode's record as it finishes (closing it stops the workers).
Records = Generator[dict[str, Any], None, None]


def _env_maker(request: RunRequest) -> Callable[[], gym.Env]:
    return lambda: make_env(request.env, request.max_steps)


def _in_threads(worker: EpisodeWorker, chooser: StackChooser, specs: Iterable[EpisodeSpec]) -> Records:
    """Every episode's record, played on `workers` threads sharing the run's model."""
    runner: ParallelRunner[EpisodeSpec, dict[str, Any]] = ParallelRunner(
        lambda spec: worker.play(spec, chooser.choose(spec.key, spec.task)), worker.request.workers
    )
    return runner.run(specs)


def _in_processes(worker: EpisodeWorker, chooser: StackChooser, specs: Iterable[EpisodeSpec]) -> Records:
    """Every episode's record, played in `workers` forked processes (harness/parallel.py).

    The run keeps choosing the stacks (a selector learns from every record) and writing the results;
    a process tells when the model stopped answering, and the run then starts no new episode.
    """
    worker.pool.close()  # the env that listed the episodes: not to be forked into every process
    runner: ProcessRunner[tuple[EpisodeSpec, WrapperStack], tuple[dict[str, Any], bool]] = ProcessRunner(
        lambda: _process_worker(worker),
        worker.request.workers,
        lost=lambda item, failure: (worker.lost(*item, failure), False),
        seen=lambda result: worker.model_down.set() if result[1] else None,  # before the next episode is drawn
    )
    with contextlib.closing(runner.run((spec, chooser.choose(spec.key, spec.task)) for spec in specs)) as results:
        for record, _ in results:
            yield record


@contextlib.contextmanager
def _process_worker(
    run_worker: EpisodeWorker,
) -> Iterator[Callable[[tuple[EpisodeSpec, WrapperStack]], tuple[dict[str, Any], bool]]]:
    """In a worker process: the run's worker with the process's own env and model client, closed at its end."""
    request = run_worker.request
    with contextlib.ExitStack() as cleanup:
        model = make_model(request.policy)
        if model is not None:
            cleanup.callback(model.close)
        pool = EnvPool(_env_maker(request), 1)
        cleanup.callback(pool.close)
        worker = EpisodeWorker(request, pool, model, run_worker.make_policy, run_worker.trajectory_dir)
        yield lambda item: (worker.play(*item), worker.model_down.is_set())


def _check_model_answers(model: ChatModel) -> None:
    """One tiny request; a model that does not answer stops the run before its first episode."""
    try:
        model.health_check()
    except ModelUnavailable as error:
        raise ModelNotAnswering(f"the model does not answer, so no episode was run: {error}") from error


def judge(summary: Mapping[str, Any], max_infra_error_share: float) -> tuple[int, list[str]]:
    """The run's exit code and why: the run stopped because the model stopped answering; its numbers mean
    nothing when no episode completed, and too little when infrastructure errors (left out of the rates)
    are more than `max_infra_error_share` of the episodes."""
    attempted, infra = summary["episodes"], summary["infra_errors"]
    if summary.get("not_started"):
        return EXIT_MODEL_NOT_ANSWERING, [
            f"FAILED RUN: the model stopped answering mid-run, so {summary['not_started']} episodes were not "
            "started; resume with the same run dir and retry_errors=true once it is back"
        ]
    if summary["completed"] == 0:
        return EXIT_NOTHING_COMPLETED, [
            f"FAILED RUN: none of the {attempted} episodes completed "
            f"({summary['agent_failures']} agent failures, {infra} infrastructure errors)"
        ]
    if attempted and infra / attempted > max_infra_error_share:
        return EXIT_TOO_MANY_INFRA_ERRORS, [
            f"FAILED RUN: {infra} of {attempted} episodes ({100 * infra / attempted:.0f}%) ended in infrastructure "
            f"errors, more than max_infra_error_share={max_infra_error_share:g}; fix the cause and resume "
            "with retry_errors=true"
        ]
    return EXIT_OK, []


def _prepare(
    pool: EnvPool,
    model: ChatModel | None,
    make_policy: Callable[[ChatModel | None, gym.Env], Policy],
    request: RunRequest,
    stacks: Sequence[WrapperStack],
) -> list[EpisodeSpec]:
    """The episodes to play, from a first env; a bad env, policy or wrapper config (of any stack the run may
    choose, a selector's arms included) fails here, before any episode (a wrapper's settings are checked as it is
    built: at each episode's build, every episode was retried as an infrastructure error)."""
    env = pool.borrow()
    try:
        for stack in stacks:
            apply_stack(env, make_policy(model, env), model, stack)
        return select_episodes(env, request)
    finally:
        pool.give_back(env)


def _shard_of(specs: Sequence[EpisodeSpec], run_dir: Path, request: RunRequest) -> list[EpisodeSpec]:
    """The run's slice of `specs` when it is a shard (checked against the run dir's shard.json), else all."""
    shard = None if request.shard is None else Shard.parse(request.shard)
    judge = {"max_infra_error_share": request.max_infra_error_share}
    keys = set(shard_episodes(run_dir, shard, [spec.key for spec in specs], judge))
    return [spec for spec in specs if spec.key in keys]


def _until(stop: threading.Event, specs: Sequence[EpisodeSpec]) -> Iterator[EpisodeSpec]:
    """`specs` until `stop` is set (the runner draws them one at a time, as workers free up)."""
    for spec in specs:
        if stop.is_set():
            return
        yield spec


def _run_with_progress(
    records: Iterable[dict[str, Any]],
    total: int,
    store: ResultStore,
    chooser: StackChooser,
    request: RunRequest,
) -> int:
    """Run the episodes, writing each record as it comes; returns how many ran."""
    done = successes = infra = 0
    with progress_bar(total, request.label, request.progress) as bar:
        for record in records:
            store.append(record)
            chooser.update(record)
            done += 1
            successes += bool(record["success"])
            kind = record_error_kind(record)
            infra += kind == INFRA
            scored = done - infra
            rate = f"{100 * successes / scored:.0f}%" if scored else "-"
            bar.set_postfix_str(f"success {successes}/{scored} ({rate}), infra errors {infra}", refresh=False)
            bar.update(1)
            if kind is not None:
                log.warning(
                    "episode %s ended in an error (%s): %s: %s",
                    record["key"],
                    "infrastructure, left out of the rates" if kind == INFRA else "the agent's, a failure",
                    record["error"]["type"],
                    record["error"]["reason"][:300],
                )
    return done


def write_outputs(run_dir: Path, summary: Mapping[str, Any], title: str) -> None:
    """summary.json, summary.md and the plots of one run."""
    _write_json_atomically(run_dir / "summary.json", summary)
    (run_dir / "summary.md").write_text(to_markdown(summary, title))
    one = {summary["label"]: summary}
    plots.success_by_difficulty(one, run_dir / "success_by_difficulty.png")
    plots.tokens_vs_success(one, run_dir / "tokens_vs_success.png")


def _title(request: RunRequest) -> str:
    return run_title(request.profile.name, request.split, request.policy.get("name"), request.label)


def run_title(env_kind: str, split: str, policy: str | None, label: str) -> str:
    """The heading of a run's summary.md."""
    return f"{env_kind} {split} | policy {policy} | {label}"


def _announce(request: RunRequest, total: int, todo: int, rejected: Sequence[str], workers: str) -> None:
    for problem in rejected:
        log.warning("%s; the line is moved to %s and its episode runs again", problem, REJECTED_FILE)
    if todo < total:
        log.info("resuming: %d of %d episodes already done, %d to run", total - todo, total, todo)
    else:
        log.info("%d episodes to run (%s, %d workers, %s)", total, request.label, request.workers, workers)


def identity_differences(mine: Mapping[str, Any], theirs: Mapping[str, Any]) -> list[str]:
    """The parts of two runs' identities that differ (results of the two must not mix)."""
    return sorted(key for key in mine.keys() | theirs.keys() if mine.get(key) != theirs.get(key))


def _check_identity(run_dir: Path, request: RunRequest) -> None:
    path = run_dir / RUN_FILE
    identity = request.identity()
    recorded = read_run_file(path, {"identity": dict})
    if recorded is not None:
        differing = identity_differences(identity, recorded["identity"])
        if differing:
            raise RunConfigMismatch(
                f"run dir {run_dir} holds results of another configuration (differs in: {', '.join(differing)}); "
                f"use a new run dir, or the same settings to resume"
            )
        return
    _write_json_atomically(
        path,
        {
            "identity": identity,
            "label": request.label,
            "env_kind": request.profile.name,
            "profile": dataclasses.asdict(request.profile),
            "split": request.split,
        },
    )


#: Characters a trajectory's file name keeps from its episode key; the key's length it keeps whole.
SAFE_KEY_CHARS, SAFE_KEY_LENGTH = re.compile(r"[^A-Za-z0-9_.@=-]"), 160


def trajectory_name(key: str) -> str:
    """The file name of an episode's trajectory under trajectories/: the key itself where it is safe as one,
    else its safe part and a digest of the whole key, so task ids that differ only in other characters
    ("a/b", "a b") never share a file and a long id never passes the file system's 255 bytes."""
    safe = SAFE_KEY_CHARS.sub("_", key)
    if safe == key and len(key) <= SAFE_KEY_LENGTH:
        return key + ".json"
    return f"{safe[:SAFE_KEY_LENGTH]}-{hashlib.sha256(key.encode('utf-8', 'surrogatepass')).hexdigest()[:16]}.json"


def _write_json_atomically(path: Path, data: Any) -> None:
    tmp = path.with_name(path.name + ".tmp")
    # backslashreplace: a lone surrogate (an action or output that is not valid unicode) is written as its JSON escape
    tmp.write_text(
        json.dumps(data, indent=1, ensure_ascii=False, default=str), encoding="utf-8", errors="backslashreplace"
    )
    os.replace(tmp, path)
