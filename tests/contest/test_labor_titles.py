"""Titles at the end of a labor competition and grades of a union rating (issue 12 items 5, 9):
the rules, eligibility at the edges of every window, the proposal with its near-misses, the
conferral into honors on the wall, re-rating, and lapsed grades leaving every public place.

Data are model rows built here (a city federation hosts; each participant is a grassroots
union below it with stored results of published rounds), so the tests read only the titles
service, the standings it reads and the honors it writes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from contest.models import (
    Aspect,
    AspectKind,
    AuditEntry,
    Competition,
    CompetitionAward,
    CompetitionKind,
    CompetitionStatus,
    Component,
    Honor,
    HonorLevel,
    HonorSource,
    OrgKind,
    Participant,
    ParticipantKind,
    ParticipantMember,
    RecipientKind,
    Round,
    RoundResult,
    RoundStatus,
    RubricCriterion,
    Track,
)
from contest.models.contest import VetoEffect
from contest.services.honors import validity
from contest.services.honors import wall as wall_service
from contest.services.honors.records import HonorData, add_honor
from contest.services.labor import titles
from contest.services.labor.base import LaborError


class World:
    """A running competition with published rounds; participants are added with their totals."""

    def __init__(
        self,
        db: Any,
        make_org: Callable[..., Any],
        make_user: Callable[..., Any],
        make_person: Callable[..., Any],
        *,
        kind: CompetitionKind = CompetitionKind.PROJECT,
        rounds: int = 2,
        year: int = 2026,
        tracks: Sequence[str] = ("土建组",),
        host: Any = None,
        name: str = "江州市重点工程劳动竞赛",
    ) -> None:
        self.db = db
        self.make_org = make_org
        self.make_person = make_person
        self.host = host or make_org(name="江州市总工会", kind=OrgKind.CITY)
        self.organizer = make_user("organizer", organization=self.host)
        self.competition = Competition(
            name=name,
            kind=kind,
            organization=self.host,
            year=year,
            level=HonorLevel.CITY,
            starts_on=date(year, 1, 1),
            ends_on=date(year, 12, 31),
            status=CompetitionStatus.RUNNING,
            conferring_body="江州市总工会",
            title_rules=[],
            tie_break=[],
            grades=[["90", "五星"], ["80", "四星"]] if kind.is_rating else [],
            valid_months=12 if kind.is_rating else None,
        )
        db.session.add(self.competition)
        self.tracks = [
            Track(competition=self.competition, name=t, position=i) for i, t in enumerate(tracks)
        ]
        self.rounds = [
            Round(
                competition=self.competition,
                name=f"第{i + 1}轮",
                position=i,
                starts_on=date(year, i + 1, 1),
                ends_on=date(year, i + 1, 28),
                status=RoundStatus.PUBLISHED,
                published_at=datetime(year, i + 2, 1, tzinfo=UTC),
            )
            for i in range(rounds)
        ]
        db.session.add_all(self.tracks + self.rounds)
        db.session.commit()

    def unit(
        self,
        name: str,
        totals: Sequence[float | None],
        *,
        kind: ParticipantKind = ParticipantKind.UNIT,
        track: int = 0,
        registered: bool = True,
        withdrawn: bool = False,
        org: Any = "new",
        parent: Participant | None = None,
        veto: tuple[int, VetoEffect] | None = None,
        grade: str | None = None,
        missing_mandatory: str | Mapping[int, str] = "",
    ) -> Participant:
        """``missing_mandatory``: the unmet 必备项 keys of every round, or of the rounds named
        by their index."""
        if org == "new":
            org = self.make_org(name=f"{name}工会", kind=OrgKind.GRASSROOTS, parent=self.host)
        participant = Participant(
            competition=self.competition,
            track=self.tracks[track] if self.tracks else None,
            kind=kind,
            name=name,
            organization=org,
            parent=parent,
            registered_on=date(self.competition.year, 1, 5) if registered else None,
            withdrawn_at=datetime(self.competition.year, 3, 1, tzinfo=UTC) if withdrawn else None,
        )
        self.db.session.add(participant)
        self.db.session.flush()
        for index, (round_, total) in enumerate(zip(self.rounds, totals, strict=False)):
            if total is None:
                continue
            vetoed = veto is not None and veto[0] == index
            self.db.session.add(
                RoundResult(
                    round_id=round_.id,
                    participant_id=participant.id,
                    base=Decimal(str(total)),
                    total=Decimal(str(total)),
                    vetoed=vetoed,
                    veto_effect=veto[1] if vetoed and veto else None,
                    vetoed_by="safety" if vetoed else "",
                    grade=grade,
                    missing_mandatory=(
                        missing_mandatory
                        if isinstance(missing_mandatory, str)
                        else missing_mandatory.get(index, "")
                    ),
                    assessors=3,
                )
            )
        self.db.session.commit()
        return participant

    def member(self, participant: Participant, name: str, since: date | None) -> ParticipantMember:
        person = self.make_person(name=name, organization=participant.organization)
        member = ParticipantMember(
            participant=participant, person_id=person.id, post="项目经理", on_site_since=since
        )
        self.db.session.add(member)
        self.db.session.commit()
        return member

    def rules(self, *rules: dict[str, Any]) -> None:
        self.competition.title_rules = [dict(r) for r in rules]
        self.db.session.commit()

    def honor(
        self,
        title: str,
        year: int,
        *,
        org: Any = None,
        person: Any = None,
        level: HonorLevel = HonorLevel.CITY,
        kind: RecipientKind = RecipientKind.UNIT,
        name: str | None = None,
    ) -> Honor:
        created = add_honor(
            None,
            HonorData(
                recipient_name=name or (person.name if person else org.name),
                title=title,
                level=level,
                year=year,
                person=person,
                organization=org,
                recipient_kind=kind if person is None else RecipientKind.PERSON,
                conferring_body="某某总工会",
                document_number=f"某工发〔{year}〕1号",
            ),
        )
        self.db.session.commit()
        return created

    def evaluate(self) -> titles.Evaluation:
        return titles.evaluate(self.competition)

    def confer(self, number: str = "江工发〔2026〕12号", on: date | None = None) -> Any:
        titles.propose(self.organizer, self.competition)
        self.db.session.commit()
        done = titles.confer(self.organizer, self.competition, number, on or validity.today())
        self.db.session.commit()
        return done


@pytest.fixture
def world(
    db: Any,
    make_org: Callable[..., Any],
    make_user: Callable[..., Any],
    make_person: Callable[..., Any],
) -> Callable[..., World]:
    def _make(**options: Any) -> World:
        return World(db, make_org, make_user, make_person, **options)

    return _make


def winners(evaluation: titles.Evaluation, title: str | None = None) -> list[str]:
    return sorted(q.name for q in evaluation.qualified if title is None or q.title == title)


def misses(evaluation: titles.Evaluation) -> dict[str, str]:
    return {m.name: m.reason for m in evaluation.near_misses}


RANK = {"title": "先进集体", "recipient": "unit", "by": "rank", "top": 2}


# ------------------------------------------------------------------ rules


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        ({"title": "", "recipient": "unit", "by": "rank", "top": 1}, "title", "请填写称号名称"),
        (
            {"title": "先进集体", "recipient": "firm", "by": "rank", "top": 1},
            "recipient",
            "授予对象",
        ),
        ({"title": "先进集体", "recipient": "unit", "by": "lottery"}, "by", "评定方式"),
        ({"title": "先进集体", "recipient": "unit", "by": "rank", "top": 0}, "top", "名次"),
        ({"title": "先进集体", "recipient": "unit", "by": "rank", "top": "三"}, "top", "名次"),
        ({"title": "先进集体", "recipient": "unit", "by": "threshold"}, "min_total", "分数线"),
        (
            {"title": "先进集体", "recipient": "unit", "by": "threshold", "min_total": "95.123"},
            "min_total",
            "两位小数",
        ),
        (
            {"title": "全国先进集体", "recipient": "unit", "by": "rank", "top": 1},
            "title",
            "全国",
        ),
        (
            {"title": "优秀建设者", "recipient": "unit", "by": "rank", "top": 1, "tenure_years": 1},
            "tenure_years",
            "个人称号",
        ),
        (
            {
                "title": "安康杯优胜单位",
                "recipient": "unit",
                "by": "threshold",
                "min_total": 95,
                "prior": {"title_contains": "", "level": "city", "years": 5},
            },
            "prior_title",
            "安康杯",
        ),
        (
            {
                "title": "安康杯优胜单位",
                "recipient": "unit",
                "by": "threshold",
                "min_total": 95,
                "prior": {"title_contains": "安康杯", "level": "galaxy", "years": 5},
            },
            "prior_level",
            "级别",
        ),
        (
            {
                "title": "先进集体",
                "recipient": "unit",
                "by": "rank",
                "top": 1,
                "no_repeat_years": 0,
            },
            "no_repeat_years",
            "年限",
        ),
    ],
)
def test_bad_rules_are_refused_in_chinese_and_nothing_is_stored(
    world: Callable[..., World], raw: dict[str, Any], field: str, message: str
) -> None:
    w = world()
    with pytest.raises(LaborError) as refused:
        titles.save_rule(w.organizer, w.competition, raw)
    assert refused.value.field == field
    assert message in refused.value.message
    w.db.session.rollback()
    assert w.competition.title_rules == []


def test_rules_are_added_edited_and_deleted_with_an_audit(world: Callable[..., World]) -> None:
    w = world()
    titles.save_rule(w.organizer, w.competition, RANK)
    titles.save_rule(
        w.organizer,
        w.competition,
        {
            "title": "优秀建设者",
            "recipient": "person",
            "by": "rank",
            "top": "3",
            "tenure_years": "1",
            "every_round": "on",
        },
    )
    w.db.session.commit()
    assert [r["title"] for r in w.competition.title_rules] == ["先进集体", "优秀建设者"]
    assert w.competition.title_rules[1] == {
        "title": "优秀建设者",
        "recipient": "person",
        "by": "rank",
        "top": 3,
        "every_round": True,
        "tenure_years": 1,
    }
    with pytest.raises(LaborError, match="已有授予"):
        titles.save_rule(w.organizer, w.competition, RANK)
    titles.save_rule(
        w.organizer, w.competition, {**RANK, "top": 5}, index=0, expected_title="先进集体"
    )
    with pytest.raises(LaborError, match="刷新"):
        titles.delete_rule(w.organizer, w.competition, 1, expected_title="先进集体")
    titles.delete_rule(w.organizer, w.competition, 1, expected_title="优秀建设者")
    w.db.session.commit()
    assert w.competition.title_rules == [{**RANK, "top": 5}]
    actions = w.db.session.scalars(
        AuditEntry.__table__.select()
        .with_only_columns(AuditEntry.action)
        .where(AuditEntry.action == "competition.titles.rules")
    ).all()
    assert len(actions) == 4  # two adds, an edit, a delete


@pytest.mark.parametrize(
    ("grade", "kind", "title"),
    [
        ("五星", CompetitionKind.WORKERS_HOME, "五星级职工之家"),
        ("五星", CompetitionKind.STAR, "五星级工会"),
        ("示范", CompetitionKind.SIX_GOOD, "示范六好工会"),
        ("六好基层工会", CompetitionKind.SIX_GOOD, "六好基层工会"),
        ("模范职工之家", CompetitionKind.WORKERS_HOME, "模范职工之家"),
    ],
)
def test_rating_titles_follow_the_grade_and_the_kind(
    grade: str, kind: CompetitionKind, title: str
) -> None:
    assert titles.rating_title(kind, grade) == title


# ------------------------------------------------------------------ rank and threshold


def test_rank_rule_gives_the_first_of_each_track(world: Callable[..., World]) -> None:
    w = world(tracks=("土建组", "机电组"))
    w.unit("一公司", [90, 95])
    w.unit("二公司", [88, 90])
    w.unit("三公司", [80, 80])
    w.unit("四公司", [70, 99], track=1)
    w.unit("五公司", [60, 60], track=1)
    w.rules({**RANK, "top": 1})
    evaluation = w.evaluate()
    assert winners(evaluation) == ["一公司", "四公司"]
    basis = {q.name: q.basis for q in evaluation.qualified}
    assert basis["一公司"] == "土建组第 1 名（累计 185 分），前 1 名授予"
    assert misses(evaluation)["二公司"] == "土建组第 2 名（累计 178 分），只授予前 1 名"


def test_everyone_tied_at_the_cut_off_gets_the_title(world: Callable[..., World]) -> None:
    w = world(rounds=1)
    w.unit("一公司", [90])
    w.unit("二公司", [85])
    w.unit("三公司", [85])
    w.unit("四公司", [80])
    w.rules(RANK)
    assert winners(w.evaluate()) == ["一公司", "三公司", "二公司"]


def test_threshold_rule_compares_the_cumulative_total(world: Callable[..., World]) -> None:
    w = world(rounds=1)
    w.unit("一公司", [95])
    w.unit("二公司", [94.99])
    w.rules({"title": "安全生产先进单位", "recipient": "unit", "by": "threshold", "min_total": 95})
    evaluation = w.evaluate()
    assert winners(evaluation) == ["一公司"]
    assert misses(evaluation)["二公司"] == "累计 94.99 分，未达到 95 分"


def test_unregistered_units_are_refused_and_take_no_place(world: Callable[..., World]) -> None:
    w = world(rounds=1)
    w.unit("一公司", [99], registered=False)
    w.unit("二公司", [90])
    w.unit("三公司", [80])
    w.rules({**RANK, "top": 1})
    evaluation = w.evaluate()
    assert winners(evaluation) == ["二公司"]
    assert "排名第 2，在符合条件者中列第 1 名" in evaluation.qualified[0].basis
    assert misses(evaluation)["一公司"].endswith("但未在参赛名录备案")


def test_withdrawn_participants_are_left_out(world: Callable[..., World]) -> None:
    w = world(rounds=1)
    w.unit("一公司", [99], withdrawn=True)
    w.unit("二公司", [90])
    w.rules({**RANK, "top": 1})
    evaluation = w.evaluate()
    assert winners(evaluation) == ["二公司"]
    assert "一公司" not in misses(evaluation)


def test_a_competition_veto_excludes_a_round_veto_counts_zero(world: Callable[..., World]) -> None:
    w = world()
    w.unit("一公司", [99, 99], veto=(1, VetoEffect.COMPETITION))
    w.unit("二公司", [99, 99], veto=(0, VetoEffect.ROUND))
    w.unit("三公司", [60, 60])
    w.rules({**RANK, "top": 1})
    evaluation = w.evaluate()
    assert winners(evaluation) == ["三公司"]
    assert misses(evaluation)["一公司"] == "一票否决，不参评称号"
    assert "二公司" in misses(evaluation)  # 99 counted once: second place, near the cut


def test_every_round_refuses_a_participant_missing_a_round(world: Callable[..., World]) -> None:
    w = world()
    w.unit("一公司", [None, 100])
    w.unit("二公司", [40, 40])
    w.rules({**RANK, "top": 1})
    assert winners(w.evaluate()) == ["一公司"]
    w.rules({**RANK, "top": 1, "every_round": True})
    evaluation = w.evaluate()
    assert winners(evaluation) == ["二公司"]
    assert misses(evaluation)["一公司"].endswith("但未参加第1轮考评")


def mandatory_items(w: World, **names: str) -> None:
    """An indicator sheet of 必备项 for ``w``'s competition (key → name)."""
    sheet = Component(
        competition_id=w.competition.id,
        key="indicators",
        name="考核指标",
        weight=Decimal(100),
        max_score=Decimal(100),
        position=0,
    )
    w.db.session.add(sheet)
    w.db.session.flush()
    criterion = RubricCriterion(component_id=sheet.id, name="必备条件", position=0)
    w.db.session.add(criterion)
    w.db.session.flush()
    for position, (key, name) in enumerate(names.items()):
        w.db.session.add(
            Aspect(
                criterion_id=criterion.id,
                competition_id=w.competition.id,
                key=key,
                name=name,
                kind=AspectKind.MANDATORY,
                max_points=Decimal(0),
                position=position,
            )
        )
    w.db.session.commit()


