"""trainfree environments, registered under the `trainfree` namespace."""

from gymnasium.envs.registration import register

# ToolWorld: the AppWorld-like world of apps and APIs (envs/toolworld).
register(id="trainfree/ToolWorld-v0", entry_point="envs.toolworld.env:ToolWorldEnv")
