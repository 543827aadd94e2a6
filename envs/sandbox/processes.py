"""Ending a sandboxed process tree: every run starts its child in a new session,
so one process-group kill reaches all of its descendants.

Used by the MLE runs, the ToolWorld worker session and the LLM server processes.
"""

from __future__ import annotations

import os
import signal
import subprocess


def kill_process_group(proc: subprocess.Popen, grace_s: float = 0.5) -> None:
    """SIGTERM the whole session of `proc`, then SIGKILL what is left of it; never raises.

    The SIGKILL goes to the group even when the leader has exited: a child that
    ignores SIGTERM would otherwise outlive the run.
    """
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            return  # nobody is left in the group
        try:
            proc.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            pass
