"""征求意见: the departments whose opinion a nominee needs, and their answers (DOMAIN §3
rule 22; issue 13 item 6).

An enterprise head needs the clearance of 市场监管, 税务, 人社, 应急管理, 生态环境 …, a cadre
that of 组织人事 and 纪检监察: the campaign's checklist per nominee group (``Campaign.materials``,
read through ``campaigns.departments_for``), applied to the groups the nominee counts in
(``groups.categories_for``). The organizer records each department's answer — 无异议, or 有问题
with a note saying what — as the letters come back; a department not on the nominee's checklist
is refused, and every answer is audited against the nomination. The answers are shown beside the
review decision (the 征求意见 stage decides with them in view); they decide nothing by
themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from contest.extensions import db
from contest.models import Consultation, Nomination, User
from contest.services.core import audit
from contest.services.nominations import campaigns, groups
from contest.services.nominations.review import NotPermitted, ReviewError, checked_text

__all__ = ["NOTE_MAX", "Answer", "Summary", "answers", "checklist", "record", "summary"]

NOTE_MAX = 500


def checklist(nomination: Nomination) -> list[str]:
    """The departments whose opinion ``nomination`` needs, in checklist order."""
    return campaigns.departments_for(nomination.campaign, groups.categories_for(nomination))


@dataclass(frozen=True)
class Answer:
    """One department of the checklist and its answer (``row`` None: none yet)."""

    department: str
    row: Consultation | None

    @property
    def answered(self) -> bool:
        return self.row is not None and self.row.cleared is not None

    @property
    def cleared(self) -> bool | None:
        return None if self.row is None else self.row.cleared

    @property
    def note(self) -> str:
        return (self.row.note or "") if self.row is not None else ""


def answers(nomination: Nomination) -> list[Answer]:
    """The checklist with each department's answer, in checklist order."""
    rows = {
        row.department: row
        for row in db.session.scalars(
            select(Consultation).where(Consultation.nomination_id == nomination.id)
        )
    }
    return [Answer(department, rows.get(department)) for department in checklist(nomination)]


@dataclass(frozen=True)
class Summary:
    total: int
    cleared: int
    issues: int

    @property
    def waiting(self) -> int:
        return self.total - self.cleared - self.issues


def summary(nomination: Nomination) -> Summary:
    found = answers(nomination)
    return Summary(
        total=len(found),
        cleared=sum(1 for a in found if a.cleared is True),
        issues=sum(1 for a in found if a.cleared is False),
    )


def record(
    actor: User, nomination: Nomination, department: str, cleared: bool | None, note: str | None
) -> Consultation:
    """Record (or correct) one department's answer: ``cleared`` True 无异议, False 有问题 (a
    note required), None 尚未回复 (clears the answer)."""
    if not nomination.campaign.can_manage(actor):
        raise NotPermitted(_("只有本评选的组织者可以记录征求意见结果。"))
    if department not in checklist(nomination):
        raise ReviewError(_("“%(name)s”不在该推荐的征求意见范围内", name=department), "department")
    text = checked_text(note, "note", _("问题说明"), NOTE_MAX, required=cleared is False)
    row = db.session.scalar(
        select(Consultation).where(
            Consultation.nomination_id == nomination.id, Consultation.department == department
        )
    )
    before = None if row is None else {"cleared": row.cleared, "note": row.note}
    if row is None:
        row = Consultation(nomination_id=nomination.id, department=department)
        db.session.add(row)
    row.cleared = cleared
    row.note = text or None
    row.recorded_by_id = actor.id
    db.session.flush()
    audit.record(
        actor,
        "nomination.consultation",
        "nomination",
        nomination.id,
        before=before,
        after={"department": department, "cleared": cleared, "note": row.note},
    )
    return row