def test_a_mandatory_item_missed_in_any_published_round_refuses_the_title(
    world: Callable[..., World],
) -> None:
    """必备项 not met → not eligible (DOMAIN §2 rule 17): in any published round, not only the
    last, and the near-misses say which item in which round."""
    w = world(rounds=3)
    mandatory_items(w, M1="农民工工资专户", M2="安全生产许可证")
    w.unit("一公司", [99, 99, 99], missing_mandatory={0: "M1,M2", 2: "M2"})
    w.unit("二公司", [90, 90, 90])
    w.unit("三公司", [80, 80, 80], missing_mandatory={1: "M1"})
    w.unit("四公司", [70, 70, 70])
    w.rules(
        {**RANK, "top": 1},
        {"title": "达标单位", "recipient": "unit", "by": "threshold", "min_total": 200},
    )
    evaluation = w.evaluate()
    assert winners(evaluation, "先进集体") == ["二公司"]
    assert winners(evaluation, "达标单位") == ["二公司", "四公司"]
    reasons = {(m.title, m.name): m.reason for m in evaluation.near_misses}
    first = reasons[("先进集体", "一公司")]
    assert first.startswith("土建组第 1 名")
    assert first.endswith(
        "但必备项未达标：农民工工资专户、安全生产许可证（第1轮）；安全生产许可证（第3轮）"
    )
    assert reasons[("先进集体", "三公司")] == "必备项未达标：农民工工资专户（第2轮）"
    assert reasons[("达标单位", "三公司")].endswith("但必备项未达标：农民工工资专户（第2轮）")


