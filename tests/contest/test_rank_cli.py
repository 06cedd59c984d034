"""``contest rank`` on offline score sheets: no app, no database."""

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from contest.commands.rank import rank_command

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "scores.csv"


def write_sheet(path: Path, rows: list[tuple[object, ...]]) -> Path:
    frame = pd.DataFrame(rows, columns=["entry", "judge", "criterion", "score"])
    if path.suffix == ".xlsx":
        frame.to_excel(path, index=False)
    else:
        frame.to_csv(path, index=False)
    return path


@pytest.fixture
def cli():
    return CliRunner()


@pytest.fixture
def small(tmp_path):
    rows = [
        ("E1", "J1", "c", 9),
        ("E1", "J2", "c", 7),
        ("E1", "J3", "c", 2),
        ("E2", "J1", "c", 6),
        ("E2", "J2", "c", 6),
        ("E2", "J3", "c", 6),
        ("E3", "J1", "c", 8),
        ("E3", "J2", "c", 4),
        ("E3", "J3", "c", 6),
    ]
    return write_sheet(tmp_path / "scores.csv", rows)


def test_json_output_is_ordered_by_rank_with_null_awards(cli, small):
    result = cli.invoke(rank_command, [str(small), "--format", "json", "--awards", "1"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [
        {"entry": "E1", "total": 6.0, "rank": 1, "award": "一等奖"},
        {"entry": "E2", "total": 6.0, "rank": 1, "award": "一等奖"},
        {"entry": "E3", "total": 6.0, "rank": 1, "award": "一等奖"},
    ]


def test_trimmed_mean_drops_highest_and_lowest(cli, small):
    result = cli.invoke(
        rank_command, [str(small), "--method", "trimmed", "--trim", "1", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    ranked = json.loads(result.stdout)
    assert [(r["entry"], r["total"], r["rank"]) for r in ranked] == [
        ("E1", 7.0, 1),
        ("E2", 6.0, 2),
        ("E3", 6.0, 2),
    ]


def test_csv_to_stdout_and_xlsx_to_file(cli, small, tmp_path):
    result = cli.invoke(rank_command, [str(small), "--format", "csv", "--method", "median"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "entry,total,rank,award"
    target = tmp_path / "out.xlsx"
    result = cli.invoke(rank_command, [str(small), "--format", "xlsx", "--output", str(target)])
    assert result.exit_code == 0, result.output
    frame = pd.read_excel(target)
    assert list(frame.columns) == ["entry", "total", "rank", "award"]


def test_xlsx_needs_an_output_file(cli, small):
    result = cli.invoke(rank_command, [str(small), "--format", "xlsx"])
    assert result.exit_code == 2
    assert "--output" in result.output


def test_reads_xlsx_sheets(cli, tmp_path):
    path = write_sheet(tmp_path / "s.xlsx", [("A", "J1", "c", 3), ("B", "J1", "c", 5)])
    result = cli.invoke(rank_command, [str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [r["entry"] for r in json.loads(result.stdout)] == ["B", "A"]


def test_table_output_of_the_example_sheet(cli):
    result = cli.invoke(
        rank_command, [str(EXAMPLE), "--method", "trimmed", "--awards", "10%,20%,30%"]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["名次", "参赛号", "总分", "奖项"]
    assert lines[1].split() == ["1", "A01", "91.67", "一等奖"]
    assert lines[4].split()[:2] == ["4", "A02"] and lines[5].split()[:2] == ["4", "A04"]


def test_missing_column_is_a_clear_error_without_traceback(cli, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("entry,judge,score\nA,J1,3\n", encoding="utf-8")
    result = cli.invoke(rank_command, [str(path)])
    assert result.exit_code == 1
    assert "criterion" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_bad_rows_are_listed_with_sheet_line_numbers(cli, tmp_path):
    path = write_sheet(tmp_path / "dup.csv", [("A", "J1", "c", 3), ("A", "J1", "c", 4)])
    result = cli.invoke(rank_command, [str(path)])
    assert result.exit_code == 1
    assert "第 3 行" in result.output and "重复评分" in result.output  # below the header
    path = write_sheet(tmp_path / "nan.csv", [("A", "J1", "c", 3), ("B", "J1", "c", "x")])
    result = cli.invoke(rank_command, [str(path)])
    assert result.exit_code == 1
    assert "第 3 行" in result.output and "不是有效数字" in result.output


def test_unreadable_and_missing_files(cli, tmp_path):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip file")
    result = cli.invoke(rank_command, [str(broken)])
    assert result.exit_code == 1
    assert "无法读取" in result.output
    result = cli.invoke(rank_command, [str(tmp_path / "absent.csv")])
    assert result.exit_code == 2


def test_trim_needs_trimmed_method(cli, small):
    result = cli.invoke(rank_command, [str(small), "--trim", "1"])
    assert result.exit_code == 2
    assert "trimmed" in result.output
