"""How the layers above treat ToolWorld (and the real AppWorld, which shares its prompt and numbers).

Step-by-step code, every fenced block of a reply in order; best-first search
over env snapshots; AppWorld's task goal completion (TGC) and scenario goal
completion (SGC) head the summary.
"""

from envs.contract import EnvProfile

TOOLWORLD_PROFILE = EnvProfile(
    name="toolworld",
    system_prompt="toolworld_system",
    code_blocks="join",
    search="snapshot",
    headlines=(("TGC", "success"), ("SGC", "sgc")),
    finish_call="complete_task",
)