def test_teams_and_projects_are_ranked_among_their_own_kind(world: Callable[..., World]) -> None:
    w = world(rounds=1)
    unit = w.unit("一公司", [99])
    w.unit("钢筋班", [90], kind=ParticipantKind.TEAM, parent=unit, org=unit.organization)
    w.unit("一标段", [95], kind=ParticipantKind.PROJECT)
    w.rules(
        {"title": "先进班组", "recipient": "team", "by": "rank", "top": 1},
        {"title": "优胜标段", "recipient": "project", "by": "rank", "top": 1},
    )
    evaluation = w.evaluate()
    assert winners(evaluation, "先进班组") == ["钢筋班"]
    assert winners(evaluation, "优胜标段") == ["一标段"]
    kinds = {q.name: q.recipient_kind for q in evaluation.qualified}
    assert kinds == {"钢筋班": RecipientKind.TEAM, "一标段": RecipientKind.UNIT}


# ------------------------------------------------------------------ prior titles and repeats

ANKANG = {
    "title": "安康杯竞赛优胜单位",
    "recipient": "unit",
    "by": "threshold",
    "min_total": 95,
    "prior": {"title_contains": "安康杯", "level": "city", "years": 5},
}


@pytest.mark.parametrize(
    ("year", "level", "found"),
    [
        (2021, HonorLevel.CITY, True),  # the first year of the window
        (2026, HonorLevel.CITY, True),  # the competition's own year
        (2020, HonorLevel.CITY, False),  # one year too early
        (2024, HonorLevel.DISTRICT, False),  # below the level asked for
        (2024, HonorLevel.PROVINCIAL, True),  # above it
    ],
)
def test_prior_title_at_the_edges_of_the_window(
    world: Callable[..., World], year: int, level: HonorLevel, found: bool
) -> None:
    w = world(rounds=1, kind=CompetitionKind.ANKANG, name="江州市安康杯竞赛")
    unit = w.unit("一公司", [96])
    w.honor("江州市安康杯竞赛优胜企业", year, org=unit.organization, level=level)
    w.rules(ANKANG)
    evaluation = w.evaluate()
    if found:
        assert winners(evaluation) == ["一公司"]
        assert (
            f"已有 {year} 年{level.label}“江州市安康杯竞赛优胜企业”"
            in evaluation.qualified[0].basis
        )
    else:
        assert winners(evaluation) == []
        assert "未找到 2021 年以来地市级及以上含“安康杯”的称号" in misses(evaluation)["一公司"]


