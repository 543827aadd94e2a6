"""Scaffolding wrappers: observation, action and policy wrappers around a frozen LLM policy.

See wrappers/stack.py for the registry and README "Wrappers" for the list.
"""
