"""The printable 推荐审批表 of one nominee: what the recommending unit signs, seals and files.

A4 portrait, the platform's embedded CJK font (:mod:`contest.services.core.pdf`), Chinese line
breaking (:func:`contest.services.core.certificates.wrapped_lines`). It prints the public
fields (姓名 with （女）, 工作单位, 岗位/职务, 技能等级/职称, the award), the 推荐表 as filled
in, the 事迹, the unit's own steps (民主推荐 / 职代会, 单位公示 with its working days), and
empty boxes for the signatures and seals of 推荐单位意见 and 上级工会意见. The 身份证号 is
printed masked (110105********1234): the paper travels through offices, and whoever needs the
full number has it on the person's record.

The printed words are Chinese whatever the page language, like a certificate: it is an
official form.
"""

from __future__ import annotations

from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from contest.models import Gender, Nomination, RecipientKind
from contest.models.base import local_text, utcnow
from contest.services.core.certificates import chinese_date, wrapped_lines
from contest.services.core.pdf import FONT, add_fonts
from contest.services.nominations import calendar, campaigns, groups
from contest.services.nominations.awards import award_of

__all__ = ["approval_form_pdf", "filename"]

INK = (30, 30, 30)
MUTED = (110, 110, 110)
MARGIN = 18.0
LABEL_WIDTH = 38.0
LINE = 6.2  # mm per line of 10.5 pt text
PAD = 1.6
BOX_HEIGHT = 46.0  # a signature and seal box


@dataclass(frozen=True)
class _Row:
    label: str
    text: str
    min_lines: int = 1


def filename(nomination: Nomination) -> str:
    """推荐审批表-张三.pdf"""
    return f"推荐审批表-{nomination.name}.pdf"


def _gender(nomination: Nomination) -> str:
    person = nomination.person
    if person is None or person.gender is None:
        return ""
    return "女" if person.gender is Gender.FEMALE else "男"


def _period(nomination: Nomination) -> str:
    start, end = nomination.unit_publicity_start, nomination.unit_publicity_end
    if start is None or end is None:
        return ""
    text = f"{chinese_date(start)} 至 {chinese_date(end)}"
    try:
        days = calendar.workdays_between(start, end)
    except calendar.CalendarMissing:
        return text
    return f"{text}（{days} 个工作日）"


def _declarations(nomination: Nomination) -> str:
    answers = nomination.declarations or {}
    items = campaigns.negative_items(nomination.campaign)
    if not items:
        return ""
    lines = []
    for item in items:
        answer = answers.get(item)
        word = "未填写" if answer is None else ("有" if answer else "无")
        lines.append(f"{item}：{word}")
    return "\n".join(lines)


def _rows(nomination: Nomination) -> list[_Row]:
    campaign = nomination.campaign
    award = award_of(campaign, nomination.award)
    person = nomination.recipient_kind is RecipientKind.PERSON
    name = nomination.name
    if person and _gender(nomination) == "女":
        name += "（女）"
    rows = [
        _Row("推荐奖项", award.title if award is not None else nomination.award),
        _Row(
            {"person": "姓名", "unit": "单位名称", "team": "集体名称"}[
                nomination.recipient_kind.value
            ],
            name,
        ),
    ]
    if person:
        masked = nomination.person.masked_id_number if nomination.person is not None else ""
        rows += [
            _Row("性别", _gender(nomination)),
            _Row("身份证号", masked),
            _Row("工作单位", nomination.unit_name or ""),
            _Row("岗位/职务", nomination.post or ""),
            _Row("技能等级/职称", nomination.skill_level or ""),
        ]
    elif nomination.recipient_kind is RecipientKind.TEAM:
        rows.append(_Row("所在单位", nomination.unit_name or ""))
    labels = sorted(groups.group_label(g) for g in groups.categories_for(nomination))
    rows.append(_Row("人员（单位）类别", "、".join(labels)))
    form = nomination.form or {}
    for spec in campaigns.form_fields(campaign, nomination.recipient_kind):
        rows.append(_Row(spec.label, form.get(spec.key, "")))
    rows += [
        _Row("推荐单位", nomination.unit.name),
        _Row("民主推荐（职代会）日期", chinese_date(nomination.democratic_on)),
        _Row("单位公示", _period(nomination)),
    ]
    declarations = _declarations(nomination)
    if declarations:
        rows.append(_Row("负面清单声明", declarations))
    rows += [
        _Row("事迹简介", nomination.deeds_short or "", 4),
        _Row("主要事迹", nomination.deeds_full or "", 8),
    ]
    return rows


