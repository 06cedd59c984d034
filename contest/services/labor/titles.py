"""What the end of a labor competition or a union rating confers (DOMAIN §2 rules 14–17c,
issue 12 items 5 and 9): title rules, the proposal with its reasons, and the conferral that
turns it into honors on the wall.

**Title rules** (``Competition.title_rules``, a JSON list) each name a title, who receives it
(``unit`` / ``team`` / ``project`` participants of that kind, or ``person``: members of a
qualifying participant) and how it is earned — ``rank`` (the first ``top`` of each track) or
``threshold`` (a cumulative total of at least ``min_total``, the total of the standings: with
the competition's ``mean`` cumulation that is a per-round average, with ``sum`` a sum) — with
optional conditions:

* ``prior``: a title found in the honors table for the same recipient, held (not revoked) and
  conferred at that level **or higher**, whose name contains ``title_contains``, in one of the
  ``years`` years before the competition's year or in that year itself: for a 2026 competition
  and ``years`` 5, honors of 2021 to 2026 count, 2020 does not (安康杯 省优胜 needs a 市级
  title). Lapse does not matter here: a lapsed grade was still held in its year.
* ``no_repeat_years``: not again when the same title (exactly) at the competition's level was
  conferred on the recipient in the last N years: with N = 5 a 2026 competition refuses a
  holder of 2022 to 2026 and accepts one of 2021 (全国优胜 never again: a large N).
* ``every_round``: scored in every published round (a round-vetoed round counts as scored).
* ``tenure_years`` (person titles): on site since at least N years before the competition ends
  (``ends_on``, else the last round's end, else today): on site since 2025-12-31 is exactly a
  year by 2026-12-31 and qualifies for 优秀建设者.

Recipients are matched in the honors table by the participant's organisation (a unit or
project: unit honors of that organisation; a team: team honors of that organisation under the
team's name) and a person by the person record. A participant without an organisation has no
history: a ``prior`` condition then refuses it, a no-repeat window finds nothing.

Everyone must be in the 参赛名录 (备案 date set, not withdrawn), not vetoed for the whole
competition, and must have met every 必备项 (mandatory item) in **every** published round
(DOMAIN §2: 必备项 not met → not eligible for the title). Any round counts, not only the last:
a 必备项 (a wage account for migrant workers, a safety licence) is a condition of taking part
at all, and a later round meeting it does not undo a round run without it. Such a participant
is listed among the near-misses under every rule, like a vetoed one, with the unmet items
and their rounds: 必备项未达标：农民工工资专户（第1轮）. The items are read from the stored
round results (``RoundResult.missing_mandatory``), never recomputed here. Ratings read only
their last round, whose grade the 必备项 already withheld (below).

**Ties at the cut-off**: places count among the eligible participants of the rule's kind in
the track (an unregistered unit ranked first takes no place), and participants
that the standings could not separate share the place, so all of them get the title even when
that makes more than ``top``.

**Ratings** (六好 / 职工之家 / 星级) have no rules: each rated union registered in the 名录
whose last published round gave it a grade (必备项 not met or vetoed: no grade) receives a unit
honor titled after the grade (:func:`rating_title`), valid ``valid_months`` (default 12) from
the day of conferral: ``valid_until`` is the last day held, the day before the same date
``valid_months`` later (conferred 2026-03-15: held to 2027-03-14). When a new rating of the
same kind and level confers on an organisation, its previous grade from such a rating ends the
day before — also when the new rating gives it no grade (stars are lowered or withdrawn,
DOMAIN §2 rule 17c); a grade whose last day is already before then is left as it is.

**Proposal and conferral**: :func:`evaluate` reads the standings and the honors table and
returns who qualifies and who narrowly does not, and why (read-only, for the page);
:func:`propose` stores the qualifying collectives as ``CompetitionAward`` rows; the organizer
adds person awards from the eligible members (:func:`add_person_award`); :func:`confer` checks
that the stored list still matches the standings, creates the honors through
``contest.services.honors.records`` (search text, sort key, content version and audit included)
with the 文号 and date, ends superseded ratings, and finishes the competition. It runs once:
its audit entry is the mark, so a second conferral is refused even when nobody qualified.
"""

from __future__ import annotations

import calendar
import json
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from contest.extensions import db
from contest.models import (
    AuditEntry,
    Competition,
    CompetitionAward,
    CompetitionKind,
    CompetitionStatus,
    Honor,
    HonorLevel,
    HonorSource,
    HonorStatus,
    Participant,
    ParticipantKind,
    ParticipantMember,
    RecipientKind,
    RoundResult,
    RoundStatus,
    User,
)
from contest.services.assessment.items import format_points
from contest.services.core import audit, authority
from contest.services.honors import records
from contest.services.labor import competitions, indicators
from contest.services.labor import standings as standings_service
from contest.services.labor.base import LaborError, checked_text, today
from contest.validation import text_problem

RECIPIENTS = ("unit", "team", "project", "person")
BY = ("rank", "threshold")
TITLE_MAX = 100  # Honor.title
MAX_RULES = 20
MAX_TOP = 1000
MAX_YEARS = 100  # 全国优胜 is never conferred again: a window as long as anyone's memory
MAX_TENURE = 50
BASIS_MAX = 300  # CompetitionAward.basis
NEAR_PLACES = 3  # eligible participants just below a rank cut-off shown as near-misses
NEAR_TOTALS = 5  # and the best ones below a threshold
DEFAULT_VALID_MONTHS = 12
CONFER_ACTION = "competition.titles.confer"

_KIND_OF: dict[str, ParticipantKind] = {
    "unit": ParticipantKind.UNIT,
    "team": ParticipantKind.TEAM,
    "project": ParticipantKind.PROJECT,
}
# What a rating's grade is a grade of, when the grade alone ("五星") does not say it. Stored
# record text (honor titles), always Chinese, like the wall's common titles.
RATING_NOUNS: dict[CompetitionKind, str] = {
    CompetitionKind.SIX_GOOD: "六好工会",
    CompetitionKind.WORKERS_HOME: "职工之家",
    CompetitionKind.STAR: "工会",
}
_TITLE_ENDINGS = ("工会", "之家")


