"""report.html on a real sweep of the tiny env (two stacks and a selector run, an LLM policy whose replies
carry markup), read back as HTML and opened in real headless Chromium."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tracemalloc
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import pytest

from harness.choosers import SelectorChooser
from harness.episode import full_prompts
from harness.html_report import write_html
from harness.report import main as report_main
from harness.run import RunRequest, run_evaluation
from policies.llm.base import ChatModel, ChatReply, ChatRequest, Usage
from tests.harness.tiny_env import TinyEnv

TINY = {"name": "tiny", "id": "tests.harness.tiny_env:trainfree/Tiny-v0", "kwargs": {}}
POLICY = {"name": "scripted", "kind": "llm", "sampling": {"max_tokens": 64, "seed": 0}}
CONF = Path(__file__).resolve().parents[2] / "conf"

#: In every reply: markup that would run if the page ever put model text in as HTML.
INJECTION = "<script>document.title='injected'</script><img src=x onerror=\"document.title='injected'\">"


class LookThenAnswer(ChatModel):
    """Looks once, then answers the word it saw: solves difficulty 1 and 2, fails 3 (it needs two looks)."""

    name = "look-then-answer"
    context_window = 32_768

    def _chat(self, request: ChatRequest, role: str) -> list[ChatReply]:
        seen = re.findall(r"the word is (\w+)", "\n".join(m["content"] for m in request.messages))
        action = f"answer {seen[-1]}" if seen else "look"
        text = f"I will {action.split()[0]}. {INJECTION}\n```\n{action}\n```"
        usage = Usage(self.count_message_tokens(request.messages), self.count_tokens(text))
        return [ChatReply(text=text, usage=usage, latency_s=0.001, role=role, model=self.name)] * request.n


@pytest.fixture(scope="module")
def sweep(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sweep")
    stacks = {"0": (), "1": {"truncate": {"max_chars": 10}}, "2": {"self_consistency": {"k": 2}}}
    for job, wrappers in stacks.items():
        request = RunRequest(env=TINY, policy=POLICY, wrappers=wrappers, split="dev", progress=False, limit=None)
        run_evaluation(request, root / job, model=LookThenAnswer())
    return root


def test_the_html_holds_the_tables_plots_activity_costs_and_escaped_trajectories(sweep):
    assert report_main([str(sweep), "--html"]) == 0
    page = (sweep / "report.html").read_text()
    tables = TableReader()
    tables.feed(page)
    stacks = tables.rows("stacks-table")
    assert [row[0] for row in stacks[1:]] == ["none", "truncate", "self_consistency"]
    # 4 of 6 solved (charlie needs two looks): 66.7% with its Wilson interval [30.0, 90.3]
    assert stacks[1][1:3] == ["66.7% +- 21.1 (n=6) 95%: [30.0, 90.3] Wilson", "baseline"]
    # truncate at 10 chars cuts the word out of every look's output: the model looks until max_steps (10)
    assert stacks[2][1:3] == [
        "0.0% +- 0.0 (n=6) 95%: [0.0, 39.0] Wilson",
        "-66.7% +- 21.1 (n=6) 95%: [-100.0, -12.5] t",
    ]
    assert page.count('src="data:image/png;base64,') == 2  # success by difficulty, tokens vs success
    # report.md says what each wrapper did too
    assert (
        "| truncate | truncate | 60 of 60 | 60 | 0.0% +- 0.0 (n=6) [0.0, 39.0] | - |"
        in (sweep / "report.md").read_text()
    )
    activity = {row[0]: row[1:] for row in tables.rows_of_class("activity")}
    assert activity["truncate"] == ["60", "60 (100.0%)", "60", "6", "0.0% +- 0.0 (n=6) 95%: [0.0, 39.0] Wilson", "-"]
    assert activity["self_consistency"][:3] == ["12", "12 (100.0%)", "0"]  # 2 samples, always the same action
    roles = [row[:3] for row in tables.rows_of_class("roles") if row[0] != "role"]
    assert roles == [["agent", "12", "7680"], ["agent", "60", "40626"], ["self_consistency", "12", "15360"]]
    assert INJECTION not in page and "&lt;script&gt;document.title=" in page
    assert page.count('class="episode"') == 18 and page.count('class="prompt"') == 12 + 60 + 12


def test_a_selector_run_gets_its_arm_pulls_plot(tmp_path):
    selector = {"name": "thompson", "arms": [[], ["truncate"]], "seed": 0}
    run_dir = tmp_path / "run"
    chooser = SelectorChooser.from_config(selector, run_dir, TinyEnv.profile, CONF)
    request = RunRequest(
        env=TINY, policy=POLICY, wrappers=(), split="dev", progress=False, limit=None, seeds=(0, 1), selector=selector
    )
    run_evaluation(request, run_dir, chooser, model=LookThenAnswer())
    page = write_html(run_dir).read_text()
    assert "Arm pulls and rewards: selector:thompson" in page and page.count("data:image/png;base64,") == 3


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium (.ci/run installs it)")
def test_chromium_renders_the_tables_plots_and_a_trajectory_and_runs_no_injected_markup(sweep, tmp_path):
    page = write_html(sweep)
    dom = chromium(page, tmp_path, "--dump-dom")
    assert "<title>trainfree report: " in dom  # the title the page set, not one an injected script set
    assert dom.count("<tr>") >= 4 + 4
    assert re.search(r"66\.7% \+- 21\.1 \(n=6\)<br>\s*<small>95%: \[30\.0, 90\.3\] Wilson</small>", dom)
    assert "18</span> of 18 episodes shown" in dom  # the filter script ran and counted the episodes
    assert "&lt;script&gt;document.title='injected'&lt;/script&gt;" in dom
    # the first trajectory is open: its task, steps, reply, action and observation are on the page
    start = dom.index('<details class="episode" open=""')
    first = dom[start : dom.index('<details class="episode"', start + 1)]
    assert "step 2 | reward 1.0" in first and 'class="prompt"' in first
    assert '<pre class="observation">the word is alpha0</pre>' in first and "answer alpha0" in first
    screenshot = tmp_path / "report.png"
    chromium(page, tmp_path, f"--screenshot={screenshot}", "--window-size=1400,4000")
    assert screenshot.read_bytes()[:4] == b"\x89PNG" and screenshot.stat().st_size > 50_000
    print(f"screenshot: {screenshot}")


def chromium(page: Path, profile: Path, *mode: str) -> str:
    """Headless Chromium on the file, offline: its own profile dir, no network, no sandbox (root in CI)."""
    command = [
        "chromium",
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--proxy-server=127.0.0.1:9",  # nothing reachable: the page must need nothing from outside
        f"--user-data-dir={profile / 'chromium'}",
        *mode,
        page.resolve().as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    return done.stdout


class TableReader(HTMLParser):
    """The text of every table cell, by table id and by table class."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[dict[str, str | None], list[list[str]]]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append((dict(attrs), []))
        elif tag == "tr" and self.tables:
            self.tables[-1][1].append([])
        elif tag in ("td", "th"):
            self.cell = []
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.tables[-1][1][-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)

    def rows(self, table_id: str) -> list[list[str]]:
        return next(rows for attrs, rows in self.tables if attrs.get("id") == table_id)

    def rows_of_class(self, name: str) -> list[list[str]]:
        return [row for attrs, rows in self.tables if attrs.get("class") == name for row in rows]


