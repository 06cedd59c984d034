"""A round of a labor competition end to end in the services: self-assessment with evidence,
assessor sheets, confirming (every item kind, veto effects, ranks with ties, grades), publishing
with red flags, reopening, and round scores imported from Excel (issue 12 item 3)."""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from PIL import Image

from contest.models import (
    AuditEntry,
    CompetitionKind,
    MarkEvidence,
    RoundFlag,
    RoundResult,
    RoundStatus,
    ScoreSheet,
    SheetNote,
    SheetRole,
    SheetStatus,
    VetoEffect,
)
from contest.services.assessment.sheets import MarkErrors, NotAllowed, SheetLocked, StaleSheet
from contest.services.labor import round_results, scoring
from contest.services.labor.base import LaborError
from contest.services.labor.scoring import Upload
from tests.contest.labor_rounds_support import add_round, build_round_world, full_marks


@pytest.fixture
def world(db: Any, make_org: Callable[..., Any], make_user: Callable[..., Any]) -> SimpleNamespace:
    return build_round_world(db, make_org, make_user)


def png(width: int = 200, height: int = 150) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "red").save(out, format="PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def self_assess(
    db: Any, world: SimpleNamespace, label: str, marks: dict[str, object], **kw: Any
) -> ScoreSheet:
    sheet = scoring.save_self(
        world.contacts[label],
        world.round,
        world.participants[label],
        marks,
        submit=kw.pop("submit", True),
        expected_version=kw.pop("expected_version", None),
        **kw,
    )
    db.session.commit()
    return sheet


def assess(
    db: Any,
    world: SimpleNamespace,
    user: Any,
    label: str,
    marks: dict[str, object],
    round_: Any = None,
) -> ScoreSheet:
    sheet = scoring.save_assessment(
        user,
        round_ or world.round,
        world.participants[label],
        marks,
        submit=True,
        expected_version=None,
    )
    db.session.commit()
    return sheet


def open_scoring(db: Any, world: SimpleNamespace, round_: Any = None) -> None:
    round_results.open_scoring(world.organizer, round_ or world.round)
    db.session.commit()


def results_by_label(world: SimpleNamespace, round_: Any = None) -> dict[str, RoundResult]:
    ids = {p.id: label for label, p in world.participants.items()}
    rows = round_results.results_of(round_ or world.round)
    return {ids[r.participant_id]: r for r in rows}


def everyone_full(
    db: Any, world: SimpleNamespace, round_: Any = None, **per_label: dict[str, object]
) -> None:
    """Every expected sheet submitted: chief and member for all, the 机电 member for P4."""
    for label in ("P1", "P2", "P3", "P4"):
        marks = full_marks(**per_label.get(label, {}))
        assess(db, world, world.chief, label, marks, round_)
        assess(db, world, world.member, label, marks, round_)
    assess(db, world, world.electric_only, "P4", full_marks(**per_label.get("P4", {})), round_)


# ---------------------------------------------------------------- self-assessment


def test_the_contact_fills_in_the_self_assessment_and_submitting_is_final(
    db: Any, world: SimpleNamespace
) -> None:
    sheet = self_assess(db, world, "P1", {"Q1": "38"}, submit=False)
    assert sheet.role is SheetRole.SELF and sheet.status is SheetStatus.DRAFT
    sheet = self_assess(db, world, "P1", full_marks(), expected_version=sheet.version)
    assert sheet.status is SheetStatus.SUBMITTED
    with pytest.raises(SheetLocked):
        self_assess(db, world, "P1", {"Q1": "30"})
    db.session.rollback()
    assert scoring.self_sheet(world.round, world.participants["P1"]).marks[0].value == Decimal(40)


def test_a_unit_organizer_may_self_assess_but_no_one_else(
    db: Any, world: SimpleNamespace, make_user: Callable[..., Any]
) -> None:
    unit_organizer = make_user("organizer", organization=world.units["P2"])
    sheet = scoring.save_self(
        unit_organizer,
        world.round,
        world.participants["P2"],
        {"Q1": "35"},
        submit=False,
        expected_version=0,
    )
    assert sheet.user_id == unit_organizer.id
    db.session.commit()
    for outsider in (world.contacts["P1"], world.chief, world.organizer):
        with pytest.raises(NotAllowed):
            scoring.save_self(
                outsider,
                world.round,
                world.participants["P2"],
                {"Q1": "1"},
                submit=False,
                expected_version=None,
            )
    # The contact and the unit's organizer share the one self-assessment of the round.
    sheet = self_assess(db, world, "P2", full_marks(), expected_version=sheet.version)
    assert db.session.query(ScoreSheet).filter_by(role=SheetRole.SELF).count() == 1


def test_self_assessment_closes_when_scoring_opens(db: Any, world: SimpleNamespace) -> None:
    open_scoring(db, world)
    with pytest.raises(SheetLocked, match="自评已截止"):
        self_assess(db, world, "P1", full_marks())


