"""A private IPC namespace for a solution run without bwrap, where the env holds CAP_SYS_ADMIN (root).

Without it, SysV shared memory, semaphores and message queues a script makes
outlive its run (and keep their memory). Between fork and exec the child
enters a new IPC namespace, which disappears with the run's last process.

/dev/shm is not made private the same way (a mount namespace with its own
tmpfs would be): with working POSIX semaphores joblib starts worker processes,
and those need /proc entries of their own that Landlock's /proc rules cannot
grant (it grants the script's own folder only). So Landlock keeps /dev/shm and
/tmp unwritable: `multiprocessing` refuses to start and joblib runs serially,
both with a clear error or warning. Non-root: `available()` is False.
"""

from __future__ import annotations

import ctypes

from envs.sandbox import privileges

_LIBC = ctypes.CDLL(None, use_errno=True)  # loaded in the parent: dlopen in a forked child can deadlock
_CLONE_NEWIPC = 0x08000000
_CAP_SYS_ADMIN = 21


def available() -> bool:
    """Whether runs can get their own IPC namespace here: unshare needs CAP_SYS_ADMIN."""
    try:
        effective, _, _ = privileges.held_capabilities()
    except OSError:
        return False
    return bool(effective >> _CAP_SYS_ADMIN & 1)


def enter() -> None:
    """Enter a new IPC namespace (for preexec_fn, before capabilities are dropped)."""
    if _LIBC.unshare(_CLONE_NEWIPC) != 0:
        raise OSError(ctypes.get_errno(), "unshare(CLONE_NEWIPC) failed")