def recipient_label(recipient: str) -> str:
    labels = {
        "unit": _("参赛单位"),
        "team": _("班组"),
        "project": _("项目（标段）"),
        "person": _("个人"),
    }
    return labels.get(recipient, recipient)


# ------------------------------------------------------------------ rules


@dataclass(frozen=True)
class Prior:
    """A title the recipient must already hold: its name contains ``title_contains``, conferred
    at ``level`` or higher within ``years`` years before the competition's year."""

    title_contains: str
    level: HonorLevel
    years: int


@dataclass(frozen=True)
class TitleRule:
    title: str
    recipient: str  # unit | team | project | person
    by: str  # rank | threshold
    top: int | None = None
    min_total: Decimal | None = None
    prior: Prior | None = None
    no_repeat_years: int | None = None
    every_round: bool = False
    tenure_years: int | None = None

    @property
    def recipient_kind(self) -> RecipientKind:
        if self.recipient == "person":
            return RecipientKind.PERSON
        return _KIND_OF[self.recipient].recipient_kind

    def to_json(self) -> dict[str, Any]:
        """The stored form (the keys of the module docstring; absent conditions left out)."""
        data: dict[str, Any] = {"title": self.title, "recipient": self.recipient, "by": self.by}
        if self.by == "rank":
            data["top"] = self.top
        else:
            data["min_total"] = format_points(self.min_total)
        if self.prior is not None:
            data["prior"] = {
                "title_contains": self.prior.title_contains,
                "level": self.prior.level.value,
                "years": self.prior.years,
            }
        if self.no_repeat_years is not None:
            data["no_repeat_years"] = self.no_repeat_years
        if self.every_round:
            data["every_round"] = True
        if self.tenure_years is not None:
            data["tenure_years"] = self.tenure_years
        return data

    def describe(self) -> list[str]:
        """The rule in words, one condition a line, for the editor and the proposal page."""
        lines = [
            _("前 %(n)d 名（每个赛道）", n=self.top or 0)
            if self.by == "rank"
            else _("累计得分不低于 %(min)s 分", min=format_points(self.min_total))
        ]
        if self.prior is not None:
            lines.append(
                _(
                    "%(years)d 年内获得过%(level)s及以上含“%(text)s”的称号",
                    years=self.prior.years,
                    level=self.prior.level.label,
                    text=self.prior.title_contains,
                )
            )
        if self.no_repeat_years is not None:
            lines.append(_("%(n)d 年内获得过同级同名称号的不再授予", n=self.no_repeat_years))
        if self.every_round:
            lines.append(_("须参加每一轮考评"))
        if self.tenure_years is not None:
            lines.append(_("进场满 %(n)d 年", n=self.tenure_years))
        return lines


def _int(raw: object, field_name: str, label: str, low: int, high: int) -> int:
    if isinstance(raw, bool):
        raw = None
    try:
        value = int(str(raw).strip()) if raw is not None and str(raw).strip() != "" else None
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise LaborError(
            _("%(label)s应为 %(low)d 到 %(high)d 之间的整数", label=label, low=low, high=high),
            field_name,
        )
    return value


def _optional_int(raw: object, field_name: str, label: str, low: int, high: int) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    return _int(raw, field_name, label, low, high)


def _flag(raw: object) -> bool:
    if isinstance(raw, str):
        return raw.strip().lower() in ("1", "true", "y", "yes", "on")
    return bool(raw)


def parse_rule(raw: Mapping[str, Any], competition: Competition) -> TitleRule:
    """A rule from its stored or posted form, or a LaborError naming the field (Chinese).

    The title is what the platform confers in the host's name: the reserved words (全国 …)
    and the level rules of every honor apply to it now, not at conferral."""
    if not isinstance(raw, Mapping):
        raise LaborError(_("称号规则格式不正确"))
    title = checked_text(
        raw.get("title") if isinstance(raw.get("title"), str) else None,
        "title",
        _("称号名称"),
        TITLE_MAX,
        required=True,
    )
    host = competition.organization
    problem = authority.reserved_word_problem(title, host) or authority.title_level_problem(
        title, competition.level, (host.name, competition.conferring_body)
    )
    if problem:
        raise LaborError(problem, "title")
    recipient = str(raw.get("recipient") or "")
    if recipient not in RECIPIENTS:
        raise LaborError(_("请选择授予对象：参赛单位、班组、项目（标段）或个人"), "recipient")
    by = str(raw.get("by") or "")
    if by not in BY:
        raise LaborError(_("请选择评定方式：按名次或按分数线"), "by")
    top: int | None = None
    min_total: Decimal | None = None
    if by == "rank":
        top = _int(raw.get("top"), "top", _("名次（前几名）"), 1, MAX_TOP)
    else:
        try:
            min_total = Decimal(str(raw.get("min_total")).strip().removesuffix("分"))
        except (InvalidOperation, ValueError):
            min_total = None
        if min_total is None or not min_total.is_finite() or not 0 < min_total <= 100000:
            raise LaborError(_("分数线应为大于 0 的数字，如 95"), "min_total")
        if min_total != min_total.quantize(Decimal("0.01")):
            raise LaborError(_("分数线最多保留两位小数"), "min_total")
    prior = _parse_prior(raw.get("prior"))
    no_repeat = _optional_int(
        raw.get("no_repeat_years"), "no_repeat_years", _("不重复授予的年限"), 1, MAX_YEARS
    )
    tenure = _optional_int(raw.get("tenure_years"), "tenure_years", _("进场年限"), 1, MAX_TENURE)
    if tenure is not None and recipient != "person":
        raise LaborError(_("进场年限只适用于个人称号"), "tenure_years")
    return TitleRule(
        title=title,
        recipient=recipient,
        by=by,
        top=top,
        min_total=min_total,
        prior=prior,
        no_repeat_years=no_repeat,
        every_round=_flag(raw.get("every_round")),
        tenure_years=tenure,
    )