def test_evidence_is_checked_by_its_content(db: Any, world: SimpleNamespace) -> None:
    q1 = world.aspects["Q1"]
    sheet = self_assess(
        db,
        world,
        "P1",
        {"Q1": "39"},
        submit=False,
        notes={q1.id: "见质量验收记录"},
        uploads={q1.id: [Upload("验收.png", png()), Upload("../../报告.pdf", PDF)]},
    )
    files = scoring.evidence_of(sheet)[q1.id]
    assert [(f.filename, f.content_type) for f in files] == [
        ("验收.png", "image/png"),
        ("报告.pdf", "application/pdf"),
    ]
    assert scoring.notes_of(sheet) == {q1.id: "见质量验收记录"}
    version = sheet.version
    refused = {
        "改名的文本.png": b"just text, not a picture",
        "空.pdf": b"",
        "巨大.pdf": b"%PDF-" + b"0" * scoring.MAX_EVIDENCE_BYTES,
    }
    for name, data in refused.items():
        with pytest.raises(MarkErrors) as caught:
            self_assess(
                db, world, "P1", {"Q1": "20"}, submit=False, uploads={q1.id: [Upload(name, data)]}
            )
        db.session.rollback()
        assert "Q1" in caught.value.problems and name in caught.value.problems["Q1"]
    # Nothing was stored by the refused saves: not the mark, not a file.
    sheet = scoring.self_sheet(world.round, world.participants["P1"])
    assert sheet.version == version and sheet.marks[0].value == Decimal(39)
    assert len(scoring.evidence_of(sheet)[q1.id]) == 2


def test_at_most_five_files_per_item_and_removing_makes_room(
    db: Any, world: SimpleNamespace
) -> None:
    q1 = world.aspects["Q1"]
    sheet = self_assess(
        db,
        world,
        "P1",
        {},
        submit=False,
        uploads={q1.id: [Upload(f"{i}.png", png()) for i in range(5)]},
    )
    with pytest.raises(MarkErrors) as caught:
        self_assess(db, world, "P1", {}, submit=False, uploads={q1.id: [Upload("6.png", png())]})
    db.session.rollback()
    assert "最多 5 个" in caught.value.problems["Q1"]
    first = scoring.evidence_of(sheet)[q1.id][0]
    sheet = self_assess(
        db,
        world,
        "P1",
        {},
        submit=False,
        remove=[first.id],
        uploads={q1.id: [Upload("6.png", png())]},
    )
    names = [f.filename for f in scoring.evidence_of(sheet)[q1.id]]
    assert names == ["1.png", "2.png", "3.png", "4.png", "6.png"]
    entry = (
        db.session.query(AuditEntry)
        .filter_by(action="labor.self.evidence")
        .order_by(AuditEntry.id.desc())
        .first()
    )
    assert entry is not None


def test_who_may_read_evidence(
    db: Any, world: SimpleNamespace, make_user: Callable[..., Any]
) -> None:
    q1 = world.aspects["Q1"]
    self_assess(db, world, "P1", {}, submit=False, uploads={q1.id: [Upload("a.png", png())]})
    evidence = db.session.query(MarkEvidence).filter(MarkEvidence.content_type == "image/png").one()
    assert scoring.may_read_evidence(world.contacts["P1"], evidence)
    assert scoring.may_read_evidence(world.organizer, evidence)
    assert not scoring.may_read_evidence(world.contacts["P2"], evidence)
    # Assessors read it once the self-assessment is the participant's word (submitted) …
    assert not scoring.may_read_evidence(world.chief, evidence)
    self_assess(db, world, "P1", full_marks())
    assert scoring.may_read_evidence(world.chief, evidence)
    # … and only for participants they assess.
    assert not scoring.may_read_evidence(world.electric_only, evidence)
    assert not scoring.may_read_evidence(make_user("judge"), evidence)


# ---------------------------------------------------------------- assessors


def test_assessors_mark_while_scoring_within_their_track(db: Any, world: SimpleNamespace) -> None:
    with pytest.raises(NotAllowed, match="自评阶段"):
        assess(db, world, world.chief, "P1", full_marks())
    open_scoring(db, world)
    sheet = assess(db, world, world.chief, "P1", full_marks())
    assert sheet.role is SheetRole.ASSESSOR and sheet.status is SheetStatus.SUBMITTED
    with pytest.raises(NotAllowed, match="不由您考评"):
        assess(db, world, world.electric_only, "P1", full_marks())
    assess(db, world, world.electric_only, "P4", full_marks())
    with pytest.raises(NotAllowed):
        assess(db, world, world.contacts["P2"], "P1", full_marks())
    tasks = scoring.assessor_tasks(world.electric_only)
    assert [[t.participant.name for t in g.tasks] for g in tasks] == [["三号线P4标段"]]
    assert len(scoring.assessor_tasks(world.member)[0].tasks) == 4


