"""`python -m policies.llm chat "prompt"`: one chat with a configured backend.

Prints the reply, then its token usage and latency. The backend comes from
conf/policy/<name>.yaml (default smollm2), with Hydra-style overrides:

    python -m policies.llm chat "Say hi" --policy openai_compatible \\
        policy.model.base_url=http://127.0.0.1:8000/v1 policy.model.model=smollm2
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from policies.llm.base import LLMError

# harness/conf: the repository's conf/ in a checkout, the packaged configs when installed (a path, not an import)
DEFAULT_CONFIG_DIR = Path(__file__).resolve().parents[2] / "harness" / "conf"


def load_policy_config(name: str, overrides: Sequence[str] = (), config_dir: Path = DEFAULT_CONFIG_DIR):
    """The `policy` node of conf/policy/<name>.yaml, composed by Hydra with overrides."""
    from hydra import compose, initialize_config_dir

    with initialize_config_dir(config_dir=str(config_dir.resolve()), version_base="1.3"):
        return compose(overrides=[f"+policy={name}", *overrides]).policy


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m policies.llm", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    chat = commands.add_parser("chat", help="send one user message and print the reply")
    chat.add_argument("prompt", help="the user message")
    chat.add_argument("overrides", nargs="*", help="Hydra overrides, e.g. policy.model.base_url=...")
    chat.add_argument("--policy", default="smollm2", help="config in conf/policy/ (default: smollm2)")
    chat.add_argument("--config-dir", type=Path, default=DEFAULT_CONFIG_DIR)
    chat.add_argument("--system", default=None, help="a system message")
    chat.add_argument("--max-tokens", type=int, default=128)
    chat.add_argument("--temperature", type=float, default=0.0)
    chat.add_argument("--seed", type=int, default=0)
    chat.add_argument("-n", type=int, default=1, help="number of samples")
    args, extra = parser.parse_known_args(argv)
    args.overrides += extra  # overrides may also come after the options
    bad = [item for item in args.overrides if "=" not in item]
    if bad:
        parser.error(f"not an override (key=value): {' '.join(bad)}")

    from hydra.errors import HydraException

    from policies.llm.registry import make_chat_model

    messages = [{"role": "system", "content": args.system}] if args.system else []
    messages.append({"role": "user", "content": args.prompt})
    try:
        model = make_chat_model(load_policy_config(args.policy, args.overrides, args.config_dir).model)
        try:
            replies = model.chat(
                messages, n=args.n, temperature=args.temperature, max_tokens=args.max_tokens, seed=args.seed
            )
        finally:
            model.close()
    except (LLMError, ValueError, ImportError, HydraException) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    for i, reply in enumerate(replies):
        if len(replies) > 1:
            print(f"--- sample {i}")
        print(reply.text)
    first = replies[0]
    completion = sum(r.usage.completion_tokens for r in replies)
    print(
        f"--- model {first.model}, finish {first.finish_reason}; tokens: prompt {first.usage.prompt_tokens}, "
        f"completion {completion}; latency {first.latency_s:.2f} s "
        f"({completion / max(first.latency_s, 1e-9):.1f} tok/s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
