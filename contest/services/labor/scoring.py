"""Who may mark what in a round of a labor competition or union rating, and the saves.

A round runs 自评中 → 考评中 → 已确认 → 已公布 (:mod:`contest.services.labor.round_results`
moves it). While it is 自评中 the participant fills in its own sheet (自评分, ``SheetRole.SELF``,
one per participant and round): its contact account does, or an organizer of the unit's own
union, item by item with a note and evidence files (佐证材料); submitting it is final for the
round. While it is 考评中 each member of the assessment team who covers the participant (every
track, or the one track they are limited to) fills in an assessor sheet (考评分, one each),
seeing the item's 标准分, the submitted 自评分, the note and the evidence. A participant's own
people (its contact, its unit's organizers) never assess it.

The marking itself — validation, the versioned save that refuses a stale form, the audit — is
the shared engine's (:func:`contest.services.assessment.sheets.write_sheet`); this module only
decides who may call it, when, and on which items. Rate items with a ``source`` (入会率,
会员满意率) are not typed by anyone: their figure comes from data when the chief confirms
(:func:`data_figure`), so no sheet holds them.

Evidence files are checked by their content, never their name, by the shared document check
(:mod:`contest.services.core.uploads`): a JPEG or PNG that decodes within the pixel limit the
photo uploads use, or a PDF; at most :data:`MAX_EVIDENCE_BYTES` each and
:data:`MAX_EVIDENCE_PER_ITEM` per item. They stay in the database like every upload and are
read only by the participant's own people, the assessors who assess it (once the
self-assessment is submitted) and the competition's organizers.

The per-item note is a ``SheetNote`` row beside the mark it explains.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, exists, or_, select
from sqlalchemy.orm import selectinload

from contest.extensions import db
from contest.models import (
    Aspect,
    Assessor,
    Competition,
    CompetitionStatus,
    MarkEvidence,
    Participant,
    Role,
    Round,
    RoundStatus,
    ScoreSheet,
    SheetNote,
    SheetRole,
    SheetStatus,
    User,
)
from contest.services.assessment.sheets import (
    MarkErrors,
    NotAllowed,
    SheetError,
    SheetLocked,
    bump,
    marks_of,
    points_of,
    validate_values,
    write_sheet,
)
from contest.services.core import audit
from contest.services.core.uploads import Upload, clean_filename, document_type, size_text
from contest.services.labor import indicators, membership, surveys
from contest.services.labor.base import LaborError, checked_text, covers
from contest.services.labor.rates import RateFigure
from contest.services.labor.recusal import recusal_reason
from contest.validation import text_problem

__all__ = [
    "MAX_EVIDENCE_BYTES",
    "MAX_EVIDENCE_PER_ITEM",
    "NOTE_MAX",
    "EvidenceFile",
    "MarkErrors",
    "NotAllowed",
    "RoundTasks",
    "SelfColumn",
    "SheetError",
    "SheetLocked",
    "Upload",
    "assess_refusal",
    "assessor_sheet",
    "assessor_tasks",
    "data_figure",
    "evidence_of",
    "may_read_evidence",
    "may_self_assess",
    "return_sheet",
    "round_items",
    "save_assessment",
    "save_self",
    "self_column",
    "self_refusal",
    "self_sheet",
    "self_tasks",
    "typed_items",
]

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
MAX_EVIDENCE_PER_ITEM = 5
NOTE_MAX = 500
REASON_MAX = 200


# ---------------------------------------------------------------- items


def round_items(competition: Competition) -> list[Aspect]:
    """Every item of the competition's indicator sheet, in sheet order."""
    return indicators.items_of(indicators.sheet_of(competition))


def typed_items(items: Iterable[Aspect]) -> list[Aspect]:
    """The items people mark: all but the rate items whose figure comes from data."""
    return [a for a in items if not a.source]


