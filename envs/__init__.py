"""trainfree environments, registered under the `trainfree` namespace."""

from gymnasium.envs.registration import register

# ToolWorld: the AppWorld-like world of apps and APIs (envs/toolworld).
register(id="trainfree/ToolWorld-v0", entry_point="envs.toolworld.env:ToolWorldEnv")

# AppWorld: the real appworld package behind the same contract (needs appworld and its data).
register(id="trainfree/AppWorld-v0", entry_point="envs.appworld:AppWorldEnv")

# MLE competitions: ML-engineering competitions in the MLE-bench shape (envs/mle).
register(id="trainfree/MLECompetition-v0", entry_point="envs.mle.env:MLECompetitionEnv")
