from tests.wrappers.scripted import ScriptedModel
from wrappers.role_client import RoleClient


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