def test_prior_title_of_another_unit_or_a_revoked_one_does_not_count(
    world: Callable[..., World],
) -> None:
    from contest.services.honors.records import revoke_honor

    w = world(rounds=1)
    unit = w.unit("一公司", [96])
    other = w.unit("二公司", [50])
    w.honor("安康杯优胜企业", 2024, org=other.organization)
    revoked = w.honor("安康杯优胜企业", 2025, org=unit.organization)
    revoke_honor(None, revoked, "弄错了")
    w.db.session.commit()
    w.rules(ANKANG)
    assert winners(w.evaluate()) == []


def test_a_unit_without_an_organisation_cannot_show_a_prior_title(
    world: Callable[..., World],
) -> None:
    w = world(rounds=1)
    w.unit("一公司", [96], org=None)
    w.rules(ANKANG)
    assert misses(w.evaluate())["一公司"].endswith("未关联组织，无法核对以往称号")


@pytest.mark.parametrize(("held_in", "refused"), [(2021, False), (2022, True), (2026, True)])
def test_no_repeat_window_edges(world: Callable[..., World], held_in: int, refused: bool) -> None:
    w = world(rounds=1)
    unit = w.unit("一公司", [99])
    w.honor("先进集体", held_in, org=unit.organization)
    w.honor("先进集体", 2025, org=unit.organization, level=HonorLevel.DISTRICT)  # other level
    w.rules({**RANK, "top": 1, "no_repeat_years": 5})
    evaluation = w.evaluate()
    if refused:
        assert winners(evaluation) == []
        assert f"{held_in} 年地市级“先进集体”，5 年内不再授予" in misses(evaluation)["一公司"]
    else:
        assert winners(evaluation) == ["一公司"]


def test_a_team_prior_is_the_teams_own_not_its_units(world: Callable[..., World]) -> None:
    w = world(rounds=1)
    unit = w.unit("一公司", [50])
    team = w.unit("钢筋班", [96], kind=ParticipantKind.TEAM, parent=unit, org=unit.organization)
    w.honor("安康杯优胜企业", 2024, org=unit.organization)
    w.rules({**ANKANG, "recipient": "team", "title": "安康杯优胜班组"})
    assert winners(w.evaluate()) == []
    w.honor("安康杯优胜班组", 2024, org=unit.organization, kind=RecipientKind.TEAM, name=team.name)
    assert winners(w.evaluate()) == ["钢筋班"]


