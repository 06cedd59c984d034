"""The rounds (轮次) of a competition: monthly, half-monthly, quarterly or milestone periods,
each with a weight (for weighted cumulative standings) and whether its published standings
are public or internal.

A schedule is generated between the competition's dates (:func:`plan_schedule` names the
periods, :func:`generate_schedule` writes them) or typed by hand as milestones. A round's
dates and weight change only while it is still 自评中 and nobody has filled in a sheet for it;
its name and public flag may change later. Rounds are kept in date order. Every write is
audited against the competition and flushes.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from contest.extensions import db
from contest.models import Competition, Round, RoundStatus, ScoreSheet, User
from contest.services.labor.base import LaborError, audited, checked_text, ensure_open, parse_day

NAME_MAX = 60
MAX_ROUNDS = 120
PATTERNS = ("monthly", "half_monthly", "quarterly", "once")
WEIGHT_MAX = Decimal(1000)


@dataclass
class RoundData:
    name: str
    starts_on: date | None = None
    ends_on: date | None = None
    weight: Decimal = Decimal(1)
    is_public: bool = True


def snapshot(round_: Round) -> dict[str, Any]:
    return {
        "round": round_.name,
        "starts_on": round_.starts_on,
        "ends_on": round_.ends_on,
        "weight": str(Decimal(round_.weight).normalize()),
        "is_public": round_.is_public,
    }


def sheet_counts(competition: Competition) -> dict[int, int]:
    """Score sheets (self-assessments included) per round id."""
    rows = db.session.execute(
        select(ScoreSheet.round_id, func.count(ScoreSheet.id))
        .join(Round, ScoreSheet.round_id == Round.id)
        .where(Round.competition_id == competition.id)
        .group_by(ScoreSheet.round_id)
    )
    return {int(round_id or 0): int(n) for round_id, n in rows}


def is_fixed(round_: Round) -> bool:
    """Whether the round's dates and weight are fixed: it has left 自评中 or holds sheets."""
    if round_.status is not RoundStatus.SELF:
        return True
    return (
        db.session.scalar(select(ScoreSheet.id).where(ScoreSheet.round_id == round_.id).limit(1))
        is not None
    )


def _check(competition: Competition, data: RoundData, round_: Round | None = None) -> RoundData:
    data.name = checked_text(data.name, "name", _("轮次名称"), NAME_MAX, required=True)
    if any(r.name == data.name and r is not round_ for r in competition.rounds):
        raise LaborError(_("已有名为“%(name)s”的轮次", name=data.name), "name")
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        raise LaborError(_("结束日期不能早于开始日期"), "ends_on")
    if data.starts_on and competition.starts_on and data.starts_on < competition.starts_on:
        raise LaborError(
            _("开始日期不能早于竞赛开始日期 %(day)s", day=competition.starts_on.isoformat()),
            "starts_on",
        )
    if data.ends_on and competition.ends_on and data.ends_on > competition.ends_on:
        raise LaborError(
            _("结束日期不能晚于竞赛结束日期 %(day)s", day=competition.ends_on.isoformat()),
            "ends_on",
        )
    if not Decimal(0) < data.weight <= WEIGHT_MAX:
        raise LaborError(_("权重应大于 0、不超过 1000"), "weight")
    if data.weight.as_tuple().exponent < -2:  # type: ignore[operator]
        raise LaborError(_("权重最多保留两位小数"), "weight")
    return data


def _reorder(competition: Competition) -> None:
    """Number the rounds in date order (undated ones after, in the order they were added)."""
    far = date.max
    ordered = sorted(competition.rounds, key=lambda r: (r.starts_on or r.ends_on or far, r.id or 0))
    for position, round_ in enumerate(ordered):
        round_.position = position
    db.session.flush()
    db.session.expire(competition, ["rounds"])  # read again in the new order