def test_a_participants_own_people_never_assess_it(
    db: Any, world: SimpleNamespace, make_user: Callable[..., Any]
) -> None:
    from contest.models import Assessor

    unit_organizer = make_user("organizer", organization=world.units["P3"])
    db.session.add_all(
        [
            Assessor(competition_id=world.competition.id, user_id=world.contacts["P2"].id),
            Assessor(competition_id=world.competition.id, user_id=unit_organizer.id),
        ]
    )
    db.session.commit()
    open_scoring(db, world)
    with pytest.raises(NotAllowed, match="自评填报人"):
        assess(db, world, world.contacts["P2"], "P2", full_marks())
    with pytest.raises(NotAllowed, match="自评填报人"):
        assess(db, world, unit_organizer, "P3", full_marks())
    assess(db, world, world.contacts["P2"], "P1", full_marks())
    state = round_results.progress(world.round)
    cells = {row.participant.name: [c.assessor.user_id for c in row.cells] for row in state.rows}
    assert world.contacts["P2"].id not in cells["三号线P2标段"]
    assert unit_organizer.id not in cells["三号线P3标段"]


def test_a_stale_save_is_refused_by_the_engine(db: Any, world: SimpleNamespace) -> None:
    open_scoring(db, world)
    first = scoring.save_assessment(
        world.chief,
        world.round,
        world.participants["P1"],
        {"Q1": "30"},
        submit=False,
        expected_version=0,
    )
    db.session.commit()
    with pytest.raises(StaleSheet):
        scoring.save_assessment(
            world.chief,
            world.round,
            world.participants["P1"],
            {"Q1": "20"},
            submit=False,
            expected_version=0,
        )
    db.session.rollback()
    sheet = scoring.assessor_sheet(world.round, world.participants["P1"], world.chief.id)
    assert sheet.version == first.version and sheet.marks[0].value == Decimal(30)


def test_source_items_are_not_typed(db: Any, world: SimpleNamespace) -> None:
    open_scoring(db, world)
    with pytest.raises(MarkErrors) as caught:
        assess(db, world, world.chief, "P1", full_marks(R2="100"))
    db.session.rollback()
    assert caught.value.problems == {"R2": "此评分项不由您评分"}


def test_the_chief_returns_a_submitted_sheet_with_a_reason(db: Any, world: SimpleNamespace) -> None:
    open_scoring(db, world)
    sheet = assess(db, world, world.member, "P1", full_marks())
    with pytest.raises(LaborError):
        scoring.return_sheet(world.member, sheet, "打错了")
    with pytest.raises(LaborError, match="退回原因"):
        scoring.return_sheet(world.chief, sheet, "  ")
    scoring.return_sheet(world.chief, sheet, "Q1 分数与记录不符")
    db.session.commit()
    assert sheet.status is SheetStatus.DRAFT
    assess(db, world, world.member, "P1", full_marks(Q1="35"))


# ---------------------------------------------------------------- confirming


def test_confirm_computes_every_item_kind(db: Any, world: SimpleNamespace) -> None:
    self_assess(db, world, "P1", full_marks(B1="8"))
    open_scoring(db, world)
    assess(db, world, world.chief, "P1", full_marks(Q1="40", S1="2", R1="94", B1="8"))
    assess(db, world, world.member, "P1", full_marks(Q1="38", S1="4", R1="93", B1="6"))
    assess(db, world, world.chief, "P2", full_marks(M1="0"))
    assess(db, world, world.member, "P2", full_marks())
    assess(db, world, world.chief, "P3", full_marks(V1="1"))
    assess(db, world, world.member, "P3", full_marks())
    for user in (world.chief, world.member, world.electric_only):
        assess(db, world, user, "P4", full_marks(B1="3"))
    round_results.confirm_round(world.chief, world.round)
    db.session.commit()
    results = results_by_label(world)
    p1 = results["P1"]
    # Q1 mean 39; S1 30 − mean 3 = 27; R1 mean 93.5 is 1.5 short = one started step → 9;
    # R2 96% from data ≥ 95 → 20; bonus mean 7 capped at 5.
    assert (p1.base, p1.bonus, p1.total) == (Decimal(95), Decimal(5), Decimal(100))
    assert p1.items == {
        "Q1": 39.0,
        "S1": 27.0,
        "R1": 9.0,
        "R2": 20.0,
        "B1": 7.0,
        "V1": 0.0,
        "V2": 0.0,
        "M1": 0.0,
    }
    assert p1.self_total == Decimal(105)  # 100 and its own bonus of 8 capped at 5
    assert p1.assessors == 2 and p1.rank == 1
    # R2: 90% is 5 short → 3 started steps of 2 → 20 − 1.5; M1 not met by one assessor.
    p2 = results["P2"]
    assert p2.total == Decimal("98.5") and p2.missing_mandatory == "M1" and p2.rank == 2
    assert p2.self_total is None
    p3 = results["P3"]
    assert p3.vetoed and p3.veto_effect is VetoEffect.ROUND and p3.vetoed_by == "V1"
    assert p3.rank is None and p3.total == Decimal(100)
    p4 = results["P4"]
    assert (p4.total, p4.rank, p4.assessors) == (Decimal(103), 1, 3)
    assert (
        world.round.status is RoundStatus.CONFIRMED
        and world.round.confirmed_by_id == world.chief.id
    )