def _parse_prior(raw: object) -> Prior | None:
    if raw is None or raw == {} or raw == "":
        return None
    if not isinstance(raw, Mapping):
        raise LaborError(_("以往称号条件格式不正确"), "prior_title")
    text = str(raw.get("title_contains") or "").strip()
    level_raw = str(raw.get("level") or "").strip()
    years_raw = raw.get("years")
    if not text and not level_raw and years_raw in (None, ""):
        return None
    if not text:
        raise LaborError(_("请填写以往称号应包含的文字，如“安康杯”"), "prior_title")
    if len(text) > TITLE_MAX or text_problem(text):
        raise LaborError(_("以往称号的文字最长 %(n)d 个字", n=TITLE_MAX), "prior_title")
    try:
        level = HonorLevel(level_raw)
    except ValueError:
        raise LaborError(_("请选择以往称号的级别"), "prior_level") from None
    years = _int(years_raw, "prior_years", _("以往称号的年限"), 1, MAX_YEARS)
    return Prior(title_contains=text, level=level, years=years)


def rules_of(competition: Competition) -> list[TitleRule]:
    """The competition's stored rules (stored only through :func:`save_rule`, so they parse;
    one that does not is reported rather than skipped)."""
    found = []
    for number, raw in enumerate(competition.title_rules or [], 1):
        try:
            found.append(parse_rule(raw, competition))
        except LaborError as error:
            raise LaborError(
                _("第 %(n)d 条称号规则有误：%(problem)s", n=number, problem=error.message)
            ) from None
    return found


def _ensure_rules_editable(competition: Competition) -> None:
    if competition.is_rating:
        raise LaborError(_("评级按评定等级授予称号，不设称号规则"))
    if conferral(competition) is not None:
        raise LaborError(_("称号已经授予，规则不能再修改"))


def save_rule(
    actor: User,
    competition: Competition,
    raw: Mapping[str, Any],
    index: int | None = None,
    expected_title: str | None = None,
) -> TitleRule:
    """Add a rule (``index`` None) or replace rule ``index``, whose title must still be
    ``expected_title`` (another organizer may have changed the list meanwhile)."""
    _ensure_rules_editable(competition)
    rules = rules_of(competition)
    if index is not None:
        _check_index(rules, index, expected_title)
    elif len(rules) >= MAX_RULES:
        raise LaborError(_("最多设置 %(n)d 条称号规则", n=MAX_RULES))
    rule = parse_rule(raw, competition)
    for position, other in enumerate(rules):
        if position != index and (other.title, other.recipient) == (rule.title, rule.recipient):
            raise LaborError(
                _(
                    "已有授予%(who)s“%(title)s”的规则",
                    who=recipient_label(rule.recipient),
                    title=rule.title,
                ),
                "title",
            )
    before = [r.to_json() for r in rules]
    if index is None:
        rules.append(rule)
    else:
        rules[index] = rule
    _store(actor, competition, rules, before)
    return rule


def delete_rule(
    actor: User, competition: Competition, index: int, expected_title: str | None = None
) -> TitleRule:
    _ensure_rules_editable(competition)
    rules = rules_of(competition)
    _check_index(rules, index, expected_title)
    before = [r.to_json() for r in rules]
    removed = rules.pop(index)
    _store(actor, competition, rules, before)
    return removed


def _check_index(rules: list[TitleRule], index: int, expected_title: str | None) -> None:
    if not 0 <= index < len(rules) or (
        expected_title is not None and rules[index].title != expected_title
    ):
        raise LaborError(_("称号规则已被他人修改，请刷新后重试"))


def _store(
    actor: User, competition: Competition, rules: list[TitleRule], before: list[dict[str, Any]]
) -> None:
    after = [r.to_json() for r in rules]
    competition.title_rules = after  # a new list: the JSON column sees the change
    db.session.flush()
    audit.record(
        actor,
        "competition.titles.rules",
        "competition",
        competition.id,
        before={"title_rules": before},
        after={"title_rules": after},
    )


# ------------------------------------------------------------------ rating titles


def rating_title(kind: CompetitionKind, grade: str) -> str:
    """The honor title of a rating's grade. A grade that already ends in 工会 or 之家 is the
    title as the rating's text names it (六好基层工会); otherwise the kind's noun follows, with
    级 after a star grade: 五星 → 五星级职工之家 (模范职工之家), 五星级工会 (星级工会),
    示范 → 示范六好工会."""
    grade = grade.strip()
    if grade.endswith(_TITLE_ENDINGS) or kind not in RATING_NOUNS:
        return grade
    joiner = "级" if grade.endswith("星") else ""
    return f"{grade}{joiner}{RATING_NOUNS[kind]}"


# ------------------------------------------------------------------ evaluation


@dataclass(frozen=True)
class Qualified:
    """A title a participant (or, for person rules, a member) qualifies for, and why."""

    title: str
    recipient_kind: RecipientKind
    participant_id: int
    person_id: int | None
    name: str
    basis: str

    @property
    def key(self) -> tuple[str, int, int | None]:
        return (self.title, self.participant_id, self.person_id)


@dataclass(frozen=True)
class NearMiss:
    """Someone who does not get ``title``, and the reason, for the organizer to see."""

    title: str
    name: str
    participant_id: int
    person_id: int | None
    reason: str


@dataclass(frozen=True)
class Candidate:
    """A member of a qualifying participant who meets a person rule: the organizer may add
    them (优秀建设者 are chosen among the eligible, not all conferred)."""

    title: str
    member_id: int
    person_id: int
    name: str
    participant_id: int
    participant: str
    basis: str


@dataclass
class Evaluation:
    """Who qualifies, who narrowly does not and why, and what blocks a proposal at all."""

    qualified: list[Qualified] = field(default_factory=list)
    near_misses: list[NearMiss] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    rounds: int = 0


@dataclass(frozen=True)
class _Held:
    title: str
    level: HonorLevel
    year: int