def data_figure(aspect: Aspect, participant: Participant) -> RateFigure:
    """The figure of a rate item filled from data: the unit's 入会率 from the organisation
    tree, or the 会员满意率 of its member survey; None with the reason when there is none."""
    if aspect.source == "membership_rate":
        return membership.participant_membership_rate(participant)
    if aspect.source == "satisfaction":
        survey = surveys.survey_of(participant)
        if survey is None:
            return RateFigure(None, _("未开展会员评家调查，无法计算满意率"))
        return surveys.satisfaction_rate(survey)
    return RateFigure(None, _("此项没有数据来源"))


# ---------------------------------------------------------------- who


def may_self_assess(user: User | Any, participant: Participant) -> bool:
    """The participant's contact account, or an organizer of the participant's own union."""
    if not getattr(user, "is_authenticated", False):
        return False
    if participant.contact_user_id is not None and participant.contact_user_id == user.id:
        return True
    return bool(
        user.role is Role.ORGANIZER
        and participant.organization_id is not None
        and user.organization_id == participant.organization_id
    )


def assessor_row(user: User | Any, competition_id: int) -> Assessor | None:
    """``user``'s place on the competition's assessment team, if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(Assessor).where(
            Assessor.competition_id == competition_id, Assessor.user_id == user.id
        )
    )


def assesses(assessor: Assessor, participant: Participant) -> bool:
    """Whether the team member marks ``participant``: it is in their track, is not a unit
    they fill in the self-assessment for, and they need not stand aside for it (their unit is
    not its unit, below it, or its line above it under the host: ``labor.recusal``)."""
    return (
        covers(assessor, participant)
        and not may_self_assess(assessor.user, participant)
        and recusal_reason(assessor.user, participant) is None
    )


def _running(competition: Competition) -> SheetError | None:
    if competition.status is not CompetitionStatus.RUNNING:
        return NotAllowed(_("竞赛当前不在进行中（%(status)s）。", status=competition.status.label))
    return None


def self_refusal(user: User | Any, round_: Round, participant: Participant) -> SheetError | None:
    """Why ``user`` may not fill in ``participant``'s self-assessment of ``round_`` now (None:
    they may). "Not yours" comes before "not now", so nobody learns of other units' rounds."""
    if participant.competition_id != round_.competition_id or not may_self_assess(
        user, participant
    ):
        return NotAllowed(_("您不是该参赛单位的自评填报人。"))
    if participant.withdrawn_at is not None:
        return NotAllowed(_("该参赛单位已退出竞赛，无需自评。"))
    refused = _running(round_.competition)
    if refused is not None:
        return refused
    if round_.status is not RoundStatus.SELF:
        return SheetLocked(
            _("本轮自评已截止（%(status)s），自评表不能再修改。", status=round_.status.label)
        )
    return None


def assess_refusal(user: User | Any, round_: Round, participant: Participant) -> SheetError | None:
    """Why ``user`` may not mark ``participant`` in ``round_`` now (None: they may)."""
    assessor = assessor_row(user, round_.competition_id)
    if (
        assessor is None
        or participant.competition_id != round_.competition_id
        or not covers(assessor, participant)
    ):
        return NotAllowed(_("此参赛单位不由您考评。"))
    if may_self_assess(user, participant):
        return NotAllowed(_("您是该参赛单位的自评填报人，不能考评该单位。"))
    recused = recusal_reason(user, participant)
    if recused is not None:
        return NotAllowed(_("您不能考评该单位：%(reason)s。", reason=recused))
    if participant.withdrawn_at is not None:
        return NotAllowed(_("该参赛单位已退出竞赛，无需考评。"))
    refused = _running(round_.competition)
    if refused is not None:
        return refused
    if round_.status is RoundStatus.SELF:
        return NotAllowed(_("本轮尚在自评阶段，考评还未开始。"))
    if round_.status is not RoundStatus.SCORING:
        return SheetLocked(_("本轮成绩已确认，评分表已锁定。"))
    return None


# ---------------------------------------------------------------- sheets


def _sheet(round_id: int, participant_id: int, role: SheetRole, user_id: int | None) -> Any:
    query = select(ScoreSheet).where(
        ScoreSheet.round_id == round_id,
        ScoreSheet.participant_id == participant_id,
        ScoreSheet.role == role,
    )
    if user_id is not None:
        query = query.where(ScoreSheet.user_id == user_id)
    return db.session.scalar(query.execution_options(populate_existing=True))


