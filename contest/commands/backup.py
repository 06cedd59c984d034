"""``contest backup FILE`` and ``contest restore FILE [--force]`` (DESIGN.md "Command line").

The work is :mod:`contest.services.core.backup`. A backup includes the uploads and can be taken
while the server runs. Keep the data key (``CONTEST_DATA_KEY``) with the backup, and apart from
it: the ID and phone numbers inside are encrypted with it and cannot be read without it.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext


def _uploads() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def backup_command(file: Path) -> None:
    """Write a consistent snapshot of the database and the uploads to FILE (.zip)."""
    from contest.services.core.backup import BackupError, create_backup

    try:
        summary = create_backup(file, uploads=_uploads())
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    rows = sum(summary.tables.values())
    click.echo(
        f"备份完成（backed up）：{rows} 行 rows in {len(summary.tables)} tables，"
        f"{summary.uploads} 个上传文件 uploads, schema {summary.revision} → {file}"
    )
    click.echo("请把数据密钥 CONTEST_DATA_KEY 与备份分开妥善保管（keep the data key with it）.")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
@with_appcontext
def restore_command(file: Path, force: bool) -> None:
    """Replace the database's content with the backup in FILE (refuses newer schemas)."""
    from contest.services.core.backup import BackupError, restore_backup

    try:
        summary = restore_backup(file, force=force, uploads=_uploads())
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"恢复完成（restored）：{sum(summary.tables.values())} 行 rows，"
        f"{summary.uploads} 个上传文件 uploads, from schema {summary.revision}"
    )
