import pytest

from tests.wrappers.bank_env import BankEnv


@pytest.fixture
def bank_env() -> BankEnv:
    return BankEnv()


@pytest.fixture
def toolworld_env():
    """A real ToolWorld env on the dev split (closed after the test)."""
    from envs.toolworld.env import ToolWorldEnv

    env = ToolWorldEnv(split="dev", max_steps=10)
    yield env
    env.close()