def self_sheet(round_: Round, participant: Participant) -> ScoreSheet | None:
    """The participant's self-assessment of the round (fresh from the database), or None."""
    return _sheet(round_.id, participant.id, SheetRole.SELF, None)  # type: ignore[no-any-return]


def assessor_sheet(round_: Round, participant: Participant, user_id: int) -> ScoreSheet | None:
    """One assessor's sheet for the participant in the round (fresh), or None."""
    return _sheet(round_.id, participant.id, SheetRole.ASSESSOR, user_id)  # type: ignore[no-any-return]


# ---------------------------------------------------------------- evidence


@dataclass(frozen=True)
class EvidenceFile:
    """An evidence file as listed (its bytes are read only when it is opened)."""

    id: int
    aspect_id: int
    filename: str
    content_type: str
    size: int

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def size_text(self) -> str:
        return size_text(self.size)


def evidence_type(upload: Upload) -> str:
    """The content type of an acceptable evidence file, read from its bytes (the shared
    document check); ValueError with the reason otherwise."""
    return document_type(upload, MAX_EVIDENCE_BYTES)


def _evidence_rows(sheet_ids: Sequence[int]) -> list[Any]:
    if not sheet_ids:
        return []
    return list(
        db.session.execute(
            select(
                MarkEvidence.id,
                MarkEvidence.sheet_id,
                MarkEvidence.aspect_id,
                MarkEvidence.filename,
                MarkEvidence.content_type,
                MarkEvidence.size,
            )
            .where(MarkEvidence.sheet_id.in_(sheet_ids))
            .order_by(MarkEvidence.id)
        )
    )


def evidence_of(sheet: ScoreSheet | None) -> dict[int, list[EvidenceFile]]:
    """The sheet's evidence files per item id, in upload order (notes are not files)."""
    found: dict[int, list[EvidenceFile]] = {}
    if sheet is None:
        return found
    for row in _evidence_rows([sheet.id]):
        found.setdefault(row.aspect_id, []).append(
            EvidenceFile(row.id, row.aspect_id, row.filename, row.content_type, row.size)
        )
    return found


def _note_rows(sheet: ScoreSheet | None) -> dict[int, SheetNote]:
    if sheet is None:
        return {}
    rows = db.session.scalars(select(SheetNote).where(SheetNote.sheet_id == sheet.id))
    return {row.aspect_id: row for row in rows}


def notes_of(sheet: ScoreSheet | None) -> dict[int, str]:
    """The sheet's note per item id."""
    return {aspect_id: row.text for aspect_id, row in _note_rows(sheet).items()}


def may_read_evidence(user: User | Any, evidence: MarkEvidence) -> bool:
    """Who may open an evidence file: the participant's own people, the competition's
    organizers, and the assessors who assess the participant once the self-assessment has
    been submitted."""
    sheet = db.session.get(ScoreSheet, evidence.sheet_id)
    if sheet is None or sheet.round_id is None or sheet.participant_id is None:
        return False
    participant = db.session.get(Participant, sheet.participant_id)
    round_ = db.session.get(Round, sheet.round_id)
    if participant is None or round_ is None:
        return False
    if round_.competition.can_manage(user) or may_self_assess(user, participant):
        return True
    assessor = assessor_row(user, round_.competition_id)
    return bool(
        assessor is not None
        and sheet.role is SheetRole.SELF
        and sheet.status is not SheetStatus.DRAFT
        and assesses(assessor, participant)
    )


# ---------------------------------------------------------------- saving


class _Problems(dict[str, str]):
    """Problems per item key; a second one of the same item is added to the first."""

    def add(self, key: str, message: str) -> None:
        self[key] = f"{self[key]}；{message}" if key in self else message


