"""Revocation of an honor along the chain that conferred it (DOMAIN §3 rule 25; issue #14 item 5).

A **case** (:class:`~contest.models.Revocation`) names one honor, a ground (a key of
:data:`contest.services.nominations.conferral.GROUNDS` — the grounds live there only), the
facts and evidence (判决书, 处分决定: PDF, JPEG or PNG, checked by
:mod:`contest.services.core.uploads`). It passes the unions that conferred it, in order:

1. **单位工会报告** — the *reporting union*: the caring union of the honoree's file, else the
   honor's organisation, else the acting user's union. It drafts the case, attaches the
   evidence and submits it.
2. **原推荐工会审核** — the *nominating union*: for a campaign honor the unit that recommended
   the nominee (``Nomination.unit_id``), otherwise the reporting union's parent.
3. **同级工会审核** — the *same-level union*: for a campaign honor the campaign's host, otherwise
   the nearest union above the reporting one whose tier (:func:`authority.tier_of`) is the
   honor's level, else the top of the tree.
4. **授予机关决定** — the same-level union records the conferring body's decision with its 文号
   and date; the honor is then revoked through the service that owns it (a campaign's honor
   through :func:`conferral.revoke`, any other through :func:`records.revoke_honor`): it
   leaves the wall, ``/verify`` says 已撤销 and nothing more, the record stays.

Any review step may send the case back to the reporting union (with a note) or end it as
不予撤销 (with a note). After the revocation, the medal's and certificate's recovery and the day
benefits stop are recorded. At each step the admins and the care or organizer users whose union
contains that step's union may act. Each act appends a :class:`RevocationEntry` and an audit
entry (``revocation.*``); opening the evidence is audited too. Nothing of a case is public.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from contest.extensions import db
from contest.models import (
    Honor,
    HonoreeFile,
    HonorStatus,
    Organization,
    ReviewOutcome,
    ReviewVerdict,
    Revocation,
    RevocationEntry,
    RevocationEvidence,
    RevocationStep,
    Role,
    User,
)
from contest.models.nomination import Nomination
from contest.services.core import audit
from contest.services.core.authority import tier_of
from contest.services.core.uploads import Upload, checked_document, size_text
from contest.services.honors import records
from contest.services.honors.validity import today
from contest.services.nominations import conferral
from contest.services.nominations.attachments import MAX_ATTACHMENT_BYTES
from contest.validation import text_problem

__all__ = [
    "ACTING_ROLES",
    "DOCUMENT_MAX",
    "FACTS_MAX",
    "MAX_EVIDENCE",
    "MAX_EVIDENCE_BYTES",
    "NOTE_MAX",
    "REVIEW_STEPS",
    "Chain",
    "ChainStep",
    "EvidenceFile",
    "RevocationError",
    "add_evidence",
    "cases_for",
    "chain_of",
    "decide",
    "evidence_of",
    "file_of",
    "forward",
    "may_act",
    "may_open",
    "may_record_recovery",
    "may_view",
    "open_case",
    "open_case_of",
    "open_evidence",
    "record_recovery",
    "reject",
    "remove_evidence",
    "send_back",
    "step_union",
    "steps_of",
    "submit",
    "update_case",
    "valid_honors_of",
]

FACTS_MAX = 2000
NOTE_MAX = 1000
DOCUMENT_MAX = conferral.DOCUMENT_MAX
MAX_EVIDENCE_BYTES = MAX_ATTACHMENT_BYTES  # the same limit as a nomination's materials
MAX_EVIDENCE = 20
# The 劳模服务 role of each union along the chain acts for it (admins act anywhere); the
# care area admits no other role.
ACTING_ROLES = (Role.CARE,)
REVIEW_STEPS = (RevocationStep.NOMINATING, RevocationStep.SAME_LEVEL, RevocationStep.DECISION)
CHAIN_STEPS = (RevocationStep.UNIT_REPORT, *REVIEW_STEPS)
_NEXT = {
    RevocationStep.UNIT_REPORT: RevocationStep.NOMINATING,
    RevocationStep.NOMINATING: RevocationStep.SAME_LEVEL,
    RevocationStep.SAME_LEVEL: RevocationStep.DECISION,
}


class RevocationError(ValueError):
    """A refused act on a case: the message and the field it concerns (None: the whole form)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# ---------------------------------------------------------------- the chain


