"""MLECompetitionEnv: an ML-engineering competition as a Gymnasium environment.

Each step runs one whole solution script (see solution_run.py); the episode ends on
the action `submit`, after the first valid submission with `auto_submit`, or
when the step or run-time budget is spent (truncated). The reward, given at
the end only, grades the chosen submission against the private answers:
"percentile" (default) is the share of the reference leaderboard it beats
(ties half, 0 when invalid or missing); "medal" is gold 1, silver 2/3,
bronze 1/3, else 0. `info["evaluation"]` holds the full grading report.

Run times are wall-clock and differ on every rerun, so observations and
infos show them as bands of the wall-time limit ("under 12 s", "30-60 s"
for 120 s; journal.runtime_band): a rerun of a script lands in the same band
(unless it sits on an edge), so check_env's determinism check passes with the
default settings. The exact times stay in `get_state()["journal"]` and the
episode's `metrics["run_time_s"]`; `show_runtime=False` leaves the bands out.
Gymnasium's vector envs stack info values into arrays typed by the first env
that has the key and keep a mask `_key` of the envs that have it, so a None
(e.g. the score of an invalid submission, as MLE-bench reports it) next to a
number breaks them: `vector_safe_info=True` leaves a missing value's key out
(the mask says it is missing; NaN would not, and NaN != NaN fails check_env's
determinism check) and reports integers as floats.
"""

from __future__ import annotations

import copy
import os
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

import gymnasium as gym

from envs.contract import EnvProfile, Observation, TaskMeta, exact_text, type_name
from envs.mle import journal
from envs.mle.competition import Competition
from envs.mle.external import load_competition_dir
from envs.mle.medals import leaderboard_percentile
from envs.mle.metrics import InvalidSubmission
from envs.mle.prepare import prepare
from envs.mle.registry import SPLITS, competition_ids, get_spec
from envs.mle.solution_run import RunResult, remove_tree, run_script, sandbox_protections
from envs.observation import make_observation, observation_space, text_space
from envs.sandbox import landlock, protections
from envs.sandbox.bwrap import use_bwrap
from envs.sandbox.limits import Limits