# ------------------------------------------------------------------ people

BUILDER = {
    "title": "优秀建设者",
    "recipient": "person",
    "by": "rank",
    "top": 1,
    "tenure_years": 1,
}


def test_tenure_of_exactly_one_year_qualifies(world: Callable[..., World]) -> None:
    w = world(rounds=1)
    unit = w.unit("一公司", [99])
    w.unit("二公司", [50])
    w.member(unit, "张建国", date(2025, 12, 31))
    w.member(unit, "李卫东", date(2026, 1, 1))
    w.member(unit, "王海", None)
    w.rules(BUILDER)
    evaluation = w.evaluate()
    assert [c.name for c in evaluation.candidates] == ["张建国"]
    assert "2025-12-31 进场，满 1 年" in evaluation.candidates[0].basis
    assert misses(evaluation)["李卫东"] == "2026-01-01 进场，至 2026-12-31 不满 1 年"
    assert misses(evaluation)["王海"] == "未填写进场日期"
    assert evaluation.qualified == []  # people are chosen, not all conferred


def test_person_awards_are_added_for_eligible_members_only(world: Callable[..., World]) -> None:
    w = world(rounds=1)
    unit = w.unit("一公司", [99])
    loser = w.unit("二公司", [50])
    good = w.member(unit, "张建国", date(2020, 3, 1))
    new = w.member(unit, "李卫东", date(2026, 6, 1))
    elsewhere = w.member(loser, "赵强", date(2020, 3, 1))
    w.rules({**RANK, "top": 1}, BUILDER)
    titles.propose(w.organizer, w.competition)
    award = titles.add_person_award(w.organizer, w.competition, good, "优秀建设者")
    assert award.recipient_kind is RecipientKind.PERSON
    with pytest.raises(LaborError, match="已在"):
        titles.add_person_award(w.organizer, w.competition, good, "优秀建设者")
    with pytest.raises(LaborError, match="不满 1 年"):
        titles.add_person_award(w.organizer, w.competition, new, "优秀建设者")
    with pytest.raises(LaborError, match="所在单位不符合"):
        titles.add_person_award(w.organizer, w.competition, elsewhere, "优秀建设者")
    collective = next(a for a in titles.awards_of(w.competition) if a.person_id is None)
    with pytest.raises(LaborError, match="修改称号规则"):
        titles.remove_award(w.organizer, collective)
    titles.remove_award(w.organizer, award)
    w.db.session.commit()
    assert [a.title for a in titles.awards_of(w.competition)] == ["先进集体"]


def test_a_person_already_holding_the_title_is_not_proposed_again(
    world: Callable[..., World],
) -> None:
    w = world(rounds=1)
    unit = w.unit("一公司", [99])
    member = w.member(unit, "张建国", date(2020, 3, 1))
    w.honor("优秀建设者", 2024, person=member.person)
    w.rules({**BUILDER, "no_repeat_years": 5})
    assert "5 年内不再授予" in misses(w.evaluate())["张建国"]


# ------------------------------------------------------------------ conferral


def test_confer_creates_honors_on_the_wall_and_finishes(
    world: Callable[..., World], client: Any
) -> None:
    w = world(rounds=1)
    unit = w.unit("一公司", [99])
    team = w.unit("钢筋班", [96], kind=ParticipantKind.TEAM, parent=unit, org=unit.organization)
    member = w.member(unit, "张建国", date(2020, 3, 1))
    w.rules(RANK, {"title": "先进班组", "recipient": "team", "by": "rank", "top": 1}, BUILDER)
    titles.propose(w.organizer, w.competition)
    titles.add_person_award(w.organizer, w.competition, member, "优秀建设者")
    w.db.session.commit()
    assert titles.confer_problems(w.competition) == []
    done = titles.confer(w.organizer, w.competition, "江工发〔2026〕12号", validity.today())
    w.db.session.commit()
    assert len(done.honors) == 3
    assert w.competition.status is CompetitionStatus.FINISHED
    by_title = {h.title: h for h in done.honors}
    unit_honor = by_title["先进集体"]
    assert unit_honor.source is HonorSource.LABOR
    assert unit_honor.source_ref == f"competition:{w.competition.id}"
    assert unit_honor.recipient_kind is RecipientKind.UNIT
    assert unit_honor.organization_id == unit.organization_id
    assert unit_honor.level is HonorLevel.CITY and unit_honor.year == 2026
    assert unit_honor.document_number == "江工发〔2026〕12号"
    assert unit_honor.conferring_body == "江州市总工会"
    assert unit_honor.valid_until is None
    assert by_title["先进班组"].recipient_kind is RecipientKind.TEAM
    assert by_title["先进班组"].unit_name == "一公司"
    person_honor = by_title["优秀建设者"]
    assert person_honor.person_id == member.person_id and person_honor.post == "项目经理"
    assert all(a.honor_id for a in titles.awards_of(w.competition))
    assert team.name in {h.recipient_name for h in done.honors}
    listed = client.get("/api/v1/honors?q=一公司").json["items"]
    assert {"先进集体", "优秀建设者"} <= {item["title"] for item in listed}
    assert client.get(f"/wall/{unit_honor.id}").status_code == 200
    conferral = titles.conferral(w.competition)
    assert conferral is not None and conferral.honors == 3

    with pytest.raises(LaborError) as again:
        titles.confer(w.organizer, w.competition, "江工发〔2026〕13号", validity.today())
    assert "不能重复授予" in again.value.problems[0]
    w.db.session.rollback()
    assert w.db.session.query(Honor).count() == 3


