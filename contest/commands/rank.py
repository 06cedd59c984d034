"""``contest rank``: rank an offline score sheet (.csv/.xlsx) with :func:`scoring.rank`.

pandas and :mod:`scoring` (which loads SciPy) are imported when the command runs: the module is
imported by every ``contest`` invocation, ``--help`` included.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    import pandas as pd

FORMATS = ("table", "csv", "json", "xlsx")


def _read(path: Path) -> pd.DataFrame:
    import pandas as pd

    from scoring.columns import OPTIONAL, REQUIRED

    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            try:
                frame = pd.read_csv(path, encoding="utf-8-sig", skipinitialspace=True)
            except UnicodeDecodeError:  # Excel on Chinese Windows saves CSV as GB18030
                frame = pd.read_csv(path, encoding="gb18030", skipinitialspace=True)
        elif suffix in (".xlsx", ".xlsm"):
            frame = pd.read_excel(path, engine="openpyxl")
        else:
            raise click.UsageError(f"不支持的文件类型 {suffix or '（无）'}：请使用 .csv 或 .xlsx")
    except click.UsageError:
        raise
    except Exception as error:  # any parser error: report it, never a traceback
        raise click.ClickException(f"无法读取 {path.name}：{error}") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise click.ClickException(
            f"{path.name} 缺少必需的列：{', '.join(missing)} "
            f"（需要 {', '.join(REQUIRED)}；可选 {', '.join(OPTIONAL)}）"
        )
    for column in ("entry", "judge", "criterion"):
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(lambda v: v.strip() if isinstance(v, str) else v)
    return frame


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(frame: pd.DataFrame) -> str:
    headers = ["名次", "参赛号", "总分", "奖项"]
    rows = [
        [str(r), str(e), f"{t:.2f}", a or ""]
        for e, t, r, a in frame[["entry", "total", "rank", "award"]].itertuples(index=False)
    ]
    widths = [max(_width(row[i]) for row in [headers, *rows]) for i in range(4)]

    def line(cells: list[str]) -> str:
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True))

    return "\n".join(line(cells).rstrip() for cells in [headers, *rows])


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    return [
        {"entry": _plain(e), "total": float(t), "rank": int(r), "award": a}
        for e, t, r, a in frame[["entry", "total", "rank", "award"]].itertuples(index=False)
    ]


def _plain(value: object) -> object:
    return value.item() if hasattr(value, "item") else value


@click.command("rank")
@click.argument("scores", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--method",
    type=click.Choice(["mean", "trimmed", "median"]),
    default="mean",
    show_default=True,
    help="各评委分数的汇总方式（trimmed：去掉最高分和最低分后取平均）",
)
@click.option("--trim", type=click.IntRange(min=0), default=None, help="去掉的最高/最低分个数")
@click.option(
    "--normalize",
    type=click.Choice(["none", "zscore"]),
    default="none",
    show_default=True,
    help="评委宽严校正（zscore：按评委标准化）",
)
@click.option("--awards", default=None, help="奖项比例或名额，如 10%,20%,30% 或 1,2,5")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="输出文件（xlsx 必填）"
)
def rank_command(
    scores: Path,
    method: str,
    trim: int | None,
    normalize: str,
    awards: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    """按评分表排名 (Rank a score sheet offline).

    SCORES 为 .csv 或 .xlsx, 列: entry, judge, criterion, score (可选 component, time)。
    名次为竞赛排名 (1, 2, 2, 4); 并列者按参赛号排列。
    """
    from scoring import PolicyError, ScoringInputError, parse_awards, rank

    if fmt == "xlsx" and output is None:
        raise click.UsageError("--format xlsx 需要 --output FILE")
    if trim is None:
        trim = 1 if method == "trimmed" else 0
    frame = _read(scores)
    try:
        ranked = rank(
            frame,
            method=method,  # type: ignore[arg-type]
            trim=trim,
            normalize=normalize,  # type: ignore[arg-type]
            awards=parse_awards(awards) if awards else None,
        )
    except ScoringInputError as error:
        lines = [p.describe(first_line=2) for p in error.problems]
        if error.total > len(lines):
            lines.append(f"……共 {error.total} 处问题")
        raise click.ClickException(
            f"{scores.name} 有误，未排名（行号为表格中的行号）：\n  " + "\n  ".join(lines)
        ) from None
    except PolicyError as error:
        raise click.UsageError(str(error)) from None

    # The platform's one spreadsheet writer: an entry code that looks like a formula stays text.
    from contest.services.core.spreadsheets import csv_text, write_xlsx

    if fmt == "xlsx":
        assert output is not None
        out = ranked.copy()
        out["award"] = out["award"].astype(object).where(out["award"].notna(), "")
        with output.open("wb") as handle:
            write_xlsx(out, handle, sheet_title="ranking")
        click.echo(f"已写入 {output}（{len(ranked)} 条）", err=True)
        return
    if fmt == "json":
        text = json.dumps(_records(ranked), ensure_ascii=False, indent=2)
    elif fmt == "csv":
        text = csv_text(ranked, lineterminator="\n")
    else:
        text = _table(ranked)
    if output is not None:
        output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        click.echo(f"已写入 {output}（{len(ranked)} 条）", err=True)
    else:
        click.echo(text.rstrip("\n"))
