"""The Jinja2 template of report.html and its one script (harness/html_report.py renders them).

Kept in a module rather than a template file so it ships with the package like any code. Every value
goes through autoescaping; the script reads no episode text, it only shows and hides episodes by their
data- attributes.
"""

FILTER_SCRIPT = """
const selects = document.querySelectorAll("select[data-filter]");
function applyFilters() {
  const wanted = {};
  selects.forEach((s) => { wanted[s.dataset.filter] = s.value; });
  let shown = 0;
  document.querySelectorAll(".episode").forEach((episode) => {
    const keep = Object.keys(wanted).every((k) => wanted[k] === "" || episode.dataset[k] === wanted[k]);
    episode.hidden = !keep;
    if (keep) { shown += 1; }
  });
  document.getElementById("shown").textContent = String(shown);
}
selects.forEach((s) => s.addEventListener("change", applyFilters));
applyFilters();
"""

TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; script-src 'sha256-{{ script_hash }}'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; max-width: 1400px; }
table { border-collapse: collapse; margin: 0.5em 0 1.2em; font-size: 0.9em; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #eef; }
td.num { text-align: right; }
pre { white-space: pre-wrap; word-break: break-word; background: #f6f6f6; padding: 0.4em; margin: 0.2em 0;
      max-height: 30em; overflow: auto; font-size: 0.85em; }
figure { display: inline-block; margin: 0.5em 1em 0.5em 0; }
figure img { max-width: 100%; border: 1px solid #ddd; }
.episode { border: 1px solid #ccc; margin: 0.3em 0; padding: 0.2em 0.6em; }
.episode > summary { cursor: pointer; }
.success { color: #176317; } .failure { color: #a33; } .error { color: #b35c00; }
.step { border-left: 3px solid #99c; margin: 0.6em 0; padding-left: 0.6em; }
.label { font-weight: 600; font-size: 0.85em; color: #444; }
.filters label { margin-right: 1.2em; }
.wide { overflow-x: auto; }
.left-out { color: #a33; font-weight: 600; }
</style>
</head>
<body>
{#- a stat, and its 95% interval on a line of its own, so a wide table stays readable -#}
{% macro stat(value, percent=True) %}{{ value | mean(percent) }}{% if value and value.get("ci95") %}<br>
<small>95%: {{ value | interval(percent) }}</small>{% endif %}{% endmacro %}
<h1>{{ title }}</h1>
<p>{{ note }}</p>

<h2 id="stacks">Stacks</h2>
<div class="wide"><table id="stacks-table">
<tr><th>stack</th>{% for name in headlines %}<th>{{ name }}</th>{% endfor %}
{% if comparison %}<th>success - {{ comparison.baseline }} (paired)</th>{% endif %}
<th>mean reward</th><th>tokens / episode</th><th>wall s / episode</th><th>errors</th></tr>
{% for label, summary in summaries.items() %}
<tr><td>{{ label }}</td>
{% for name in headlines %}<td class="num">{{ stat(summary.headline[name]) }}</td>{% endfor %}
{% if comparison %}<td class="num">{% if label == comparison.baseline %}baseline{% else %}
{{ stat(comparison.stacks[label].paired_vs_baseline.success) }}{% endif %}</td>{% endif %}
<td class="num">{{ stat(summary.reward, False) }}</td>
<td class="num">{{ stat(summary.cost.tokens_per_episode, False) }}</td>
<td class="num">{{ stat(summary.cost.wall_time_per_episode_s, False) }}</td>
<td class="num">{{ summary.agent_failures }} agent, {{ summary.infra_errors }} infra of {{ summary.episodes }}</td></tr>
{% endfor %}
</table></div>
<p>Cells: mean +- SE (n) [95% interval: Wilson for rates over episodes, t over seeds and for means];
paired: the mean of per-episode differences to the baseline with its t interval.</p>

{% if levels %}
<h3>Success by difficulty</h3>
<table id="difficulty-table">
<tr><th>stack</th>{% for level in levels %}<th>difficulty {{ level }}</th>{% endfor %}</tr>
{% for label, summary in summaries.items() %}
<tr><td>{{ label }}</td>{% for level in levels %}
<td class="num">{{ stat(summary.by_difficulty.get(level, {}).get("success")) }}</td>{% endfor %}</tr>
{% endfor %}
</table>
{% endif %}

<h2 id="plots">Plots</h2>
{% for image in images %}
<figure><img src="{{ image.src }}" alt="{{ image.caption }}"><figcaption>{{ image.caption }}</figcaption></figure>
{% endfor %}

<h2 id="wrappers">Wrapper activity</h2>
{% for label, rows in activity.items() %}
<h3>{{ label }}</h3>
{% if rows %}
<table class="activity">
<tr><th>wrapper</th><th>steps seen</th><th>fired</th><th>changed the step</th><th>episodes it fired in</th>
<th>success when it fired</th><th>success when it did not</th></tr>
{% for row in rows %}
<tr><td>{{ row.wrapper }}</td><td class="num">{{ row.steps }}</td>
<td class="num">{{ row.fired }} ({{ (100 * row.fired / row.steps) | round(1) }}%)</td>
<td class="num">{% if row.changed is none %}not reported{% else %}{{ row.changed }}{% endif %}</td>
<td class="num">{{ row.episodes_fired }}</td>
<td class="num">{{ stat(row.success_when_fired) }}</td><td class="num">{{ stat(row.success_when_not) }}</td></tr>
{% endfor %}
</table>
{% else %}<p>No wrapper ran (or no trajectory was saved).</p>{% endif %}
{% endfor %}

<h2 id="costs">Costs per role</h2>
{% for label, cost in roles.items() %}
<h3>{{ label }}</h3>
<p>{{ cost.calls }} calls, {{ cost.prompt_tokens }} prompt + {{ cost.completion_tokens }} completion tokens;
model time {{ cost.model_time_s | round(1) }} s, env time {{ cost.env_time_s | round(1) }} s,
episode wall time {{ cost.episode_wall_time_s | round(1) }} s.</p>
{% if cost.by_role %}
<table class="roles">
<tr><th>role</th><th>calls</th><th>prompt tokens</th><th>completion tokens</th><th>model time s</th></tr>
{% for role, c in cost.by_role.items() %}
<tr><td>{{ role }}</td><td class="num">{{ c.get("calls", 0) }}</td><td class="num">{{ c.get("prompt_tokens", 0) }}</td>
<td class="num">{{ c.get("completion_tokens", 0) }}</td>
<td class="num">{{ c.get("model_time_s", 0) | round(2) }}</td></tr>
{% endfor %}
</table>
{% endif %}
{% endfor %}

<h2 id="trajectories">Trajectories</h2>
<div class="filters">
{% for name, values in filters.items() %}
<label>{{ name }} <select data-filter="{{ name }}"><option value="">all</option>
{% for value in values %}<option value="{{ value }}">{{ value }}</option>{% endfor %}</select></label>
{% endfor %}
<span><span id="shown">{{ episodes | length }}</span> of {{ episodes | length }} episodes shown</span>
</div>
{% for e in episodes %}
<details class="episode"{% if loop.first %} open{% endif %}
 data-stack="{{ e.stack }}" data-outcome="{{ e.outcome }}" data-category="{{ e.category }}">
<summary><span class="{{ e.outcome }}">{{ e.outcome }}</span> {{ e.key }} | {{ e.stack }} | {{ e.category }}
| reward {{ e.reward }} | {{ e.steps_total }} steps</summary>
<p class="label">task</p><pre>{% for k, v in e.task.items() %}{{ k }}: {{ v }}
{% endfor %}</pre>
{% if e.instruction %}<p class="label">instruction</p><pre>{{ e.instruction | cut }}</pre>{% endif %}
{% if e.error %}<p class="label">error</p><pre class="error">{{ e.error | cut }}</pre>{% endif %}
{% if e.failed_tests %}<p class="label">failed tests</p>
<pre class="failure">{% for t in e.failed_tests %}{{ t | cut }}
{% endfor %}</pre>{% endif %}
{% for step in e.steps %}
<div class="step">
<p class="label">step {{ loop.index }} | reward {{ step.reward }}</p>
{% if step.prompt %}<details class="prompt">
<summary>prompt ({{ step.prompt.kept + step.prompt.added | length }} messages{% if step.prompt.kept %}: the first
{{ step.prompt.kept }} as in the step before, then these{% endif %})</summary>
{% for m in step.prompt.added %}<p class="label">{{ m.role }}</p>
{% if m.same_as %}<p><i>{{ m.same_as }}, as above</i></p>{% else %}<pre>{{ m.content }}</pre>{% endif %}
{% endfor %}
</details>{% endif %}
{% if step.reply is not none %}<p class="label">reply</p><pre class="reply">{{ step.reply }}</pre>{% endif %}
<p class="label">action</p><pre class="action">{{ step.action }}</pre>
<p class="label">observation</p><pre class="observation">{{ step.output }}</pre>
{% if step.events %}<details><summary>wrapper events: {{ step.events | join(", ") }}</summary>
{% for name, text in step.events.items() %}<p class="label">{{ name }}</p><pre>{{ text }}</pre>{% endfor %}
</details>{% endif %}
</div>
{% endfor %}
{% if e.steps_left_out %}<p class="left-out">Steps {{ e.steps | length + 1 }} to {{ e.steps_total }}
({{ e.steps_left_out }} of {{ e.steps_total }}) are not shown: this episode's text reached the page's limit for one
episode. The whole episode is in <a href="{{ e.file_href }}">{{ e.file }}</a>.</p>{% endif %}
</details>
{% endfor %}
<script>{{ script | safe }}</script>
</body>
</html>
"""
