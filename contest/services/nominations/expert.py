"""Expert scoring of nominations on the one rubric engine, the ranked list, and the result
(issue 13 item 7; DESIGN journey 3).

**The rubric.** A scoring stage owns one component (``Component.stage_id``, key ``expert``)
with criteria (评分项) and items (评分要素) of the kinds an expert marks: measurement (得分),
judgement (评价等级), deduction (扣分) and bonus (加分). It starts from a built-in template
(:data:`TEMPLATES`: 劳动模范 / 先进工作者 and 五一劳动奖章 expert sheets, kept as data) or from
nothing, and the organizer adds their own items; the engine's ``plan_from_data`` and
``write_criteria`` build it. It is fixed once a sheet exists.

**Sheets.** Each member of the stage who does not stand aside (``review.recusal_reason``) fills
in one ``ScoreSheet`` (stage, nomination) through the engine's ``write_sheet``: drafts, a
submission that needs every item, a stale form refused. In a *blind* stage the expert sees the
推荐编号 (:func:`code_of`: N-07, the nomination's place among the campaign's submitted ones in
the order they were created) and the 事迹 with the nominee's name and units masked
(:func:`masked`), never the name, unit or photo.

**Aggregation** is ``scoring``'s: each submitted sheet's points per criterion (a judgement level
``level / scale × max``, a deduction ``max − mark``, measurement and bonus as entered) are
combined across the experts by the stage's method (mean, median, or trimmed mean dropping the
``trim`` highest and lowest) per criterion — as a skills event combines its judges — and
summed. Experts who stood aside or did not submit are left out, never counted as zero.
Leniency and agreement come from ``scoring.judge_report``, ``scoring.icc`` (on the
nominations every expert scored) and ``scoring.krippendorff_alpha`` (which allows gaps).

**Ranking and ties** (:func:`ranked`): by total, higher first, to the cent; equal totals are
separated by the criteria in rubric order (higher aggregated points first); nominations equal on
all of them share the rank (1, 2, 2, 4) and are listed by 推荐编号.

**The result** (:func:`finalize`): per award, 正选 are taken in rank order up to the award's
quota (the host union's ``CampaignQuota`` row). When the top of the list breaks a ≤ composition
rule (``slates.check``: e.g. 企业负责人 ≤ 15%), the lowest-ranked member of that rule's group
on the slate gives up its place, which goes to the next in rank; it stays eligible as an
alternate. ≥ rules cannot be met by skipping and are reported. A tie straddling the last place
(or the choice of whom to skip) is never settled by list order: finalize refuses and names the
tied nominations — a 无记名投票 with run-off or the 终审 decides. Then the next ``alternates``
(the host row's) in rank order become ranked alternates (递补人选; a tie at that cut takes
them all), the rest 未入选. Each nomination's score and rank are stored; one audit entry.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

import scoring
from contest.extensions import db
from contest.models import (
    Aspect,
    AspectKind,
    Component,
    Mark,
    RubricCriterion,
    ScoreSheet,
    SheetStatus,
    User,
)
from contest.models.nomination import (
    Campaign,
    CampaignQuota,
    CampaignStatus,
    Nomination,
    NominationStatus,
    Outcome,
    ReviewStage,
    StageDecision,
    StageStatus,
)
from contest.services.assessment.items import (
    AspectData,
    RubricError,
    aspect_data,
    aspect_problems,
    assign,
    check_criterion_name,
    clean_aspect,
    component_data,
    owned_aspects,
    plan_from_data,
    write_criteria,
)
from contest.services.assessment.sheets import (
    NotAllowed,
    SheetError,
    SheetLocked,
    points_of,
    write_sheet,
)
from contest.services.core import audit
from contest.services.nominations import awards, groups, review, slates
from contest.services.nominations.review import NotPermitted, ReviewError

__all__ = [
    "EXPERT_KINDS",
    "TEMPLATES",
    "AwardResult",
    "ExpertRow",
    "FinalizeReport",
    "Ranked",
    "Scored",
    "StageResults",
    "add_item",
    "apply_template",
    "candidates",
    "code_of",
    "codes",
    "delete_item",
    "finalize",
    "finalize_problems",
    "full_marks",
    "host_quota",
    "items_of",
    "masked",
    "ranked",
    "rubric_editable",
    "rubric_of",
    "save_sheet",
    "score_refusal",
    "score_stage",
    "sheet_of",
    "sheet_points",
    "stage_results",
]

RUBRIC_KEY = "expert"
EXPERT_KINDS: tuple[AspectKind, ...] = (
    AspectKind.MEASUREMENT,
    AspectKind.JUDGEMENT,
    AspectKind.DEDUCTION,
    AspectKind.BONUS,
)
# Worth points on the base total (bonus comes on top).
BASE_KINDS = (AspectKind.MEASUREMENT, AspectKind.JUDGEMENT, AspectKind.DEDUCTION)
_CENT = Decimal("0.01")

# ---------------------------------------------------------------- templates (data)


def _item(key: str, kind: str, name: str, points: int, standard: str) -> dict[str, Any]:
    """One item of a template, in the engine's data shape (``plan_from_data``)."""
    item: dict[str, Any] = {
        "key": key,
        "name": name,
        "kind": kind,
        "max_points": str(points),
        "standard": standard,
    }
    if kind == "judgement":  # 0 不符合 … 3 突出, worth level / 3 × points
        item["scale"] = 3
        item["descriptors"] = [_("不符合"), _("基本符合"), _("符合"), _("突出")]
    else:
        item["step"] = "0.5"
    return item


