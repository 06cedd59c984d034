"""What the spreadsheet commands share (honors, orgs): running an all-or-nothing import with a
progress bar — one bar per stage, on stderr, for large files only, so stdout stays the counts
scripts read — and writing an export safely."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, TypeVar

import click

T = TypeVar("T")

# Below this many rows a progress bar is noise.
PROGRESS_MIN_ROWS = 2_000

_STAGE_LABELS = {"validate": "校验（validating）", "write": "写入（writing）"}


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


def run_import(file: Path, importer: Callable[[bytes, str, Progress], T]) -> T:
    """Read ``file``, run an all-or-nothing import with a progress bar, commit; on a refusal
    print the row-by-row report on stderr, roll back and exit 1.

    The import reads and checks the file without SQLite's write lock (the commands otherwise
    begin as writers), so the server's users keep saving meanwhile; it takes the lock for its
    write batches only.
    """
    from contest.database import deferred_writes
    from contest.extensions import db
    from contest.services.core.spreadsheets import SheetRefused

    data = file.read_bytes()
    progress = Progress()
    if len(data) > 1_000_000:
        click.echo(f"读取 {file.name} … (reading)", err=True)
    try:
        with deferred_writes():
            result = importer(data, file.name, progress)
    except SheetRefused as refusal:
        progress.close()
        db.session.rollback()
        click.echo(refusal.report(), err=True)
        click.echo(f"{refusal} (import refused, nothing written)", err=True)
        sys.exit(1)
    progress.close()
    db.session.commit()
    return result


def write_export(file: Path, exporter: Callable[[IO[bytes], str], int]) -> int:
    """Write an export to ``file`` (.xlsx or .csv by its extension) through a ``.part`` file
    renamed when complete, commit its audit entry, and return the row count."""
    from contest.extensions import db
    from contest.services.core.spreadsheets import SheetRefused, file_kind

    try:
        kind = file_kind(file.name)
    except SheetRefused:
        raise click.ClickException(
            f"只支持 .xlsx 或 .csv 文件（unsupported extension: {file.suffix or 'none'}）"
        ) from None
    partial = file.with_name(file.name + ".part")
    with partial.open("wb") as out:
        count = exporter(out, kind)
    partial.replace(file)
    db.session.commit()
    return count
