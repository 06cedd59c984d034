"""A campaign's lists as .xlsx for the union office (DESIGN: Excel is the lingua franca), and
its audit trail.

- 推荐汇总表: every nomination filed (drafts stay the unit's own), with its recommending unit,
  award, status, score and rank — for the organizers, so it has what review decided, but never
  an ID number, phone, birth date or address (the nomination's form is not read);
- 公示名单: the nominees of each 公示 notice as the notice printed them (DOMAIN §4 public
  fields) with its period, alternates marked, removed nominees left out;
- 表彰名单: the honors conferred, with 文号, date, certificate number and whether revoked;
- 审计日志: every entry about the campaign, its nominations, objections, stages and honors, in
  the columns of the admin's export (``contest.services.core.audit_log``). An objector's
  identity is never in the trail, so it is not in the export either.

Every export is audited (who took which list).
"""

from __future__ import annotations

from typing import IO

import pandas as pd
from sqlalchemy import ColumnElement, Select, String, and_, cast, or_, select
from sqlalchemy.orm import selectinload

from contest.extensions import db
from contest.models import AuditEntry, Gender, Honor, HonorSource, User
from contest.models.base import local_text
from contest.models.nomination import (
    NOMINATION_STATUS_LABELS,
    Campaign,
    Nomination,
    NominationStatus,
    Objection,
    ReviewStage,
)
from contest.services.core import audit, audit_log
from contest.services.core.spreadsheets import write_xlsx
from contest.services.honors import certificates
from contest.services.nominations import conferral, publicity

__all__ = [
    "AWARDS_HEADERS",
    "PUBLICITY_HEADERS",
    "SUMMARY_HEADERS",
    "audit_trail",
    "awards_list",
    "campaign_entries",
    "publicity_list",
    "summary",
]

SUMMARY_HEADERS = (
    "序号",
    "奖项",
    "推荐单位",
    "姓名（名称）",
    "性别",
    "工作单位",
    "岗位/职务",
    "技能等级/职称",
    "类别",
    "状态",
    "得分",
    "排名",
    "报送时间",
)
PUBLICITY_HEADERS = (
    "序号",
    "公示",
    "奖项",
    "姓名（名称）",
    "单位",
    "岗位/职务",
    "技能等级/职称",
    "类型",
    "公示开始",
    "公示结束",
)
AWARDS_HEADERS = (
    "序号",
    "荣誉称号",
    "姓名（名称）",
    "单位",
    "岗位/职务",
    "技能等级/职称",
    "授予机关",
    "文号",
    "授予日期",
    "证书编号",
    "状态",
)
_WIDTHS = {
    "奖项": 22,
    "荣誉称号": 24,
    "推荐单位": 26,
    "姓名（名称）": 18,
    "工作单位": 28,
    "单位": 28,
    "岗位/职务": 18,
    "技能等级/职称": 16,
    "类别": 24,
    "授予机关": 22,
    "文号": 20,
    "证书编号": 24,
    "报送时间": 18,
}


def _gender_word(nomination: Nomination) -> str:
    person = nomination.person
    if person is None or person.gender is None:
        return ""
    return "女" if person.gender is Gender.FEMALE else "男"


def _status_word(status: NominationStatus) -> str:
    return str(NOMINATION_STATUS_LABELS[status])


def _write(
    actor: User | None,
    campaign: Campaign,
    kind: str,
    frame: pd.DataFrame,
    out: IO[bytes],
    title: str,
) -> int:
    write_xlsx(frame, out, sheet_title=title, widths=_WIDTHS)
    audit.record(
        actor, "campaign.export", "campaign", campaign.id, after={"list": kind, "rows": len(frame)}
    )
    return len(frame)


