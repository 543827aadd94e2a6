"""`python -m envs.toolworld docs`: rewrite the README's API table from the declarations."""

from __future__ import annotations

import sys

from envs.toolworld.docs import README, rewrite_readme


def main(argv: list[str]) -> int:
    if argv != ["docs"]:
        print("usage: python -m envs.toolworld docs", file=sys.stderr)
        return 2
    changed = rewrite_readme()
    print(f"{README}: API table {'updated' if changed else 'already current'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