def _assign(round_: Round, data: RoundData) -> None:
    round_.name = data.name
    round_.starts_on = data.starts_on
    round_.ends_on = data.ends_on
    round_.weight = data.weight
    round_.is_public = data.is_public


def add_round(actor: User, competition: Competition, data: RoundData) -> Round:
    ensure_open(competition)
    if len(competition.rounds) >= MAX_ROUNDS:
        raise LaborError(_("一项竞赛最多设置 %(n)d 个轮次", n=MAX_ROUNDS))
    data = _check(competition, data)
    round_ = Round(competition=competition, status=RoundStatus.SELF)
    _assign(round_, data)
    db.session.add(round_)
    db.session.flush()
    _reorder(competition)
    db.session.flush()
    audited(
        actor, "competition.round.create", "competition", competition.id, after=snapshot(round_)
    )
    return round_


def update_round(actor: User, round_: Round, data: RoundData) -> None:
    """Edit a round; once it is being assessed only its name and public flag may change."""
    competition = round_.competition
    ensure_open(competition)
    data = _check(competition, data, round_)
    before = snapshot(round_)
    if is_fixed(round_):
        changed = [
            field
            for field, old, new in (
                ("starts_on", round_.starts_on, data.starts_on),
                ("ends_on", round_.ends_on, data.ends_on),
                ("weight", Decimal(round_.weight), data.weight),
            )
            if old != new
        ]
        if changed:
            raise LaborError(_("该轮次已开始考评，只能修改名称和是否公开"), changed[0])
    _assign(round_, data)
    _reorder(competition)
    db.session.flush()
    audited(
        actor,
        "competition.round.update",
        "competition",
        competition.id,
        before=before,
        after=snapshot(round_),
    )


def delete_round(actor: User, round_: Round) -> None:
    competition = round_.competition
    ensure_open(competition)
    if is_fixed(round_):
        raise LaborError(_("轮次“%(name)s”已开始考评，不能删除", name=round_.name))
    before = snapshot(round_)
    competition.rounds.remove(round_)
    db.session.delete(round_)
    _reorder(competition)
    db.session.flush()
    audited(actor, "competition.round.delete", "competition", competition.id, before=before)


# ------------------------------------------------------------------ schedules