def test_ranks_per_track_share_places_on_ties(db: Any, world: SimpleNamespace) -> None:
    open_scoring(db, world)
    everyone_full(db, world, P3={"Q1": "39"})
    round_results.confirm_round(world.chief, world.round)
    db.session.commit()
    ranks = {label: r.rank for label, r in results_by_label(world).items()}
    assert ranks == {"P1": 1, "P2": 3, "P3": 2, "P4": 1}  # P2 has 18.5 for R2 (90% members)
    round_results.reopen_round(world.organizer, world.round, "核对入会率")
    world.units["P2"].member_count = 96
    db.session.commit()
    round_results.confirm_round(world.chief, world.round)
    db.session.commit()
    ranks = {label: r.rank for label, r in results_by_label(world).items()}
    assert ranks == {"P1": 1, "P2": 1, "P3": 3, "P4": 1}


def test_missing_sheets_need_the_chiefs_explicit_confirmation(
    db: Any, world: SimpleNamespace
) -> None:
    open_scoring(db, world)
    assess(db, world, world.chief, "P1", full_marks())
    assess(db, world, world.member, "P1", full_marks(Q1="30"))
    with pytest.raises(LaborError) as caught:
        round_results.confirm_round(world.member, world.round)
    assert "组长" in caught.value.message
    with pytest.raises(LaborError) as caught:
        round_results.confirm_round(world.chief, world.round)
    assert "7 份评分表未提交" in caught.value.message and len(caught.value.problems) == 7
    with pytest.raises(LaborError):
        round_results.confirm_round(world.chief, world.round, accept_missing=6)
    db.session.rollback()
    round_results.confirm_round(world.chief, world.round, accept_missing=7)
    db.session.commit()
    results = results_by_label(world)
    assert list(results) == ["P1"] and results["P1"].total == Decimal(95)


def test_a_competition_veto_keeps_the_participant_out_of_later_rounds(
    db: Any, world: SimpleNamespace
) -> None:
    open_scoring(db, world)
    everyone_full(db, world, P1={"V2": "1"})
    round_results.confirm_round(world.chief, world.round)
    db.session.commit()
    first = results_by_label(world)["P1"]
    assert first.vetoed and first.veto_effect is VetoEffect.COMPETITION and first.rank is None
    second = add_round(db, world, "2026 年 4 月", 1)
    open_scoring(db, world, second)
    everyone_full(db, world, second)
    round_results.confirm_round(world.chief, second)
    db.session.commit()
    later = results_by_label(world, second)
    assert not later["P1"].vetoed and later["P1"].rank is None
    assert later["P2"].rank == 2 and later["P3"].rank == 1