def _check_notes(
    items: Mapping[int, Aspect], notes: Mapping[int, str], problems: _Problems
) -> dict[int, str]:
    cleaned: dict[int, str] = {}
    for aspect_id, raw in notes.items():
        aspect = items.get(aspect_id)
        if aspect is None:
            problems.add("note", _("没有这个评分项"))
            continue
        text = (raw or "").replace("\r\n", "\n").strip()
        if len(text) > NOTE_MAX:
            problems.add(aspect.key, _("说明最多 %(n)d 个字", n=NOTE_MAX))
            continue
        problem = text_problem(text, multiline=True)
        if problem:
            problems.add(aspect.key, _("说明：%(problem)s", problem=problem))
            continue
        cleaned[aspect_id] = text
    return cleaned


@dataclass
class _EvidenceChanges:
    removed: list[int] = field(default_factory=list)
    added: list[tuple[Aspect, str, str, bytes]] = field(default_factory=list)


def _check_evidence(
    sheet: ScoreSheet | None,
    items: Mapping[int, Aspect],
    uploads: Mapping[int, Sequence[Upload]],
    remove: Iterable[int],
    problems: _Problems,
) -> _EvidenceChanges:
    changes = _EvidenceChanges()
    stored = {file.id: file for files in evidence_of(sheet).values() for file in files}
    for evidence_id in remove:
        if evidence_id not in stored:
            problems.add("evidence", _("要删除的佐证材料不存在或已删除"))
        elif evidence_id not in changes.removed:
            changes.removed.append(evidence_id)
    left: dict[int, int] = {}
    for file in stored.values():
        if file.id not in changes.removed:
            left[file.aspect_id] = left.get(file.aspect_id, 0) + 1
    for aspect_id, files in uploads.items():
        aspect = items.get(aspect_id)
        chosen = [f for f in files if f.filename or f.data]
        if not chosen:
            continue
        if aspect is None:
            problems.add("evidence", _("没有这个评分项"))
            continue
        if left.get(aspect_id, 0) + len(chosen) > MAX_EVIDENCE_PER_ITEM:
            problems.add(
                aspect.key,
                _("每项最多 %(n)d 个佐证材料，请先删除不需要的", n=MAX_EVIDENCE_PER_ITEM),
            )
            continue
        for upload in chosen:
            name = clean_filename(upload.filename, _("佐证材料"))
            try:
                kind = evidence_type(upload)
            except ValueError as error:
                problems.add(aspect.key, _("%(name)s：%(problem)s", name=name, problem=error))
                continue
            changes.added.append((aspect, name, kind, upload.data))
        left[aspect_id] = left.get(aspect_id, 0) + len(chosen)
    return changes


def _apply_evidence(
    actor: User, sheet: ScoreSheet, changes: _EvidenceChanges, notes: Mapping[int, str]
) -> None:
    """Write the checked evidence changes and notes of a sheet this transaction has just saved
    (its versioned UPDATE holds the row), one audit entry for all of them."""
    before_notes = _note_rows(sheet)
    removed_names: list[str] = []
    if changes.removed:
        removed_names = list(
            db.session.scalars(
                select(MarkEvidence.filename).where(MarkEvidence.id.in_(changes.removed))
            )
        )
        db.session.execute(
            delete(MarkEvidence).where(
                MarkEvidence.id.in_(changes.removed), MarkEvidence.sheet_id == sheet.id
            )
        )
    for aspect, name, kind, data in changes.added:
        db.session.add(
            MarkEvidence(
                sheet_id=sheet.id,
                aspect_id=aspect.id,
                filename=name,
                content_type=kind,
                size=len(data),
                data=data,
                uploaded_by_id=actor.id,
            )
        )
    changed_notes: dict[str, str] = {}
    for aspect_id, text in notes.items():
        row = before_notes.get(aspect_id)
        old = row.text if row is not None else ""
        if text == old:
            continue
        if row is not None and not text:
            db.session.delete(row)
        elif row is not None:
            row.text = text
        else:
            db.session.add(SheetNote(sheet_id=sheet.id, aspect_id=aspect_id, text=text))
        changed_notes[str(aspect_id)] = text
    db.session.flush()
    if changes.removed or changes.added or changed_notes:
        audit.record(
            actor,
            "labor.self.evidence",
            "score_sheet",
            sheet.id,
            before={"removed": removed_names} if removed_names else None,
            after={
                "added": [
                    {"item": a.key, "file": n, "type": k, "bytes": len(d)}
                    for a, n, k, d in changes.added
                ],
                "notes": changed_notes,
            },
        )


