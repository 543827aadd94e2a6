"""Build a small AppWorld dataset in AppWorld's own format, with AppWorld's own code.

Run by AppWorld's interpreter (the separate venv), never imported by the tests:
`<appworld python> build_dataset.py <root>` writes `<root>/data/`: base databases
made from AppWorld's app models with three seeded people, and three tasks (two of
one scenario, one of another) saved by AppWorld's `Task.save`, each with ground
truth whose `evaluation.py` AppWorld's evaluator runs. Standard library and
appworld only.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from textwrap import dedent

NOW = datetime(2026, 1, 15, 10, 0, 0)
SUPERVISOR = {
    "first_name": "Ada",
    "last_name": "Byron",
    "email": "ada.byron@example.com",
    "phone_number": "5550100001",
    "birthday": "1990-12-10",
    "sex": "female",
}
OTHERS = [
    {
        "first_name": "Ben",
        "last_name": "Carter",
        "email": "ben.carter@example.com",
        "phone_number": "5550100002",
        "birthday": "1985-03-02",
        "sex": "male",
    },
    {
        "first_name": "Cleo",
        "last_name": "Diaz",
        "email": "cleo.diaz@example.com",
        "phone_number": "5550100003",
        "birthday": "1993-07-21",
        "sex": "female",
    },
]
PASSWORDS = {"simple_note": "ada-notes-42", "todoist": "ada-todo-42"}
# (title, content) of each person's SimpleNote notes in the base world
NOTES = {
    "ada.byron@example.com": [("Packing list", "passport, charger"), ("Book ideas", "a lighthouse keeper")],
    "ben.carter@example.com": [("Gym", "legs on monday")],
}

NOTE_REQUIREMENTS = [
    "exactly one note is added to the supervisor's SimpleNote account and nothing else changes",
    "the new note has the asked title and content",
]
COUNT_REQUIREMENTS = ["the answer is the number of the supervisor's SimpleNote notes", "nothing is changed"]

NOTE_EVALUATION = f'''
def evaluate(test, public_data, private_data, main_user, models, ground_truth_answer):
    with test("{NOTE_REQUIREMENTS[0]}"):
        test.case(models.changed_model_names(), "==", {{"simple_note.Note"}})
        user = models.end.simple_note.User.find_one(email=main_user.email)
        before = models.start.simple_note.Note.find_all(user_id=user.id)
        after = models.end.simple_note.Note.find_all(user_id=user.id)
        test.case(len(after), "==", len(before) + 1)
    with test("{NOTE_REQUIREMENTS[1]}"):
        notes = models.end.simple_note.Note.find_all(user_id=user.id, title=public_data.title)
        test.case(len(notes), "==", 1)
        test.case(notes[0].content.strip(), "==", public_data.content)
'''

COUNT_EVALUATION = f'''
import json


def evaluate(test, public_data, private_data, main_user, models, ground_truth_answer):
    with test("{COUNT_REQUIREMENTS[0]}"):
        predicted = json.loads(models.end.supervisor.Task.all()[0].answer)
        test.answer(predicted, ground_truth_answer)
    with test("{COUNT_REQUIREMENTS[1]}"):
        test.case(models.changed_model_names(), "==", set())
'''

TASKS = [
    # (task id, instruction, public data, answer, evaluation code, requirements)
    (
        "a1b2c3d_1",
        "Add a note titled 'Groceries' with the content 'milk, eggs' to my SimpleNote account.",
        {"title": "Groceries", "content": "milk, eggs"},
        None,
        NOTE_EVALUATION,
        NOTE_REQUIREMENTS,
    ),
    (
        "a1b2c3d_2",
        "Add a note titled 'Call list' with the content 'mum, plumber' to my SimpleNote account.",
        {"title": "Call list", "content": "mum, plumber"},
        None,
        NOTE_EVALUATION,
        NOTE_REQUIREMENTS,
    ),
    ("e4f5a6b_1", "How many notes do I have in my SimpleNote account?", {}, 2, COUNT_EVALUATION, COUNT_REQUIREMENTS),
]
SPLITS = {"train": ["e4f5a6b_1"], "dev": ["a1b2c3d_1", "a1b2c3d_2", "e4f5a6b_1"]}


def build(root: str) -> None:
    import appworld

    appworld.update_root(root)
    from appworld.apps import get_all_apps
    from appworld.apps.api_lib import set_local_date_and_time
    from appworld.apps.model_lib import get_db_home_path
    from appworld.collections.api_docs import ApiDocCollection
    from appworld.collections.models import ModelCollection

    freezer = set_local_date_and_time(NOW)
    try:
        docs = ApiDocCollection.build(load_apps=tuple(get_all_apps(skip_admin=True)))
        save_api_docs(docs, os.path.join(root, "data", "api_docs", "standard"))
        base_path = get_db_home_path(storage_type="disk", type="base")
        base = ModelCollection.load(to_db_home_path=":memory:trainfree_base", load_apps=get_all_apps(), create_db=True)
        seed_api_docs(base, docs)
        seed_people(base)
        base.save(db_home_path=base_path, delete_if_exists=True)
        base.close()
        for task_id, instruction, public_data, answer, evaluation, requirements in TASKS:
            save_task(base_path, task_id, instruction, public_data, answer, evaluation, requirements)
        datasets = os.path.join(root, "data", "datasets")
        os.makedirs(datasets, exist_ok=True)
        for split, ids in SPLITS.items():
            with open(os.path.join(datasets, f"{split}.txt"), "w") as handle:
                handle.write("\n".join(ids) + "\n")
    finally:
        freezer.stop()


def save_api_docs(docs, directory: str) -> None:
    """The docs `apis.api_docs` serves, built by AppWorld from its apps, in the one format tasks load.

    (`ApiDocCollection.save` also writes the OpenAPI format, which needs a package AppWorld does not install.)"""
    from appworld.common.constants import CANARY_STRING

    os.makedirs(directory, exist_ok=True)
    for app_name, api_name_to_doc in docs.items():
        marked = {name: {**doc, "canary_string": CANARY_STRING} for name, doc in api_name_to_doc.items()}
        with open(os.path.join(directory, f"{app_name}.json"), "w") as handle:
            json.dump(marked, handle)


def seed_api_docs(models, docs) -> None:
    """The api_docs app answers from its own table: one row per documented API."""
    for api_name_to_doc in docs.values():
        for doc in api_name_to_doc.values():
            fields = {k: doc[k] for k in ("api_name", "path", "method", "description", "parameters")}
            models.api_docs.ApiDoc.create(
                app_name_=doc["app_name"], response_schemas=doc["response_schemas"], **fields
            ).save()


def seed_people(models) -> None:
    """Three people in the admin app, each with a SimpleNote account; the supervisor's app passwords."""
    for person in [SUPERVISOR, *OTHERS]:
        models.admin.MainUser.create(**person).save()
        password = PASSWORDS["simple_note"] if person is SUPERVISOR else f"{person['first_name'].lower()}-pass-1"
        fields = {k: person[k] for k in ("first_name", "last_name", "email")}
        user = models.simple_note.User.create(**fields, password=password, verified=True)
        user.save()
        for title, content in NOTES.get(person["email"], []):
            models.simple_note.Note.create(user_id=user.id, title=title, content=content, tags=[]).save()
    supervisor = models.admin.MainUser.find_one(email=SUPERVISOR["email"])
    for app, password in PASSWORDS.items():
        models.admin.AccountPassword.create(main_user_id=supervisor.id, account_name=app, password=password).save()