def test_trajectory_files_keep_the_prompt_the_model_saw(sweep):
    trajectory = json.loads((sweep / "0" / "trajectories" / "bravo_0@0.json").read_text())
    assert trajectory["instruction"] == "Find the hidden word, then answer it."
    first, second = (step["prompt"] for step in trajectory["steps"])
    assert first["kept"] == 0 and [m["role"] for m in first["added"]] == ["system", "user"]
    assert "Find the hidden word" in first["added"][1]["content"]
    # the second prompt is the first plus the look and what it showed: only those two are stored again
    assert second == {
        "kept": 2,
        "added": [{"role": "assistant", "content": "look"}, {"role": "user", "content": "the word is bravo0"}],
    }
    assert full_prompts(trajectory["steps"]) == [first["added"], first["added"] + second["added"]]
    # truncate (stack 1) cut the word out of what the model saw: the prompt shows the cut history
    cut = full_prompts(json.loads((sweep / "1" / "trajectories" / "bravo_0@0.json").read_text())["steps"])
    assert cut[1][-1] == {"role": "user", "content": "bravo0"}


def oracle_run(run_dir: Path, *tasks: str) -> Path:
    """The tiny env played by its oracle on `tasks`: a real run dir whose trajectory files a test then swells."""
    request = RunRequest(env=TINY, policy={"name": "oracle", "kind": "oracle"}, wrappers=(), split="dev", tasks=tasks)
    run_evaluation(request, run_dir)
    return run_dir