@pytest.mark.parametrize(
    ("number", "on", "field"),
    [
        ("", date(2026, 1, 10), "document_number"),
        ("江工发〔2026〕12号", None, "conferred_on"),
        ("江工发〔2026〕12号", date.today() + timedelta(days=2), "conferred_on"),  # past China
    ],
)
def test_confer_needs_a_document_number_and_a_past_date(
    world: Callable[..., World], number: str, on: date | None, field: str
) -> None:
    w = world(rounds=1)
    w.unit("一公司", [99])
    w.rules(RANK)
    titles.propose(w.organizer, w.competition)
    w.db.session.commit()
    with pytest.raises(LaborError) as refused:
        titles.confer(w.organizer, w.competition, number, on)
    assert refused.value.field == field
    w.db.session.rollback()
    assert w.db.session.query(Honor).count() == 0
    assert w.competition.status is CompetitionStatus.RUNNING


def test_a_stale_proposal_or_an_unpublished_round_is_not_conferred(
    world: Callable[..., World],
) -> None:
    w = world(rounds=1)
    w.unit("一公司", [99])
    w.rules({**RANK, "top": 1})
    titles.propose(w.organizer, w.competition)
    w.db.session.commit()
    w.unit("二公司", [100])  # a late correction changes the winner
    assert "已过时" in titles.confer_problems(w.competition)[0]
    titles.propose(w.organizer, w.competition)
    w.db.session.commit()
    assert winners(w.evaluate()) == ["二公司"]
    assert [a.participant.name for a in titles.awards_of(w.competition)] == ["二公司"]
    w.rounds[0].status = RoundStatus.CONFIRMED
    w.db.session.commit()
    assert "尚未公布" in titles.confer_problems(w.competition)[0]


def test_proposal_refused_before_the_competition_starts(world: Callable[..., World]) -> None:
    w = world(rounds=1)
    w.competition.status = CompetitionStatus.DRAFT
    w.db.session.commit()
    with pytest.raises(LaborError, match="尚未开始"):
        titles.propose(w.organizer, w.competition)


# ------------------------------------------------------------------ ratings


def rating(world: Callable[..., World], year: int, host: Any = None) -> World:
    return world(
        kind=CompetitionKind.WORKERS_HOME,
        rounds=1,
        year=year,
        tracks=(),
        host=host,
        name=f"{year} 年模范职工之家评定",
    )


def test_rating_grades_become_unit_honors_valid_for_a_year(world: Callable[..., World]) -> None:
    w = rating(world, 2026)
    w.unit("机床厂工会", [93], grade="五星")
    w.unit("纺织厂工会", [84], grade="四星")
    w.unit("化工厂工会", [95], missing_mandatory="m1")
    w.unit("钢铁厂工会", [60])
    evaluation = w.evaluate()
    assert {q.name: q.title for q in evaluation.qualified} == {
        "机床厂工会": "五星级职工之家",
        "纺织厂工会": "四星级职工之家",
    }
    reasons = misses(evaluation)
    assert reasons["化工厂工会"].startswith("必备项未达标")
    assert reasons["钢铁厂工会"] == "得分 60，未达到最低等级线 80 分"
    done = w.confer(on=date(2026, 3, 15))
    # valid for 12 months: 2026-03-15 to 2027-03-14 inclusive (valid_until is the last day held)
    assert {h.valid_until for h in done.honors} == {date(2027, 3, 14)}
    assert all(validity.is_current(h, date(2027, 3, 14)) for h in done.honors)
    assert not any(validity.is_current(h, date(2027, 3, 15)) for h in done.honors)
    assert {h.recipient_kind for h in done.honors} == {RecipientKind.UNIT}


def test_re_rating_ends_the_previous_grade_the_day_before(
    world: Callable[..., World], make_org: Callable[..., Any]
) -> None:
    host = make_org(name="江州市总工会", kind=OrgKind.CITY)
    first = rating(world, 2025, host)
    lowered = first.unit("机床厂工会", [93], grade="五星")
    failed = first.unit("纺织厂工会", [95], grade="五星")
    first.confer(on=date(2025, 3, 1))
    second = rating(world, 2026, host)
    second.unit("机床厂工会", [84], grade="四星", org=lowered.organization)
    second.unit("纺织厂工会", [50], org=failed.organization)
    done = second.confer(on=date(2026, 2, 1))
    assert done.ended == 2
    old = {
        h.recipient_name: h
        for h in second.db.session.query(Honor).filter(
            Honor.source_ref == f"competition:{first.competition.id}"
        )
    }
    assert {h.valid_until for h in old.values()} == {date(2026, 1, 31)}
    assert [h.title for h in done.honors] == ["四星级职工之家"]
    assert titles.conferral(second.competition).ended == 2  # type: ignore[union-attr]


def test_a_re_rating_right_after_the_last_valid_day_ends_nothing(
    world: Callable[..., World], make_org: Callable[..., Any]
) -> None:
    """A grade of 2023-03-01 is held to 2024-02-29 (a leap year); a re-rating conferred on
    2024-03-01 follows it without a gap or an overlap, and one conferred on a grade's last day
    ends that grade the day before."""
    host = make_org(name="江州市总工会", kind=OrgKind.CITY)
    first = rating(world, 2023, host)
    unit = first.unit("机床厂工会", [93], grade="五星")
    old = first.confer(on=date(2023, 3, 1)).honors[0]
    assert old.valid_until == date(2024, 2, 29)
    second = rating(world, 2024, host)
    second.unit("机床厂工会", [84], grade="四星", org=unit.organization)
    done = second.confer(on=date(2024, 3, 1))
    assert done.ended == 0 and old.valid_until == date(2024, 2, 29)
    new = done.honors[0]
    assert new.valid_until == date(2025, 2, 28)
    held = [h.title for h in (old, new) if validity.is_current(h, date(2024, 3, 1))]
    assert held == ["四星级职工之家"]
    third = rating(world, 2025, host)
    third.unit("机床厂工会", [95], grade="五星", org=unit.organization)
    assert third.confer(on=date(2025, 2, 28)).ended == 1
    assert new.valid_until == date(2025, 2, 27)


