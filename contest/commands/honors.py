"""``contest honors import|export|roll`` (DESIGN.md "Command line"): the roster on the command
line, and the printed 劳模名录.

The work is done by :mod:`contest.services.honors.roster` and :mod:`contest.services.honors.roll`;
this module only reads and writes files, draws the progress (on stderr, so stdout stays the counts
or nothing) and turns a refusal into a report and exit status 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask.cli import with_appcontext

from contest.commands.sheets import run_import, write_export

if TYPE_CHECKING:
    from contest.services.honors.roll import RollProgress


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


_ROLL_OPTIONS = {
    "org": "--org",
    "level": "--level",
    "from": "--from",
    "to": "--to",
    "title": "--title",
}
_ROLL_STAGES = {
    "scan": "读取（reading）",
    "sections": "名录正文（sections）",
    "index": "姓名索引（index）",
}


class _RollProgress:
    """Progress of a roll as lines on stderr: each stage every tenth of its rows and at its
    end (a bar would be redrawn tens of thousands of times over a 100,000-honor roll)."""

    def __init__(self) -> None:
        self.shown: dict[str, int] = {}

    def __call__(self, step: RollProgress) -> None:
        stage, done, total, pages = step.stage, step.done, step.total, step.pages
        if stage == "output":
            if done == 0:
                click.echo("写出 PDF（writing）…", err=True)
            return
        tenth = 10 * done // total if total else 10
        if self.shown.get(stage, -1) >= tenth:
            return
        self.shown[stage] = tenth
        where = f"，{pages:,} 页 pages" if stage != "scan" else ""
        label = _ROLL_STAGES.get(stage, stage)
        click.echo(f"{label}：{done:,}/{total:,} 条 rows{where}", err=True)


@honors_group.command("roll")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--org", "org", metavar="NAME_OR_ID", help="The union (name or id); default: all.")
@click.option(
    "--level",
    metavar="HIGHEST[:LOWEST]",
    help="Level range, e.g. national:city (Chinese names too); one level alone is that level only.",
)
@click.option("--from", "first_year", type=int, metavar="YEAR", help="First year (default 1949).")
@click.option("--to", "last_year", type=int, metavar="YEAR", help="Last year (default this year).")
@click.option(
    "--title",
    "titles",
    multiple=True,
    metavar="WORD",
    help="List honors whose title contains WORD (repeatable); default 劳动模范 and 先进工作者.",
)
@with_appcontext
def honors_roll(
    file: Path,
    org: str | None,
    level: str | None,
    first_year: int | None,
    last_year: int | None,
    titles: tuple[str, ...],
) -> None:
    """Print the 劳模名录 to FILE (PDF, public fields only): a cover, sections by level and year,
    an index of names in pinyin order."""
    from contest.database import deferred_writes
    from contest.extensions import db
    from contest.services.honors import roll

    partial = file.with_name(file.name + ".part")
    try:
        # Reading 100,000 rows takes a while: on SQLite, take the write lock only for the
        # audit entry at the end, so the server's users keep saving meanwhile.
        with deferred_writes():
            flt = roll.make_filter(
                organization=roll.find_union(org),
                levels=level,
                first_year=first_year,
                last_year=last_year,
                titles=[w for text in titles for w in roll.split_words(text)],
            )
            with partial.open("wb") as out:
                summary = roll.write_roll(None, flt, out, progress=_RollProgress())
    except roll.RollError as error:
        db.session.rollback()
        partial.unlink(missing_ok=True)
        option = _ROLL_OPTIONS.get(error.field, "")
        raise click.ClickException(f"{error.message}{f'（{option}）' if option else ''}") from None
    partial.replace(file)
    db.session.commit()
    click.echo(
        f"已生成劳模名录（roll written）：{summary.honors:,} 人次 honors，"
        f"{summary.people:,} 人 people，{summary.pages:,} 页 pages → {file}"
    )