class _History:
    """The held honors of the field's organisations and people (one query), excluding this
    competition's own."""

    def __init__(self, competition: Competition, participants: Iterable[Participant]) -> None:
        participants = list(participants)
        org_ids = {p.organization_id for p in participants if p.organization_id}
        person_ids = {m.person_id for p in participants for m in p.members}
        self._units: dict[int, list[_Held]] = {}
        self._teams: dict[tuple[int, str], list[_Held]] = {}
        self._people: dict[int, list[_Held]] = {}
        if not org_ids and not person_ids:
            return
        own = f"competition:{competition.id}"
        conditions = []
        if org_ids:
            conditions.append(Honor.organization_id.in_(sorted(org_ids)))
        if person_ids:
            conditions.append(Honor.person_id.in_(sorted(person_ids)))
        rows = db.session.execute(
            select(
                Honor.recipient_kind,
                Honor.organization_id,
                Honor.person_id,
                Honor.recipient_name,
                Honor.title,
                Honor.level,
                Honor.year,
            ).where(
                Honor.status == HonorStatus.VALID,
                or_(Honor.source_ref.is_(None), Honor.source_ref != own),
                or_(*conditions),
            )
        )
        for kind, org_id, person_id, name, title, level, year in rows:
            held = _Held(title, level, int(year))
            if kind is RecipientKind.PERSON:
                if person_id in person_ids:
                    self._people.setdefault(person_id, []).append(held)
            elif kind is RecipientKind.TEAM:
                self._teams.setdefault((org_id, name), []).append(held)
            else:
                self._units.setdefault(org_id, []).append(held)

    def of_participant(self, participant: Participant) -> list[_Held] | None:
        """Held honors of the participant (None: no organisation, nothing can be checked)."""
        if participant.organization_id is None:
            return None
        if participant.kind is ParticipantKind.TEAM:
            return self._teams.get((participant.organization_id, participant.name), [])
        return self._units.get(participant.organization_id, [])

    def of_person(self, person_id: int) -> list[_Held]:
        return self._people.get(person_id, [])


def _held_text(held: _Held) -> str:
    return _(
        "%(year)d 年%(level)s“%(title)s”", year=held.year, level=held.level.label, title=held.title
    )


def _history_reason(
    rule: TitleRule, competition: Competition, held: list[_Held] | None
) -> tuple[str | None, str]:
    """(refusal or None, what the basis says about the prior title)."""
    year = competition.year
    note = ""
    if rule.prior is not None:
        prior = rule.prior
        if held is None:
            return _("未关联组织，无法核对以往称号"), ""
        found = sorted(
            (
                h
                for h in held
                if prior.title_contains in h.title
                and h.level.rank <= prior.level.rank
                and year - prior.years <= h.year <= year
            ),
            key=lambda h: (h.level.rank, -h.year),
        )
        if not found:
            return (
                _(
                    "未找到 %(since)d 年以来%(level)s及以上含“%(text)s”的称号",
                    since=year - prior.years,
                    level=prior.level.label,
                    text=prior.title_contains,
                ),
                "",
            )
        note = _("已有 %(held)s", held=_held_text(found[0]))
    if rule.no_repeat_years is not None and held:
        repeat = [
            h
            for h in held
            if h.title == rule.title
            and h.level is competition.level
            and year - rule.no_repeat_years < h.year <= year
        ]
        if repeat:
            latest = max(repeat, key=lambda h: h.year)
            return (
                _(
                    "%(held)s，%(n)d 年内不再授予",
                    held=_held_text(latest),
                    n=rule.no_repeat_years,
                ),
                "",
            )
    return None, note


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months (31 January + 1 month = 28 or 29 February)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def rating_valid_until(competition: Competition, conferred_on: date) -> date:
    """The last day a rating's grade conferred on ``conferred_on`` is held: ``valid_months``
    later less one day (``Honor.valid_until`` is a day still valid, ``validity.valid_on``), so
    a grade of 2026-03-15 for 12 months holds to 2027-03-14 and a re-rating conferred on
    2027-03-15 follows it without a gap or a day with two grades."""
    months = competition.valid_months or DEFAULT_VALID_MONTHS
    return add_months(conferred_on, months) - timedelta(days=1)


def end_day(competition: Competition) -> date:
    """When the competition ends, for tenure: its end date, else its last round's, else today."""
    if competition.ends_on is not None:
        return competition.ends_on
    ends = [r.ends_on for r in competition.rounds if r.ends_on is not None]
    return max(ends) if ends else today()


def _field(competition: Competition, *, withdrawn: bool = False) -> list[Participant]:
    query = (
        select(Participant)
        .where(Participant.competition_id == competition.id)
        .options(
            selectinload(Participant.members).selectinload(ParticipantMember.person),
            selectinload(Participant.organization),
            selectinload(Participant.parent),
        )
        .order_by(Participant.id)
    )
    if not withdrawn:
        query = query.where(Participant.withdrawn_at.is_(None))
    return list(db.session.scalars(query))


def _clip(text: str) -> str:
    return text if len(text) <= BASIS_MAX else text[: BASIS_MAX - 1] + "…"


def evaluate(competition: Competition) -> Evaluation:
    """Who qualifies for what, from the cumulative standings of the published rounds and the
    honors table (read-only). Texts are built in Chinese: they are stored as the basis."""
    with force_locale("zh_CN"):
        if competition.is_rating:
            return _evaluate_rating(competition)
        return _evaluate_rules(competition)


@dataclass
class _Entry:
    """A participant's standing as the rules read it."""

    participant: Participant
    track: int  # index of its track table
    track_name: str
    rank: int | None
    total: Decimal
    vetoed: bool
    scored: int
    missing_rounds: list[str]
    unmet: list[str] = field(default_factory=list)  # 必备项 not met: "items（round）" each


