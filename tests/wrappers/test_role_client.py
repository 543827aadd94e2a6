import pytest

from envs.observation import make_observation
from policies.llm.base import ChatReply, ChatRequest, ContextLengthExceeded, LLMError
from tests.wrappers.policies import greedy
from tests.wrappers.scripted import ScriptedModel, fenced
from wrappers.role_client import RoleClient
from wrappers.self_reflection import SelfReflection


def test_calls_are_seeded_per_episode_and_counted_under_the_role():
    model = ScriptedModel({"critic": lambda messages, n: ["ok"] * n})
    client = RoleClient(model, "critic", seed=0)
    client.reset(seed=7)
    client.ask([{"role": "user", "content": "a"}])
    client.ask([{"role": "user", "content": "b"}], n=3)
    client.reset(seed=7)
    client.ask([{"role": "user", "content": "a"}])
    assert [r.seed for r in model.calls("critic")] == [7, 8, 7]
    assert client.report()["calls"] == 1 and client.report()["samples"] == 1  # the new episode's cost only
    client.reset()  # no episode seed: the configured one
    client.ask([{"role": "user", "content": "c"}])
    assert model.calls("critic")[-1].seed == 0


class WindowedModel(ScriptedModel):
    """Refuses a request whose prompt and max_tokens together pass its window, as vLLM's server does (a 400)."""

    def _chat(self, request: ChatRequest, role: str) -> list[ChatReply]:
        asked = self.count_message_tokens(request.messages) + request.max_tokens
        if asked > self.context_window:
            raise LLMError(f"the server rejected the request: {asked} tokens asked of a {self.context_window} window")
        return super()._chat(request, role)


def test_a_wrappers_call_asks_only_for_the_reply_tokens_its_context_window_leaves():
    """A reflection over a long output: its prompt leaves less than the wrapper's max_tokens (768), and the
    server would refuse the call; it asks for what is left. A prompt that fills the window alone is the
    agent's context limit (scored as a failure), as for the agent's own turns, not a refused request."""
    model = WindowedModel({"self_reflection": ["Check the amount.", fenced("print(1)")]}, context_window=2_048)
    policy = SelfReflection(greedy(model), model)  # max_tokens 768
    attempt = {"action": "print(0)", "output": "x" * 2_000}  # in the history and in the critique request
    observation = make_observation(task_id="t", instruction="word " * 300, context="", history=[attempt], steps_left=3)
    assert policy.act(observation) == "print(1)"
    critique, revision = model.calls("self_reflection")
    rooms = [model.context_window - model.count_message_tokens(r.messages) for r in (critique, revision)]
    assert 0 < rooms[0] < 768 and critique.max_tokens == rooms[0]  # the output is in its prompt twice
    assert rooms[1] > 768 and revision.max_tokens == 768
    too_long = make_observation(task_id="t", instruction="word " * 2_000, context="", history=[attempt], steps_left=3)
    with pytest.raises(ContextLengthExceeded, match="context length exceeded"):
        policy.act(too_long)