@dataclass(frozen=True)
class Chain:
    """The unions a case passes: reporting, original nominating, same level (conferring)."""

    reporting: Organization | None
    nominating: Organization | None
    same_level: Organization | None


def file_of(honor: Honor) -> HonoreeFile | None:
    """The 劳模 file of the honor's person, if the union keeps one."""
    if honor.person_id is None:
        return None
    return db.session.scalars(
        select(HonoreeFile).where(HonoreeFile.person_id == honor.person_id)
    ).first()


def _nominating_unit(honor: Honor) -> Organization | None:
    unit_id = db.session.scalar(select(Nomination.unit_id).where(Nomination.honor_id == honor.id))
    return db.session.get(Organization, unit_id) if unit_id else None


def _same_level_above(org: Organization, honor: Honor) -> Organization:
    """The nearest union at or above ``org`` whose tier is the honor's level, else the root."""
    line = org.ancestors() or [org]
    for ancestor in reversed(line):
        if tier_of(ancestor) is honor.level:
            return ancestor
    return line[0]


def chain_of(actor: User, honor: Honor, file: HonoreeFile | None = None) -> Chain:
    """The chain a case of ``honor`` would follow (see the module docstring)."""
    reporting = (
        file.care_organization if file is not None else honor.organization
    ) or actor.organization
    if reporting is None:
        return Chain(None, None, None)
    campaign = conferral.campaign_of(honor)
    if campaign is not None:
        nominating = _nominating_unit(honor) or reporting.parent or reporting
        return Chain(reporting, nominating, campaign.organization)
    return Chain(reporting, reporting.parent or reporting, _same_level_above(reporting, honor))


def step_union(case: Revocation, step: RevocationStep | None = None) -> Organization | None:
    """The union that acts at ``step`` (default the case's current step)."""
    step = step or case.step
    if step is RevocationStep.UNIT_REPORT:
        return case.reporting_organization
    if step is RevocationStep.NOMINATING:
        return case.nominating_organization
    if step in (RevocationStep.SAME_LEVEL, RevocationStep.DECISION):
        return case.same_level_organization
    return None


def _acts_for(user: User, org: Organization | None) -> bool:
    if user.role is Role.ADMIN:
        return True
    return user.role in ACTING_ROLES and org is not None and user.can_manage_org(org)


def may_act(user: User, case: Revocation) -> bool:
    """Whether ``user`` acts at the case's current step (admins; care and organizer users
    whose union contains that step's union)."""
    return case.step.is_open and _acts_for(user, step_union(case))


def may_view(user: User, case: Revocation) -> bool:
    """Admins, and care or organizer users whose union contains one of the chain's unions."""
    unions = (
        case.reporting_organization,
        case.nominating_organization,
        case.same_level_organization,
    )
    return any(_acts_for(user, org) for org in unions)


def may_record_recovery(user: User, case: Revocation) -> bool:
    """The reporting union (which takes the medal and certificate back) and the deciding one."""
    return case.step is RevocationStep.REVOKED and (
        _acts_for(user, case.reporting_organization)
        or _acts_for(user, case.same_level_organization)
    )


def may_open(user: User, honor: Honor, file: HonoreeFile | None = None) -> bool:
    return _acts_for(user, chain_of(user, honor, file or file_of(honor)).reporting)