def _criterion(name: str, *aspects: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "aspects": list(aspects)}


def _model_worker() -> dict[str, Any]:
    """劳动模范 / 先进工作者: 100 points from the notices' 评选条件 (政治表现, 业绩, 创新, 示范),
    材料 as a deduction, a higher honor as a bonus."""
    return {
        "criteria": [
            _criterion(
                _("思想政治与职业道德"),
                _item(
                    "A1",
                    "judgement",
                    _("政治品质与职业道德"),
                    10,
                    _("拥护党的路线方针政策，爱岗敬业，遵纪守法"),
                ),
            ),
            _criterion(
                _("主要事迹与贡献"),
                _item(
                    "B1",
                    "measurement",
                    _("工作业绩"),
                    25,
                    _("本岗位业绩突出，主要指标在本行业、本地区领先"),
                ),
                _item(
                    "B2",
                    "measurement",
                    _("经济社会效益"),
                    15,
                    _("贡献可量化，经济效益或社会效益显著"),
                ),
            ),
            _criterion(
                _("创新创造"),
                _item(
                    "C1",
                    "measurement",
                    _("技术创新与攻关"),
                    10,
                    _("解决关键技术难题，有发明创造或技术革新"),
                ),
                _item(
                    "C2",
                    "measurement",
                    _("成果转化与推广"),
                    10,
                    _("专利、标准、工法等成果得到转化应用"),
                ),
            ),
            _criterion(
                _("示范引领"),
                _item(
                    "D1", "judgement", _("传帮带与团队带动"), 10, _("带徒传技，带动团队共同提高")
                ),
                _item(
                    "D2",
                    "judgement",
                    _("社会影响与群众认可"),
                    10,
                    _("群众公认，事迹具有示范和引领作用"),
                ),
            ),
            _criterion(
                _("材料与加分"),
                _item(
                    "E1",
                    "deduction",
                    _("推荐材料规范性"),
                    10,
                    _("材料不全、数据不实或不规范的酌情扣分"),
                ),
                _item("E2", "bonus", _("省部级以上荣誉"), 5, _("近五年获省部级及以上荣誉的加分")),
            ),
        ]
    }


def _may_day() -> dict[str, Any]:
    """五一劳动奖章: 100 points weighted to the post (岗位业绩, 技能), the 职业道德 and the
    example set, 材料 as a deduction, contest placings as a bonus."""
    return {
        "criteria": [
            _criterion(
                _("岗位业绩"),
                _item(
                    "P1",
                    "measurement",
                    _("业绩指标完成情况"),
                    25,
                    _("本岗位业绩指标完成情况，对照同岗位水平"),
                ),
                _item(
                    "P2",
                    "measurement",
                    _("质量、安全与效益"),
                    15,
                    _("质量、安全和效益方面的突出表现"),
                ),
            ),
            _criterion(
                _("技能水平与创新"),
                _item(
                    "S1",
                    "measurement",
                    _("技能等级与技术水平"),
                    10,
                    _("技能等级、职称及实际技术水平"),
                ),
                _item(
                    "S2",
                    "measurement",
                    _("技术革新与攻关"),
                    15,
                    _("技术革新、攻关及合理化建议成果"),
                ),
            ),
            _criterion(
                _("职业道德与示范作用"),
                _item("M1", "judgement", _("职业道德"), 10, _("爱岗敬业，诚实守信，遵章守纪")),
                _item(
                    "M2",
                    "judgement",
                    _("示范带动作用"),
                    15,
                    _("在职工中的示范带动作用和群众认可程度"),
                ),
            ),
            _criterion(
                _("材料与加分"),
                _item(
                    "R1",
                    "deduction",
                    _("推荐材料规范性"),
                    10,
                    _("材料不全、数据不实或不规范的酌情扣分"),
                ),
                _item(
                    "R2",
                    "bonus",
                    _("技能竞赛获奖"),
                    5,
                    _("近三年在市级以上职工技能竞赛中获奖的加分"),
                ),
            ),
        ]
    }


# Built-in expert sheets: key → (name, data builder). Data is the engine's template shape.
TEMPLATES: dict[str, tuple[LazyString, Any]] = {
    "model_worker": (_l("劳动模范（先进工作者）专家评分表"), _model_worker),
    "may_day": (_l("五一劳动奖章专家评分表"), _may_day),
}


# ---------------------------------------------------------------- the rubric


def rubric_of(stage: ReviewStage) -> Component | None:
    return db.session.scalar(
        select(Component)
        .where(Component.stage_id == stage.id, Component.key == RUBRIC_KEY)
        .options(selectinload(Component.criteria).selectinload(RubricCriterion.aspects))
    )


def items_of(stage: ReviewStage) -> list[Aspect]:
    """The stage's items in rubric order (criteria loaded)."""
    return owned_aspects(Aspect.stage_id, stage.id)