def swell(run_dir: Path, key: str, steps: int, chars: int) -> None:
    """Make an episode's trajectory `steps` steps of `chars`-character actions, replies and observations (an
    agent printing as much as the env lets through: ToolWorld's output limit is 20,000 characters a step)."""
    path = run_dir / "trajectories" / f"{key}.json"
    trajectory = json.loads(path.read_text())
    step = {"prompt": None, "action": "a" * chars, "output": "o" * chars, "reward": 0.0, "info": {}}
    trajectory["steps"] = [{**step, "policy": {"reply": f"reply {i} " + "r" * chars}} for i in range(steps)]
    path.write_text(json.dumps(trajectory))


def test_an_episode_of_huge_steps_is_cut_to_a_bounded_size_with_a_note_linking_its_file(tmp_path):
    run_dir = oracle_run(tmp_path / "run", "alpha_0", "bravo_0")
    swell(run_dir, "alpha_0@0", steps=30, chars=50_000)  # 4.5 MB of step text
    page = write_html(tmp_path).read_text()
    # before: every step shown, each text cut at 8,000 characters: 30 * 24,000 = 720,000 characters
    assert len(page) < 200_000
    note = re.search(r'Steps (\d+) to 30\s+\((\d+) of 30\) are not shown.*?<a href="([^"]+)">', page, re.DOTALL)
    assert note is not None and int(note[1]) > 1 and int(note[2]) == 31 - int(note[1])
    assert (tmp_path / urllib.parse.unquote(note[3])).resolve() == (run_dir / "trajectories" / "alpha_0@0.json")
    assert "| 30 steps</summary>" in page  # the episode's own count, not the steps shown
    assert page.count("Steps ") == 1  # the small episode is whole


def test_the_html_report_reads_one_trajectory_file_at_a_time(tmp_path):
    run_dir = oracle_run(tmp_path / "run", *("alpha_0", "alpha_1", "bravo_0", "bravo_1", "charlie_0", "charlie_1"))
    for key in ("alpha_0@0", "alpha_1@0", "bravo_0@0", "bravo_1@0", "charlie_0@0", "charlie_1@0"):
        swell(run_dir, key, steps=2, chars=1_000_000)  # AppWorld lets 1,000,000 characters of output through
    tracemalloc.start()
    try:
        write_html(run_dir)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # before: every trajectory was loaded before any was shown, 36 MB of text at once
    assert peak < 20_000_000, f"{peak:,} bytes at the peak"