def _evaluate_rules(competition: Competition) -> Evaluation:
    result = Evaluation()
    try:
        rules = rules_of(competition)
    except LaborError as error:
        result.problems.append(error.message)
        return result
    if not rules:
        result.problems.append(_("还没有设置称号规则"))
    table = standings_service.standings(competition, public=False)
    result.rounds = len(table.rounds)
    if not table.rounds:
        result.problems.append(_("还没有已公布的轮次"))
    if table.problem:
        result.problems.append(table.problem)
    if result.problems:
        return result
    participants = {p.id: p for p in _field(competition)}
    round_names = {r.id: r.name for r in table.rounds}
    entries: list[_Entry] = []
    for index, track_table in enumerate(table.tracks):
        for row in track_table.rows:
            participant = participants.get(row.participant_id)
            if participant is None:
                continue
            missing = [round_names[rid] for rid, value in row.rounds.items() if value is None]
            entries.append(
                _Entry(
                    participant,
                    index,
                    track_table.name,
                    row.rank,
                    row.total,
                    row.vetoed,
                    len(row.rounds) - len(missing),
                    missing,
                )
            )
    unmet = _unmet_mandatory(competition, table.rounds)
    for entry in entries:
        entry.unmet = unmet.get(entry.participant.id, [])
    history = _History(competition, participants.values())
    finish = end_day(competition)
    for rule in rules:
        _apply_rule(rule, competition, entries, history, finish, result)
    return result


def _unmet_mandatory(
    competition: Competition, rounds: Sequence[standings_service.RoundHead]
) -> dict[int, list[str]]:
    """Participant id → the 必备项 it did not meet, "items（round）" for each published round
    where it missed one, oldest round first (read from the stored round results)."""
    if not rounds:
        return {}
    names = {r.id: r.name for r in rounds}
    order = {r.id: index for index, r in enumerate(rounds)}
    rows = db.session.execute(
        select(
            RoundResult.participant_id, RoundResult.round_id, RoundResult.missing_mandatory
        ).where(RoundResult.round_id.in_(list(names)), RoundResult.missing_mandatory != "")
    ).all()
    items = _item_name_map(competition) if rows else {}
    found: dict[int, list[str]] = {}
    for participant_id, round_id, keys in sorted(rows, key=lambda row: order[row[1]]):
        found.setdefault(participant_id, []).append(
            _("%(items)s（%(round)s）", items=_names_of(items, keys), round=names[round_id])
        )
    return found


def _entry_refusal(rule: TitleRule, entry: _Entry) -> str | None:
    participant = entry.participant
    if participant.registered_on is None:
        return _("未在参赛名录备案")
    if entry.vetoed:
        return _("一票否决，不参评称号")
    if entry.unmet:
        return _mandatory_refusal(entry)
    if rule.every_round and entry.missing_rounds:
        return _("未参加%(rounds)s考评", rounds="、".join(entry.missing_rounds))
    return None


def _standing_text(entry: _Entry, place: int | None) -> str:
    total = format_points(entry.total)
    if place is None:
        return _("累计 %(total)s 分", total=total)
    if entry.rank is not None and entry.rank != place:
        return _(
            "%(track)s排名第 %(rank)d，在符合条件者中列第 %(place)d 名（累计 %(total)s 分）",
            track=entry.track_name,
            rank=entry.rank,
            place=place,
            total=total,
        )
    return _(
        "%(track)s第 %(place)d 名（累计 %(total)s 分）",
        track=entry.track_name,
        place=place,
        total=total,
    )


def _apply_rule(
    rule: TitleRule,
    competition: Competition,
    entries: list[_Entry],
    history: _History,
    finish: date,
    result: Evaluation,
) -> None:
    kind = _KIND_OF.get(rule.recipient)
    pool = [e for e in entries if kind is None or e.participant.kind is kind]
    refusals: dict[int, str | None] = {}
    notes: dict[int, str] = {}
    for entry in pool:
        pid = entry.participant.id
        refusal = _entry_refusal(rule, entry)
        note = ""
        if refusal is None and rule.recipient != "person":
            refusal, note = _history_reason(
                rule, competition, history.of_participant(entry.participant)
            )
        refusals[pid], notes[pid] = refusal, note
    eligible = [e for e in pool if refusals[e.participant.id] is None]

    ranks: dict[int, list[int]] = {}
    for other in eligible:
        if other.rank is not None:
            ranks.setdefault(other.track, []).append(other.rank)
    for values in ranks.values():
        values.sort()

    def place(entry: _Entry) -> int | None:
        """1 + the eligible participants of its track ranked strictly better (ties share)."""
        if entry.rank is None:
            return None
        return 1 + bisect_left(ranks.get(entry.track, []), entry.rank)

    winners: list[tuple[_Entry, str]] = []
    below: list[tuple[_Entry, str]] = []
    for entry in pool:
        pid = entry.participant.id
        refusal = refusals[pid]
        if rule.by == "rank":
            at = place(entry)
            earns = at is not None and at <= (rule.top or 0)
            standing = _standing_text(entry, at)
            cut = _("前 %(n)d 名授予", n=rule.top or 0)
            near = at is not None and (rule.top or 0) < at <= (rule.top or 0) + NEAR_PLACES
            short = _("%(standing)s，只授予前 %(n)d 名", standing=standing, n=rule.top or 0)
        else:
            threshold = rule.min_total or Decimal(0)
            earns = entry.total >= threshold
            standing = _standing_text(entry, None)
            cut = _("达到 %(min)s 分", min=format_points(threshold))
            near = not earns
            short = _(
                "%(standing)s，未达到 %(min)s 分", standing=standing, min=format_points(threshold)
            )
        if rule.recipient == "person" and not earns:
            continue  # a person rule lists people: the units that did not qualify are above
        if entry.vetoed:
            result.near_misses.append(_near(rule, entry, _("一票否决，不参评称号")))
        elif entry.unmet and not earns and _registered(entry):
            # like a veto, an unmet 必备项 is named even when the standing would not earn it
            result.near_misses.append(_near(rule, entry, _mandatory_refusal(entry)))
        elif refusal is not None:
            if earns:
                result.near_misses.append(
                    _near(rule, entry, _("%(standing)s；但%(why)s", standing=standing, why=refusal))
                )
        elif earns:
            basis = "；".join(part for part in (f"{standing}，{cut}", notes[pid]) if part)
            winners.append((entry, basis))
        elif near:
            below.append((entry, short))
    if rule.by == "threshold":
        below.sort(key=lambda pair: pair[0].total, reverse=True)
        below = below[:NEAR_TOTALS]
    for entry, reason in below:
        result.near_misses.append(_near(rule, entry, reason))
    if rule.recipient == "person":
        for entry, basis in winners:
            _members(rule, competition, entry, basis, history, finish, result)
        return
    for entry, basis in winners:
        participant = entry.participant
        result.qualified.append(
            Qualified(
                title=rule.title,
                recipient_kind=rule.recipient_kind,
                participant_id=participant.id,
                person_id=None,
                name=participant.name,
                basis=_clip(basis),
            )
        )