def test_a_rating_where_nobody_earns_a_grade_is_conferred_once(
    world: Callable[..., World],
) -> None:
    w = rating(world, 2026)
    w.unit("钢铁厂工会", [60])
    done = w.confer(on=date(2026, 3, 15))
    assert done.honors == []
    assert w.competition.status is CompetitionStatus.FINISHED
    with pytest.raises(LaborError):
        titles.confer(w.organizer, w.competition, "江工发〔2026〕13号", date(2026, 3, 16))


# ------------------------------------------------------------------ lapsed honors


@pytest.fixture
def lapsed(world: Callable[..., World]) -> tuple[Honor, Honor]:
    """A rating conferred two years ago (lapsed) and a competition title of the same union."""
    w = rating(world, validity.today().year - 2)
    w.unit("机床厂工会", [93], grade="五星")
    old = w.confer(on=validity.today() - timedelta(days=800)).honors[0]
    kept = w.honor("五一劳动奖状", validity.today().year - 2, org=old.organization)
    return old, kept


def test_lapsed_honors_leave_the_wall_search_kiosk_stats_and_profile(
    client: Any, lapsed: tuple[Honor, Honor]
) -> None:
    old, kept = lapsed
    assert validity.is_lapsed(old) and not validity.is_lapsed(kept)
    titles_on_wall = {i["title"] for i in client.get("/api/v1/honors").json["items"]}
    assert titles_on_wall == {"五一劳动奖状"}
    assert "五星级职工之家" not in client.get("/wall/?q=职工之家").get_data(as_text=True)
    assert client.get("/wall/kiosk/page").json["total"] == 1
    stats = client.get("/wall/stats").get_data(as_text=True)
    assert "五星级职工之家" not in stats
    profile = client.get(f"/wall/{kept.id}").get_data(as_text=True)
    assert "五星级职工之家" not in profile
    gone = client.get(f"/wall/{old.id}")
    assert gone.status_code == 410
    text = gone.get_data(as_text=True)
    assert "已过期" in text and old.valid_until.isoformat() in text  # type: ignore[union-attr]
    facets = wall_service.facets()
    assert all("职工之家" not in t for _lv, group in facets.title_groups for t in group)


def test_lapsed_honors_stay_in_the_admin_list(
    client: Any, login_as: Callable[..., Any], lapsed: tuple[Honor, Honor]
) -> None:
    old, _kept = lapsed
    login_as("admin")
    page = client.get("/admin/honors").get_data(as_text=True)
    assert "五星级职工之家" in page
    assert f"已过期（有效期至 {old.valid_until.isoformat()}）" in page  # type: ignore[union-attr]


def test_valid_on_answers_for_any_day(db: Any, lapsed: tuple[Honor, Honor]) -> None:
    old, _kept = lapsed
    assert old.valid_until is not None
    held_then = db.session.scalars(
        Honor.__table__.select()
        .with_only_columns(Honor.id)
        .where(validity.valid_on(old.valid_until))
    ).all()
    held_after = db.session.scalars(
        Honor.__table__.select()
        .with_only_columns(Honor.id)
        .where(validity.valid_on(old.valid_until + timedelta(days=1)))
    ).all()
    assert old.id in held_then and old.id not in held_after