def summary(actor: User | None, campaign: Campaign, out: IO[bytes]) -> int:
    """推荐汇总表 (see the module docstring); returns the number of rows."""
    rows = db.session.scalars(
        select(Nomination)
        .where(Nomination.campaign_id == campaign.id, Nomination.status != NominationStatus.DRAFT)
        .options(selectinload(Nomination.person), selectinload(Nomination.unit))
    ).all()
    order = publicity.award_order(campaign)
    rows = sorted(
        rows,
        key=lambda n: (
            order.get(n.award, len(order)),
            n.rank is None,
            n.rank or 0,
            n.unit.name if n.unit else "",
            n.id,
        ),
    )
    data = [
        (
            number,
            publicity.award_title(campaign, n.award),
            n.unit.name if n.unit else "",
            n.name,
            _gender_word(n),
            n.unit_name or "",
            n.post or "",
            n.skill_level or "",
            "、".join(n.categories or []),
            _status_word(n.status),
            float(n.score) if n.score is not None else None,
            n.rank,
            local_text(n.submitted_at) if n.submitted_at else "",
        )
        for number, n in enumerate(rows, start=1)
    ]
    frame = pd.DataFrame(data, columns=list(SUMMARY_HEADERS))
    return _write(actor, campaign, "summary", frame, out, "推荐汇总表")


def publicity_list(actor: User | None, campaign: Campaign, out: IO[bytes]) -> int:
    """公示名单: each notice's nominees with its period; returns the number of rows."""
    data: list[tuple[object, ...]] = []
    for notice in publicity.notices_of(campaign):
        kind = "递补公示" if notice.is_supplement else "公示"
        for nomination in publicity.published_nominees(campaign, notice):
            shown = publicity.public_nominee(campaign, nomination)
            data.append(
                (
                    len(data) + 1,
                    kind,
                    shown.title,
                    shown.name + ("（女）" if shown.is_female else ""),
                    shown.unit or "",
                    shown.post or "",
                    shown.skill_level or "",
                    "递补人选" if shown.is_alternate else "拟表彰",
                    notice.starts_on.isoformat(),
                    notice.ends_on.isoformat(),
                )
            )
    frame = pd.DataFrame(data, columns=list(PUBLICITY_HEADERS))
    return _write(actor, campaign, "publicity", frame, out, "公示名单")


def awards_list(actor: User | None, campaign: Campaign, out: IO[bytes]) -> int:
    """表彰名单: the honors conferred (revoked ones marked); returns the number of rows."""
    data = [
        (
            number,
            honor.display_title,
            honor.recipient_name,
            honor.unit_name or "",
            honor.post or "",
            honor.skill_level or "",
            honor.conferring_body or "",
            honor.document_number or "",
            honor.conferred_on.isoformat() if honor.conferred_on else "",
            certificates.number_of(honor),
            "已撤销" if honor.is_revoked else "有效",
        )
        for number, honor in enumerate(conferral.conferred_honors(campaign), start=1)
    ]
    frame = pd.DataFrame(data, columns=list(AWARDS_HEADERS))
    return _write(actor, campaign, "awards", frame, out, "表彰名单")


def _ids(column: object, where: ColumnElement[bool]) -> Select[tuple[str]]:
    return select(cast(column, String(40))).where(where)  # type: ignore[arg-type]


def campaign_entries(campaign: Campaign) -> Select[tuple[AuditEntry]]:
    """The audit entries about the campaign and what belongs to it, newest first."""
    of_campaign = {
        "nomination": _ids(Nomination.id, Nomination.campaign_id == campaign.id),
        "objection": _ids(Objection.id, Objection.campaign_id == campaign.id),
        "review_stage": _ids(ReviewStage.id, ReviewStage.campaign_id == campaign.id),
        "honor": _ids(
            Honor.id,
            and_(
                Honor.source == HonorSource.CAMPAIGN,
                Honor.source_ref == conferral.source_ref(campaign),
            ),
        ),
    }
    return (
        select(AuditEntry)
        .where(
            or_(
                and_(
                    AuditEntry.target_type == "campaign", AuditEntry.target_id == str(campaign.id)
                ),
                *(
                    and_(AuditEntry.target_type == kind, AuditEntry.target_id.in_(ids))
                    for kind, ids in of_campaign.items()
                ),
            )
        )
        .order_by(AuditEntry.id.desc())
    )


def audit_trail(actor: User | None, campaign: Campaign, out: IO[bytes]) -> int:
    """The campaign's whole audit trail as .xlsx (the export itself is audited)."""
    count = audit_log.write_entries(campaign_entries(campaign), out)
    audit.record(
        actor, "campaign.export", "campaign", campaign.id, after={"list": "audit", "rows": count}
    )
    return count