def _registered(entry: _Entry) -> bool:
    return entry.participant.registered_on is not None


def _mandatory_refusal(entry: _Entry) -> str:
    return _("必备项未达标：%(items)s", items="；".join(entry.unmet))


def _near(rule: TitleRule, entry: _Entry, reason: str) -> NearMiss:
    return NearMiss(rule.title, entry.participant.name, entry.participant.id, None, reason)


def _members(
    rule: TitleRule,
    competition: Competition,
    entry: _Entry,
    basis: str,
    history: _History,
    finish: date,
    result: Evaluation,
) -> None:
    """The members of a participant qualifying under a person rule: candidates or refusals."""
    participant = entry.participant
    for member in participant.members:
        person = member.person
        refusal: str | None = None
        parts = [
            _(
                "所在%(kind)s“%(name)s”%(standing)s",
                kind=participant.kind.label,
                name=participant.name,
                standing=basis,
            )
        ]
        if rule.tenure_years is not None:
            since = member.on_site_since
            if since is None:
                refusal = _("未填写进场日期")
            elif add_months(since, 12 * rule.tenure_years) > finish:
                refusal = _(
                    "%(since)s 进场，至 %(end)s 不满 %(n)d 年",
                    since=since.isoformat(),
                    end=finish.isoformat(),
                    n=rule.tenure_years,
                )
            else:
                parts.append(
                    _("%(since)s 进场，满 %(n)d 年", since=since.isoformat(), n=rule.tenure_years)
                )
        if refusal is None:
            refusal, note = _history_reason(rule, competition, history.of_person(member.person_id))
            if note:
                parts.append(note)
        if refusal is not None:
            result.near_misses.append(
                NearMiss(rule.title, person.name, participant.id, member.person_id, refusal)
            )
            continue
        result.candidates.append(
            Candidate(
                title=rule.title,
                member_id=member.id,
                person_id=member.person_id,
                name=person.name,
                participant_id=participant.id,
                participant=participant.name,
                basis=_clip("；".join(parts)),
            )
        )


def _item_name_map(competition: Competition) -> dict[str, str]:
    return {a.key: a.name for a in indicators.items_of(indicators.sheet_of(competition))}


def _names_of(names: Mapping[str, str], keys: str) -> str:
    """Stored item keys ("M1,M2") as the sheet's item names joined with 、."""
    return "、".join(
        names.get(k.strip(), k.strip()) for k in keys.replace("，", ",").split(",") if k.strip()
    )


def _item_names(competition: Competition, keys: str) -> str:
    return _names_of(_item_name_map(competition), keys)


def _evaluate_rating(competition: Competition) -> Evaluation:
    """Each rated union's grade from the last published round (DOMAIN §2 rule 17)."""
    result = Evaluation()
    rounds = standings_service.counted_rounds(competition, public=False)
    result.rounds = len(rounds)
    if not rounds:
        result.problems.append(_("还没有已公布的轮次"))
        return result
    last = rounds[-1]
    results = {
        r.participant_id: r
        for r in db.session.scalars(select(RoundResult).where(RoundResult.round_id == last.id))
    }
    lowest = min((Decimal(line) for line, _name in competition.grades or []), default=None)
    for participant in _field(competition):
        found = results.get(participant.id)
        grade = (found.grade or "").strip() if found is not None else ""
        title = rating_title(competition.kind, grade) if grade else ""
        if found is not None and grade and participant.registered_on is not None:
            result.qualified.append(
                Qualified(
                    title=title,
                    recipient_kind=participant.kind.recipient_kind,
                    participant_id=participant.id,
                    person_id=None,
                    name=participant.name,
                    basis=_clip(
                        _(
                            "%(round)s得分 %(total)s，评定为“%(grade)s”",
                            round=last.name,
                            total=format_points(found.total),
                            grade=grade,
                        )
                    ),
                )
            )
            continue
        if participant.registered_on is None:
            reason = _("未在参赛名录备案")
        elif found is None:
            reason = _("未参加%(round)s考评", round=last.name)
        elif found.vetoed:
            reason = _("一票否决：%(items)s", items=_item_names(competition, found.vetoed_by))
        elif found.missing_mandatory:
            reason = _(
                "必备项未达标：%(items)s", items=_item_names(competition, found.missing_mandatory)
            )
        elif lowest is not None:
            reason = _(
                "得分 %(total)s，未达到最低等级线 %(line)s 分",
                total=format_points(found.total),
                line=format_points(lowest),
            )
        else:
            reason = _("未评定等级")
        result.near_misses.append(NearMiss(title, participant.name, participant.id, None, reason))
    return result


# ------------------------------------------------------------------ the proposal


def awards_of(competition: Competition) -> list[CompetitionAward]:
    """The proposed (or conferred) awards: collectives first, by title, then people."""
    return list(
        db.session.scalars(
            select(CompetitionAward)
            .where(CompetitionAward.competition_id == competition.id)
            .options(
                selectinload(CompetitionAward.participant), selectinload(CompetitionAward.person)
            )
            .order_by(
                CompetitionAward.person_id.is_not(None),
                CompetitionAward.title,
                CompetitionAward.id,
            )
        )
    )


def _ensure_proposable(competition: Competition) -> None:
    if competition.status is CompetitionStatus.DRAFT:
        raise LaborError(_("竞赛尚未开始，不能评定称号"))
    if conferral(competition) is not None:
        raise LaborError(_("称号已经授予，名单不能再修改"))