def cases_for(user: User) -> list[Revocation]:
    """The cases ``user`` sees: those where they must act first, then the others, newest first."""
    query = select(Revocation).options(
        selectinload(Revocation.honor),
        selectinload(Revocation.reporting_organization),
        selectinload(Revocation.nominating_organization),
        selectinload(Revocation.same_level_organization),
    )
    if user.role is not Role.ADMIN:
        if user.role not in ACTING_ROLES or user.organization is None:
            return []
        subtree = user.organization.subtree_ids_query()
        query = query.where(
            or_(
                Revocation.reporting_organization_id.in_(subtree),
                Revocation.nominating_organization_id.in_(subtree),
                Revocation.same_level_organization_id.in_(subtree),
            )
        )
    cases = list(db.session.scalars(query.order_by(Revocation.id.desc())))
    return sorted(cases, key=lambda c: (not may_act(user, c), not c.step.is_open))


def open_case_of(honor: Honor) -> Revocation | None:
    return db.session.scalars(
        select(Revocation).where(
            Revocation.honor_id == honor.id,
            Revocation.step.notin_([RevocationStep.REVOKED, RevocationStep.REJECTED]),
        )
    ).first()


def valid_honors_of(file: HonoreeFile) -> list[Honor]:
    """The honors a 建议撤销 outcome may lead to: the person's honors not yet revoked."""
    return list(
        db.session.scalars(
            select(Honor)
            .where(Honor.person_id == file.person_id, Honor.status == HonorStatus.VALID)
            .order_by(Honor.level_rank, Honor.year)
        )
    )


@dataclass(frozen=True)
class ChainStep:
    """One step as the case page lists it: the union, its entries, and where the case is."""

    step: RevocationStep
    union: Organization | None
    entries: list[RevocationEntry]
    state: str  # done, current, waiting


def steps_of(case: Revocation) -> list[ChainStep]:
    """The chain's steps with their entries and state, then the ending (已撤销 or 不予撤销).
    A rejected case lists the steps up to the one that rejected it."""
    shown: tuple[RevocationStep, ...] = CHAIN_STEPS
    if case.step is RevocationStep.REJECTED:
        last = next(
            (e.step for e in reversed(case.history) if e.action == "reject"),
            RevocationStep.DECISION,
        )
        shown = CHAIN_STEPS[: CHAIN_STEPS.index(last) + 1]
    found = []
    passed = True
    for step in shown:
        if step is case.step:
            state, passed = "current", False
        else:
            state = "done" if passed else "waiting"
        entries = [e for e in case.history if e.step is step]
        found.append(ChainStep(step, step_union(case, step), entries, state))
    if not case.step.is_open:
        entries = [e for e in case.history if e.step is case.step]
        found.append(ChainStep(case.step, None, entries, "done"))
    return found


# ---------------------------------------------------------------- checks


def _text(value: str | None, field: str, label: str, limit: int, *, required: bool) -> str:
    text = (value or "").replace("\r\n", "\n").strip()
    if required and not text:
        raise RevocationError(_("请填写%(label)s", label=label), field)
    if len(text) > limit:
        raise RevocationError(_("%(label)s最长 %(n)d 个字", label=label, n=limit), field)
    problem = text_problem(text, multiline=field != "document_number")
    if problem:
        raise RevocationError(_("%(label)s：%(problem)s", label=label, problem=problem), field)
    return text


def _ground(value: str | None) -> str:
    if value not in conferral.GROUNDS:
        raise RevocationError(_("请选择撤销依据"), "ground")
    return value


