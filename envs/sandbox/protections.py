"""Which sandbox protections are in force on this machine, said once at start-up and kept in `info`.

A protection that needs root or a kernel feature the machine lacks is
switched off, not faked: users comparing numbers across machines must see
that an env here ran without, say, Landlock. Each env builds its list with
the probes below (plus its own), calls `announce` once when it starts, and
puts `as_info(...)` into the `info` of its resets.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from envs.sandbox import bwrap, landlock, privileges, seccomp

LOG = logging.getLogger("trainfree.sandbox")
_announced: set[tuple[str, tuple[Protection, ...]]] = set()


@dataclass(frozen=True)
class Protection:
    name: str
    active: bool
    detail: str  # what it does when on; why it is off when off


def landlock_protection() -> Protection:
    abi = landlock.abi_version()
    if abi == 0:
        return Protection("landlock", False, "the kernel has no Landlock (Linux >= 5.13 with landlock in the LSM list)")
    scoped = "; signals and abstract Unix sockets scoped" if abi >= 6 else "; signals not scoped (needs ABI 6)"
    return Protection("landlock", True, f"filesystem access limited (ABI {abi}{scoped})")


def seccomp_protection() -> Protection:
    if not seccomp.supported():
        return Protection("seccomp", False, "the syscall filter is built for x86_64 Linux only")
    return Protection("seccomp", True, "sockets, namespaces, mounts, kernel admin and rlimit changes refused")


def capabilities_protection() -> Protection:
    try:
        effective, _, _ = privileges.held_capabilities()
    except OSError as err:
        return Protection("capabilities", False, f"cannot read capabilities: {err}")
    if effective:
        return Protection("capabilities", True, "all dropped (bounding set too) before agent code runs")
    return Protection("capabilities", True, "none held (not root); no_new_privs keeps it so")


def bwrap_protection(uses_bwrap: bool, sandbox: str) -> Protection:
    """`sandbox`: the setting asked for; when it switched bwrap off, that is the reason, installed or not."""
    if uses_bwrap:
        return Protection("bwrap", True, "new user, PID, network, IPC and mount namespaces")
    if sandbox == "rlimit":
        return Protection("bwrap", False, "switched off by sandbox=rlimit")
    return Protection("bwrap", False, bwrap.unavailable_reason() or f"not used with sandbox={sandbox}")


def as_info(protections: Sequence[Protection]) -> dict[str, str]:
    """{name: "on: ..." | "off: ..."} for an env's `info`."""
    return {p.name: f"{'on' if p.active else 'off'}: {p.detail}" for p in protections}


def announce(env_name: str, protections: Sequence[Protection]) -> None:
    """Log one line per env kind and set of protections; a warning when any is off."""
    key = (env_name, tuple(protections))
    if key in _announced:
        return
    _announced.add(key)
    summary = ", ".join(f"{p.name}={'on' if p.active else 'off'}" for p in protections)
    off = [f"{p.name}: {p.detail}" for p in protections if not p.active]
    if off:
        LOG.warning("%s sandbox: %s; off because %s", env_name, summary, "; ".join(off))
    else:
        LOG.info("%s sandbox: %s", env_name, summary)