def full_marks(items: Iterable[Aspect]) -> Decimal:
    """What the base items add up to (bonus on top, not counted)."""
    return sum((Decimal(a.max_points) for a in items if a.kind in BASE_KINDS), Decimal(0))


def _has_sheets(stage: ReviewStage) -> bool:
    return bool(
        db.session.scalar(select(func.count(ScoreSheet.id)).where(ScoreSheet.stage_id == stage.id))
    )


def rubric_editable(stage: ReviewStage) -> bool:
    return stage.status is not StageStatus.CLOSED and not _has_sheets(stage)


def _require_rubric_change(actor: User, stage: ReviewStage) -> None:
    if not stage.campaign.can_manage(actor):
        raise NotPermitted(_("只有本评选的组织者可以修改评分细则。"))
    if stage.mode not in review.SCORING_MODES:
        raise RubricError(_("只有专家评分环节有评分细则。"))
    if not rubric_editable(stage):
        raise RubricError(_("已有专家填写评分表，评分细则已锁定，不能再修改。"))


def _ensure_component(stage: ReviewStage) -> Component:
    component = rubric_of(stage)
    if component is None:
        component = Component(
            stage_id=stage.id,
            key=RUBRIC_KEY,
            name=str(_("专家评分")),
            weight=Decimal(100),
            max_score=Decimal(100),
            position=0,
        )
        db.session.add(component)
        db.session.flush()
    return component


def _sync_total(component: Component) -> None:
    db.session.flush()
    db.session.refresh(component)
    total = full_marks(a for c in component.criteria for a in c.aspects)
    component.max_score = total if total > 0 else Decimal(100)
    db.session.flush()


def apply_template(actor: User, stage: ReviewStage, key: str) -> Component:
    """Replace the stage's rubric with a built-in template."""
    _require_rubric_change(actor, stage)
    if key not in TEMPLATES:
        raise RubricError(_("请选择评分细则模板"), "template")
    plans = plan_from_data(TEMPLATES[key][1](), EXPERT_KINDS)
    component = _ensure_component(stage)
    before = component_data(component)
    write_criteria(component, plans)
    _sync_total(component)
    audit.record(
        actor,
        "nomination.rubric.template",
        "campaign",
        stage.campaign_id,
        before=before,
        after={"stage": stage.name, "template": key, **component_data(component)},
    )
    return component


def add_item(actor: User, stage: ReviewStage, criterion_name: str, data: AspectData) -> Aspect:
    """Add one of the organizer's own items, under the criterion of that name (made when new)."""
    _require_rubric_change(actor, stage)
    name = check_criterion_name(criterion_name)
    data = clean_aspect(data)
    problems = aspect_problems(data, EXPERT_KINDS)
    if problems:
        field_name, message = next(iter(problems.items()))
        raise RubricError(message, field_name, problems)
    if data.key in {a.key for a in items_of(stage)}:
        raise RubricError(_("编号 %(key)s 已被使用", key=data.key), "key")
    component = _ensure_component(stage)
    criterion = next((c for c in component.criteria if c.name == name), None)
    if criterion is None:
        criterion = RubricCriterion(
            component=component, name=name, position=len(component.criteria)
        )
        db.session.add(criterion)
        db.session.flush()
    position = max((a.position for a in criterion.aspects), default=-1) + 1
    aspect = Aspect(criterion=criterion, stage_id=stage.id, position=position)
    assign(aspect, data)
    db.session.add(aspect)
    _sync_total(component)
    audit.record(
        actor,
        "nomination.rubric.item.create",
        "campaign",
        stage.campaign_id,
        after={"stage": stage.name, "criterion": name, **data.as_dict()},
    )
    return aspect


def delete_item(actor: User, stage: ReviewStage, aspect: Aspect) -> None:
    """Remove an item (and its criterion when it was the last one there)."""
    _require_rubric_change(actor, stage)
    if aspect.stage_id != stage.id:
        raise NotPermitted(_("该评分要素不属于这个环节。"))
    criterion = aspect.criterion
    component = criterion.component
    before = aspect_data(aspect).as_dict()
    criterion.aspects.remove(aspect)
    db.session.delete(aspect)
    db.session.flush()
    if not criterion.aspects:
        component.criteria.remove(criterion)
        db.session.delete(criterion)
    _sync_total(component)
    audit.record(
        actor,
        "nomination.rubric.item.delete",
        "campaign",
        stage.campaign_id,
        before={"stage": stage.name, "criterion": criterion.name, **before},
    )


# ---------------------------------------------------------------- codes and blind mode


def codes(campaign: Campaign) -> dict[int, str]:
    """推荐编号 of every nomination ever submitted: N-01, N-02 … in the order they were
    created (ids), padded to the count's width. A nomination keeps its number through returns
    and withdrawals; numbers are fixed once submissions close."""
    ids = list(
        db.session.scalars(
            select(Nomination.id)
            .where(Nomination.campaign_id == campaign.id, Nomination.submitted_at.is_not(None))
            .order_by(Nomination.id)
        )
    )
    width = max(2, len(str(len(ids))))
    return {nomination_id: f"N-{i:0{width}d}" for i, nomination_id in enumerate(ids, 1)}


