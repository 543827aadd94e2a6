"""Shared pieces of the adversarial suite: a ToolWorld env, a listening socket, the hook-disabling prefix,
a file's inode flags."""

from __future__ import annotations

import fcntl
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from envs.toolworld.env import ToolWorldEnv

REPO = Path(__file__).resolve().parents[2]
TASK = "phone_reply_latest_0"  # a train task whose oracle takes a few steps (max_steps leaves room for attacks first)
STEP_TIMEOUT_S = 2.5  # also bounds a fresh worker's start and the replay of earlier steps: slack for a busy CI machine

FS_IOC_GETFLAGS, FS_IOC_SETFLAGS = 0x80086601, 0x40086602
FS_SYNC_FL, FS_NOATIME_FL = 0x8, 0x80  # chattr +S +A


def inode_flags(path: Path) -> int:
    """A file's inode flags (what lsattr shows), read through a read-only descriptor."""
    fd = os.open(path, os.O_RDONLY)
    try:
        flags = bytearray(8)
        fcntl.ioctl(fd, FS_IOC_GETFLAGS, flags)
        return int.from_bytes(flags, sys.byteorder)
    finally:
        os.close(fd)


#: Switches the worker's Python-level guard off: reaches `sys` through `random._os`, finds the audit hook
#: with gc and empties its closure (blocked events, write flags, readable roots). What the agent can do
#: after this is exactly what the kernel layers (seccomp, Landlock, rlimits) still allow.
DISABLE_PYTHON_GUARDS = """
import random
os = random._os
_sys = os.sys
_gc = _sys.modules['builtins'].__import__('gc')
for _f in _gc.get_objects():
    if type(_f).__name__ == 'function' and _f.__name__ == 'hook' and _f.__closure__:
        for _cell in _f.__closure__:
            _v = _cell.cell_contents
            if isinstance(_v, int):
                _cell.cell_contents = 0
            elif isinstance(_v, tuple) and 'os.system' in _v:
                _cell.cell_contents = ('no-such-event',)
            elif isinstance(_v, tuple):
                _cell.cell_contents = ('/',)
real_import = _sys.modules['builtins'].__import__
"""


@pytest.fixture(scope="module")
def toolworld() -> Iterator[ToolWorldEnv]:
    # rlimit: exactly the seccomp + Landlock + rlimit layers (test_bwrap.py covers the bwrap backend)
    env = ToolWorldEnv(split="train", step_timeout_s=STEP_TIMEOUT_S, output_limit=4_000, max_steps=20, sandbox="rlimit")
    yield env
    env.close()


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A real TCP server socket on 127.0.0.1 that agent code must not reach."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    yield server
    server.close()


def accepted_any(server: socket.socket) -> bool:
    try:
        conn, _ = server.accept()
    except TimeoutError:
        return False
    conn.close()
    return True