class _FormPDF(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8.5)
        self.set_text_color(*MUTED)
        self.cell(0, 5, f"第 {self.page_no()} 页", align="C")


def _paragraphs(pdf: FPDF, width: float, text: str) -> list[str]:
    lines: list[str] = []
    for paragraph in (text or "").split("\n"):
        lines.extend(wrapped_lines(pdf, width, paragraph) or [""])
    return lines


def _row(pdf: FPDF, row: _Row) -> None:
    """A bordered label | text row, as tall as the longer of the two; a long text continues
    on the next page under the same label, so 2,000 字 of 事迹 print whole."""
    value_width = pdf.w - 2 * MARGIN - LABEL_WIDTH
    labels = wrapped_lines(pdf, LABEL_WIDTH - 2 * PAD, row.label) or [""]
    lines = _paragraphs(pdf, value_width - 2 * PAD, row.text)
    lines += [""] * max(row.min_lines - len(lines), len(labels) - len(lines), 0)
    bottom = pdf.h - 18
    while lines:
        room = int((bottom - pdf.get_y() - 2 * PAD) // LINE)
        if room < len(labels):
            pdf.add_page()
            continue
        chunk, lines = lines[:room], lines[room:]
        top = pdf.get_y()
        height = len(chunk) * LINE + 2 * PAD
        pdf.rect(MARGIN, top, LABEL_WIDTH, height)
        pdf.rect(MARGIN + LABEL_WIDTH, top, value_width, height)
        for index, label in enumerate(labels):
            pdf.set_xy(MARGIN + PAD, top + PAD + index * LINE)
            pdf.cell(LABEL_WIDTH - 2 * PAD, LINE, label, align="C")
        for index, line in enumerate(chunk):
            pdf.set_xy(MARGIN + LABEL_WIDTH + PAD, top + PAD + index * LINE)
            pdf.cell(value_width - 2 * PAD, LINE, line)
        pdf.set_xy(MARGIN, top + height)
        if lines:
            pdf.add_page()


def _box(pdf: FPDF, label: str, x: float, y: float, width: float) -> None:
    pdf.rect(x, y, width, BOX_HEIGHT)
    pdf.set_xy(x + PAD, y + PAD)
    pdf.cell(width - 2 * PAD, LINE, label)
    pdf.set_xy(x + PAD, y + BOX_HEIGHT - 3 * LINE)
    pdf.cell(width - 2 * PAD, LINE, "负责人签字：", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.cell(width - 2 * PAD, LINE, "（盖章）", align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.cell(width - 2 * PAD, LINE, "年    月    日", align="R")


def _signatures(pdf: FPDF) -> None:
    if pdf.get_y() + BOX_HEIGHT + 4 > pdf.h - 18:
        pdf.add_page()
    top = pdf.get_y() + 4
    half = (pdf.w - 2 * MARGIN) / 2
    _box(pdf, "推荐单位意见", MARGIN, top, half)
    _box(pdf, "上级工会意见", MARGIN + half, top, half)
    pdf.set_xy(MARGIN, top + BOX_HEIGHT)


def approval_form_pdf(nomination: Nomination) -> bytes:
    """The 推荐审批表 of ``nomination`` as PDF bytes."""
    rows = _rows(nomination)
    campaign = nomination.campaign
    pdf = _FormPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_title(f"{campaign.name} 推荐审批表")
    pdf.set_creator("职工技能竞赛与荣誉平台")
    add_fonts(pdf, [campaign.name, *(r.label for r in rows), *(r.text for r in rows)])
    pdf.add_page()
    pdf.set_text_color(*INK)
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.3)
    pdf.set_font(FONT, size=12)
    pdf.cell(0, 7, campaign.name, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=20)
    pdf.cell(0, 12, "推荐审批表", align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=9)
    pdf.set_text_color(*MUTED)
    pdf.cell(
        0,
        6,
        f"编号：{campaign.id}-{nomination.id}　打印时间：{local_text(utcnow())}",
        align="R",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_text_color(*INK)
    pdf.set_font(FONT, size=10.5)
    for row in rows:
        _row(pdf, row)
    _signatures(pdf)
    return bytes(pdf.output())