def propose(actor: User, competition: Competition) -> Evaluation:
    """Store who qualifies as award rows (collectives by the rules, ratings by grade); person
    awards added earlier stay while their holder is still a candidate. Audited."""
    _ensure_proposable(competition)
    evaluation = evaluate(competition)
    if evaluation.problems:
        raise LaborError(_("不能生成建议名单"), problems=evaluation.problems)
    existing = awards_of(competition)
    wanted = {q.key: q for q in evaluation.qualified}
    candidates = {(c.title, c.participant_id, c.person_id): c for c in evaluation.candidates}
    kept = dropped = 0
    for award in existing:
        key = (award.title, award.participant_id or 0, award.person_id)
        if award.person_id is None and key in wanted:
            award.basis = wanted.pop(key).basis
            kept += 1
        elif award.person_id is not None and key in candidates:
            award.basis = candidates[key].basis
            kept += 1
        else:
            db.session.delete(award)
            dropped += 1
    db.session.flush()
    for item in wanted.values():
        db.session.add(
            CompetitionAward(
                competition_id=competition.id,
                title=item.title,
                recipient_kind=item.recipient_kind,
                participant_id=item.participant_id,
                basis=item.basis,
            )
        )
    db.session.flush()
    audit.record(
        actor,
        "competition.titles.propose",
        "competition",
        competition.id,
        after={"added": len(wanted), "kept": kept, "dropped": dropped},
    )
    return evaluation


def add_person_award(
    actor: User, competition: Competition, member: ParticipantMember, title: str
) -> CompetitionAward:
    """Add a member of a qualifying participant for a person title, when they meet its rule
    (tenure, prior title, no repeat); the refusal says why not."""
    _ensure_proposable(competition)
    if member.participant.competition_id != competition.id:
        raise LaborError(_("该人员不是本竞赛的参赛人员"))
    evaluation = evaluate(competition)
    if evaluation.problems:
        raise LaborError(_("不能生成建议名单"), problems=evaluation.problems)
    found = next(
        (c for c in evaluation.candidates if c.member_id == member.id and c.title == title), None
    )
    if found is None:
        miss = next(
            (
                m
                for m in evaluation.near_misses
                if m.title == title
                and m.person_id == member.person_id
                and m.participant_id == member.participant_id
            ),
            None,
        )
        if miss is not None:
            raise LaborError(
                _(
                    "%(name)s不符合“%(title)s”的条件：%(why)s",
                    name=member.person.name,
                    title=title,
                    why=miss.reason,
                )
            )
        raise LaborError(
            _("%(name)s所在单位不符合“%(title)s”的条件", name=member.person.name, title=title)
        )
    duplicate = db.session.scalar(
        select(CompetitionAward.id).where(
            CompetitionAward.competition_id == competition.id,
            CompetitionAward.title == title,
            CompetitionAward.person_id == member.person_id,
        )
    )
    if duplicate is not None:
        raise LaborError(_("%(name)s已在“%(title)s”名单中", name=member.person.name, title=title))
    award = CompetitionAward(
        competition_id=competition.id,
        title=title,
        recipient_kind=RecipientKind.PERSON,
        participant_id=member.participant_id,
        person_id=member.person_id,
        basis=found.basis,
    )
    db.session.add(award)
    db.session.flush()
    audit.record(
        actor,
        "competition.award.add",
        "competition",
        competition.id,
        after={"title": title, "person_id": member.person_id, "basis": found.basis},
    )
    return award


def remove_award(actor: User, award: CompetitionAward) -> None:
    """Take a person off the list before conferral; titles earned by the rules stay (change
    the rules and propose again instead)."""
    competition = db.session.get(Competition, award.competition_id)
    assert competition is not None
    _ensure_proposable(competition)
    if award.person_id is None:
        raise LaborError(_("按规则评定的称号不能单独删除；如需调整，请修改称号规则后重新生成"))
    before = {"title": award.title, "person_id": award.person_id, "basis": award.basis}
    db.session.delete(award)
    db.session.flush()
    audit.record(actor, "competition.award.remove", "competition", competition.id, before=before)


# ------------------------------------------------------------------ conferral


@dataclass(frozen=True)
class Conferral:
    """A conferral as its audit entry recorded it."""

    document_number: str
    conferred_on: date
    honors: int
    ended: int


