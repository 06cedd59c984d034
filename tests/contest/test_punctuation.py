"""Chinese text uses full-width punctuation (issue 16, item 16): a scan of what people read."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.contest.punctuation import fix, marks_in, scan, template_texts

ROOT = Path(__file__).resolve().parents[2]


def test_no_half_width_marks_beside_chinese() -> None:
    findings = scan(ROOT)
    shown = "\n".join(str(finding) for finding in findings[:40])
    assert not findings, f"{len(findings)} half-width marks inside Chinese text:\n{shown}"


@pytest.mark.parametrize(
    "text",
    [
        "公平排名,评选表彰",
        "A 电子商务师(职工组):「实操」",
        "已提交 24 / 45;",
        "姓名:",
        "确定删除?",
        "太好了!",
    ],
)
def test_the_scan_catches_what_reads_as_machine_output(text: str) -> None:
    assert marks_in(text)
    assert not marks_in(fix(text))


@pytest.mark.parametrize(
    "text",
    [
        "12:30",
        "A-01 (B)",
        "已提交 %(done)d / %(total)d",
        "请用参数 ?contest=赛事编号 指明",
        "Hello, world (en)",
        "{name}扎根{post}岗位",
    ],
)
def test_numbers_codes_placeholders_and_english_stay_half_width(text: str) -> None:
    assert not marks_in(text)
    assert fix(text) == text


def test_templates_are_read_as_a_person_sees_them() -> None:
    source = '<label title="编号(选填)">{{ _("姓名") }}:{{ n }}:</label><script>a(1,2)</script>'
    texts = " | ".join(template_texts(source))
    assert "编号(选填)" in texts
    assert "姓名:" in texts
    assert "a(1,2)" not in texts


def test_sheet_headers_match_in_either_width(app: object) -> None:
    """A sheet kept from before (or typed by hand) says 赛项(工种); the template 赛项（工种）."""
    import io

    from contest.services.core.spreadsheets import SheetSpec, read_sheet, write_workbook

    csv = "姓名,赛项(工种),备注:说明,code (A)\n张三,钳工,无,1\n".encode()
    assert read_sheet(csv, "a.csv").headers == ["姓名", "赛项（工种）", "备注：说明", "code (A)"]
    out = io.BytesIO()
    write_workbook([SheetSpec(title="表", headers=["赛项(工种)"], rows=[["钳工"]])], out)
    assert read_sheet(out.getvalue(), "a.xlsx").headers == ["赛项（工种）"]


def test_parentheses_turn_as_a_pair() -> None:
    assert fix("身份证号应为 18 位(最后一位可以是 X)") == "身份证号应为 18 位（最后一位可以是 X）"
    assert fix("编号(A)") == "编号（A）"
    assert fix("f(x) = (1)") == "f(x) = (1)"
    assert fix("第(2)项") == "第（2）项"


def test_full_width_marks_take_the_spaces_beside_them() -> None:
    assert fix("备份完成 (backed up): 3 行") == "备份完成（backed up）：3 行"
    assert fix("已提交 24 / 45;") == "已提交 24 / 45；"