def code_of(nomination: Nomination) -> str:
    return codes(nomination.campaign).get(nomination.id, "N-?")


def masked(text: str | None, nomination: Nomination) -> str:
    """``text`` with the nominee's name and units replaced by ×× (blind review)."""
    if not text:
        return ""
    names = {nomination.name, nomination.unit_name or ""}
    if nomination.unit is not None:
        names |= {nomination.unit.name, nomination.unit.short_name or ""}
    org = review.nominee_org(nomination)
    if org is not None:
        names |= {org.name, org.short_name or "", org.employer or ""}
    if nomination.person is not None:
        names.add(nomination.person.name)
    for name in sorted((n.strip() for n in names if n and len(n.strip()) >= 2), key=len)[::-1]:
        text = re.sub(re.escape(name), "××", text)
    return text


# ---------------------------------------------------------------- sheets


def sheet_of(stage: ReviewStage, nomination: Nomination, user_id: int) -> ScoreSheet | None:
    """One expert's sheet for the nomination (fresh from the database), or None."""
    return db.session.scalar(
        select(ScoreSheet)
        .where(
            ScoreSheet.stage_id == stage.id,
            ScoreSheet.nomination_id == nomination.id,
            ScoreSheet.user_id == user_id,
        )
        .execution_options(populate_existing=True)
    )


def score_refusal(
    user: User | Any, stage: ReviewStage, nomination: Nomination
) -> SheetError | None:
    """Why ``user`` may not score ``nomination`` in ``stage`` now (None: they may). "Not
    yours" comes before "not now"."""
    if (
        nomination.campaign_id != stage.campaign_id
        or stage.mode not in review.SCORING_MODES
        or not review.is_member(user, stage)
    ):
        return NotAllowed(_("您不是该评审环节的专家。"))
    recused = review.recusal_reason(user, nomination)
    if recused:
        return NotAllowed(recused)
    if not review.entered(stage, nomination):
        return NotAllowed(_("该推荐未进入本环节。"))
    if stage.status is StageStatus.PENDING:
        return NotAllowed(_("该环节尚未开始评分。"))
    if stage.status is StageStatus.CLOSED:
        return SheetLocked(_("该环节已结束，评分表已锁定。"))
    decision = review.decision_of(stage, nomination)
    if review.state_of(nomination, decision) != review.PENDING:
        return SheetLocked(_("该推荐已退回修改或不通过，无需评分。"))
    return None


def save_sheet(
    actor: User,
    stage: ReviewStage,
    nomination: Nomination,
    values: Mapping[str, object],
    *,
    submit: bool,
    expected_version: int | None,
) -> ScoreSheet:
    """Save ``actor``'s sheet for the nomination as a draft, or submit it (the engine)."""
    refused = score_refusal(actor, stage, nomination)
    if refused is not None:
        raise refused
    items = items_of(stage)

    def new_sheet() -> ScoreSheet:
        return ScoreSheet(stage_id=stage.id, nomination_id=nomination.id, user_id=actor.id)

    return write_sheet(
        actor,
        sheet_of(stage, nomination, actor.id),
        new_sheet,
        items,
        values,
        submit=submit,
        expected_version=expected_version,
    )


def sheet_points(items: Sequence[Aspect], marks: Mapping[str, Decimal]) -> Decimal:
    return sum(
        (points_of(a, marks[a.key]) for a in items if marks.get(a.key) is not None), Decimal(0)
    )


# ---------------------------------------------------------------- aggregation


def _criterion_key(criterion_id: int) -> str:
    return f"c{criterion_id}"


@dataclass
class Scored:
    """One nomination's result in a scoring stage."""

    nomination: Nomination
    code: str
    score: Decimal | None = None
    rank: int | None = None
    sheets: int = 0
    totals: dict[int, Decimal] = field(default_factory=dict)  # expert → sheet total
    explanation: str = ""

    @property
    def spread(self) -> Decimal | None:
        if len(self.totals) < 2:
            return None
        return max(self.totals.values()) - min(self.totals.values())


@dataclass
class ExpertRow:
    """One expert's marking compared with the others' (``scoring.judge_report``)."""

    user: User
    sheets: int
    leniency: float | None
    leniency_pct: float | None
    correlation: float | None


@dataclass
class StageResults:
    stage: ReviewStage
    rows: list[Scored]
    experts: list[ExpertRow]
    icc: float | None = None  # ICC(2,1): one expert's agreement with the panel
    icc_k: float | None = None  # ICC(2,k): the panel mean's reliability
    icc_n: int = 0  # nominations in the ICC (scored by every expert counted)
    icc_experts: int = 0  # experts in the ICC
    alpha: float | None = None  # Krippendorff's α (interval), gaps allowed
    full_marks: Decimal = Decimal(0)
    notes: list[str] = field(default_factory=list)

    def flagged(self, max_spread: Decimal | None) -> set[int]:
        """Nominations whose experts' totals differ by more than ``max_spread`` points."""
        if max_spread is None:
            return set()
        return {
            r.nomination.id for r in self.rows if r.spread is not None and r.spread > max_spread
        }