def conferral(competition: Competition) -> Conferral | None:
    """The conferral of ``competition`` (None: not yet). Its audit entry is the mark, so a
    rating where nobody earned a grade is conferred once too."""
    raw = db.session.scalar(
        select(AuditEntry.after)
        .where(
            AuditEntry.action == CONFER_ACTION,
            AuditEntry.target_type == "competition",
            AuditEntry.target_id == str(competition.id),
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    if raw is None:
        return None
    data = json.loads(raw)
    return Conferral(
        document_number=str(data.get("document_number") or ""),
        conferred_on=date.fromisoformat(str(data.get("conferred_on"))),
        honors=int(data.get("honors") or 0),
        ended=int(data.get("ended") or 0),
    )


def confer_problems(competition: Competition, evaluation: Evaluation | None = None) -> list[str]:
    """What keeps the proposal from being conferred now (empty: it may be); ``evaluation``
    when the caller has just made one."""
    if conferral(competition) is not None:
        return [_("称号已经授予，不能重复授予")]
    if competition.status is CompetitionStatus.DRAFT:
        return [_("竞赛尚未开始，不能授予称号")]
    unpublished = [r.name for r in competition.rounds if r.status is not RoundStatus.PUBLISHED]
    if unpublished:
        return [_("以下轮次尚未公布：%(names)s", names="、".join(unpublished))]
    if competition.status is CompetitionStatus.RUNNING:
        problems = competitions.move_problems(competition, CompetitionStatus.FINISHED)
        if problems:
            return problems
    evaluation = evaluation or evaluate(competition)
    if evaluation.problems:
        return evaluation.problems
    awards = awards_of(competition)
    if not awards and not competition.is_rating:
        return [_("建议名单为空，请先生成建议名单")]
    stored = {(a.title, a.participant_id or 0, a.person_id) for a in awards if a.person_id is None}
    if stored != {q.key for q in evaluation.qualified}:
        return [_("成绩或称号规则已有变动，建议名单已过时，请重新生成后再授予")]
    candidates = {(c.title, c.participant_id, c.person_id) for c in evaluation.candidates}
    for award in awards:
        if award.person_id is not None and (
            (award.title, award.participant_id, award.person_id) not in candidates
        ):
            return [_("成绩或称号规则已有变动，建议名单已过时，请重新生成后再授予")]
    return []


def _lock(competition: Competition) -> Competition:
    """The competition row locked for this transaction (PostgreSQL), so two conferrals cannot
    both pass the check; SQLite serialises writers anyway."""
    locked = db.session.scalar(
        select(Competition)
        .where(Competition.id == competition.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert locked is not None
    return locked


def _honor_data(
    competition: Competition,
    award: CompetitionAward,
    document_number: str,
    conferred_on: date,
    valid_until: date | None,
) -> records.HonorData:
    participant = award.participant
    assert participant is not None
    body = competition.conferring_body or competition.organization.name
    org = participant.organization
    if award.person_id is not None and award.person is not None:
        member = next((m for m in participant.members if m.person_id == award.person_id), None)
        unit = participant.name
        if participant.kind is ParticipantKind.TEAM and participant.parent is not None:
            unit = f"{participant.parent.name}{participant.name}"
        return records.HonorData(
            recipient_name=award.person.name,
            title=award.title,
            level=competition.level,
            year=competition.year,
            person=award.person,
            organization=award.person.organization or org,
            recipient_kind=RecipientKind.PERSON,
            unit_name=unit,
            post=member.post if member is not None else None,
            conferring_body=body,
            document_number=document_number,
            conferred_on=conferred_on,
            source=HonorSource.LABOR,
            source_ref=f"competition:{competition.id}",
            deeds_summary=_clip(f"{competition.name}：{award.basis}"),
        )
    if participant.kind is ParticipantKind.TEAM:
        unit = participant.parent.name if participant.parent is not None else None
        unit = unit or (org.name if org is not None else None)
    else:
        unit = org.name if org is not None and org.name != participant.name else None
    return records.HonorData(
        recipient_name=participant.name,
        title=award.title,
        level=competition.level,
        year=competition.year,
        organization=org,
        recipient_kind=participant.kind.recipient_kind,
        unit_name=unit,
        conferring_body=body,
        document_number=document_number,
        conferred_on=conferred_on,
        source=HonorSource.LABOR,
        source_ref=f"competition:{competition.id}",
        deeds_summary=_clip(f"{competition.name}：{award.basis}"),
        valid_until=valid_until,
    )


def _check_conferral(
    document_number: str, conferred_on: date | None, competition: Competition
) -> str:
    number = checked_text(document_number, "document_number", _("文号"), 100, required=True)
    if conferred_on is None:
        raise LaborError(_("请填写授予日期"), "conferred_on")
    if conferred_on > today():
        raise LaborError(_("授予日期不能晚于今天"), "conferred_on")
    if competition.starts_on is not None and conferred_on < competition.starts_on:
        raise LaborError(_("授予日期不能早于竞赛开始日期"), "conferred_on")
    return number


@dataclass(frozen=True)
class ConferResult:
    honors: list[Honor]
    ended: int  # earlier ratings' grades ended by this one


def confer(
    actor: User, competition: Competition, document_number: str, conferred_on: date | None
) -> ConferResult:
    """Turn the proposal into honors (文号 and date required), end the grades this rating
    supersedes, finish the competition, and record the conferral. Refused with every problem,
    changing nothing; refused outright the second time."""
    number = _check_conferral(document_number, conferred_on, competition)
    assert conferred_on is not None
    competition = _lock(competition)
    problems = confer_problems(competition)
    if problems:
        raise LaborError(_("不能授予称号"), problems=problems)
    valid_until = rating_valid_until(competition, conferred_on) if competition.is_rating else None
    honors = []
    try:
        for award in awards_of(competition):
            honor = records.add_honor(
                actor, _honor_data(competition, award, number, conferred_on, valid_until)
            )
            award.honor_id = honor.id
            honors.append(honor)
    except records.HonorError as error:
        raise LaborError(_("不能授予称号"), problems=[str(error)]) from None
    ended = _end_superseded(actor, competition, conferred_on) if competition.is_rating else 0
    if competition.status is CompetitionStatus.RUNNING:
        competitions.change_status(actor, competition, CompetitionStatus.FINISHED)
    db.session.flush()
    audit.record(
        actor,
        CONFER_ACTION,
        "competition",
        competition.id,
        after={
            "document_number": number,
            "conferred_on": conferred_on.isoformat(),
            "honors": len(honors),
            "ended": ended,
            "honor_ids": [h.id for h in honors],
        },
    )
    return ConferResult(honors, ended)


def _end_superseded(actor: User, competition: Competition, conferred_on: date) -> int:
    """End, the day before ``conferred_on``, the grades earlier ratings of the same kind and
    level gave the organisations this one rated (graded now or not): a re-rating replaces."""
    orgs = {p.organization_id for p in _field(competition, withdrawn=True) if p.organization_id}
    if not orgs:
        return 0
    others = db.session.scalars(
        select(Competition.id).where(
            Competition.kind == competition.kind,
            Competition.level == competition.level,
            Competition.id != competition.id,
        )
    ).all()
    if not others:
        return 0
    last_day = conferred_on - timedelta(days=1)
    previous = db.session.scalars(
        select(Honor).where(
            Honor.source == HonorSource.LABOR,
            Honor.source_ref.in_([f"competition:{cid}" for cid in others]),
            Honor.organization_id.in_(sorted(orgs)),
            Honor.recipient_kind != RecipientKind.PERSON,
            Honor.status == HonorStatus.VALID,
            Honor.conferred_on < conferred_on,
            or_(Honor.valid_until.is_(None), Honor.valid_until > last_day),
        )
    ).all()
    with force_locale("zh_CN"):
        reason = _("被“%(name)s”复评取代", name=competition.name)
    return sum(1 for honor in previous if records.end_validity(actor, honor, last_day, reason))
