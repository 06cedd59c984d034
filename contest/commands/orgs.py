"""``contest orgs import|export`` (DESIGN.md "Command line"): the union tree on the command line.

The work is done by :mod:`contest.services.core.org_sheet` with the command line as an admin (a
blank 上级工会 makes a top-level union); a refusal prints the row-by-row report and exits 1.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from contest.commands.sheets import run_import, write_export


@click.group("orgs")
def orgs_group() -> None:
    """Import and export the union tree (.xlsx/.csv, 上级工会 by name or code)."""


@orgs_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def orgs_import(file: Path) -> None:
    """Import organisations; all-or-nothing, with a row-by-row report when refused (exit 1)."""
    from contest.services.core.org_sheet import import_tree

    result = run_import(
        file, lambda data, name, progress: import_tree(None, data, name, progress=progress)
    )
    click.echo(f"导入完成（imported）：{result.created} 个组织 organisations")


@orgs_group.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def orgs_export(file: Path) -> None:
    """Export every open organisation to FILE (.xlsx or .csv, by its extension)."""
    from contest.services.core.org_sheet import export_tree

    count = write_export(file, lambda out, kind: export_tree(None, out, kind))
    click.echo(f"已导出（exported）{count} 个组织 organisations → {file}")