def _frames(
    stage: ReviewStage, items: Sequence[Aspect], nomination_ids: Iterable[int] | None
) -> tuple[pd.DataFrame, dict[int, dict[int, Decimal]]]:
    """The submitted sheets as ``scoring`` reads them: points per (nomination, expert,
    criterion); and each sheet's total."""
    by_id = {a.id: a for a in items}
    query = (
        select(ScoreSheet.nomination_id, ScoreSheet.user_id, Mark.aspect_id, Mark.value)
        .join(Mark, Mark.sheet_id == ScoreSheet.id)
        .where(ScoreSheet.stage_id == stage.id, ScoreSheet.status != SheetStatus.DRAFT)
    )
    if nomination_ids is not None:
        query = query.where(ScoreSheet.nomination_id.in_(list(nomination_ids)))
    per: dict[tuple[int, int, int], Decimal] = {}
    totals: dict[int, dict[int, Decimal]] = {}
    # What a mark is worth, once per item and value: an item takes a few dozen values, and
    # working it out for each of 120,000 marks took most of a national ranking's seconds.
    worth_of: dict[tuple[int, Decimal], Decimal] = {}
    for nomination_id, user_id, aspect_id, value in db.session.execute(query):
        aspect = by_id.get(aspect_id)
        if aspect is None:
            continue
        mark = Decimal(value)
        worth = worth_of.get((aspect_id, mark))
        if worth is None:
            worth = worth_of[(aspect_id, mark)] = points_of(aspect, mark)
        key = (int(nomination_id), int(user_id), aspect.criterion_id)
        per[key] = per.get(key, Decimal(0)) + worth
        sheet = totals.setdefault(int(nomination_id), {})
        sheet[int(user_id)] = sheet.get(int(user_id), Decimal(0)) + worth
    frame = pd.DataFrame(
        {
            "entry": [k[0] for k in per],
            "judge": [k[1] for k in per],
            "criterion": [_criterion_key(k[2]) for k in per],
            "score": [float(v) for v in per.values()],
        }
    )
    return frame, totals


def _rubric(items: Sequence[Aspect], present: set[str]) -> tuple[scoring.Rubric, list[Any]]:
    """``scoring``'s rubric: one criterion per 评分项 (worth its items' points, bonus
    included), and the tie-break chain over them in rubric order."""
    order: list[RubricCriterion] = []
    worth: dict[int, Decimal] = {}
    for aspect in items:
        if aspect.criterion_id not in worth:
            order.append(aspect.criterion)
            worth[aspect.criterion_id] = Decimal(0)
        worth[aspect.criterion_id] += Decimal(aspect.max_points)
    criteria = tuple(
        scoring.Criterion(key=_criterion_key(c.id), max=float(worth[c.id]), name=c.name)
        for c in order
        if _criterion_key(c.id) in present and worth[c.id] > 0
    )
    links = [scoring.TieBreak.criterion(c.key, c.name) for c in criteria]
    return scoring.Rubric(criteria=criteria), links


def _need(stage: ReviewStage) -> int:
    return 2 * stage.trim + 1 if stage.aggregation == "trimmed" else 1