class MLECompetitionEnv(gym.Env):
    metadata = {"render_modes": ["ansi"], "render_fps": 1}
    profile = EnvProfile(
        name="mle",
        system_prompt="mle_system",
        code_blocks="longest",
        search="aide",
        headlines=(
            ("made submission", "metrics.made_submission"),
            ("valid submission", "metrics.valid_submission"),
            ("above median", "metrics.above_median"),
            ("any medal", "metrics.any_medal"),
            ("valid-code rate", "metrics.valid_code_rate"),
        ),
    )

    def __init__(
        self,
        competition: str | None = None,
        *,
        competition_dir: str | Path | None = None,
        competition_config: dict[str, Any] | None = None,
        split: str = "lite",
        cache_dir: str | Path | None = None,
        max_steps: int = 10,
        time_budget_s: float | None = None,
        step_timeout_s: float = 120.0,
        memory_mb: int | None = 4096,
        disk_mb: int | None = 4096,
        threads: int = 1,
        cpu_affinity: tuple[int, ...] | None = None,
        auto_submit: bool = False,
        validation: bool = False,
        selection: str = "best",
        reward: str = "percentile",
        success: str = "any_medal",
        tail_chars: int = 4000,
        max_action_chars: int = 200_000,
        python: str = sys.executable,
        work_root: str | Path | None = None,
        keep_files: bool = False,
        show_runtime: bool = True,
        confine_files: bool = True,
        extra_read_paths: tuple[str, ...] = (),
        vector_safe_info: bool = False,
        sandbox: str = "rlimit",
        render_mode: str | None = None,
    ):
        for name, value, allowed in (
            ("split", split, SPLITS),
            ("selection", selection, journal.SELECTIONS),
            ("reward", reward, journal.REWARDS),
            ("success", success, journal.SUCCESS_RULES),
        ):
            if value not in allowed:
                raise ValueError(f"unknown {name} {value!r}; choose one of {list(allowed)}")
        if render_mode not in (None, "ansi"):
            raise ValueError(f"render_mode must be None or 'ansi', got {render_mode!r}")
        if max_steps < 1 or step_timeout_s <= 0:
            raise ValueError("max_steps must be >= 1 and step_timeout_s > 0")
        self._external = (
            load_competition_dir(competition_dir, competition_config) if competition_dir is not None else None
        )
        if competition is not None and self._external is None:
            get_spec(competition)  # unknown ids fail here, naming the known ones
        self.competition_id = competition
        self.split = split
        self.cache_dir = cache_dir
        self.max_steps = max_steps
        self.time_budget_s = time_budget_s
        self.step_timeout_s = step_timeout_s
        self.memory_mb = memory_mb
        self.disk_quota_bytes = disk_mb * 1024**2 if disk_mb else None
        self.limits = Limits(
            cpu_seconds=int(step_timeout_s) + 5,
            memory_bytes=memory_mb * 1024**2 if memory_mb else None,
            threads=threads,
            cpu_affinity=tuple(cpu_affinity) if cpu_affinity else None,
        )
        self.auto_submit = auto_submit
        self.validation = validation
        self.selection = selection
        self.reward_kind = reward
        self.success_rule = success
        self.tail_chars = tail_chars
        self.max_action_chars = max_action_chars
        self.python = python
        self.work_root = Path(work_root) if work_root is not None else None
        if self.work_root is not None:
            self.work_root.mkdir(parents=True, exist_ok=True)  # episode dirs are made inside it
        self.keep_files = keep_files
        self.show_runtime = show_runtime
        self.confine_files = confine_files and landlock.supported()
        # "bwrap"/"auto": bubblewrap namespaces instead of Landlock + seccomp (opt-in: see envs/sandbox/bwrap.py)
        self.in_bwrap = use_bwrap(sandbox)
        self.protections = sandbox_protections(
            sandbox, self.in_bwrap, self.confine_files, self.limits.memory_bytes, self.disk_quota_bytes
        )
        protections.announce("mle", self.protections)
        self.extra_read_paths = tuple(str(p) for p in extra_read_paths)
        self.vector_safe_info = vector_safe_info
        self.render_mode = render_mode
        self.action_space = text_space(max_action_chars)
        self.observation_space = observation_space(max_steps)
        self._competition: Competition | None = None
        self._episode_dir: Path | None = None
        self._history: list[dict[str, str]] = []
        self._journal: list[dict[str, Any]] = []
        self._chosen: journal.Candidate | None = None
        self._context_head = ""
        self._reset_episode_state()

    # ----- contract -----
    def list_tasks(self, split: str | None = None) -> list[TaskMeta]:
        split = split or self.split
        if self._external is not None:
            cfg = self._external.config
            return [TaskMeta(task_id=cfg.id, split=split, difficulty=cfg.difficulty, scenario=cfg.category)]
        return [self._task_meta(cid, split) for cid in competition_ids(split)]

    def oracle_actions(self) -> list[str]:
        if self._competition is None:
            raise RuntimeError("call reset() first")
        if self._external is not None:
            raise NotImplementedError(
                f"no baseline solution is known for external competition {self._competition.id!r}"
            )
        return [get_spec(self._competition.id).baseline_script, journal.SUBMIT]

    def get_state(self) -> dict[str, Any]:
        return copy.deepcopy(
            {
                "task_id": self._competition.id if self._competition else None,
                "steps": self._steps,
                "elapsed_s": self._elapsed,
                "history": self._history,
                "journal": self._journal,
                "chosen": None if self._chosen is None else vars(self._chosen),
                "done": self._done,
            }
        )

    def set_state(self, state: dict[str, Any]) -> None:
        if self._competition is None or state["task_id"] != self._competition.id:
            raise ValueError(f"state belongs to {state['task_id']!r}; reset this env to that competition first")
        state = copy.deepcopy(state)
        self._steps, self._elapsed, self._done = state["steps"], state["elapsed_s"], state["done"]
        self._history, self._journal = state["history"], state["journal"]
        self._chosen = None if state["chosen"] is None else journal.Candidate(**state["chosen"])

    # ----- gymnasium -----
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        task_id = (options or {}).get("task_id") or self.competition_id
        if self._external is not None:
            if task_id not in (None, self._external.id):
                raise ValueError(f"this env serves external competition {self._external.id!r}, not {task_id!r}")
            self._competition = self._external
        else:
            if task_id is None:
                ids = competition_ids(self.split)
                task_id = ids[int(self.np_random.integers(len(ids)))]
            self._competition = prepare(task_id, self.cache_dir)
        self._cleanup()
        self._episode_dir = Path(tempfile.mkdtemp(prefix=f"mle-{self._competition.id}-", dir=self.work_root))
        self._reset_episode_state()
        validation = self.validation and self._competition.has_validation()
        self._context_head = (
            journal.data_listing(self._competition.public_dir)
            + "\n\n"
            + journal.rules_text(
                self._competition,
                max_steps=self.max_steps,
                timeout_s=self.step_timeout_s,
                memory_mb=self.memory_mb,
                threads=self.limits.threads,
                selection=self.selection,
                validation=validation,
                time_budget_s=self.time_budget_s,
            )
        )
        info = dict(self._task_meta(self._competition.id, self.split))
        info["competition"] = self._competition.config.to_dict()
        info["files_confined"] = self.confine_files
        info["sandbox"] = protections.as_info(self.protections)
        return self._observation(), self._info(info)

    def step(self, action: Any):
        if self._competition is None:
            raise RuntimeError("call reset() before step()")
        if self._done:
            raise RuntimeError("the episode is over; call reset()")
        self._steps += 1
        action = exact_text(action)  # a str subclass's own methods could hide its length from the checks below
        if isinstance(action, str) and action.strip() == journal.SUBMIT:
            self._history.append({"action": action, "output": "Submitted for grading."})
            return self._finish(terminated=True, truncated=False)
        problem = self._action_problem(action)
        if problem is not None:
            plan, code = "", action if isinstance(action, str) else f"<{type_name(action)}>"  # repr may recurse
            self._journal.append(
                journal.journal_entry(
                    self._steps, plan, code, None, None, False, None, self.step_timeout_s, error=problem
                )
            )
            self._history.append({"action": code[:2000], "output": f"[step {self._steps}] {problem}"})
        else:
            self._history.append({"action": action, "output": self._run(action)})
        just_valid = self._journal[-1]["submission"] == "valid"
        if self.auto_submit and just_valid:
            return self._finish(terminated=True, truncated=False)
        out_of_budget = self._steps >= self.max_steps or (
            self.time_budget_s is not None and self._elapsed >= self.time_budget_s
        )
        if out_of_budget:
            return self._finish(terminated=False, truncated=True)
        entry = journal.public_entry(self._journal[-1], self.show_runtime)
        return self._observation(), 0.0, False, False, self._info({"journal_entry": entry})

    def render(self) -> str | None:
        """With render_mode="ansi": the competition, then every action and what it printed, as text."""
        if self.render_mode != "ansi" or self._competition is None:
            return None
        lines = [f"[{self._competition.id}] {self._competition.config.name}"]
        for i, turn in enumerate(self._history, 1):
            lines += [f"--- step {i} ---", turn["action"], ">>>", turn["output"]]
        return "\n".join(lines)

    def close(self) -> None:
        self._cleanup()
        super().close()

    # ----- internals -----
    def _reset_episode_state(self) -> None:
        self._steps = 0
        self._elapsed = 0.0
        self._history = []
        self._journal = []
        self._chosen = None
        self._done = False

    def _task_meta(self, cid: str, split: str) -> TaskMeta:
        cfg = get_spec(cid).config if self._external is None else self._external.config
        return TaskMeta(task_id=cid, split=split, difficulty=cfg.difficulty, scenario=cfg.category)

    def _action_problem(self, action: Any) -> str | None:
        if not isinstance(action, str):
            return f"invalid action: expected a Python script as a string, got {type_name(action)}"
        if len(action) > self.max_action_chars:
            return (
                f"invalid action: the script has {len(action):,} characters, over the {self.max_action_chars:,} limit"
            )
        if not action.strip():
            return "invalid action: the script is empty"
        if not action.isascii():
            try:
                action.encode("utf-8")
            except UnicodeEncodeError as err:  # lone surrogates cannot be written to solution.py
                return (
                    f"invalid action: invalid unicode at character {err.start} ({action[err.start]!r}); "
                    "the script must be UTF-8 text"
                )
        return None

    def _execute(self, code: str, name: str, input_dir: Path) -> RunResult:
        assert self._episode_dir is not None
        result = run_script(
            code,
            self._episode_dir / name,
            input_dir,
            limits=self.limits,
            timeout_s=self.step_timeout_s,
            log_dir=self._episode_dir / "logs",
            python=self.python,
            tail_chars=self.tail_chars,
            confine=self.confine_files,
            extra_read_paths=self.extra_read_paths,
            in_bwrap=self.in_bwrap,
            disk_quota_bytes=self.disk_quota_bytes,
        )
        self._elapsed += result.runtime_s
        return result

    def _run(self, action: str) -> str:
        comp = self._competition
        assert comp is not None and self._episode_dir is not None
        plan, code = journal.split_plan(action)
        name = f"step_{self._steps:03d}_{uuid.uuid4().hex[:6]}"
        run = self._execute(code, name, comp.public_dir)
        submission = self._episode_dir / name / "submission.csv"
        exists = os.path.lexists(submission)  # a link or a folder is there, and invalid
        text, reason = None, None
        if exists:
            try:
                text = comp.load_submission(submission)
            except InvalidSubmission as exc:
                reason = str(exc)
        remove_tree(self._episode_dir / name)  # what the env needs of it, the submission's text, is read
        score = None
        validation = self.validation and comp.has_validation()
        if validation and run.ok:
            val = self._execute(code, name + "_validation", comp.validation_root / "public")
            val_sub = self._episode_dir / (name + "_validation") / "submission.csv"
            if val.ok and os.path.lexists(val_sub):
                score = comp.score_file(val_sub, comp.validation_root / "public", comp.validation_root / "private")
            remove_tree(self._episode_dir / (name + "_validation"))
        if text is not None:
            candidate = journal.Candidate(self._steps, score, text)
            if journal.better(candidate, self._chosen, self.selection, comp.config.lower_is_better):
                self._chosen = candidate
        entry = journal.journal_entry(self._steps, plan, code, run, reason, exists, score, self.step_timeout_s)
        self._journal.append(entry)
        band = entry["runtime"] if self.show_runtime else None
        return journal.step_output(self._steps, run, exists, reason, score, comp.config.metric, validation, band)

    def _finish(self, *, terminated: bool, truncated: bool):
        comp = self._competition
        assert comp is not None and self._episode_dir is not None
        self._done = True
        final = None
        if self._chosen is not None:
            final = self._episode_dir / "final_submission.csv"
            final.write_text(self._chosen.csv, encoding="utf-8")
        evaluation = comp.evaluate(final)
        if final is None:
            evaluation.update(journal.unsubmitted(self._journal))
        evaluation.update(competition_id=comp.id, chosen_step=self._chosen.step if self._chosen else None)
        percentile = leaderboard_percentile(
            evaluation["score"], comp.leaderboard["score"].tolist(), comp.board_lower_is_better
        )
        evaluation["leaderboard_percentile"] = percentile
        reward = percentile if self.reward_kind == "percentile" else journal.medal_reward(evaluation)
        runs = self._journal
        metrics = {
            "made_submission": float(evaluation["submission_exists"]),
            "valid_submission": float(evaluation["valid_submission"]),
            "above_median": float(evaluation["above_median"]),
            "any_medal": float(evaluation["any_medal"]),
            "gold_medal": float(evaluation["gold_medal"]),
            "valid_code_rate": sum(e["ran_ok"] for e in runs) / len(runs) if runs else 0.0,
            "leaderboard_percentile": percentile,
            "steps": float(self._steps),
            "run_time_s": round(self._elapsed, 3),
        }
        info = {
            "success": bool(evaluation[self.success_rule]),
            "evaluation": evaluation,
            "metrics": metrics,
            "journal": [journal.public_entry(e, self.show_runtime) for e in self._journal],
        }
        return self._observation(), float(reward), terminated, truncated, self._info(info)

    def _info(self, info: dict[str, Any]) -> dict[str, Any]:
        return _vector_safe(info) if self.vector_safe_info else info

    def _observation(self) -> Observation:
        comp = self._competition
        assert comp is not None
        return make_observation(
            task_id=comp.id,
            instruction=comp.description,
            context=self._context_head + "\n\n" + journal.journal_table(self._journal, self.show_runtime),
            history=self._history,
            steps_left=max(0, self.max_steps - self._steps),
        )

    def _cleanup(self) -> None:
        if self._episode_dir is not None and not self.keep_files:
            remove_tree(self._episode_dir)
        self._episode_dir = None


def _vector_safe(value: dict[str, Any]) -> dict[str, Any]:
    """Info values Gymnasium's vector envs can stack (into arrays typed by the first env that has the key,
    with a mask `_key` of the envs that have it): a missing value's key is left out, an int becomes a float."""
    safe: dict[str, Any] = {}
    for key, item in value.items():
        if item is None:
            continue
        if isinstance(item, dict):
            item = _vector_safe(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            item = float(item)
        safe[key] = item
    return safe
