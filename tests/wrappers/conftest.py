import pytest

from tests.wrappers.bank_env import BankEnv


@pytest.fixture
def bank_env() -> BankEnv:
    return BankEnv()