def test_the_wall_cache_turns_over_at_midnight(
    client: Any, world: Callable[..., World], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ETag from the day before no longer matches: the lapse needs no write to show."""
    w = rating(world, validity.today().year)
    w.unit("机床厂工会", [93], grade="五星")
    honor = w.confer(on=validity.today()).honors[0]
    first = client.get("/wall/")
    etag = first.headers["ETag"].strip('"')
    assert client.get("/wall/", headers={"If-None-Match": etag}).status_code == 304
    import contest.caching
    import contest.services.honors.validity as validity_module

    later = datetime.now(UTC) + timedelta(days=400)
    monkeypatch.setattr(contest.caching, "utcnow", lambda: later)
    monkeypatch.setattr(validity_module, "utcnow", lambda: later)
    after = client.get("/wall/", headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert honor.recipient_name not in after.get_data(as_text=True)


def test_awards_point_to_their_honors(world: Callable[..., World]) -> None:
    w = world(rounds=1)
    w.unit("一公司", [99])
    w.rules(RANK)
    w.confer()
    award = w.db.session.query(CompetitionAward).one()
    assert award.honor_id is not None


# ------------------------------------------------------------------ pages


def test_the_titles_page_shows_rules_proposal_and_near_misses(
    world: Callable[..., World], client: Any, login_as: Callable[..., Any]
) -> None:
    w = world(rounds=1)
    w.unit("一公司", [99])
    w.unit("二公司", [100], registered=False)
    w.rules({**RANK, "top": 1})
    login_as(user=w.organizer)
    page = client.get(f"/labor/{w.competition.id}/titles")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "前 1 名（每个赛道）" in text
    assert "生成建议名单" in text
    assert "未在参赛名录备案" in text
    response = client.post(f"/labor/{w.competition.id}/titles/propose")
    assert response.status_code == 302
    text = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已生成建议名单" in text
    assert "第 1 名（累计 99 分），前 1 名授予" in text


def test_other_unions_organizers_may_not_see_or_change_titles(
    world: Callable[..., World], client: Any, login_as: Callable[..., Any], make_org: Any
) -> None:
    w = world(rounds=1)
    login_as("organizer", organization=make_org(name="别的市总工会", kind=OrgKind.CITY))
    assert client.get(f"/labor/{w.competition.id}/titles").status_code == 403
    assert client.post(f"/labor/{w.competition.id}/titles/propose").status_code == 403
    assert client.get("/labor/999/titles").status_code in (403, 404)


def test_the_rule_form_refuses_bad_input_in_chinese(
    world: Callable[..., World], client: Any, login_as: Callable[..., Any]
) -> None:
    w = world(rounds=1)
    login_as(user=w.organizer)
    url = f"/labor/{w.competition.id}/titles/rules/new"
    assert client.get(url).status_code == 200
    bad = client.post(url, data={"title": "先进集体", "recipient": "unit", "by": "rank", "top": ""})
    assert bad.status_code == 200
    assert "名次（前几名）应为 1 到 1000 之间的整数" in bad.get_data(as_text=True)
    assert w.competition.title_rules == []
    good = client.post(
        url,
        data={
            "title": "安康杯优胜单位",
            "recipient": "unit",
            "by": "threshold",
            "min_total": "95",
            "prior_title": "安康杯",
            "prior_level": "city",
            "prior_years": "5",
            "no_repeat_years": "5",
        },
    )
    assert good.status_code == 302
    w.db.session.refresh(w.competition)
    assert w.competition.title_rules == [
        {
            "title": "安康杯优胜单位",
            "recipient": "unit",
            "by": "threshold",
            "min_total": "95",
            "prior": {"title_contains": "安康杯", "level": "city", "years": 5},
            "no_repeat_years": 5,
        }
    ]
    edit = client.get(f"/labor/{w.competition.id}/titles/rules/0").get_data(as_text=True)
    assert 'value="安康杯"' in edit
    assert client.get(f"/labor/{w.competition.id}/titles/rules/7").status_code == 404
    asked = client.post(
        f"/labor/{w.competition.id}/titles/rules/0/delete", data={"expected": "安康杯优胜单位"}
    )
    assert "删除称号规则「安康杯优胜单位」" in asked.get_data(as_text=True)
    done = client.post(
        f"/labor/{w.competition.id}/titles/rules/0/delete",
        data={"expected": "安康杯优胜单位", "confirmed": "1"},
    )
    assert done.status_code == 302
    w.db.session.refresh(w.competition)
    assert w.competition.title_rules == []


def test_conferring_through_the_page_asks_first_and_links_to_the_wall(
    world: Callable[..., World], client: Any, login_as: Callable[..., Any]
) -> None:
    w = world(rounds=1)
    unit = w.unit("一公司", [99])
    member = w.member(unit, "张建国", date(2020, 3, 1))
    w.rules({**RANK, "top": 1}, BUILDER)
    login_as(user=w.organizer)
    base = f"/labor/{w.competition.id}/titles"
    client.post(f"{base}/propose")
    added = client.post(f"{base}/people", data={"member_id": member.id, "title": "优秀建设者"})
    assert added.status_code == 302
    assert (
        client.post(f"{base}/people", data={"member_id": "x", "title": "优秀建设者"}).status_code
        == 404
    )
    day = validity.today().isoformat()
    refused = client.post(
        f"{base}/confer", data={"document_number": "", "conferred_on": day, "confirmed": "1"}
    )
    assert refused.status_code == 302
    assert "请填写文号" in client.get(base).get_data(as_text=True)
    assert w.db.session.query(Honor).count() == 0
    asked = client.post(
        f"{base}/confer", data={"document_number": "江工发〔2026〕12号", "conferred_on": day}
    )
    text = asked.get_data(as_text=True)
    assert "将创建 2 项荣誉（集体 1 项、个人 1 项）" in text
    assert w.db.session.query(Honor).count() == 0
    done = client.post(
        f"{base}/confer",
        data={"document_number": "江工发〔2026〕12号", "conferred_on": day, "confirmed": "1"},
    )
    assert done.status_code == 302
    page = client.get(base).get_data(as_text=True)
    assert "称号已授予" in page and "江工发〔2026〕12号" in page
    honor_ids = [h.id for h in w.db.session.query(Honor)]
    assert len(honor_ids) == 2
    for honor_id in honor_ids:
        assert f"/wall/{honor_id}" in page
    again = client.post(
        f"{base}/confer",
        data={"document_number": "江工发〔2026〕13号", "conferred_on": day, "confirmed": "1"},
    )
    assert again.status_code == 302
    assert w.db.session.query(Honor).count() == 2


def test_a_ratings_page_shows_grades_and_their_titles(
    world: Callable[..., World], client: Any, login_as: Callable[..., Any]
) -> None:
    w = rating(world, 2026)
    w.unit("机床厂工会", [93], grade="五星")
    login_as(user=w.organizer)
    text = client.get(f"/labor/{w.competition.id}/titles").get_data(as_text=True)
    assert "五星级职工之家" in text and "四星级职工之家" in text
    assert "添加称号规则" not in text
    assert client.get(f"/labor/{w.competition.id}/titles/rules/new").status_code == 200
    refused = client.post(
        f"/labor/{w.competition.id}/titles/rules/new",
        data={"title": "先进集体", "recipient": "unit", "by": "rank", "top": "1"},
    )
    assert "评级按评定等级授予称号" in refused.get_data(as_text=True)