def save_self(
    actor: User,
    round_: Round,
    participant: Participant,
    values: Mapping[str, object],
    *,
    notes: Mapping[int, str] | None = None,
    uploads: Mapping[int, Sequence[Upload]] | None = None,
    remove: Iterable[int] = (),
    submit: bool,
    expected_version: int | None,
) -> ScoreSheet:
    """Save the participant's self-assessment (marks keyed by item key, notes and new files
    keyed by item id, evidence ids to remove) as a draft, or submit it for good.

    Everything is checked first — marks, notes, every file — and one :class:`MarkErrors`
    lists all problems (keyed by item key; ``evidence``/``note`` for ones of no item); nothing
    is stored then. Raises NotAllowed, SheetLocked or StaleSheet like any sheet save.
    """
    refused = self_refusal(actor, round_, participant)
    if refused is not None:
        raise refused
    everything = round_items(round_.competition)
    items = typed_items(everything)
    by_id = {a.id: a for a in items}
    keys = [a.key for a in everything]
    sheet = self_sheet(round_, participant)
    problems = _Problems()
    parsed, mark_problems = validate_values(items, values, all_keys=keys)
    for key, message in mark_problems.items():
        problems.add(key, message)
    cleaned = _check_notes(by_id, notes or {}, problems)
    changes = _check_evidence(sheet, by_id, uploads or {}, remove, problems)
    if submit:
        after = {**marks_of(sheet), **parsed}
        for aspect in items:
            if after.get(aspect.key) is None and aspect.key not in problems:
                problems.add(aspect.key, _("提交前请填写此项"))
    if problems:
        raise MarkErrors(dict(problems))

    def new_sheet() -> ScoreSheet:
        return ScoreSheet(
            round_id=round_.id,
            participant_id=participant.id,
            role=SheetRole.SELF,
            user_id=actor.id,
        )

    saved = write_sheet(
        actor,
        sheet,
        new_sheet,
        items,
        values,
        submit=submit,
        expected_version=expected_version,
        all_keys=keys,
    )
    _apply_evidence(actor, saved, changes, cleaned)
    return saved


def save_assessment(
    actor: User,
    round_: Round,
    participant: Participant,
    values: Mapping[str, object],
    *,
    submit: bool,
    expected_version: int | None,
) -> ScoreSheet:
    """Save ``actor``'s 考评分 for ``participant`` as a draft, or submit it."""
    refused = assess_refusal(actor, round_, participant)
    if refused is not None:
        raise refused
    everything = round_items(round_.competition)

    def new_sheet() -> ScoreSheet:
        return ScoreSheet(
            round_id=round_.id,
            participant_id=participant.id,
            role=SheetRole.ASSESSOR,
            user_id=actor.id,
        )

    return write_sheet(
        actor,
        assessor_sheet(round_, participant, actor.id),
        new_sheet,
        typed_items(everything),
        values,
        submit=submit,
        expected_version=expected_version,
        all_keys=[a.key for a in everything],
    )


def is_chief(user: User | Any, competition_id: int) -> bool:
    assessor = assessor_row(user, competition_id)
    return assessor is not None and assessor.is_chief


