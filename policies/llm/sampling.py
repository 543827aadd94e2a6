"""n > 1 samples for backends that produce one completion per call.

Each extra sample is a separate call with its own seed (seed, seed+1, ...),
so a seeded request stays reproducible sample by sample. Every reply of one
`chat()` carries the wall time of the whole call (the caller waited that
long for all of them); each sample's own time is kept in
`extra["sample_latency_s"]`.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from policies.llm.base import ChatReply, ChatRequest


def sample_seed(seed: int | None, index: int) -> int | None:
    """Seed of the index-th sample: distinct per sample, None stays None."""
    return None if seed is None else seed + index


def repeated_samples(
    request: ChatRequest,
    sample_once: Callable[[ChatRequest], ChatReply],
    first_index: int = 0,
) -> list[ChatReply]:
    """Samples `first_index` .. `request.n - 1`, one call each."""
    replies = []
    for index in range(first_index, request.n):
        single = dataclasses.replace(request, n=1, seed=sample_seed(request.seed, index))
        started = time.perf_counter()
        reply = sample_once(single)
        replies.append(with_extra(reply, sample_latency_s=time.perf_counter() - started))
    return replies


def with_extra(reply: ChatReply, **extra: object) -> ChatReply:
    return dataclasses.replace(reply, extra={**reply.extra, **extra})


def share_call_latency(replies: list[ChatReply], latency_s: float) -> list[ChatReply]:
    """Give every reply of one chat() call the call's wall time."""
    return [dataclasses.replace(reply, latency_s=latency_s) for reply in replies]
