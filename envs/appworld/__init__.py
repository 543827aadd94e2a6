"""trainfree/AppWorld-v0: the real AppWorld package, run in its own interpreter (see env.py and bridge.py)."""

from envs.appworld.env import INSTALL, AppWorldEnv

__all__ = ["INSTALL", "AppWorldEnv"]