def _finite(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def stage_results(
    stage: ReviewStage,
    nominations: Sequence[Nomination] | None = None,
    *,
    agreement: bool = True,
) -> StageResults:
    """The stage's scores, ranks (among ``nominations``, default: every nomination scored
    there) with their explanations, and — unless ``agreement`` is False, as for a ranked list
    that only needs the places — the experts' leniency and agreement (ICC, α: half a second
    per call at national scale)."""
    items = items_of(stage)
    if nominations is None:
        ids = set(
            db.session.scalars(
                select(ScoreSheet.nomination_id).where(
                    ScoreSheet.stage_id == stage.id, ScoreSheet.status != SheetStatus.DRAFT
                )
            )
        )
        nominations = list(
            db.session.scalars(
                select(Nomination)
                .where(Nomination.id.in_(ids))
                .options(selectinload(Nomination.unit))
            )
        )
    code = codes(stage.campaign)
    rows = {n.id: Scored(n, code.get(n.id, "N-?")) for n in nominations}
    results = StageResults(stage, [], [], full_marks=full_marks(items))
    frame, totals = _frames(stage, items, list(rows))
    for nomination_id, sheet_totals in totals.items():
        if nomination_id in rows:
            rows[nomination_id].totals = sheet_totals
            rows[nomination_id].sheets = len(sheet_totals)
    need = _need(stage)
    short = [r for r in rows.values() if 0 < r.sheets < need]
    if short:
        results.notes.append(
            _(
                "%(codes)s 已提交的评分表少于 %(n)d 份，暂不排名。",
                codes="、".join(r.code for r in short[:10]),
                n=need,
            )
        )
    ranked_ids = [r.nomination.id for r in rows.values() if r.sheets >= need]
    frame = frame[frame["entry"].isin(ranked_ids)]
    if not frame.empty and items:
        frame = frame.assign(entry=[rows[int(e)].code for e in frame["entry"]])
        by_code = {rows[i].code: rows[i] for i in ranked_ids}
        rubric, links = _rubric(items, set(frame["criterion"]))
        policy = scoring.RankingPolicy(
            method=stage.aggregation if stage.aggregation in review.AGGREGATIONS else "mean",  # type: ignore[arg-type]
            trim=stage.trim if stage.aggregation == "trimmed" else 0,
            tie_breaks=tuple(links),
            precision=2,
        )
        outcome = scoring.rank_with_policy(frame, rubric, policy)
        explanations = outcome.explanations
        for entry, total, rank in outcome.table[["entry", "total", "rank"]].itertuples(index=False):
            row = by_code[str(entry)]
            row.score = Decimal(str(total)).quantize(_CENT)
            row.rank = int(rank)
            row.explanation = str(explanations.get(entry, ""))
        if agreement:
            _agreement(results, frame, rubric)
    results.rows = sorted(rows.values(), key=lambda r: (r.rank is None, r.rank or 0, r.code))
    return results


def _complete_block(totals: pd.DataFrame) -> pd.DataFrame | None:
    """The largest table ICC can read (every cell filled): the experts with the most sheets,
    dropping the one with the fewest while that leaves more nominations scored by all (with
    recusal or a late expert no nomination may have every expert's total)."""
    order = totals.notna().sum(axis=0).sort_values(ascending=False, kind="stable").index
    best: pd.DataFrame | None = None
    for keep in range(len(order), 1, -1):
        block = totals[list(order[:keep])].dropna(axis=0, how="any")
        if block.shape[0] >= 2 and (best is None or block.shape[0] > best.shape[0]):
            best = block
    return best


def _agreement(results: StageResults, frame: pd.DataFrame, rubric: scoring.Rubric) -> None:
    report = scoring.judge_report(frame, rubric)
    users = {
        u.id: u
        for u in db.session.scalars(select(User).where(User.id.in_([int(j) for j in report.index])))
    }
    for judge, row in report.iterrows():
        user = users.get(int(str(judge)))
        if user is not None:
            results.experts.append(
                ExpertRow(
                    user,
                    int(row["marks"]) // max(len(rubric.criteria), 1),
                    _finite(row["leniency"]),
                    _finite(row["leniency_pct"]),
                    _finite(row["correlation"]),
                )
            )
    totals = frame.groupby(["entry", "judge"], sort=True)["score"].sum().unstack("judge")
    complete = _complete_block(totals)
    if complete is not None:
        with contextlib.suppress(scoring.ScoringError, ValueError):
            table = scoring.icc(complete)
            results.icc = _finite(table.loc["ICC2", "icc"])
            results.icc_k = _finite(table.loc["ICC2k", "icc"])
            results.icc_n = int(complete.shape[0])
            results.icc_experts = int(complete.shape[1])
    if totals.shape[0] >= 2 and totals.shape[1] >= 2:
        with contextlib.suppress(scoring.ScoringError, ValueError, ZeroDivisionError):
            results.alpha = _finite(scoring.krippendorff_alpha(totals, level="interval"))


# ---------------------------------------------------------------- the ranked list


def score_stage(campaign: Campaign) -> ReviewStage | None:
    """The stage whose scores rank the campaign: its last scoring stage that has begun."""
    found = None
    for stage in campaign.stages:
        if stage.mode in review.SCORING_MODES and stage.status is not StageStatus.PENDING:
            found = stage
    return found


# Statuses of a nomination that may still be (or have been) in the final list.
_LISTED = (
    NominationStatus.SUBMITTED,
    NominationStatus.SELECTED,
    NominationStatus.ALTERNATE,
    NominationStatus.REJECTED,
    NominationStatus.REMOVED,
    NominationStatus.CONFERRED,
)


def _decisions_of(campaign: Campaign) -> dict[int, dict[int, StageDecision]]:
    """nomination id → stage id → decision, for the whole campaign."""
    stage_ids = [s.id for s in campaign.stages]
    found: dict[int, dict[int, StageDecision]] = {}
    if not stage_ids:
        return found
    for row in db.session.scalars(
        select(StageDecision).where(StageDecision.stage_id.in_(stage_ids))
    ):
        found.setdefault(row.nomination_id, {})[row.stage_id] = row
    return found


def candidates(campaign: Campaign, award: str) -> list[Nomination]:
    """The award's nominations still in the running: submitted, passed by every stage that
    has closed, turned down or returned by none (a nomination 未入选 by an earlier finalize
    passed them all and stays listed)."""
    closed = [s.id for s in campaign.stages if s.status is StageStatus.CLOSED]
    by_nomination = _decisions_of(campaign)
    found = []
    for nomination in db.session.scalars(
        select(Nomination)
        .where(
            Nomination.campaign_id == campaign.id,
            Nomination.award == award,
            Nomination.status.in_(_LISTED),
            Nomination.submitted_at.is_not(None),
        )
        .options(selectinload(Nomination.unit), selectinload(Nomination.person))
        .order_by(Nomination.id)
    ):
        mine = by_nomination.get(nomination.id, {})
        if any(d.outcome is not Outcome.PASS for d in mine.values()):
            continue
        if any(stage_id not in mine for stage_id in closed):
            continue
        found.append(nomination)
    return found


@dataclass(frozen=True)
class Ranked:
    """A nomination of the ranked list: score (None: not scored), rank (shared on ties),
    the number of sheets and the sentence that explains its place."""

    nomination: Nomination
    code: str
    score: Decimal | None
    rank: int | None
    sheets: int
    explanation: str
    spread: Decimal | None = None


def ranked(campaign: Campaign, award: str) -> list[Ranked]:
    """The award's candidates ranked by the expert score (see the module for ties)."""
    listed = candidates(campaign, award)
    stage = score_stage(campaign)
    code = codes(campaign)
    if stage is None:
        return [Ranked(n, code.get(n.id, "N-?"), None, None, 0, "") for n in listed]
    results = stage_results(stage, listed, agreement=False)
    return [
        Ranked(r.nomination, r.code, r.score, r.rank, r.sheets, r.explanation, r.spread)
        for r in results.rows
    ]


# ---------------------------------------------------------------- the result


@dataclass
class AwardResult:
    award: str
    title: str
    quota: int
    alternates_wanted: int
    selected: list[Ranked] = field(default_factory=list)
    alternates: list[Ranked] = field(default_factory=list)
    not_selected: list[Ranked] = field(default_factory=list)
    skipped: list[tuple[Ranked, str]] = field(default_factory=list)  # gave up a place: why
    warnings: list[str] = field(default_factory=list)  # ≥ rules the slate does not meet


@dataclass
class FinalizeReport:
    awards: list[AwardResult] = field(default_factory=list)


def host_quota(campaign: Campaign, award: str) -> CampaignQuota | None:
    rows = list(
        db.session.scalars(
            select(CampaignQuota).where(
                CampaignQuota.campaign_id == campaign.id,
                CampaignQuota.award == award,
                CampaignQuota.parent_id.is_(None),
            )
        )
    )
    own = [r for r in rows if r.organization_id == campaign.organization_id]
    return (own or rows or [None])[0]


def _awards(campaign: Campaign) -> list[tuple[str, str]]:
    """(key, title) of the campaign's awards, in its order."""
    return [(award.key, award.title) for award in awards.awards_of(campaign)]


def finalize_problems(campaign: Campaign) -> list[str]:
    """What keeps the result from being determined now (empty: it may)."""
    problems: list[str] = []
    if campaign.status is not CampaignStatus.REVIEW:
        problems.append(
            _(
                "评选处于「%(status)s」阶段，只有评审中的评选可以确定评审结果。",
                status=campaign.status.label,
            )
        )
    stages = list(campaign.stages)
    if not stages:
        problems.append(_("评选还没有评审环节。"))
    open_ = [s.name for s in stages if s.status is not StageStatus.CLOSED]
    if open_:
        problems.append(_("评审环节尚未全部结束：%(names)s。", names="、".join(open_)))
    return problems


def _tie_text(group: Sequence[Ranked], places: int) -> str:
    return _(
        "第 %(rank)s 名并列的 %(codes)s 共 %(n)d 份推荐争 %(places)d 个名额，"
        "不能按名单顺序决定；请以无记名投票（决选）或终审结论确定后再确定评审结果。",
        rank=group[0].rank,
        codes="、".join(f"{r.code} {r.nomination.name}" for r in group),
        n=len(group),
        places=places,
    )


def _groups(listed: Sequence[Ranked]) -> list[list[Ranked]]:
    """The ranked list cut into groups of equal rank (unscored ones each on their own)."""
    groups: list[list[Ranked]] = []
    for row in listed:
        if groups and row.rank is not None and groups[-1][0].rank == row.rank:
            groups[-1].append(row)
        else:
            groups.append([row])
    return groups


def _select(
    campaign: Campaign, award: str, listed: Sequence[Ranked], quota: int, result: AwardResult
) -> list[Ranked]:
    """正选 within ``quota`` and the ≤ composition rules (see the module)."""
    slate: list[Ranked] = []
    # Nomination ids skipped, and on the slate: a set, not a walk of the slate (with 1,500
    # places and a few rows giving way, comparing rows took seconds).
    skipped: set[int] = set()
    taken: set[int] = set()
    queue = _groups(listed)
    categories: dict[int, set[str]] = {}
    orgs = groups.orgs_of(r.nomination for r in listed)  # one query, not one per nominee

    def in_group(row: Ranked, group: str) -> bool:
        if row.nomination.id not in categories:
            categories[row.nomination.id] = groups.categories_for(row.nomination, orgs)
        return group in categories[row.nomination.id]

    while True:
        # Fill the free places in rank order, a whole tie group at a time.
        position = 0
        while len(slate) < quota and position < len(queue):
            group = [
                r
                for r in queue[position]
                if r.nomination.id not in skipped and r.nomination.id not in taken
            ]
            position += 1
            if not group:
                continue
            places = quota - len(slate)
            if len(group) > places:
                raise ReviewError(_tie_text(group, places))
            slate.extend(group)
            taken.update(r.nomination.id for r in group)
        # The ≤ rules the slate breaks: the lowest-ranked of the rule's group gives way.
        broken = [
            r
            for r in slates.check(campaign, award, [s.nomination for s in slate])
            if getattr(r.rule, "op", None) == "<=" and not r.ok
        ]
        if not broken:
            break
        rule = broken[0]
        members = [s for s in slate if in_group(s, rule.rule.group)]
        if not members:
            result.warnings.append(str(rule.message))
            break
        last = members[-1]
        tied = [s for s in members if s.rank is not None and s.rank == last.rank]
        if len(tied) > 1:
            raise ReviewError(
                _(
                    "构成比例要求「%(rule)s」需要让出一个名额，但第 %(rank)s 名并列的 "
                    "%(codes)s 无法按名单顺序取舍；请以无记名投票或终审结论确定。",
                    rule=rule.message,
                    rank=last.rank,
                    codes="、".join(t.code for t in tied),
                )
            )
        slate.remove(last)
        taken.discard(last.nomination.id)
        skipped.add(last.nomination.id)
        result.skipped.append((last, str(rule.message)))
    for check in slates.check(campaign, award, [s.nomination for s in slate]):
        if getattr(check.rule, "op", None) == ">=" and not check.ok:
            result.warnings.append(str(check.message))
    order = {id(r): i for i, r in enumerate(listed)}
    return sorted(slate, key=lambda r: order[id(r)])


def _result_of(campaign: Campaign, award: str, title: str) -> AwardResult:
    host = host_quota(campaign, award)
    if host is None:
        raise ReviewError(_("「%(title)s」还没有设置名额，不能确定评审结果。", title=title))
    result = AwardResult(award, title, int(host.quota), int(host.alternates or 0))
    listed = ranked(campaign, award)
    unscored = [r for r in listed if r.rank is None]
    if unscored and (score_stage(campaign) is not None or len(listed) > result.quota):
        raise ReviewError(
            _(
                "「%(title)s」有 %(n)d 份推荐没有专家评分（%(codes)s），不能排名。",
                title=title,
                n=len(unscored),
                codes="、".join(r.code for r in unscored[:10]),
            )
        )
    result.selected = _select(campaign, award, listed, result.quota, result)
    chosen = {r.nomination.id for r in result.selected}
    rest = [r for r in listed if r.nomination.id not in chosen]
    for group in _groups(rest):
        if len(result.alternates) < result.alternates_wanted:
            result.alternates.extend(group)
        else:
            result.not_selected.extend(group)
    return result


def _label(row: Ranked, title: str) -> str:
    return f"{title}：{row.code} {row.nomination.name}"


def finalize(actor: User, campaign: Campaign) -> FinalizeReport:
    """Determine the result of every award (see the module): 正选 (SELECTED) and ranked
    alternates (ALTERNATE) with score and rank, the rest 未入选 (REJECTED); nominations a
    stage turned down that are still 已报送 become 不通过 with that stage's reason. May be
    run again while the campaign is in review. Nothing changes when it is refused."""
    if not campaign.can_manage(actor):
        raise NotPermitted(_("只有本评选的组织者可以确定评审结果。"))
    problems = finalize_problems(campaign)
    if problems:
        raise ReviewError("".join(problems))
    report = FinalizeReport([_result_of(campaign, key, title) for key, title in _awards(campaign)])
    before: dict[str, list[str]] = {}
    for result in report.awards:
        for status, rows_ in (
            (NominationStatus.SELECTED, result.selected),
            (NominationStatus.ALTERNATE, result.alternates),
            (NominationStatus.REJECTED, result.not_selected),
        ):
            for row in rows_:
                nomination = row.nomination
                before.setdefault(nomination.status.value, []).append(_label(row, result.title))
                nomination.status = status
                nomination.score = row.score
                nomination.rank = row.rank
                nomination.status_reason = (
                    _("评审排名第 %(rank)s 名，未入选", rank=row.rank)
                    if status is NominationStatus.REJECTED
                    else None
                )
    turned_down = _sweep_turned_down(campaign)
    db.session.flush()
    audit.record(
        actor,
        "nomination.finalize",
        "campaign",
        campaign.id,
        before=before,
        after={
            "selected": [_label(r, a.title) for a in report.awards for r in a.selected],
            "alternates": [_label(r, a.title) for a in report.awards for r in a.alternates],
            "not_selected": [_label(r, a.title) for a in report.awards for r in a.not_selected],
            "skipped": [
                f"{_label(r, a.title)}（{why}）" for a in report.awards for r, why in a.skipped
            ],
            "lapsed": turned_down,
        },
    )
    return report


def _sweep_turned_down(campaign: Campaign) -> list[int]:
    """已报送 nominations a stage turned down (a ballot writes only its decision) become
    不通过 with the stage's reason."""
    changed = []
    by_nomination = _decisions_of(campaign)
    for nomination in db.session.scalars(
        select(Nomination).where(
            Nomination.campaign_id == campaign.id,
            Nomination.status == NominationStatus.SUBMITTED,
        )
    ):
        refusals = [
            d for d in by_nomination.get(nomination.id, {}).values() if d.outcome is Outcome.REJECT
        ]
        if refusals:
            nomination.status = NominationStatus.REJECTED
            nomination.status_reason = refusals[0].reason
            changed.append(nomination.id)
    return changed