def test_rating_grades_need_the_mandatory_items(
    db: Any, make_org: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    world = build_round_world(db, make_org, make_user, rating=True)
    open_scoring(db, world)
    everyone_full(db, world, P2={"M1": "0"}, P3={"Q1": "25"})
    round_results.confirm_round(world.chief, world.round)
    db.session.commit()
    grades = {label: (r.total, r.grade) for label, r in results_by_label(world).items()}
    assert grades == {
        "P1": (Decimal(100), "五星"),
        "P2": (Decimal("98.5"), None),
        "P3": (Decimal(85), "四星"),
        "P4": (Decimal(100), "五星"),
    }


def test_confirm_again_gives_the_same_results(db: Any, world: SimpleNamespace) -> None:
    open_scoring(db, world)
    everyone_full(db, world)
    round_results.confirm_round(world.chief, world.round)
    db.session.commit()
    before = [
        (r.participant_id, r.total, r.rank, r.items) for r in round_results.results_of(world.round)
    ]
    with pytest.raises(LaborError, match="原因"):
        round_results.reopen_round(world.chief, world.round, "")
    round_results.reopen_round(world.chief, world.round, "复核")
    db.session.commit()
    assert world.round.status is RoundStatus.SCORING and not round_results.results_of(world.round)
    round_results.confirm_round(world.chief, world.round)
    db.session.commit()
    after = [
        (r.participant_id, r.total, r.rank, r.items) for r in round_results.results_of(world.round)
    ]
    assert after == before
    reopened = db.session.query(AuditEntry).filter_by(action="competition.round.reopen").one()
    assert reopened.reason == "复核"


# ---------------------------------------------------------------- publishing and flags


def publish(db: Any, world: SimpleNamespace, round_: Any, **per_label: dict[str, object]) -> None:
    if round_.status is RoundStatus.SELF:
        open_scoring(db, world, round_)
    everyone_full(db, world, round_, **per_label)
    round_results.confirm_round(world.chief, round_)
    round_results.publish_round(world.organizer, round_)
    db.session.commit()


def holders(world: SimpleNamespace, round_: Any) -> list[tuple[str, int, bool]]:
    ids = {p.id: label for label, p in world.participants.items()}
    return sorted((ids[f.participant_id], f.streak, f.kept) for f in round_results.flags_of(round_))


def test_publish_hands_the_red_flag_per_track(db: Any, world: SimpleNamespace) -> None:
    open_scoring(db, world)
    everyone_full(db, world)
    round_results.confirm_round(world.chief, world.round)
    with pytest.raises(LaborError):
        round_results.publish_round(world.chief, world.round)
    round_results.publish_round(world.organizer, world.round)
    db.session.commit()
    assert world.round.status is RoundStatus.PUBLISHED
    assert holders(world, world.round) == [("P1", 1, False), ("P3", 1, False), ("P4", 1, False)]
    with pytest.raises(LaborError, match="只有竞赛的组织者"):  # a published round: organizers
        round_results.reopen_round(world.chief, world.round, "改分")
    second = add_round(db, world, "2026 年 4 月", 1)
    publish(db, world, second, P3={"Q1": "39"})
    assert holders(world, second) == [("P1", 2, False), ("P4", 2, False)]


def test_flags_count_and_keep_after(db: Any, world: SimpleNamespace) -> None:
    world.competition.flag_count = 2
    world.competition.flag_keep_after = 2
    db.session.commit()
    publish(db, world, world.round, P2={"Q1": "30"}, P3={"Q1": "35"})
    assert holders(world, world.round) == [("P1", 1, False), ("P3", 1, False), ("P4", 1, False)]
    second = add_round(db, world, "2026 年 4 月", 1)
    publish(db, world, second, P1={"V1": "1"}, P3={"Q1": "35"})
    # P1 vetoed: the next two of 土建 hold it; P3 reaches two in a row and keeps it for good.
    assert holders(world, second) == [("P2", 1, False), ("P3", 2, True), ("P4", 2, True)]
    assert db.session.query(RoundFlag).count() == 6


# ---------------------------------------------------------------- Excel


def filled(rows: list[list[object]], headers: list[str] | None = None) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(
        headers
        or [
            "参赛单位",
            "赛道",
            "考评人",
            "Q1 工程质量",
            "S1 安全管理",
            "R1 验收一次合格率",
            "B1 技术创新",
            "V1 较大安全事故",
            "V2 重大质量事故",
            "M1 农民工工资专户",
        ]
    )
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_template_lists_the_assessors_participants_and_typed_items(
    db: Any, world: SimpleNamespace
) -> None:
    from openpyxl import load_workbook

    from contest.services.labor import round_import
    from contest.services.labor.assessors import team

    electric = next(a for a in team(world.competition) if a.user_id == world.electric_only.id)
    book = load_workbook(io.BytesIO(round_import.template(world.round, electric)))
    rows = list(book["考评分"].iter_rows(values_only=True))
    assert rows[0][:4] == ("参赛单位", "赛道", "考评人", "Q1 工程质量")
    assert "R2 职工入会率" not in rows[0]  # filled from data
    assert [r[:3] for r in rows[1:]] == [("三号线P4标段", "机电", electric.user.name)]
    team_rows = list(
        load_workbook(io.BytesIO(round_import.template(world.round, None)))["考评分"].iter_rows(
            values_only=True
        )
    )
    assert [r[2] for r in team_rows[1:]] == ["考评组"] * 4
    assert book.sheetnames == ["考评分", "填写说明"]


def test_excel_import_is_all_or_nothing(db: Any, world: SimpleNamespace) -> None:
    from contest.services.core.spreadsheets import SheetRefused
    from contest.services.labor import round_import

    open_scoring(db, world)
    good = ["40", "0", "100%", "0", "否", "否", "是"]
    bad = filled(
        [
            ["三号线P1标段", "土建", world.member.name, *good],
            ["三号线P1标段", "土建", "考评组", "41", "0", "100", "0", "否", "否", "也许"],
            ["不存在的标段", "", world.member.name, *good],
            ["三号线P1标段", "土建", world.electric_only.username, *good],
            ["三号线P2标段", "土建", world.member.name, "40", "", "100", "0", "否", "否", "是"],
            ["三号线P3标段", "土建", world.member.name, "", "", "", "", "", "", ""],
        ]
    )
    with pytest.raises(SheetRefused) as caught:
        round_import.import_scores(world.organizer, world.round, bad, "考评分.xlsx")
    db.session.rollback()
    report = [e.describe() for e in caught.value.errors]
    assert report == [
        "第 3 行 [Q1 工程质量]：分值应在 0 到 40 之间",
        "第 3 行 [M1 农民工工资专户]：请选择 是 或 否",
        "第 4 行 [参赛单位]：本竞赛没有名为“不存在的标段”的参赛单位",
        f"第 5 行 [考评人]：{world.electric_only.name} 不考评“三号线P1标段”"
        "（不在其赛道或是该单位的自评填报人）",
        "第 6 行 [S1 安全管理]：必填",
    ]
    assert db.session.query(ScoreSheet).count() == 0
    ok = filled(
        [
            ["三号线P1标段", "土建", world.member.name, *good],
            ["三号线P1标段", "土建", "考评组", "38", "2", "93.5", "8", "0", "0", "1"],
            ["三号线P4标段", "机电", world.electric_only.username, *good],
            ["三号线P3标段", "土建", world.member.name, "", "", "", "", "", "", ""],
        ]
    )
    report_ok = round_import.import_scores(world.organizer, world.round, ok, "考评分.xlsx")
    db.session.commit()
    assert (report_ok.sheets, report_ok.participants) == (3, 2)
    chiefs = scoring.assessor_sheet(world.round, world.participants["P1"], world.chief.id)
    assert chiefs.status is SheetStatus.SUBMITTED
    assert {m.aspect.key: m.value for m in chiefs.marks}["R1"] == Decimal("93.5")
    # A second import of the same rows would overwrite submitted sheets: refused, nothing stored.
    with pytest.raises(SheetRefused) as caught:
        round_import.import_scores(world.organizer, world.round, ok, "考评分.xlsx")
    db.session.rollback()
    assert all("已提交" in e.message for e in caught.value.errors)
    assert db.session.query(ScoreSheet).count() == 3


def test_excel_import_refuses_bad_columns_and_other_rounds(db: Any, world: SimpleNamespace) -> None:
    from contest.services.core.spreadsheets import SheetRefused
    from contest.services.labor import round_import

    book = filled(
        [["三号线P1标段", world.member.name, "40"]],
        ["参赛单位", "考评人", "Q1 工程质量", "R2 职工入会率", "X9 其他"],
    )
    with pytest.raises(LaborError, match="考评中"):
        round_import.import_scores(world.organizer, world.round, book, "a.xlsx")
    open_scoring(db, world)
    with pytest.raises(LaborError, match="组织者"):
        round_import.import_scores(world.chief, world.round, book, "a.xlsx")
    with pytest.raises(SheetRefused) as caught:
        round_import.import_scores(world.organizer, world.round, book, "a.xlsx")
    messages = {e.column: e.message for e in caught.value.errors}
    assert messages["R2 职工入会率"] == "此指标由数据计算，不需填写，请删除此列"
    assert messages["X9 其他"].startswith("无法识别的列")
    assert messages["S1 安全管理"] == "缺少此指标的列"


# ---------------------------------------------------------------- pages


def sheet_url(world: SimpleNamespace, kind: str, label: str, round_: Any = None) -> str:
    round_ = round_ or world.round
    return f"/labor/{world.competition.id}/rounds/{round_.id}/{kind}/{world.participants[label].id}"


def round_url(world: SimpleNamespace, step: str = "progress") -> str:
    return f"/labor/{world.competition.id}/rounds/{world.round.id}/{step}"


def posted(world: SimpleNamespace, marks: dict[str, object], **extra: object) -> dict[str, object]:
    data: dict[str, object] = {f"m_{world.aspects[k].id}": v for k, v in marks.items()}
    data.update(extra)
    return data


def test_self_assessment_pages(
    db: Any, world: SimpleNamespace, client_for: Callable[..., Any]
) -> None:
    contact = client_for(world.contacts["P1"])
    assert "三号线P1标段" in contact.get("/labor/self").get_data(as_text=True)
    page = contact.get(sheet_url(world, "self", "P1"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert (
        "工程质量" in html and "由数据计算（入会率）：96%" in html and 'data-bonus-cap="5"' in html
    )
    assert client_for(world.contacts["P2"]).get(sheet_url(world, "self", "P1")).status_code == 403
    q1 = world.aspects["Q1"].id
    response = contact.post(
        sheet_url(world, "self", "P1"),
        data=posted(
            world,
            {"Q1": "39"},
            version="0",
            action="save",
            **{f"note_{q1}": "见验收记录", f"ev_{q1}": (io.BytesIO(png()), "验收.png")},
        ),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    evidence = db.session.query(MarkEvidence).filter_by(content_type="image/png").one()
    assert contact.get(f"/labor/evidence/{evidence.id}").headers["Content-Type"] == "image/png"
    assert client_for(world.contacts["P2"]).get(f"/labor/evidence/{evidence.id}").status_code == 404
    refused = contact.post(
        sheet_url(world, "self", "P1"),
        data=posted(world, {"Q1": "NaN"}, version="1", action="save"),
    )
    assert refused.status_code == 422 and "评分内容有误" in refused.get_data(as_text=True)
    # 提交 without the browser's confirmation saves a draft and asks on the page.
    asked = contact.post(
        sheet_url(world, "self", "P1"),
        data=posted(world, full_marks(), version="1", action="submit"),
    )
    assert asked.status_code == 200 and "确认提交三号线P1标段的自评表？".replace(
        "确认提交", "确认提交 "
    ).replace("标段的", "标段 的") in asked.get_data(as_text=True)
    done = contact.post(
        sheet_url(world, "self", "P1"),
        data=posted(world, full_marks(), version="2", action="submit-confirmed"),
    )
    assert done.status_code == 302
    assert scoring.self_sheet(world.round, world.participants["P1"]).status is SheetStatus.SUBMITTED
    again = contact.get(sheet_url(world, "self", "P1")).get_data(as_text=True)
    assert "自评表已提交" in again and 'name="action"' not in again


def test_assessor_pages(db: Any, world: SimpleNamespace, client_for: Callable[..., Any]) -> None:
    self_assess(db, world, "P1", full_marks(Q1="38"), notes={world.aspects["Q1"].id: "质量月报"})
    open_scoring(db, world)
    member = client_for(world.member)
    listing = member.get("/labor/assess").get_data(as_text=True)
    assert listing.count("三号线P") == 4
    page = member.get(sheet_url(world, "assess", "P1")).get_data(as_text=True)
    assert "标准分" in page and "自评说明：质量月报" in page and "data-self-mark>38<" in page
    assert client_for(world.electric_only).get(sheet_url(world, "assess", "P1")).status_code == 403
    assert client_for(world.contacts["P1"]).get(sheet_url(world, "assess", "P1")).status_code == 403
    first = member.post(
        sheet_url(world, "assess", "P1"), data=posted(world, {"Q1": "35"}, version="0")
    )
    assert first.status_code == 302
    stale = member.post(
        sheet_url(world, "assess", "P1"), data=posted(world, {"Q1": "30"}, version="0")
    )
    text = stale.get_data(as_text=True)
    assert stale.status_code == 409 and "您刚才填写（未保存）：30" in text
    hostile = member.post(
        sheet_url(world, "assess", "P1"), data=posted(world, {"Q1": "1e3"}, version="abc")
    )
    assert hostile.status_code == 302  # an unreadable version: the page reloads, nothing saved
    submitted = member.post(
        sheet_url(world, "assess", "P1"),
        data=posted(world, full_marks(), version="1", action="submit-confirmed"),
    )
    assert submitted.status_code == 302
    after = member.get(sheet_url(world, "assess", "P1")).get_data(as_text=True)
    assert "下一个未评" in after


def test_round_page_steps(db: Any, world: SimpleNamespace, client_for: Callable[..., Any]) -> None:
    organizer, chief = client_for(world.organizer), client_for(world.chief)
    assert client_for(world.member).get(round_url(world)).status_code == 403
    assert organizer.get(round_url(world)).status_code == 200
    asked = organizer.post(round_url(world, "open"))
    assert asked.status_code == 200 and "还有 4 个未提交自评" in asked.get_data(as_text=True)
    assert world.round.status is RoundStatus.SELF
    assert chief.post(round_url(world, "open"), data={"confirmed": "1"}).status_code == 403
    assert organizer.post(round_url(world, "open"), data={"confirmed": "1"}).status_code == 302
    db.session.refresh(world.round)
    assert world.round.status is RoundStatus.SCORING
    assess(db, world, world.chief, "P1", full_marks())
    page = chief.get(round_url(world)).get_data(as_text=True)
    assert "确认本轮成绩" in page and "还有 8 份未提交" in page and "职工入会率" not in page
    wrong = chief.post(round_url(world, "confirm"), data={"confirmed": "1", "accept_missing": "3"})
    assert wrong.status_code == 302
    db.session.refresh(world.round)
    assert world.round.status is RoundStatus.SCORING
    ok = chief.post(round_url(world, "confirm"), data={"confirmed": "1", "accept_missing": "8"})
    assert ok.status_code == 302
    db.session.refresh(world.round)
    assert world.round.status is RoundStatus.CONFIRMED
    results = chief.get(round_url(world)).get_data(as_text=True)
    assert "本轮成绩" in results and "100" in results
    assert organizer.post(round_url(world, "reopen"), data={"reopen-reason": ""}).status_code == 302
    db.session.refresh(world.round)
    assert world.round.status is RoundStatus.CONFIRMED
    assert organizer.post(round_url(world, "publish"), data={"confirmed": "1"}).status_code == 302
    db.session.refresh(world.round)
    assert world.round.status is RoundStatus.PUBLISHED
    published = organizer.get(round_url(world)).get_data(as_text=True)
    assert "流动红旗" in published


def test_round_import_pages(
    db: Any, world: SimpleNamespace, client_for: Callable[..., Any]
) -> None:
    open_scoring(db, world)
    organizer = client_for(world.organizer)
    assert client_for(world.chief).get(round_url(world, "import")).status_code == 403
    download = organizer.get(round_url(world, "scores.xlsx") + "?who=team")
    assert download.status_code == 200 and download.data.startswith(b"PK")
    assert organizer.get(round_url(world, "scores.xlsx") + "?who=x9").status_code == 404
    bad = filled([["三号线P1标段", "土建", "考评组", "41", "0", "100", "0", "否", "否", "是"]])
    refused = organizer.post(
        round_url(world, "import"),
        data={"file": (io.BytesIO(bad), "a.xlsx")},
        content_type="multipart/form-data",
    )
    report = refused.get_data(as_text=True)
    assert "导入被拒绝" in report and "分值应在 0 到 40 之间" in report
    good = filled([["三号线P1标段", "土建", "考评组", "40", "0", "100", "0", "否", "否", "是"]])
    done = organizer.post(
        round_url(world, "import"),
        data={"file": (io.BytesIO(good), "a.xlsx")},
        content_type="multipart/form-data",
    )
    assert "导入完成：1 份考评表" in done.get_data(as_text=True)


def test_a_participant_without_a_track_competes_in_a_group_of_its_own(
    db: Any, world: SimpleNamespace
) -> None:
    world.participants["P4"].track_id = None
    db.session.commit()
    open_scoring(db, world)
    for label in ("P1", "P2", "P3", "P4"):
        assess(db, world, world.chief, label, full_marks(Q1="30"))
        assess(db, world, world.member, label, full_marks(Q1="30"))
    round_results.confirm_round(world.chief, world.round)
    round_results.publish_round(world.organizer, world.round)
    db.session.commit()
    flags = {f.participant_id: f.track_id for f in round_results.flags_of(world.round)}
    assert flags[world.participants["P4"].id] is None
    assert results_by_label(world)["P4"].rank == 1


def test_hostile_values_get_a_chinese_answer_never_a_500(
    db: Any, world: SimpleNamespace, client_for: Callable[..., Any]
) -> None:
    q1 = world.aspects["Q1"]
    self_assess(db, world, "P1", {}, submit=False, notes={q1.id: "说明"})
    note = db.session.query(SheetNote).one()
    assert db.session.query(MarkEvidence).count() == 0  # a note is no file
    contact = client_for(world.contacts["P1"])
    assert contact.get("/labor/evidence/99999").status_code == 404
    assert note.text == "说明"
    removed = contact.post(
        sheet_url(world, "self", "P1"),
        data=posted(world, {}, version="1", remove_evidence=["abc", "99999"]),
    )
    assert removed.status_code == 422 and "不存在或已删除" in removed.get_data(as_text=True)
    long_note = contact.post(
        sheet_url(world, "self", "P1"),
        data=posted(world, {}, version="1", **{f"note_{q1.id}": "长" * 501}),
    )
    assert long_note.status_code == 422 and "说明最多 500 个字" in long_note.get_data(as_text=True)
    open_scoring(db, world)
    chief, organizer = client_for(world.chief), client_for(world.organizer)
    assert chief.post(round_url(world, "confirm"), data={"accept_missing": "x"}).status_code == 400
    returned = chief.post(round_url(world, "return"), data={"ret-sheet_id": "7", "ret-reason": "x"})
    assert returned.status_code == 302
    assert organizer.get(round_url(world, "scores.xlsx") + "?who=abc").status_code == 404
    assert organizer.get(f"/labor/{world.competition.id}/rounds/999/progress").status_code == 404


@pytest.mark.parametrize("setting", ["no_flag", "rating"])
def test_no_red_flag_when_none_is_set_or_in_a_rating(
    db: Any, world: SimpleNamespace, setting: str
) -> None:
    """流动红旗 0 means none (not one), and a graded union is not in a race."""
    if setting == "no_flag":
        world.competition.flag_count = 0
    else:
        world.competition.kind = CompetitionKind.SIX_GOOD
    db.session.commit()
    open_scoring(db, world)
    for label in ("P1", "P2", "P3", "P4"):
        assess(db, world, world.chief, label, full_marks(Q1="30"))
        assess(db, world, world.member, label, full_marks(Q1="30"))
    missing = len(round_results.progress(world.round).missing_sheets)
    round_results.confirm_round(world.chief, world.round, accept_missing=missing)
    assert round_results.publish_round(world.organizer, world.round) == []
    db.session.commit()
    assert round_results.flags_of(world.round) == []


def test_the_menu_leads_assessors_and_contacts_to_their_work(
    db: Any, world: SimpleNamespace, client_for: Callable[..., Any], make_user: Any
) -> None:
    """我的考评 for members of a running competition's 考评组, 我的自评 for the accounts that
    fill a participant's self-assessment; nobody else sees either."""
    assessor = client_for(world.member).get("/home").get_data(as_text=True)
    assert 'href="/labor/assess"' in assessor and 'href="/labor/self"' not in assessor
    contact = client_for(world.contacts["P1"]).get("/home").get_data(as_text=True)
    assert 'href="/labor/self"' in contact and 'href="/labor/assess"' not in contact
    bystander = client_for(make_user("judge")).get("/home").get_data(as_text=True)
    assert "/labor/assess" not in bystander and "/labor/self" not in bystander