def save_task(base_path, task_id, instruction, public_data, answer, evaluation, requirements) -> None:
    from appworld.apps import get_all_apps
    from appworld.apps.admin.models import MainUserMunch
    from appworld.collections.models import ModelCollection
    from appworld.common.constants import DB_VERSION
    from appworld.ground_truth import GroundTruth
    from appworld.task import Task

    apps = get_all_apps(skip_admin=True)
    models = ModelCollection.load(
        from_db_home_path=base_path, to_db_home_path=f":memory:task_input-{task_id}", load_apps=[*apps, "admin"]
    )
    main_user = models.admin.MainUser.find_one(email=SUPERVISOR["email"])
    supervisor = models.supervisor.Supervisor.create(**SUPERVISOR)
    supervisor.save()
    models.supervisor.Task.create(supervisor_id=supervisor.id, instruction=instruction).save()
    for account in models.admin.AccountPassword.find_all(main_user_id=main_user.id):
        models.supervisor.AccountPassword.create(
            supervisor_id=supervisor.id, account_name=account.account_name, password=account.password
        ).save()
    munch = MainUserMunch(
        **{k: SUPERVISOR[k] for k in ("first_name", "last_name", "email", "phone_number", "birthday")},
        account_passwords=PASSWORDS,
        addresses={},
        payment_cards={},
    )
    task = Task(
        id=task_id,
        instruction=instruction,
        supervisor=munch,
        datetime=NOW,
        allowed_apps=apps,
        db_version=DB_VERSION,
        model_collection=models,
    )
    task.ground_truth = GroundTruth(
        task_id=task_id,
        required_apps=["simple_note"],
        public_data=public_data,
        private_data={},
        answer=answer,
        evaluation_code=dedent(evaluation).strip() + "\n",
        solution_code="",
        compiled_solution_code="",
        generator_code="",
        test_data=[{"requirement": r, "label": "no_op_fail"} for r in requirements],
        metadata={"difficulty": 1, "mode": "minimal", "num_solution_code_lines": 0},  # no solution code here
    )
    task.save(delete_if_exists=True, model_collection_format="changes")  # as AppWorld ships them: on top of base_dbs
    task.close()


if __name__ == "__main__":
    import appworld.ground_truth

    # GroundTruth.save formats the files it wrote with the `ruff` command; formatting is all it does,
    # and AppWorld's venv need not have ruff
    appworld.ground_truth.run_ruff = lambda *args, **kwargs: None
    build(sys.argv[1])
    print(json.dumps({"tasks": [t[0] for t in TASKS]}))
