"""The evaluation harness behind train_free_eval.py: run episodes, store results, summarize, compare.

The top layer: it drives envs, policies and wrapper stacks, and nothing below imports it.

- build.py: the run's env, model and policy from their Hydra config nodes
- choosers.py: the stack of each episode (the configured one, or a bandit's pick)
- compose.py: a selector arm's stack, composed through Hydra like `wrappers=`
- episode.py: one episode with the Gymnasium loop, failures become records
- results.py: the append-only, resumable results.jsonl
- parallel.py: worker threads, each with its own env, sharing one model
- run.py: one run (task selection, resume, progress, outputs)
- summary.py / plots.py: the numbers and pictures of a run
- report.py: `python -m harness.report <sweep dir>` compares the stacks of a sweep
"""
