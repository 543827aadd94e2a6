"""Scenario templates, one module per app or app pair; see envs.toolworld.tasks.scenario."""