def return_sheet(actor: User, sheet: ScoreSheet, reason: str) -> None:
    """Hand a submitted sheet back as a draft, with the reason audited: an assessor's sheet
    (a mark to correct) by the chief assessor while the round is 考评中, or a participant's
    self-assessment (a wrong figure, a missing file) by the chief or an organizer while the
    round is 自评中 — submitting is final for the contact, so without this nothing could be
    put right before scoring opens."""
    round_ = db.session.get(Round, sheet.round_id) if sheet.round_id else None
    if round_ is None or sheet.role not in (SheetRole.ASSESSOR, SheetRole.SELF):
        raise LaborError(_("只能退回本轮的考评表或自评表"))
    if sheet.role is SheetRole.SELF:
        if not (is_chief(actor, round_.competition_id) or round_.competition.can_manage(actor)):
            raise LaborError(_("只有考评组组长或组织者可以退回自评表"))
        if round_.status is not RoundStatus.SELF:
            raise LaborError(_("只有自评中的轮次可以退回自评表"))
    elif not is_chief(actor, round_.competition_id):
        raise LaborError(_("只有考评组组长可以退回评分表"))
    elif round_.status is not RoundStatus.SCORING:
        raise LaborError(_("只有考评中的轮次可以退回评分表"))
    if sheet.status is not SheetStatus.SUBMITTED:
        raise LaborError(_("该评分表尚未提交，无需退回"))
    text = checked_text(reason, "reason", _("退回原因"), REASON_MAX, required=True)
    bump(sheet, status=SheetStatus.DRAFT, submitted_at=None)
    audit.record(
        actor,
        "sheet.return",
        "score_sheet",
        sheet.id,
        before={"status": SheetStatus.SUBMITTED.value},
        after={"status": SheetStatus.DRAFT.value, "version": sheet.version},
        reason=text,
    )


# ---------------------------------------------------------------- what an assessor sees


@dataclass
class SelfColumn:
    """The participant's submitted self-assessment as the assessor's sheet shows it beside
    each item: the mark and its points, the note and the evidence; empty while it is a
    draft (a draft is not the participant's word yet)."""

    sheet: ScoreSheet | None
    marks: dict[str, Decimal] = field(default_factory=dict)
    points: dict[str, Decimal] = field(default_factory=dict)
    notes: dict[int, str] = field(default_factory=dict)
    evidence: dict[int, list[EvidenceFile]] = field(default_factory=dict)

    @property
    def submitted(self) -> bool:
        return self.sheet is not None and self.sheet.status is not SheetStatus.DRAFT


def self_column(round_: Round, participant: Participant, items: Sequence[Aspect]) -> SelfColumn:
    sheet = self_sheet(round_, participant)
    column = SelfColumn(sheet)
    if not column.submitted:
        return column
    by_key = {a.key: a for a in items}
    column.marks = marks_of(sheet)
    column.points = {
        key: points_of(by_key[key], value) for key, value in column.marks.items() if key in by_key
    }
    column.notes = notes_of(sheet)
    column.evidence = evidence_of(sheet)
    return column


# ---------------------------------------------------------------- task lists


class SheetState:
    """What a task list or progress cell says of its sheet: ``empty`` / ``draft`` /
    ``submitted``, and whether it is done (no longer a draft)."""

    sheet: ScoreSheet | None

    @property
    def status(self) -> str:
        return "empty" if self.sheet is None else self.sheet.status.value

    @property
    def is_done(self) -> bool:
        return self.sheet is not None and self.sheet.status is not SheetStatus.DRAFT


@dataclass
class Task(SheetState):
    participant: Participant
    sheet: ScoreSheet | None


@dataclass
class RoundTasks:
    round: Round
    tasks: list[Task] = field(default_factory=list)

    @property
    def competition(self) -> Competition:
        return self.round.competition

    @property
    def done(self) -> int:
        return sum(1 for task in self.tasks if task.is_done)

    @property
    def total(self) -> int:
        return len(self.tasks)


def _sheets_by_subject(
    round_ids: Sequence[int], role: SheetRole, user_id: int | None
) -> dict[tuple[int, int], ScoreSheet]:
    if not round_ids:
        return {}
    query = select(ScoreSheet).where(ScoreSheet.round_id.in_(round_ids), ScoreSheet.role == role)
    if user_id is not None:
        query = query.where(ScoreSheet.user_id == user_id)
    return {
        (int(s.round_id or 0), int(s.participant_id or 0)): s for s in db.session.scalars(query)
    }


