"""The 票数统计表 of a closed ballot: a printed A4 sheet the committee signs.

It carries each nominee's 赞成 / 反对 / 弃权 and whether they passed, the committee's size, those
present, the quorum and the pass rule in words, the places and any tie left open — the figures
of ``ballots.result``, printed with the platform's embedded font (``contest.services.core.pdf``)
— and signature lines for the chair, the tellers (监票人, 计票人) and every member by name. It is
printed after the close only: while a ballot is open its counts are nobody's.
"""

from __future__ import annotations

from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from fpdf.fonts import FontFace

from contest.models import Ballot, ReviewStage, User
from contest.models.base import local_time
from contest.services.core.pdf import FONT, add_fonts
from contest.services.nominations import ballots
from contest.services.nominations.ballots import BallotResult

__all__ = ["PLACE_LABELS", "sheet_pdf"]

INK = (30, 30, 30)
MUTED = (110, 110, 110)
LINE = (120, 120, 120)
MARGIN = 18.0
WIDTH = 210.0 - 2 * MARGIN


def place_label(place: str, *, runoff_pending: bool) -> str:
    """What the result column says of a nominee."""
    if place == "elected":
        return str(_("通过"))
    if place == "failed":
        return str(_("未通过"))
    if place == "out":
        return str(_("未进入名额"))
    return str(_("得票并列，再次投票") if runoff_pending else _("得票并列，待主持人决定"))


PLACE_LABELS = ("elected", "failed", "out", "tied")


def _text(
    pdf: FPDF,
    text: str,
    size: float,
    *,
    height: float = 6.5,
    color: tuple[int, ...] = INK,
    align: Align = Align.L,
) -> None:
    pdf.set_font(FONT, size=size)
    pdf.set_text_color(*color)
    pdf.multi_cell(WIDTH, height, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _signature_line(pdf: FPDF, label: str, count: int) -> None:
    pdf.set_font(FONT, size=11)
    pdf.set_text_color(*INK)
    width = pdf.get_string_width(label) + 2
    pdf.cell(width, 11, label)
    blank = (WIDTH - width) / count
    y = pdf.get_y() + 9
    pdf.set_draw_color(*LINE)
    for index in range(count):
        x = MARGIN + width + index * blank
        pdf.line(x + 2, y, x + blank - 4, y)
    pdf.ln(12)


def sheet_pdf(
    ballot: Ballot,
    stage: ReviewStage,
    outcome: BallotResult,
    members: list[User],
    *,
    runoff_pending: bool,
) -> bytes:
    """The sheet of ``outcome`` (``ballots.result`` of the closed ``ballot``); ``members``: the
    committee as it signs, chair first."""
    campaign = stage.campaign
    award = ballots.ballot_award(ballot) or ""
    title = _("%(stage)s无记名投票票数统计表", stage=stage.name)
    if ballot.parent_id is not None:
        title += _("（再次投票）")
    people = [row.nomination for row in outcome.rows]
    texts = [
        campaign.name,
        stage.name,
        *(p.name for p in people),
        *(p.unit_name or "" for p in people),
        *(m.name for m in members),
    ]

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.set_title(title)
    pdf.set_creator(_("职工技能竞赛与荣誉平台"))
    add_fonts(pdf, texts)
    pdf.add_page()

    _text(pdf, campaign.name, 11, color=MUTED, align=Align.C)
    _text(pdf, title, 17, height=10, align=Align.C)
    pdf.ln(2)
    closed = local_time(ballot.closed_at).strftime("%Y-%m-%d %H:%M") if ballot.closed_at else "—"
    facts = [
        _("奖项：%(award)s", award=ballots.award_title(campaign, award)),
        _("名额：%(n)d 名", n=outcome.places) if outcome.places is not None else _("名额：不限"),
        _(
            "投票方式：%(how)s",
            how=_("纸质选票，两名计票人计票") if ballot.paper else _("电子投票"),
        ),
        _("计票时间：%(at)s", at=closed),
        _(
            "应到委员 %(m)d 人，实到（投票）%(p)d 人；法定人数 %(q)d 人，已达到。",
            m=outcome.members,
            p=outcome.present,
            q=outcome.quorum,
        ),
        _("通过规则：%(rule)s。", rule=ballots.rule_text(stage, outcome.members, outcome.present)),
    ]
    for fact in facts:
        _text(pdf, fact, 10.5, height=6)
    pdf.ln(3)

    pdf.set_font(FONT, size=10.5)
    pdf.set_text_color(*INK)
    pdf.set_draw_color(*LINE)
    headings = (
        _("序号"),
        _("被推荐人"),
        _("单位"),
        _("赞成"),
        _("反对"),
        _("弃权"),
        _("合计"),
        _("结果"),
    )
    with pdf.table(
        col_widths=(11, 24, 45, 13, 13, 13, 13, 42),
        text_align=("CENTER", "LEFT", "LEFT", "CENTER", "CENTER", "CENTER", "CENTER", "LEFT"),
        line_height=7,
        first_row_as_headings=True,
        headings_style=FontFace(emphasis="", fill_color=(238, 238, 238)),
    ) as table:
        table.row(headings)
        for index, row in enumerate(outcome.rows, start=1):
            table.row(
                (
                    str(index),
                    row.nomination.name,
                    row.nomination.unit_name or "",
                    str(row.yes),
                    str(row.no),
                    str(row.abstain),
                    str(row.total),
                    place_label(row.place, runoff_pending=runoff_pending),
                )
            )
    pdf.ln(3)
    if outcome.tied:
        _text(
            pdf,
            _(
                "得票并列：%(names)s，争 %(n)d 个名额，%(how)s。",
                names="、".join(n.name for n in outcome.tied),
                n=outcome.places_left,
                how=_("由再次投票决定") if runoff_pending else _("由主持人决定并说明理由"),
            ),
            10.5,
        )
    _text(pdf, _("本表由系统根据投票结果生成；无记名投票不记录委员的投票内容。"), 9, color=MUTED)
    pdf.ln(6)

    _signature_line(pdf, _("主持人（组长）签字："), 1)
    _signature_line(pdf, _("监票人签字："), 2)
    _signature_line(pdf, _("计票人签字："), 2)
    _text(pdf, _("评审委员会委员签字："), 11, height=9)
    columns = 3
    cell = WIDTH / columns
    pdf.set_font(FONT, size=10.5)
    pdf.set_draw_color(*LINE)
    for index, member in enumerate(members):
        if index % columns == 0:
            if index:
                pdf.ln(13)
            y = pdf.get_y()
        x = MARGIN + (index % columns) * cell
        pdf.set_xy(x, y)
        name = member.name
        width = min(pdf.get_string_width(name) + 2, cell / 2)
        pdf.cell(width, 9, name)
        pdf.line(x + width + 1, y + 8, x + cell - 5, y + 8)
    pdf.ln(20)
    _text(pdf, _("日期：        年      月      日"), 11)
    return bytes(pdf.output())
