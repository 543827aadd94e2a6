"""ToolWorld: an AppWorld-like world of everyday apps and APIs, as a Gymnasium env.

    env = gymnasium.make("trainfree/ToolWorld-v0", split="dev")
    obs, info = env.reset(seed=3)
    obs, reward, terminated, truncated, info = env.step("print(apis.api_docs.show_app_descriptions())")

Layout (one job per module):
  api.py          `App`, `@app.api(...)`, `P(...)`: one declaration per API gives its doc,
                  validation (422), auth (401) and pagination
  apps/           one module per app (auto-discovered); `_accounts.py` adds login & co.
  world/          people.py (core tables), build.py (seeded generation, cache), changes.py
                  (change-log triggers -> DB diff), episode_db.py (one copy per env, each
                  episode a transaction that reset rolls back)
  server.py       answers one API call against an episode's DB (in the env process)
  pages.py        which paginated lists an episode read to their end (the pagination rule)
  tasks.py        `@scenario(...)`, tasks = scenario x variant, splits
  scenarios/      one module per theme (auto-discovered); `_common.py`: Solution, login, fetch_all
  evaluate.py     expectations (Inserted, Updated, Deleted, Answer), matchers, the DB-diff evaluator
  failures.py     failure category of a failed episode
  figures.py      what each oracle does (calls, apps, lines, branches, tests) -> difficulty;
                  stored in task_figures.json; measure.py plays the oracles
  grader_check.py mutants of each oracle's end state, which the task's graders must all fail
  env.py          ToolWorldEnv; the agent's code runs in envs/sandbox/worker.py

Adding an app: create envs/toolworld/apps/<app>.py with

    app = App("music", "Songs, albums and playlists.", schema="CREATE TABLE music_songs (...); ...")
    add_account_apis(app)                       # login, logout, show_account, change_password

    @app.populator
    def populate(w: WorldBuilder) -> None:      # fill your tables; use w.rng("music"), w.people,
        w.insert("music_songs", [{...}, ...])   # w.related(person_id, kinds), w.now

    @app.api("GET", "/songs", [{"song_id": 1, "title": "string"}], paginated=True)
    def search_songs(ctx: CallContext, query: Annotated[str, P("Words to match.")] = "") -> list[dict]:
        \"\"\"Search songs by title.\"\"\"            # first paragraph = the API's description
        where, words = word_conditions("title", query)  # apps/_text_search.py: words, not LIKE patterns
        return ctx.rows(f"SELECT id AS song_id, title FROM music_songs WHERE {' AND '.join(where) or '1'}", *words)

Tables are prefixed with the app name and keyed by `person_id`/`owner_id` (= people.id);
use INTEGER PRIMARY KEY AUTOINCREMENT ids. `auth=True` (the default) sets `ctx.user_id`
from the access token; raise `ApiError(status, message)` for errors (404 unknown id,
409 conflict, 422 bad value naming the argument); return the whole list for paginated
APIs. `ctx` helpers: rows/row/value (reads), execute, update (PATCH: non-None fields),
owned (the caller's row or 404), insert_unique (409 if present), delete_existing (404
if absent), timestamp (the frozen now). Then run `python -m envs.toolworld docs` to
refresh the README's API table.

Adding a scenario template: create envs/toolworld/scenarios/<theme>.py with

    @scenario("music_like_song", apps=("music",))   # difficulty is measured, not declared
    def like_song(view: WorldView, rng: random.Random) -> TaskSpec:
        row = pick(rng, view.rows("SELECT ..."), "song", distinct=True)  # variants get different rows
        oracle = Solution().step(login("music")).step("...look...").step("...act...").step(DONE).steps()
        return TaskSpec(supervisor_id=..., instruction="...", oracle=oracle,
                        expectations=[Inserted("music_likes", {...}, "requirement shown in info")])

`Solution` writes the oracle as a good agent works, one step per turn, after reading the
docs of every API it uses. Expectations must account for every row change the task needs
(anything else is collateral damage) and pin every column the agent decides (`NewRow`
ties a new row to the row inserted with it). Question tasks use
`Answer(value, requirement, traps={...})`; `TaskSpec(noop_pass=True)` marks a variant whose
right answer is to change nothing, which must still ask for an answer only the world gives
(what the decision rests on: an amount, names, a count), or doing nothing would pass. Then:
  python -m envs.toolworld graders <task_id>...       every mutant of the end state is caught
  python -m envs.toolworld figures --write <scenario>  measure and store the oracle's figures
tests/toolworld/test_oracle.py checks, for every scenario: the oracle solves 3 variants in
its split with the stored figures, doing nothing fails (no-op-pass too), oracle + an
unwanted change fails, the declared apps are the apps the oracle calls, and the 3
variants differ. `python -m envs.toolworld show|solve <task_id>` helps debugging.
"""
