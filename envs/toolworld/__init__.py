"""ToolWorld: an AppWorld-like world of everyday apps and APIs, as a Gymnasium env.

    env = gymnasium.make("trainfree/ToolWorld-v0", split="dev")
    obs, info = env.reset(seed=3)
    obs, reward, terminated, truncated, info = env.step("print(apis.api_docs.show_app_descriptions())")

Layout (one job per module):
  api.py          `App`, `@app.api(...)`, `P(...)`: one declaration per API gives its doc,
                  validation (422), auth (401) and pagination
  apps/           one module per app (auto-discovered); `_accounts.py` adds login & co.
  world/          people.py (core tables), build.py (seeded generation, cache, copies),
                  changes.py (change-log triggers -> DB diff)
  server.py       answers one API call against an episode's DB (in the env process)
  tasks.py        `@scenario(...)`, tasks = scenario x variant, splits
  scenarios/      one module per app or app pair (auto-discovered); `_common.py` helpers
  evaluate.py     expectations (Inserted, Updated, Deleted, Answer) and the DB-diff evaluator
  failures.py     failure-category guess
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
        return ctx.rows("SELECT id AS song_id, title FROM music_songs WHERE title LIKE ?", f"%{query}%")

Tables are prefixed with the app name and keyed by `person_id`/`owner_id` (= people.id);
use INTEGER PRIMARY KEY AUTOINCREMENT ids. `auth=True` (the default) sets `ctx.user_id`
from the access token; raise `ApiError(status, message)` for errors (404 unknown id,
409 conflict, 422 bad value naming the argument); return the whole list for paginated
APIs. `ctx` helpers: rows/row/value (reads), execute, update (PATCH: non-None fields),
owned (the caller's row or 404), insert_unique (409 if present), delete_existing (404
if absent), timestamp (the frozen now). Then run `python -m envs.toolworld docs` to
refresh the README's API table.

Adding a scenario template: create envs/toolworld/scenarios/<app>.py with

    @scenario("music_like_song", apps=("music",))
    def like_song(view: WorldView, rng: random.Random) -> TaskSpec:
        row = pick(rng, view.rows("SELECT ..."), "song", distinct=True)  # variants get different rows
        return TaskSpec(supervisor_id=..., instruction="...",
                        oracle=login("music") + "...apis.supervisor.complete_task()\\n",
                        expectations=[Inserted("music_likes", {...}, "requirement shown in info")])

Expectations must account for every row change the task needs (anything else is
collateral damage). Question tasks use `Answer(value, requirement, traps={...})`.
tests/toolworld/test_oracle.py then checks, for every scenario: the oracle solves 3
variants in its split, doing nothing fails, oracle + an unwanted change fails, and the
3 variants differ. `python -m envs.toolworld show|solve <task_id>` helps debugging.
"""