def _competing(competition_ids: Sequence[int]) -> list[Participant]:
    if not competition_ids:
        return []
    return list(
        db.session.scalars(
            select(Participant)
            .where(
                Participant.competition_id.in_(competition_ids),
                Participant.withdrawn_at.is_(None),
            )
            .options(selectinload(Participant.track))
            .order_by(Participant.competition_id, Participant.track_id, Participant.id)
        )
    )


def _rounds(competition_ids: Sequence[int], statuses: Sequence[RoundStatus]) -> list[Round]:
    if not competition_ids:
        return []
    return list(
        db.session.scalars(
            select(Round)
            .join(Competition, Round.competition_id == Competition.id)
            .where(
                Round.competition_id.in_(competition_ids),
                Round.status.in_(statuses),
                Competition.status == CompetitionStatus.RUNNING,
            )
            .order_by(Competition.id.desc(), Round.position, Round.id)
        )
    )


def assessor_tasks(user: User) -> list[RoundTasks]:
    """The rounds being assessed (考评中) in which ``user`` marks someone, with the
    participants they mark and their sheets."""
    rows = list(db.session.scalars(select(Assessor).where(Assessor.user_id == user.id)))
    by_competition = {row.competition_id: row for row in rows}
    rounds = _rounds(list(by_competition), [RoundStatus.SCORING])
    participants = _competing(list({r.competition_id for r in rounds}))
    sheets = _sheets_by_subject([r.id for r in rounds], SheetRole.ASSESSOR, user.id)
    out: list[RoundTasks] = []
    for round_ in rounds:
        assessor = by_competition[round_.competition_id]
        group = RoundTasks(round_)
        for participant in participants:
            if participant.competition_id == round_.competition_id and assesses(
                assessor, participant
            ):
                group.tasks.append(Task(participant, sheets.get((round_.id, participant.id))))
        if group.tasks:
            out.append(group)
    return out


def self_tasks(user: User) -> list[RoundTasks]:
    """The rounds open for self-assessment (自评中) of the participants ``user`` fills in for."""
    if not getattr(user, "is_authenticated", False):
        return []
    mine = [Participant.contact_user_id == user.id]
    if user.role is Role.ORGANIZER and user.organization_id is not None:
        mine.append(Participant.organization_id == user.organization_id)
    participants = list(
        db.session.scalars(
            select(Participant)
            .where(or_(*mine), Participant.withdrawn_at.is_(None))
            .order_by(Participant.competition_id, Participant.id)
        )
    )
    rounds = _rounds(list({p.competition_id for p in participants}), [RoundStatus.SELF])
    sheets = _sheets_by_subject([r.id for r in rounds], SheetRole.SELF, None)
    out: list[RoundTasks] = []
    for round_ in rounds:
        group = RoundTasks(round_)
        for participant in participants:
            if participant.competition_id == round_.competition_id:
                group.tasks.append(Task(participant, sheets.get((round_.id, participant.id))))
        out.append(group)
    return out


# ---------------------------------------------------------------- menu


def assesses_anything(user: User) -> bool:
    """Whether ``user`` sits on the 考评组 of a running competition (the 我的考评 menu entry;
    one cheap EXISTS per page)."""
    return bool(
        db.session.scalar(
            select(
                exists()
                .where(Assessor.user_id == user.id)
                .where(Assessor.competition_id == Competition.id)
                .where(Competition.status == CompetitionStatus.RUNNING)
            )
        )
    )


def self_assesses_anything(user: User) -> bool:
    """Whether ``user`` fills in a participant's self-assessment in a running competition —
    as its named account, or as an organizer of the participant's own union (我的自评)."""
    mine = Participant.contact_user_id == user.id
    if user.role is Role.ORGANIZER and user.organization_id is not None:
        mine = or_(mine, Participant.organization_id == user.organization_id)
    return bool(
        db.session.scalar(
            select(
                exists()
                .where(mine)
                .where(Participant.withdrawn_at.is_(None))
                .where(Participant.competition_id == Competition.id)
                .where(Competition.status == CompetitionStatus.RUNNING)
            )
        )
    )
