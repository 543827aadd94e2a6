"""The evaluation harness behind train_free_eval.py: run episodes, store results, summarize, compare.

- episode.py: one episode with the Gymnasium loop, failures become records
- results.py: the append-only, resumable results.jsonl
- parallel.py: worker threads, each with its own env, sharing one model
- run.py: one run (task selection, resume, progress, outputs)
- summary.py / plots.py: the numbers and pictures of a run
- report.py: `python -m harness.report <sweep dir>` compares the stacks of a sweep
"""
