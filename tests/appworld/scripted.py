"""Scripted replies for AppWorld episodes under `wrappers=[summarize,correct]`: agent, summarizer and corrector.

A real `ChatModel` whose replies are known in advance, so a run through it can
be recorded and then replayed by `train_free_eval.py policy=replay`. The agent
writes each task's script one step at a time; every action starts with
`step = N` (code, which the corrector's normalizing of its patch keeps), so the
next step is found from the markers it can still see (a summary may have
replaced the earliest turns). The first Groceries step
logs in with a wrong password: AppWorld answers 401, the corrector fires and
patches it with the supervisor's password. The 'Call list' script writes the
wrong content, so AppWorld's evaluator fails it (and with it that scenario).
"""

from __future__ import annotations

import re

from policies.llm.base import ChatModel, ChatReply, ChatRequest, Usage

LOGIN = (
    "passwords = {a['account_name']: a['password'] for a in apis.supervisor.show_account_passwords()}\n"
    "t = apis.simple_note.login(username='ada.byron@example.com', password=passwords['simple_note'])['access_token']"
)
WRONG_LOGIN = "t = apis.simple_note.login(username='ada.byron@example.com', password='wrong-password')['access_token']"


def _create(title: str, content: str) -> str:
    return f"print(apis.simple_note.create_note(access_token=t, title={title!r}, content={content!r}))"


SCRIPTS: dict[str, list[str]] = {
    "Add a note titled 'Groceries'": [
        WRONG_LOGIN,
        "print(apis.simple_note.search_notes(access_token=t))",
        "print(apis.api_docs.show_api_doc(app_name='simple_note', api_name='create_note'))",
        _create("Groceries", "milk, eggs"),
        "apis.supervisor.complete_task()",
    ],
    "Add a note titled 'Call list'": [LOGIN, _create("Call list", "mum"), "apis.supervisor.complete_task()"],
    "How many notes do I have": [
        LOGIN,
        "print(len(apis.simple_note.search_notes(access_token=t)))",
        "apis.supervisor.complete_task(answer=2)",
    ],
}
SUMMARY = "CONTEXT: the user's SimpleNote notes.\nPROGRESS: logged in; the access token is in `t`."
CORRECTION = (
    "CATEGORY: wrong argument\nEVIDENCE: the login answered 401\nDIAGNOSIS: the password was guessed\n"
    "FIX STEPS: take the password from apis.supervisor.show_account_passwords()\nPATCH:\n```python\nstep = 1\n"
    f"{LOGIN}\n```"
)
_STEP = re.compile(r"^step = (\d+)$", re.MULTILINE)


class AppWorldScriptedModel(ChatModel):
    name = "scripted-appworld"
    context_window = 131_072

    def _chat(self, request: ChatRequest, role: str) -> list[ChatReply]:
        if role == "summarizer":
            text = SUMMARY
        elif role == "corrector":
            text = CORRECTION if "wrong-password" in request.messages[-1]["content"] else "PATCH: none"
        else:
            text = self._agent(request)
        usage = Usage(self.count_message_tokens(request.messages), self.count_tokens(text))
        return [ChatReply(text=text, usage=usage, latency_s=0.001, role=role, model=self.name)] * request.n

    def _agent(self, request: ChatRequest) -> str:
        first_user = next(m["content"] for m in request.messages if m["role"] == "user")
        script = next((s for start, s in SCRIPTS.items() if first_user.startswith(start)), [])
        seen = [int(n) for m in request.messages if m["role"] == "assistant" for n in _STEP.findall(m["content"])]
        step = max(seen, default=0) + 1
        if step > len(script):
            return "I have nothing left to do."
        return f"```python\nstep = {step}\n{script[step - 1]}\n```"