def _lock(case: Revocation) -> Revocation:
    """The case row locked for this transaction (PostgreSQL): two users acting on one step at
    once cannot both pass the check."""
    locked = db.session.scalar(
        select(Revocation)
        .where(Revocation.id == case.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert locked is not None
    return locked


def _acting(actor: User, case: Revocation, *steps: RevocationStep) -> Revocation:
    case = _lock(case)
    if case.step not in steps:
        raise RevocationError(_("撤销案目前处于“%(step)s”，不能进行此操作", step=case.step.label))
    if not may_act(actor, case):
        union = step_union(case)
        raise RevocationError(_("此环节由%(org)s办理", org=union.name if union else _("上级工会")))
    return case


def _log(
    actor: User,
    case: Revocation,
    step: RevocationStep,
    action: str,
    note: str | None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    union = step_union(case, step)
    db.session.add(
        RevocationEntry(
            revocation_id=case.id,
            step=step,
            action=action.removeprefix("revocation."),
            note=note or None,
            actor_id=actor.id,
            organization_id=union.id if union else None,
        )
    )
    db.session.flush()
    audit.record(
        actor,
        action,
        "revocation",
        case.id,
        before=before,
        after={"honor_id": case.honor_id, "step": case.step.value, **(after or {})},
        reason=note or None,
    )


# ---------------------------------------------------------------- the acts


def open_case(
    actor: User,
    honor: Honor,
    ground: str | None,
    facts: str | None,
    file: HonoreeFile | None = None,
    outcome: ReviewOutcome | None = None,
) -> Revocation:
    """Open a case at 单位工会报告 (see the module docstring). Refused for a revoked honor,
    an honor with an open case, an outcome that is not 建议撤销 or of another person, and for
    users who do not act for the reporting union."""
    if honor.is_revoked:
        raise RevocationError(_("该荣誉已被撤销"))
    if open_case_of(honor) is not None:
        raise RevocationError(_("该荣誉已有正在办理的撤销案"))
    if outcome is not None:
        if outcome.verdict is not ReviewVerdict.REVOKE:
            raise RevocationError(_("只有复核结论为“建议撤销”的档案才能由此发起撤销"))
        file = outcome.file
    file = file or file_of(honor)
    if file is not None and file.person_id != honor.person_id:
        raise RevocationError(_("该荣誉不属于这份劳模档案"))
    chain = chain_of(actor, honor, file)
    if chain.reporting is None or not _acts_for(actor, chain.reporting):
        raise RevocationError(_("您不能为该荣誉提出撤销：报告单位不在您的负责范围内"))
    key = _ground(ground)
    text = _text(facts, "facts", _("事实和理由"), FACTS_MAX, required=True)
    case = Revocation(
        honor=honor,
        file=file,
        review_outcome_id=outcome.id if outcome else None,
        ground=key,
        facts=text,
        step=RevocationStep.UNIT_REPORT,
        reporting_organization=chain.reporting,
        nominating_organization=chain.nominating,
        same_level_organization=chain.same_level,
        created_by_id=actor.id,
    )
    db.session.add(case)
    db.session.flush()
    _log(
        actor,
        case,
        RevocationStep.UNIT_REPORT,
        "revocation.create",
        None,
        after={
            "ground": key,
            "file_id": case.file_id,
            "review_outcome_id": case.review_outcome_id,
            "reporting_organization_id": case.reporting_organization_id,
            "nominating_organization_id": case.nominating_organization_id,
            "same_level_organization_id": case.same_level_organization_id,
        },
    )
    return case


def update_case(actor: User, case: Revocation, ground: str | None, facts: str | None) -> Revocation:
    """Correct the ground and facts while the reporting union holds the case."""
    case = _acting(actor, case, RevocationStep.UNIT_REPORT)
    key = _ground(ground)
    text = _text(facts, "facts", _("事实和理由"), FACTS_MAX, required=True)
    before = {"ground": case.ground, "facts_chars": len(case.facts)}
    case.ground, case.facts = key, text
    _log(
        actor,
        case,
        RevocationStep.UNIT_REPORT,
        "revocation.update",
        None,
        before=before,
        after={"ground": key, "facts_chars": len(text)},
    )
    return case


def _advance(case: Revocation, to: RevocationStep) -> RevocationStep:
    """Move the case to ``to``; the step it was at."""
    step = case.step
    case.step = to
    db.session.flush()
    return step


def submit(actor: User, case: Revocation, note: str | None = None) -> Revocation:
    """The reporting union sends the case up to the nominating union."""
    case = _acting(actor, case, RevocationStep.UNIT_REPORT)
    text = _text(note, "note", _("意见"), NOTE_MAX, required=False)
    step = _advance(case, RevocationStep.NOMINATING)
    _log(actor, case, step, "revocation.submit", text, before={"step": step.value})
    return case


def forward(actor: User, case: Revocation, note: str | None = None) -> Revocation:
    """The nominating union passes it to the same-level union, which passes it to the
    decision."""
    case = _acting(actor, case, RevocationStep.NOMINATING, RevocationStep.SAME_LEVEL)
    text = _text(note, "note", _("意见"), NOTE_MAX, required=False)
    step = _advance(case, _NEXT[case.step])
    _log(actor, case, step, "revocation.forward", text, before={"step": step.value})
    return case


def send_back(actor: User, case: Revocation, note: str | None) -> Revocation:
    """Back to the reporting union (to complete the facts or evidence), saying why."""
    case = _acting(actor, case, *REVIEW_STEPS)
    text = _text(note, "note", _("退回理由"), NOTE_MAX, required=True)
    step = _advance(case, RevocationStep.UNIT_REPORT)
    _log(actor, case, step, "revocation.return", text, before={"step": step.value})
    return case


def reject(actor: User, case: Revocation, note: str | None) -> Revocation:
    """不予撤销: the case ends here, the honor stands."""
    case = _acting(actor, case, *REVIEW_STEPS)
    text = _text(note, "note", _("不予撤销的理由"), NOTE_MAX, required=True)
    step = _advance(case, RevocationStep.REJECTED)
    _log(actor, case, step, "revocation.reject", text, before={"step": step.value})
    return case


def decide(
    actor: User,
    case: Revocation,
    document_number: str | None,
    decided_on: date | None,
    note: str | None,
) -> Revocation:
    """The conferring body decided to revoke: its 文号 and date. The honor is revoked by the
    service that owns it and the case becomes 已撤销."""
    case = _acting(actor, case, RevocationStep.DECISION)
    number = _text(document_number, "document_number", _("撤销文号"), DOCUMENT_MAX, required=True)
    if decided_on is None:
        raise RevocationError(_("请填写撤销决定日期"), "decided_on")
    if decided_on > today():
        raise RevocationError(_("撤销决定日期不能晚于今天"), "decided_on")
    honor = case.honor
    if honor.conferred_on is not None and decided_on < honor.conferred_on:
        raise RevocationError(_("撤销决定日期不能早于授予日期"), "decided_on")
    text = _text(note, "note", _("决定说明"), NOTE_MAX, required=False)
    why = text or case.facts
    try:
        if conferral.campaign_of(honor) is not None:
            conferral.revoke(actor, honor, case.ground, number, decided_on, why)
        else:
            records.revoke_honor(
                actor, honor, conferral.revocation_text(case.ground, number, decided_on, why)
            )
    except (conferral.ConferralError, records.HonorError) as error:
        raise RevocationError(str(error)) from None
    case.document_number = number
    case.decided_on = decided_on
    step = _advance(case, RevocationStep.REVOKED)
    _log(
        actor,
        case,
        step,
        "revocation.decide",
        text,
        before={"step": step.value},
        after={"document_number": number, "decided_on": decided_on.isoformat()},
    )
    return case


def record_recovery(
    actor: User,
    case: Revocation,
    medal_recovered_on: date | None,
    certificate_recovered_on: date | None,
    benefits_stop_on: date | None,
) -> Revocation:
    """After the revocation: when the medal and the certificate came back and when benefits
    stop (each may be added later; none before the decision, none in the future)."""
    if case.step is not RevocationStep.REVOKED:
        raise RevocationError(_("撤销决定作出后才能登记收回情况"))
    if not may_record_recovery(actor, case):
        raise RevocationError(_("您不能登记该撤销案的收回情况"))
    values = {
        "medal_recovered_on": medal_recovered_on,
        "certificate_recovered_on": certificate_recovered_on,
        "benefits_stop_on": benefits_stop_on,
    }
    if all(v is None for v in values.values()):
        raise RevocationError(_("请至少填写一个日期"))
    labels = {
        "medal_recovered_on": _("奖章收回日期"),
        "certificate_recovered_on": _("证书收回日期"),
        "benefits_stop_on": _("待遇停止日期"),
    }
    for key, day in values.items():
        if day is None:
            continue
        if case.decided_on is not None and day < case.decided_on:
            raise RevocationError(
                _(
                    "%(label)s不能早于撤销决定日期（%(day)s）",
                    label=labels[key],
                    day=case.decided_on.isoformat(),
                ),
                key,
            )
        if day > today():
            raise RevocationError(_("%(label)s不能晚于今天", label=labels[key]), key)
    case = _lock(case)
    before = {k: getattr(case, k).isoformat() if getattr(case, k) else None for k in values}
    for key, day in values.items():
        setattr(case, key, day)
    db.session.flush()
    _log(
        actor,
        case,
        RevocationStep.REVOKED,
        "revocation.recovery",
        None,
        before=before,
        after={k: v.isoformat() if v else None for k, v in values.items()},
    )
    return case


# ---------------------------------------------------------------- evidence


@dataclass(frozen=True)
class EvidenceFile:
    """A piece of evidence as listed (its bytes are read only when it is opened)."""

    id: int
    filename: str
    content_type: str
    size: int

    @property
    def size_text(self) -> str:
        return size_text(self.size)


def evidence_of(case: Revocation) -> list[EvidenceFile]:
    rows = db.session.execute(
        select(
            RevocationEvidence.id,
            RevocationEvidence.filename,
            RevocationEvidence.content_type,
            RevocationEvidence.size,
        )
        .where(RevocationEvidence.revocation_id == case.id)
        .order_by(RevocationEvidence.id)
    )
    return [EvidenceFile(r.id, r.filename, r.content_type, r.size) for r in rows]


def add_evidence(actor: User, case: Revocation, upload: Upload) -> RevocationEvidence:
    """Attach a PDF, JPEG or PNG (checked by its bytes) while the reporting union holds the case."""
    case = _acting(actor, case, RevocationStep.UNIT_REPORT)
    if len(evidence_of(case)) >= MAX_EVIDENCE:
        raise RevocationError(_("证据材料最多 %(n)d 个文件", n=MAX_EVIDENCE), "file")
    try:
        name, kind = checked_document(upload, MAX_EVIDENCE_BYTES, _("证据材料"))
    except ValueError as error:
        raise RevocationError(str(error), "file") from None
    evidence = RevocationEvidence(
        revocation_id=case.id,
        filename=name,
        content_type=kind,
        size=len(upload.data),
        data=upload.data,
        uploaded_by_id=actor.id,
    )
    db.session.add(evidence)
    db.session.flush()
    audit.record(
        actor,
        "revocation.evidence.add",
        "revocation",
        case.id,
        after={"filename": evidence.filename, "type": kind, "bytes": evidence.size},
    )
    return evidence


def _evidence_in(case: Revocation, evidence_id: int) -> RevocationEvidence:
    evidence = db.session.get(RevocationEvidence, evidence_id)
    if evidence is None or evidence.revocation_id != case.id:
        raise RevocationError(_("没有这份证据材料"))
    return evidence


def remove_evidence(actor: User, case: Revocation, evidence_id: int) -> None:
    case = _acting(actor, case, RevocationStep.UNIT_REPORT)
    evidence = _evidence_in(case, evidence_id)
    before = {"filename": evidence.filename, "type": evidence.content_type, "bytes": evidence.size}
    db.session.delete(evidence)
    db.session.flush()
    audit.record(actor, "revocation.evidence.remove", "revocation", case.id, before=before)


def open_evidence(actor: User, case: Revocation, evidence_id: int) -> RevocationEvidence:
    """A piece of evidence for someone who may see the case; the opening is audited."""
    if not may_view(actor, case):
        raise RevocationError(_("没有这份证据材料"))
    evidence = _evidence_in(case, evidence_id)
    audit.record(
        actor,
        "revocation.evidence.view",
        "revocation",
        case.id,
        after={"evidence_id": evidence.id, "filename": evidence.filename},
    )
    return evidence
