"""Command line: list, prepare and make leaderboards for built-in competitions.

python -m envs.mle list [--split lite|all]
python -m envs.mle prepare --all | <id> ... [--cache-dir DIR] [--force]
python -m envs.mle leaderboard <id> ... | --all [--check]
"""

from __future__ import annotations

import argparse
import sys
import time

from envs.mle.registry import SPLITS, competition_ids, get_spec


def _list(args: argparse.Namespace) -> int:
    print(f"{'id':24} {'category':24} {'metric':9} {'direction':10} lite")
    for cid in competition_ids(args.split):
        cfg = get_spec(cid).config
        direction = "lower" if cfg.lower_is_better else "higher"
        print(f"{cid:24} {cfg.category:24} {cfg.metric:9} {direction:10} {'yes' if cfg.lite else 'no'}")
    return 0


def _chosen(args: argparse.Namespace) -> list[str]:
    if args.all == bool(args.ids):
        raise SystemExit("name competition ids or pass --all (not both)")
    return competition_ids("all") if args.all else args.ids


def _prepare(args: argparse.Namespace) -> int:
    from envs.mle.prepare import cache_root, prepare

    print(f"cache: {cache_root(args.cache_dir)}")
    for cid in _chosen(args):
        start = time.perf_counter()
        competition = prepare(cid, args.cache_dir, force=args.force)
        print(f"{cid:24} ready in {time.perf_counter() - start:6.2f} s  {competition.root}")
    return 0


def _leaderboard(args: argparse.Namespace) -> int:
    from threadpoolctl import threadpool_limits

    from envs.mle.leaderboard import make_leaderboard, write_leaderboard

    with threadpool_limits(limits=1):
        for cid in _chosen(args):
            spec = get_spec(cid)
            start = time.perf_counter()
            if args.check:
                fresh = make_leaderboard(spec)
                committed = (spec.resources / "leaderboard.csv").read_text()
                same = fresh.to_csv(index=False) == committed
                print(f"{cid:24} {'matches' if same else 'DIFFERS from'} the committed leaderboard")
                if not same:
                    return 1
            else:
                path = write_leaderboard(spec)
                print(f"{cid:24} {time.perf_counter() - start:6.1f} s  {path}", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m envs.mle", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    listing = sub.add_parser("list", help="list the built-in competitions")
    listing.add_argument("--split", choices=SPLITS, default="all")
    listing.set_defaults(run=_list)
    for name, run, helptext in (
        ("prepare", _prepare, "prepare competitions into the cache (idempotent, checksummed)"),
        ("leaderboard", _leaderboard, "regenerate reference leaderboards from the baseline population"),
    ):
        cmd = sub.add_parser(name, help=helptext)
        cmd.add_argument("ids", nargs="*")
        cmd.add_argument("--all", action="store_true")
        cmd.set_defaults(run=run)
        if name == "prepare":
            cmd.add_argument(
                "--cache-dir", default=None, help="default: $TRAINFREE_MLE_CACHE or ~/.cache/trainfree/mle"
            )
            cmd.add_argument("--force", action="store_true", help="rebuild even when the checksums verify")
        else:
            cmd.add_argument(
                "--check", action="store_true", help="compare with the committed leaderboard instead of writing"
            )
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (KeyError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
