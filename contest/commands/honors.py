"""``contest honors import|export`` (DESIGN.md "Command line"): the roster on the command line.

The work is done by :mod:`contest.services.honors.roster`; this module only reads and writes files,
draws the progress bar (on stderr, so stdout stays the counts or nothing) and turns a refusal
into the row-by-row report and exit status 1.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from contest.commands.sheets import run_import, write_export


@click.group("honors")
def honors_group() -> None:
    """Import and export honor rosters (.xlsx/.csv, Chinese headers)."""


@honors_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def honors_import(file: Path) -> None:
    """Import a roster; all-or-nothing, with a row-by-row report when refused (exit 1)."""
    from contest.services.honors.roster import import_roster

    result = run_import(
        file, lambda data, name, progress: import_roster(None, data, name, progress=progress)
    )
    click.echo(
        f"导入完成（imported）：{result.rows} 行 rows，"
        f"{result.honors_created} 条荣誉 honors，"
        f"{result.people_created} 位新职工 new people，"
        f"{result.people_matched} 位已有职工 matched people"
    )


@honors_group.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option(
    "--include-private",
    is_flag=True,
    help="Include 身份证号 and 联系电话（decrypted）. Keep such a file in the admin's hands.",
)
@click.option("--valid-only", is_flag=True, help="Leave out revoked honors.")
@with_appcontext
def honors_export(file: Path, include_private: bool, valid_only: bool) -> None:
    """Export every honor to FILE (.xlsx or .csv, by its extension)."""
    from contest.services.honors.roster import export_for

    count = write_export(
        file,
        lambda out, kind: export_for(
            None, out, kind, include_private=include_private, valid_only=valid_only
        ),
    )
    click.echo(f"已导出（exported）{count} 行 rows → {file}")
