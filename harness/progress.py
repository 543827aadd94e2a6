"""The run's progress bar, with log lines and warnings printed above it instead of through it.

A log line or a warning written to the terminal while tqdm draws its bar lands in
the middle of the bar's line. Inside `progress_bar`, console log handlers go
through `tqdm.write` (`logging_redirect_tqdm`), and warnings become log records
(`logging.captureWarnings`), so each prints on its own line and the bar is drawn
again below it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from tqdm import tqdm
from tqdm.contrib.logging import logging_redirect_tqdm


@contextmanager
def progress_bar(total: int, desc: str, enabled: bool) -> Iterator[tqdm]:
    with tqdm(total=total, desc=desc, unit="ep", disable=not enabled, dynamic_ncols=True) as bar:
        if not enabled:
            yield bar
            return
        logging.captureWarnings(True)
        try:
            with logging_redirect_tqdm():
                yield bar
        finally:
            logging.captureWarnings(False)
