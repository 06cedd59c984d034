"""The progress bar of the import commands: one bar per stage, on stderr, for large files only
(stdout stays the counts, so scripts can read them)."""

from __future__ import annotations

import sys
from typing import Any

import click

# Below this many rows a progress bar is noise.
PROGRESS_MIN_ROWS = 2_000

_STAGE_LABELS = {"validate": "校验 (validating)", "write": "写入 (writing) "}


class Progress:
    """One click progress bar per stage, drawn on stderr for large files only."""

    def __init__(self) -> None:
        self.stage: str | None = None
        self.bar: Any = None
        self.done = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if total < PROGRESS_MIN_ROWS:
            return
        if stage != self.stage:
            self.close()
            self.stage, self.done = stage, 0
            self.bar = click.progressbar(
                length=total, label=_STAGE_LABELS.get(stage, stage), file=sys.stderr
            )
            self.bar.__enter__()
        if done > self.done:
            self.bar.update(done - self.done)
            self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None
