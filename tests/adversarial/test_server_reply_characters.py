"""A character a server's reply may hold, once decoded, must be sendable when a wrapper puts the reply back
into a later prompt (a plan, a critique, a thought).

JSON may escape a lone surrogate ("\\ud800"), which decodes as one; UTF-8
cannot encode it, so httpx refused to build the next request, and the
client's error for an undecodable answer called it the server's fault
(ModelUnavailable: an infrastructure error, the episode retried for nothing).
"""

from __future__ import annotations

from policies.llm.openai_compatible import OpenAICompatible
from tests.llm.http_servers import ScriptedChatServer, completion
from tests.wrappers.bank_env import BankEnv
from tests.wrappers.policies import greedy
from wrappers.chaining import Chaining


def test_a_plan_holding_a_lone_surrogate_is_sent_back_in_the_code_request() -> None:
    with ScriptedChatServer(reply=lambda body: completion(body, ["Plan: log in\ud800"])) as server:
        model = OpenAICompatible("scripted", base_url=server.url, timeout_s=30, max_retries=0)
        chaining = Chaining(greedy(model), model)
        assert chaining.act(BankEnv().reset()[0]) == "Plan: log in\ud800"  # the reply, as the server sent it
    chats = [body for body in server.bodies if "messages" in body]  # not the token-count probes
    assert len(chats) == 2
    assert "Plan: log in?" in chats[1]["messages"][-1]["content"]