def test_a_trajectory_nested_past_what_json_reads_leaves_its_episode_without_steps(tmp_path):
    run_dir = oracle_run(tmp_path / "run", "alpha_0", "bravo_0")
    depth = 100_000  # json.loads raises RecursionError (not a ValueError): the report ended in that traceback
    (run_dir / "trajectories" / "alpha_0@0.json").write_text(
        '{"key": "alpha_0@0", "steps": [], "final_info": ' + '{"x": ' * depth + "1" + "}" * depth + "}"
    )
    page = write_html(run_dir).read_text()
    assert page.count('class="episode"') == 2 and re.search(r"alpha_0@0 \| none \| -\s+\| reward 1.0 \| 0 steps", page)


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium (.ci/run installs it)")
def test_chromium_shows_a_cut_episodes_note_and_its_link_to_the_whole_file(tmp_path):
    run_dir = oracle_run(tmp_path / "run", "alpha_0", "bravo_0")
    swell(run_dir, "alpha_0@0", steps=30, chars=50_000)
    page = write_html(tmp_path)
    dom = chromium(page, tmp_path, "--dump-dom")
    note = re.search(r"Steps \d+ to 30\s+\(\d+ of 30\) are not shown.*?<a href=\"([^\"]+)\"", dom, re.DOTALL)
    assert note is not None, "the browser's page holds no note for the cut episode"
    assert (page.parent / urllib.parse.unquote(note[1])).resolve() == run_dir / "trajectories" / "alpha_0@0.json"
    screenshot = tmp_path / "cut_episode.png"
    chromium(page, tmp_path, f"--screenshot={screenshot}", "--window-size=1400,3000")
    assert screenshot.read_bytes()[:4] == b"\x89PNG"
    print(f"screenshot: {screenshot}")


#: Trajectory files edited into shapes the harness never writes: each ended report.md and report.html in an
#: AttributeError or TypeError naming no file (`task` as a string, `steps` a dict, a prompt's `added` a string, ...).
DAMAGED_SHAPES = {
    "task a string": {"task": "alpha_0"},
    "steps a dict": {"steps": {"1": {}}},
    "steps a number": {"steps": 5},
    "a step a string": {"steps": ["look"]},
    "prompt.added a string": {"steps": [{"prompt": {"kept": 0, "added": "hi"}}]},
    "a prompt message a number": {"steps": [{"prompt": {"kept": 0, "added": [1]}}]},
    "prompt.kept a string": {"steps": [{"prompt": {"kept": "x", "added": []}}]},
}

#: What envs and wrappers report, odd but read defensively: the steps stay on the page.
ODD_REPORTS = {
    "evaluation a string": {"final_info": {"evaluation": "passed"}},
    "final_info a list": {"final_info": [1]},
    "a step's wrappers a list": {"steps": [{"action": "look", "info": {"wrappers": ["truncate"]}}]},
    "a correct report's attempts numbers": {
        "steps": [{"action": "look", "policy": {"wrappers": {"correct": {"fired": True, "attempts": [1]}}}}]
    },
    "a vote's distinct a string": {
        "steps": [{"action": "look", "policy": {"wrappers": {"self_consistency": {"samples": 2, "distinct": "x"}}}}]
    },
}


@pytest.mark.parametrize("name", [*DAMAGED_SHAPES, *ODD_REPORTS])
def test_a_trajectory_of_another_shape_never_ends_the_report(tmp_path, caplog, name):
    run_dir = oracle_run(tmp_path / "run", "alpha_0", "bravo_0")
    path = run_dir / "trajectories" / "alpha_0@0.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), **{**DAMAGED_SHAPES, **ODD_REPORTS}[name]}))
    assert report_main([str(run_dir), "--html"]) == 0
    page = (run_dir / "report.html").read_text()
    assert page.count('class="episode"') == 2 and re.search(r"bravo_0@0 \| none \| -\s+\| reward 1.0 \| 2 steps", page)
    shown = re.search(r"alpha_0@0 \| none \| -\s+\| reward 1.0 \| (\d+) steps", page)
    assert shown is not None
    if name in DAMAGED_SHAPES:  # the results line alone, the file named in a warning
        assert shown[1] == "0" and f"{path}: " in caplog.text
    else:
        assert shown[1] == "1" and "alpha_0@0.json" not in caplog.text
