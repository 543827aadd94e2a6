"""The one interface every chat backend implements, and the reply it returns.

Every backend (OpenAI-compatible server, vLLM offline, embedded llama.cpp,
replay) returns `ChatReply` objects that carry token usage, latency and the
role that asked, so scaffolding cost can be accounted per role and episode.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, TypeGuard

from policies.llm.abandon import ABANDONED, abandon_rule, cut_where_abandoned

Message = Mapping[str, str]  # {"role": "system"|"user"|"assistant", "content": str}


class LLMError(RuntimeError):
    """A model call failed in a way the caller should record, not crash on."""


class ModelUnavailable(LLMError):
    """The model could not be reached or gave no usable answer (connection refused, timeout, 5xx, a body
    that is not a reply, a refused key): the infrastructure's fault, not the agent's, so the harness retries
    the episode and never scores it as the agent's failure. Backends raise this, not plain `LLMError`,
    only for failures that do not depend on what the request contains."""


class ContextLengthExceeded(LLMError):
    """The prompt no longer fits the model: the agent's own limit, so the harness
    scores the episode as a failure (AppWorld's "context length" category), not an error."""


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0


#: The largest token count a reply may carry (far past any context window): a server's or a recording's
#: 10**400 once reached the run's summary, whose float arithmetic failed with OverflowError after every episode.
MAX_TOKEN_COUNT = 2**31 - 1


#: The longest a reply may say it took (~31 years, past any call): a recording's latency of 1e308, finite, reached
#: the run's records, and two of them made the summary's sum of model time overflow.
MAX_LATENCY_S = 1e9


def is_token_count(value: Any) -> TypeGuard[int]:
    """Whether `value` is a token count: a whole number from 0 to MAX_TOKEN_COUNT (JSON's true is not one)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_TOKEN_COUNT


@dataclass(frozen=True)
class ChatReply:
    """One sampled completion with what it cost."""

    text: str
    usage: Usage
    latency_s: float
    role: str = "agent"
    finish_reason: str | None = None
    model: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)
    #: the abandon rule that already judged this text as it streamed, so chat() need not judge it again; not
    #: recorded: a replayed reply is judged again, to the same verdict
    judged_by: str | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        del data["judged_by"]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChatReply:
        data = dict(data)
        data["usage"] = Usage(**data.get("usage", {}))
        return cls(**data)


@dataclass(frozen=True)
class ToolSpec:
    """A function the reply must call, its arguments following the JSON schema `parameters`.

    Backends that can constrain generation to the schema do (a forced tool call on an OpenAI-compatible
    server, llama.cpp's grammar in-process), so the arguments always parse; the others ignore it, and
    the caller reads the reply's text leniently. The call comes back in `ChatReply.extra["tool_calls"]`
    as [{"function": {"name": ..., "arguments": "<JSON text>"}}], OpenAI's shape.
    """

    name: str
    description: str
    parameters: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """OpenAI's `tools` entry."""
        return {
            "type": "function",
            "function": {"name": self.name, "description": self.description, "parameters": dict(self.parameters)},
        }

    def choice(self) -> dict[str, Any]:
        """OpenAI's `tool_choice` that forces this function."""
        return {"type": "function", "function": {"name": self.name}}


@dataclass(frozen=True)
class ChatRequest:
    """Everything that determines a reply; its hash keys the replay file."""

    messages: tuple[Mapping[str, str], ...]
    n: int = 1
    temperature: float = 0.0
    max_tokens: int = 512
    stop: tuple[str, ...] = ()
    seed: int | None = None
    tool: ToolSpec | None = None
    #: an abandon rule's name (policies.llm.abandon.RULES): the reply stops once the rule says it has failed
    abandon: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "messages": [dict(m) for m in self.messages],
            "n": self.n,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "stop": list(self.stop),
            "seed": self.seed,
        }
        if self.tool is not None:  # only when set, so recordings made before tools keep their keys
            data["tool"] = self.tool.to_dict()
        if self.abandon is not None:  # likewise
            data["abandon"] = self.abandon
        return data


def _judged(reply: ChatReply, rule: str) -> ChatReply:
    """`reply` as streaming would have left it under `rule`: cut where the rule fires, unless it streamed
    under that rule already (or was abandoned: its text ends where the rule fired)."""
    if reply.judged_by == rule or reply.finish_reason == ABANDONED:
        return reply
    text, fired = cut_where_abandoned(reply.text, rule)
    return replace(reply, text=text, finish_reason=ABANDONED) if fired else reply


class ChatModel(abc.ABC):
    """A frozen LLM behind a chat interface.

    `chat` returns `n` replies; backends implement `_chat`. Those without
    native n > 1 sampling call `policies.llm.sampling.repeated_samples`: one
    call per sample, with distinct seeds (seed, seed+1, ...). A request's
    abandon rule is applied to every reply here: backends that stream stop
    generating where it fires; the others' replies are cut at the same point.
    Every reply is also read within the max_tokens asked (`as_asked`), once,
    here, for the agent and every wrapper alike.
    """

    name: str = "model"
    context_window: int = 2048
    #: Where the model runs, for error messages: a server's URL, or "in-process".
    location: str = "in-process"

    def chat(
        self,
        messages: Sequence[Message],
        *,
        n: int = 1,
        temperature: float = 0.0,
        max_tokens: int = 512,
        stop: Sequence[str] | None = None,
        seed: int | None = None,
        role: str = "agent",
        tool: ToolSpec | None = None,
        abandon: str | None = None,
    ) -> list[ChatReply]:
        if n < 1:
            raise ValueError(f"n must be >= 1, got {n}")
        if not messages:
            raise ValueError("messages must not be empty")
        if abandon is not None:
            abandon_rule(abandon)  # an unknown name fails here, before any model call
        request = ChatRequest(
            messages=tuple({"role": m["role"], "content": m["content"]} for m in messages),
            n=n,
            temperature=temperature,
            max_tokens=max_tokens,
            stop=tuple(stop or ()),
            seed=seed,
            tool=tool,
            abandon=abandon,
        )
        replies = [replace(reply, text=as_asked(reply.text, max_tokens)) for reply in self._chat(request, role)]
        if abandon is None:
            return replies
        return [_judged(reply, abandon) for reply in replies]

    @abc.abstractmethod
    def _chat(self, request: ChatRequest, role: str) -> list[ChatReply]:
        """Serve one request; implementations return exactly `request.n` replies."""

    def health_check(self) -> None:
        """Ask for one token, so a run stops before its first episode when the model does not answer.

        Raises `ModelUnavailable` naming where the model is and what went wrong.
        """
        try:
            self._tiny_request()
        except Exception as error:  # noqa: BLE001 - whatever the backend raises, the answer is "it does not answer"
            raise ModelUnavailable(
                f"model {self.name!r} at {self.location} does not answer a 1-token request: "
                f"{type(error).__name__}: {visible(str(error))}"
            ) from error

    def _tiny_request(self) -> None:
        """The health check's request; a server backend overrides it to bound its time and skip its retries."""
        self.chat([{"role": "user", "content": "Say OK."}], max_tokens=1, role="health_check")

    def count_tokens(self, text: str) -> int:
        """Tokens in `text`; backends with a tokenizer override this.

        The fallback estimate is ceil(len(text) / 4): English prose and code
        average 3.5-4.5 characters per BPE token on Llama/Qwen tokenizers.
        """
        return -(-len(text) // 4)

    def count_message_tokens(self, messages: Sequence[Message]) -> int:
        """Tokens of a whole chat, with 4 tokens per message for the template."""
        return sum(self.count_tokens(m["content"]) + 4 for m in messages)

    def close(self) -> None:
        """Release servers, processes or memory the backend holds.

        A hook, not an abstract method: a backend that holds nothing (or, like
        `MeteredModel`, only borrows a model owned elsewhere) keeps this no-op.
        """
        return None


#: Characters a reply may hold per token asked for: an honest reply is ~4-5 characters a token, but a server
#: that ignores max_tokens sent 400,000 characters (or its whole max_response_mb) where a few hundred were asked.
REPLY_CHARS_PER_TOKEN = 8


def as_asked(text: str, max_tokens: int) -> str:
    """`text` as a server keeping to `max_tokens` could have sent it: its first max_tokens * REPLY_CHARS_PER_TOKEN
    characters. A server that ignores max_tokens sent megabytes that were parsed (a 16 MB program made the
    corrector's checks alone take ~80 s of CPU a step; a 4 MB patch ~34 s an attempt) or put into every later
    prompt (a plan, summary or critique of 420,000 characters against a 32,768-token context)."""
    return text[: max_tokens * REPLY_CHARS_PER_TOKEN]


def visible(text: str) -> str:
    """`text` as one line of visible characters, for errors that quote a model server: they go into logs and
    onto the operator's console, where a server's escape sequences cleared the screen and printed what it
    liked, and its newlines forged log lines. Control and format characters (ESC, BEL, newlines, bidi
    overrides) are shown as their escapes."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def max_tokens_that_fit(model: ChatModel, messages: Sequence[Message], max_tokens: int) -> int:
    """`max_tokens`, capped so prompt + reply fit `model`'s context window: a server refuses a request whose
    prompt and max_tokens together pass its window, even when the reply would have been short.

    Raises `ContextLengthExceeded` (the agent's limit, scored as a failure) when the prompt fills the window."""
    prompt_tokens = model.count_message_tokens(messages)
    room = model.context_window - prompt_tokens
    if room <= 0:
        raise ContextLengthExceeded(
            f"context length exceeded: the prompt has ~{prompt_tokens} tokens and {model.name} "
            f"takes {model.context_window}; add a summarize or truncate wrapper"
        )
    return min(max_tokens, room)