def _month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _periods(pattern: str, start: date, end: date) -> list[tuple[str, date, date]]:
    """The calendar periods of ``pattern`` that meet [start, end], clipped to it, named."""
    periods: list[tuple[str, date, date]] = []
    if pattern == "once":
        return [(_("%(year)d 年度", year=start.year), start, end)]
    cursor = start.replace(day=1)
    if pattern == "quarterly":
        cursor = cursor.replace(month=(cursor.month - 1) // 3 * 3 + 1)
    while cursor <= end and len(periods) <= MAX_ROUNDS:
        if pattern == "monthly":
            last = _month_end(cursor)
            pieces = [
                (_("%(year)d 年 %(month)d 月", year=cursor.year, month=cursor.month), cursor, last)
            ]
        elif pattern == "half_monthly":
            middle = cursor.replace(day=15)
            last = _month_end(cursor)
            pieces = [
                (
                    _("%(year)d 年 %(month)d 月上半月", year=cursor.year, month=cursor.month),
                    cursor,
                    middle,
                ),
                (
                    _("%(year)d 年 %(month)d 月下半月", year=cursor.year, month=cursor.month),
                    middle + timedelta(days=1),
                    last,
                ),
            ]
        else:
            last = _month_end(cursor.replace(month=cursor.month + 2))
            quarter = (cursor.month - 1) // 3 + 1
            pieces = [(_("%(year)d 年第 %(q)d 季度", year=cursor.year, q=quarter), cursor, last)]
        for name, first, final in pieces:
            if final >= start and first <= end:
                periods.append((name, max(first, start), min(final, end)))
        cursor = last + timedelta(days=1)
    return periods


def plan_schedule(competition: Competition, pattern: str) -> list[RoundData]:
    """The rounds ``pattern`` gives between the competition's dates (not written)."""
    if pattern not in PATTERNS:
        raise LaborError(_("请选择轮次周期"), "pattern")
    if competition.starts_on is None or competition.ends_on is None:
        raise LaborError(_("请先在基本信息中填写竞赛的开始和结束日期"), "pattern")
    periods = _periods(pattern, competition.starts_on, competition.ends_on)
    if len(periods) > MAX_ROUNDS:
        raise LaborError(
            _("按此周期将超过 %(n)d 个轮次，请缩短竞赛日期或选择更长的周期", n=MAX_ROUNDS),
            "pattern",
        )
    return [RoundData(name, first, final) for name, first, final in periods]


def parse_milestones(text: str) -> list[RoundData]:
    """Milestones typed one a line: "名称 开始日期 结束日期" (or just "名称 截止日期"), e.g.
    「主体结构封顶 2026-03-01 2026-06-30」; raises LaborError on the ``milestones`` field."""
    plans: list[RoundData] = []
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), 1):
        words = line.replace("\u3000", " ").split()
        if not words:
            continue
        days: list[date] = []
        while words and len(days) < 2:
            try:
                day = parse_day(words[-1])
            except ValueError:
                break
            if day is None:
                break
            days.insert(0, day)
            words.pop()
        if not words or not days:
            raise LaborError(
                _(
                    "第 %(n)d 行应为「名称 开始日期 结束日期」，"
                    "如「主体结构封顶 2026-03-01 2026-06-30」",
                    n=number,
                ),
                "milestones",
            )
        start, end = (days[0], days[-1]) if len(days) == 2 else (None, days[0])
        plans.append(RoundData(" ".join(words), start, end))
    if not plans:
        raise LaborError(_("请至少填写一个节点"), "milestones")
    return plans


def generate_schedule(
    actor: User,
    competition: Competition,
    plans: list[RoundData],
    *,
    weight: Decimal = Decimal(1),
    is_public: bool = True,
    replace: bool = False,
) -> list[Round]:
    """Write the planned rounds. Existing rounds stay unless ``replace``, which removes them
    first (only when none is being assessed); all are checked before any is written."""
    ensure_open(competition)
    existing = list(competition.rounds)
    if replace and any(is_fixed(r) for r in existing):
        raise LaborError(_("已有轮次开始考评，不能整体替换"), "replace")
    if not replace and existing:
        taken = {r.name for r in existing}
        plans = [p for p in plans if p.name not in taken]
    kept = 0 if replace else len(existing)
    if kept + len(plans) > MAX_ROUNDS:
        raise LaborError(_("一项竞赛最多设置 %(n)d 个轮次", n=MAX_ROUNDS), "pattern")
    if not plans:
        raise LaborError(_("这些轮次都已存在"), "pattern")
    before = [snapshot(r) for r in existing] if replace else None
    if replace:
        for round_ in existing:
            competition.rounds.remove(round_)
            db.session.delete(round_)
        db.session.flush()
    names: set[str] = {r.name for r in competition.rounds}
    created: list[Round] = []
    for plan in plans:
        plan.weight, plan.is_public = weight, is_public
        try:
            plan = _check(competition, plan)
        except LaborError as error:
            raise LaborError(
                _("轮次“%(name)s”：%(message)s", name=plan.name, message=error.message), error.field
            ) from None
        if plan.name in names:
            raise LaborError(_("轮次名称“%(name)s”重复", name=plan.name), "milestones")
        names.add(plan.name)
        round_ = Round(competition=competition, status=RoundStatus.SELF)
        _assign(round_, plan)
        db.session.add(round_)
        created.append(round_)
    db.session.flush()
    _reorder(competition)
    db.session.flush()
    audited(
        actor,
        "competition.round.schedule",
        "competition",
        competition.id,
        before=before,
        after=[snapshot(r) for r in created],
    )
    return created
