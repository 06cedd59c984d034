"""The recommending unit (issue 13 item 5): a nominee matched by 身份证号 and never shown in
full, 事迹 counted in characters as people count them, attachments checked by content and size,
submission within headroom, typed slots and the deadline with consents and eligibility, the
return → correct → resubmit loop, withdrawal, who sees what (404 for another union), and the
printable 推荐审批表 with the number masked."""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from contest.models import (
    AuditEntry,
    CampaignQuota,
    CampaignStatus,
    Honor,
    HonorLevel,
    HonorSource,
    Nomination,
    NominationAttachment,
    NominationStatus,
    OrgKind,
    Outcome,
    Person,
    RecipientKind,
    ReviewStage,
    StageMember,
    StageStatus,
)
from contest.services.core.uploads import Upload
from contest.services.nominations import (
    attachments,
    eligibility,
    nominations,
    quotas,
    review,
)
from contest.services.nominations.approval_form import approval_form_pdf
from contest.services.nominations.nominations import NominationError, NomineeData, count_characters
from tests.contest.nomination_recommend_support import (
    DEMOCRATIC,
    NEGATIVE,
    PDF,
    PUBLICITY,
    SLOT,
    build_world,
    complete,
    form_data,
    ready,
    start,
)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def world(db: Any, make_org: Callable[..., Any], make_user: Callable[..., Any]) -> SimpleNamespace:
    return build_world(db, make_org, make_user)


def _submit(db: Any, w: SimpleNamespace, nomination: Nomination, user: Any = None) -> None:
    nominations.submit(user or w.recommender, nomination)
    db.session.commit()


def _refusal(action: Callable[[], object]) -> NominationError:
    with pytest.raises(NominationError) as caught:
        action()
    return caught.value


def _all_messages(error: NominationError) -> str:
    return "；".join([error.message, *error.problems])


# ---------------------------------------------------------------- the nominee


def test_a_person_is_matched_by_id_number_and_the_number_is_never_shown_in_full(
    db: Any,
    world: SimpleNamespace,
    make_person: Callable[..., Any],
    make_id_number: Callable[..., str],
    client_for: Callable[..., FlaskClient],
) -> None:
    number = make_id_number("32058219780614", "517")
    known = make_person("周建国", world.works, id_number=number, post="钳工", skill_level="技师")
    nomination = start(world, "周建国", number)
    db.session.commit()
    assert nomination.person_id == known.id
    assert (nomination.post, nomination.skill_level) == ("钳工", "技师")  # from the record
    assert db.session.scalar(select(Person.id).where(Person.name == "周建国")) == known.id
    body = client_for(world.recommender).get(f"/nominations/recommend/nomination/{nomination.id}")
    text = body.get_data(as_text=True)
    assert body.status_code == 200
    assert number not in text and number[6:14] not in text
    assert f"{number[:6]}********{number[-4:]}" in text


def test_a_new_person_is_created_with_the_number_encrypted(
    db: Any, world: SimpleNamespace, make_id_number: Callable[..., str]
) -> None:
    number = make_id_number("11010519900307", "128")
    nomination = start(world, "李秀英", number)
    db.session.commit()
    person = db.session.get(Person, nomination.person_id)
    assert person is not None and person.name == "李秀英"
    assert person.id_number_hash is not None and number.encode() not in person.id_number_encrypted
    assert person.organization_id == world.works.id
    assert person.gender is not None  # read from the number
    trail = " ".join(
        (e.before or "") + (e.after or "") for e in db.session.scalars(select(AuditEntry))
    )
    assert number not in trail


def test_a_name_that_does_not_match_the_registered_number_is_refused(
    db: Any,
    world: SimpleNamespace,
    make_person: Callable[..., Any],
    make_id_number: Callable[..., str],
) -> None:
    number = make_id_number("32058219780614", "517")
    make_person("周建国", world.works, id_number=number)
    error = _refusal(lambda: start(world, "周建华", number))
    assert error.field == "name" and "不一致" in error.message
    bad = _refusal(lambda: start(world, "王五", "110105199003071234"))
    assert bad.field == "id_number"


def test_the_same_person_cannot_be_nominated_twice_in_a_campaign(
    db: Any, world: SimpleNamespace, make_id_number: Callable[..., str]
) -> None:
    number = make_id_number("11010519900307", "128")
    start(world, "李秀英", number)
    db.session.commit()
    error = _refusal(lambda: start(world, "李秀英", number))
    assert "不能重复推荐" in error.message


def test_a_team_is_named_within_an_organisation_of_the_unit(
    db: Any, world: SimpleNamespace, make_org: Callable[..., Any]
) -> None:
    team = nominations.start(
        world.recommender,
        world.campaign,
        "pioneer",
        world.east.id,
        NomineeData(team_name="数控车间甲班", organization_id=world.works.id),
    )
    assert (team.recipient_kind, team.name, team.organization_id) == (
        RecipientKind.TEAM,
        "数控车间甲班",
        world.works.id,
    )
    outside = make_org("外单位工会", OrgKind.GRASSROOTS, parent=world.west)
    error = _refusal(
        lambda: nominations.start(
            world.recommender,
            world.campaign,
            "pioneer",
            world.east.id,
            NomineeData(team_name="乙班", organization_id=outside.id),
        )
    )
    assert error.field == "organization_id"


# ---------------------------------------------------------------- 事迹 in characters


def test_characters_are_counted_as_people_see_them() -> None:
    assert count_characters("劳动模范") == 4
    assert count_characters("👍") == 1
    assert count_characters("👍🏽") == 1  # a skin tone is part of the emoji
    assert count_characters("👨‍👩‍👧") == 1  # a family joined by zero-width joiners
    assert count_characters("🇨🇳") == 1  # two regional indicators make one flag
    assert count_characters("é") == 1  # e and a combining accent
    assert count_characters("第一行\r\n第二行") == 7  # a line break is one
    assert count_characters(None) == 0


def test_deeds_are_limited_at_500_and_2000_characters_chinese_and_emoji_alike(
    db: Any, world: SimpleNamespace, make_id_number: Callable[..., str]
) -> None:
    nomination = start(world, "李秀英", make_id_number("11010519900307", "128"))
    db.session.commit()
    short = "劳" * 499 + "👨‍👩‍👧"  # 500 as people count, 506 code points, 508 UTF-16 units
    full = "模" * 1990 + "🎉" * 10
    nominations.save(world.recommender, nomination, form_data(deeds_short=short, deeds_full=full))
    db.session.commit()
    assert nomination.deeds_short == short and nomination.deeds_full == full
    over = _refusal(
        lambda: nominations.save(world.recommender, nomination, form_data(deeds_short=short + "。"))
    )
    assert over.field == "deeds_short" and "500" in over.message and "501" in over.message
    over_full = _refusal(
        lambda: nominations.save(world.recommender, nomination, form_data(deeds_full=full + "🎉"))
    )
    assert over_full.field == "deeds_full" and "2000" in over_full.message
    db.session.rollback()
    assert db.session.get(Nomination, nomination.id).deeds_short == short  # unchanged


def test_the_form_shows_a_live_counter_that_counts_the_same_way(
    db: Any,
    world: SimpleNamespace,
    make_id_number: Callable[..., str],
    client_for: Callable[..., FlaskClient],
) -> None:
    nomination = start(world, "李秀英", make_id_number("11010519900307", "128"))
    nominations.save(world.recommender, nomination, form_data(deeds_short="劳模👍🏽"))
    db.session.commit()
    text = (
        client_for(world.recommender)
        .get(f"/nominations/recommend/nomination/{nomination.id}")
        .get_data(as_text=True)
    )
    assert 'data-max-chars="500"' in text and 'data-max-chars="2000"' in text
    assert "已写 3 / 500 字" in text
    assert "js/char-count.js" in text and not re.search(r"<textarea[^>]*maxlength", text)


# ---------------------------------------------------------------- attachments


def test_attachments_are_checked_by_content_not_by_name(
    db: Any, world: SimpleNamespace, make_id_number: Callable[..., str]
) -> None:
    nomination = start(world, "李秀英", make_id_number("11010519900307", "128"))
    as_jpg = attachments.add(world.recommender, nomination, SLOT, Upload("扫描件.jpg", PDF))
    assert as_jpg.content_type == "application/pdf"
    png = attachments.add(world.recommender, nomination, "获奖证书", Upload("证书.pdf", _png()))
    assert png.content_type == "image/png"
    text = _refusal(
        lambda: attachments.add(
            world.recommender, nomination, SLOT, Upload("材料.pdf", "这不是 PDF".encode())
        )
    )
    assert text.field == "file" and "只接受" in text.message
    huge = Upload("大文件.pdf", b"%PDF-" + b"0" * attachments.MAX_ATTACHMENT_BYTES)
    too_big = _refusal(lambda: attachments.add(world.recommender, nomination, SLOT, huge))
    assert "10 MB" in too_big.message
    unknown = _refusal(
        lambda: attachments.add(world.recommender, nomination, "没有的项目", Upload("a.pdf", PDF))
    )
    assert unknown.field == "slot"
    db.session.commit()
    assert sorted(f.filename for fs in attachments.files_of(nomination).values() for f in fs) == [
        "扫描件.jpg",
        "证书.pdf",
    ]


def test_an_upload_through_the_page_is_stored_in_the_database_and_served_as_checked(
    db: Any,
    world: SimpleNamespace,
    make_id_number: Callable[..., str],
    client_for: Callable[..., FlaskClient],
) -> None:
    nomination = start(world, "李秀英", make_id_number("11010519900307", "128"))
    db.session.commit()
    client = client_for(world.recommender)
    url = f"/nominations/recommend/nomination/{nomination.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    data = {"slot": SLOT, "file": (io.BytesIO(PDF), "盖章页.jpg")}
    response = client.post(f"{url}/attachments", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    stored = db.session.scalar(select(NominationAttachment))
    assert stored is not None and bytes(stored.data) == PDF
    served = client.get(f"/nominations/attachments/{stored.id}")
    assert served.status_code == 200 and served.mimetype == "application/pdf"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    refused = client.post(
        f"{url}/attachments",
        data={**data, "file": (io.BytesIO(b"MZ\x90\x00"), "x.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "只接受 JPEG、PNG 图片或 PDF 文件" in refused.get_data(as_text=True)
    assert db.session.query(NominationAttachment).count() == 1


# ---------------------------------------------------------------- submitting


def test_a_complete_nomination_is_submitted_and_audited(
    db: Any, world: SimpleNamespace, make_id_number: Callable[..., str]
) -> None:
    nomination = ready(db, world, "李秀英", make_id_number("11010519900307", "128"))
    assert nominations.submit_problems(nomination) == []
    _submit(db, world, nomination)
    assert nomination.status is NominationStatus.SUBMITTED and nomination.submitted_at
    room = quotas.headroom(world.campaign, "medal", world.east)
    assert (room.quota, room.allowed, room.used) == (2, 3, 1)
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"nomination.create", "nomination.update", "nomination.submit"} <= actions
    assert "nomination.attachment.add" in actions


def test_consents_and_materials_are_required_for_submission(
    db: Any, world: SimpleNamespace, make_id_number: Callable[..., str]
) -> None:
    nomination = start(world, "李秀英", make_id_number("11010519900307", "128"))
    nominations.save(
        world.recommender, nomination, form_data(consent_publicity=False, deeds_full="", form={})
    )
    db.session.commit()
    error = _refusal(lambda: nominations.submit(world.recommender, nomination))
    text = _all_messages(error)
    assert "同意公示" in text
    assert "请填写主要事迹" in text and "政治面貌" in text and SLOT in text
    db.session.rollback()
    assert db.session.get(Nomination, nomination.id).status is NominationStatus.DRAFT
    # The wall consents are separate and optional: 公示 consent alone is enough.
    complete(db, world, nomination, consent_photo=False, consent_deeds=False)
    _submit(db, world, nomination)
    assert nomination.status is NominationStatus.SUBMITTED


def test_the_unit_publicity_needs_five_working_days_on_the_statutory_calendar(
    db: Any, world: SimpleNamespace, make_id_number: Callable[..., str]
) -> None:
    nomination = start(world, "李秀英", make_id_number("11010519900307", "128"))
    # 30 September – 8 October 2026 spans 国庆: only 30 September and 8 October are worked.
    short = _refusal(
        lambda: nominations.save(
            world.recommender,
            nomination,
            form_data(
                democratic_on=date(2026, 9, 20),
                unit_publicity_start=date(2026, 9, 30),
                unit_publicity_end=date(2026, 10, 8),
            ),
        )
    )
    assert short.field == "unit_publicity_end" and "5 个工作日" in short.message
    missing = _refusal(
        lambda: nominations.save(
            world.recommender,
            nomination,
            form_data(
                democratic_on=date(2099, 1, 1),
                unit_publicity_start=date(2099, 1, 5),
                unit_publicity_end=date(2099, 1, 12),
            ),
        )
    )
    assert "2099 年没有法定节假日数据" in missing.message
    backwards = _refusal(
        lambda: nominations.save(
            world.recommender, nomination, form_data(democratic_on=date(2026, 11, 3))
        )
    )
    assert backwards.field == "unit_publicity_start"


def test_over_the_quota_is_refused_and_within_the_surplus_accepted(
    db: Any, world: SimpleNamespace, make_id_number: Callable[..., str]
) -> None:
    """2 places at 差额 150 % are 3 submissions: the third is beyond the quota but within the
    差额 and accepted, the fourth is refused with the figures."""
    made = [
        ready(db, world, name, make_id_number("11010519900307", f"{n:03d}"))
        for n, name in enumerate(["甲", "乙", "丙", "丁"], start=11)
    ]
    for nomination in made[:3]:
        _submit(db, world, nomination)
    error = _refusal(lambda: nominations.submit(world.recommender, made[3]))
    assert "名额已用完" in _all_messages(error) and "3" in _all_messages(error)
    db.session.rollback()
    assert made[3].status is NominationStatus.DRAFT
    room = quotas.headroom(world.campaign, "medal", world.east)
    assert (room.quota, room.allowed, room.used, room.left) == (2, 3, 3, 0)


def test_the_other_union_nominates_against_its_own_share(
    db: Any,
    world: SimpleNamespace,
    make_id_number: Callable[..., str],
    make_org: Callable[..., Any],
) -> None:
    plant = make_org("临湖化工厂工会", OrgKind.GRASSROOTS, parent=world.west)
    refused = _refusal(
        lambda: start(
            world, "戊", make_id_number("11010519900307", "021"), user=world.west_recommender
        )
    )
    assert "不能代表该单位推荐" in refused.message
    nomination = start(
        world,
        "戊",
        make_id_number("11010519900307", "021"),
        user=world.west_recommender,
        unit=world.west,
        org=plant,
    )
    assert nomination.unit_id == world.west.id


def test_a_typed_slot_keeps_its_place_for_its_group(
    db: Any,
    world: SimpleNamespace,
    make_id_number: Callable[..., str],
) -> None:
    """East's 2 places at 100 % with one kept for a 农民工: one ordinary nominee fits, a second
    ordinary one is refused (the last place is the slot's), a 农民工 takes it."""
    world.campaign.surplus_percent = 100
    top = quotas.unit_of(world.organizer, world.campaign)[0]
    east_row = next(
        r for r in quotas.unit_of(world.recommender, world.campaign) if r.award == "medal"
    )
    top.slots = {"migrant": 1}
    east_row.slots = {"migrant": 1}
    db.session.commit()
    first = ready(db, world, "甲", make_id_number("11010519900307", "011"))
    second = ready(db, world, "乙", make_id_number("11010519900307", "012"))
    migrant = ready(db, world, "丙", make_id_number("11010519900307", "013"))
    _submit(db, world, first)
    error = _refusal(lambda: nominations.submit(world.recommender, second))
    assert "专项名额" in _all_messages(error) and "农民工" in _all_messages(error)
    db.session.rollback()
    nominations.save(world.recommender, migrant, form_data(categories=["migrant"]))
    db.session.commit()
    _submit(db, world, migrant)
    assert migrant.status is NominationStatus.SUBMITTED


def test_nothing_is_started_or_submitted_after_the_deadline(
    db: Any, world: SimpleNamespace, make_id_number: Callable[..., str]
) -> None:
    nomination = ready(db, world, "李秀英", make_id_number("11010519900307", "128"))
    world.campaign.submission_deadline = datetime.now(UTC) - timedelta(minutes=1)
    db.session.commit()
    error = _refusal(lambda: nominations.submit(world.recommender, nomination))
    assert "截止" in _all_messages(error)
    db.session.rollback()
    late = _refusal(lambda: start(world, "王五", make_id_number("11010519900307", "139")))
    assert "截止" in late.message
    assert not nominations.accepts_new(world.campaign)


def test_a_failed_eligibility_check_blocks_until_the_organizer_waives_it(
    db: Any, world: SimpleNamespace, make_id_number: Callable[..., str]
) -> None:
    nomination = ready(db, world, "李秀英", make_id_number("11010519900307", "128"))
    db.session.add(
        Honor(
            person_id=nomination.person_id,
            recipient_kind=RecipientKind.PERSON,
            recipient_name="李秀英",
            title="江州市五一劳动奖章",
            level=HonorLevel.CITY,
            level_rank=HonorLevel.CITY.rank,
            year=2024,
            source=HonorSource.MANUAL,
        )
    )
    db.session.commit()
    error = _refusal(lambda: nominations.submit(world.recommender, nomination))
    assert "不重复授予" in _all_messages(error)
    db.session.rollback()
    eligibility.waive(world.organizer, nomination, "no_repeat", "2024 年系企业级推荐，经研究同意")
    db.session.commit()
    _submit(db, world, nomination)
    assert nomination.status is NominationStatus.SUBMITTED


def test_a_declared_negative_item_blocks_submission(
    db: Any, world: SimpleNamespace, make_id_number: Callable[..., str]
) -> None:
    nomination = ready(
        db, world, "李秀英", make_id_number("11010519900307", "128"), declarations={NEGATIVE: True}
    )
    error = _refusal(lambda: nominations.submit(world.recommender, nomination))
    assert NEGATIVE in _all_messages(error)
    db.session.rollback()
    unanswered = ready(db, world, "王五", make_id_number("11010519900307", "139"), declarations={})
    assert "负面清单尚未声明" in _all_messages(
        _refusal(lambda: nominations.submit(world.recommender, unanswered))
    )


# ---------------------------------------------------------------- the review's return


def test_a_nomination_returned_by_the_review_is_corrected_resubmitted_and_passes(
    db: Any,
    world: SimpleNamespace,
    make_id_number: Callable[..., str],
    client_for: Callable[..., FlaskClient],
) -> None:
    nomination = ready(db, world, "李秀英", make_id_number("11010519900307", "128"))
    _submit(db, world, nomination)
    world.campaign.status = CampaignStatus.REVIEW  # the review has begun; corrections still go
    stage = ReviewStage(
        campaign_id=world.campaign.id, name="初审", position=1, status=StageStatus.OPEN
    )
    db.session.add(stage)
    db.session.flush()
    db.session.add(StageMember(stage_id=stage.id, user_id=world.reviewer.id))
    db.session.commit()
    file_id = db.session.scalar(select(NominationAttachment.id))
    reviewer = client_for(world.reviewer)  # a member of a stage it entered reads its files
    assert reviewer.get(f"/nominations/attachments/{file_id}").status_code == 200
    reason = "事迹过于笼统，请补充具体数据"
    review.decide(world.reviewer, stage, nomination, Outcome.RETURN, reason)
    db.session.commit()
    assert nomination.status is NominationStatus.RETURNED
    assert quotas.headroom(world.campaign, "medal", world.east).used == 0
    page = client_for(world.recommender).get(f"/nominations/recommend/nomination/{nomination.id}")
    text = page.get_data(as_text=True)
    assert "退回修改" in text and reason in text and "初审" in text
    assert "重新报送" in text
    nominations.save(
        world.recommender,
        nomination,
        form_data(deeds_full="2025 年攻克 3 项工艺难题，节约成本 120 万元。"),
    )
    _submit(db, world, nomination)
    assert nomination.status is NominationStatus.SUBMITTED and nomination.status_reason is None
    review.decide(world.reviewer, stage, nomination, Outcome.PASS, None)
    db.session.commit()
    actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions.index("nomination.review.decide") < actions.index("nomination.resubmit")
    assert [line.decision.outcome for line in nominations.progress(nomination)] == [Outcome.PASS]


def test_the_interface_return_holds_no_place_until_resubmitted(
    db: Any, world: SimpleNamespace, make_id_number: Callable[..., str]
) -> None:
    nomination = ready(db, world, "李秀英", make_id_number("11010519900307", "128"))
    _submit(db, world, nomination)
    nominations.return_(world.organizer, nomination, "请补充盖章页")
    db.session.commit()
    assert (nomination.status, nomination.status_reason) == (
        NominationStatus.RETURNED,
        "请补充盖章页",
    )
    assert quotas.headroom(world.campaign, "medal", world.east).used == 0
    again = _refusal(lambda: nominations.return_(world.organizer, nomination, "再退"))
    assert "退回修改" in again.message


def test_a_submitted_nomination_cannot_be_changed(
    db: Any, world: SimpleNamespace, make_id_number: Callable[..., str]
) -> None:
    nomination = ready(db, world, "李秀英", make_id_number("11010519900307", "128"))
    _submit(db, world, nomination)
    error = _refusal(lambda: nominations.save(world.recommender, nomination, form_data(post="x")))
    assert "已报送" in error.message
    refused = _refusal(
        lambda: attachments.add(world.recommender, nomination, SLOT, Upload("b.pdf", PDF))
    )
    assert "已报送" in refused.message


def test_withdrawing_needs_a_reason_and_frees_the_place(
    db: Any,
    world: SimpleNamespace,
    make_id_number: Callable[..., str],
    client_for: Callable[..., FlaskClient],
) -> None:
    nomination = ready(db, world, "李秀英", make_id_number("11010519900307", "128"))
    _submit(db, world, nomination)
    error = _refusal(lambda: nominations.withdraw(world.recommender, nomination, "  "))
    assert error.field == "reason"
    nominations.withdraw(world.recommender, nomination, "本人调离本单位")
    db.session.commit()
    assert nomination.status is NominationStatus.WITHDRAWN
    assert nomination.status_reason == "本人调离本单位"
    assert quotas.headroom(world.campaign, "medal", world.east).used == 0
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "nomination.withdraw"))
    assert entry is not None and entry.reason == "本人调离本单位"
    again = _refusal(lambda: nominations.withdraw(world.recommender, nomination, "再撤"))
    assert "已撤回" in again.message


def test_withdrawing_through_the_page_asks_first(
    db: Any,
    world: SimpleNamespace,
    make_id_number: Callable[..., str],
    client_for: Callable[..., FlaskClient],
) -> None:
    nomination = ready(db, world, "李秀英", make_id_number("11010519900307", "128"))
    client = client_for(world.recommender)
    url = f"/nominations/recommend/nomination/{nomination.id}"
    asked = client.post(f"{url}/withdraw", data={"reason": "调离"})
    assert asked.status_code == 200 and "撤回不能恢复" in asked.get_data(as_text=True)
    assert db.session.get(Nomination, nomination.id).status is NominationStatus.DRAFT
    done = client.post(f"{url}/withdraw", data={"reason": "调离", "confirmed": "1"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Nomination, nomination.id).status is NominationStatus.WITHDRAWN


# ---------------------------------------------------------------- pages


def test_the_campaign_page_shows_live_headroom_and_the_slate_rules(
    db: Any,
    world: SimpleNamespace,
    make_id_number: Callable[..., str],
    client_for: Callable[..., FlaskClient],
) -> None:
    nomination = ready(db, world, "李秀英", make_id_number("11010519900307", "128"))
    _submit(db, world, nomination)
    client = client_for(world.recommender)
    index = client.get("/nominations/recommend").get_data(as_text=True)
    assert "2026 年江州市五一劳动奖章评选" in index
    assert "名额 2，可报 3（差额 150%），已报 1" in index
    page = client.get(f"/nominations/recommend/{world.campaign.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "李秀英" in text and "新增推荐" in text
    assert "本单位名单构成" in text
    assert client_for(world.reviewer).get("/nominations/recommend").status_code == 403


def test_submitting_through_the_page_confirms_and_lists_what_is_missing(
    db: Any,
    world: SimpleNamespace,
    make_id_number: Callable[..., str],
    client_for: Callable[..., FlaskClient],
) -> None:
    client = client_for(world.recommender)
    quota_id = next(
        r.id for r in quotas.unit_of(world.recommender, world.campaign) if r.award == "medal"
    )
    start = client.post(
        f"/nominations/recommend/{world.campaign.id}/new/{quota_id}",
        data={
            "name": "李秀英",
            "id_number": make_id_number("11010519900307", "128"),
            "organization_id": world.works.id,
        },
    )
    assert start.status_code == 302
    nomination = db.session.scalar(select(Nomination))
    url = f"/nominations/recommend/nomination/{nomination.id}"
    missing = client.post(f"{url}/submit", data={"confirmed": "1"}, follow_redirects=True)
    text = missing.get_data(as_text=True)
    assert "这份推荐还不能报送" in text and "请填写主要事迹" in text
    saved = client.post(
        url,
        data={
            "unit_name": "江州精工机械有限公司",
            "post": "数控车工",
            "deeds_short": "扎根一线。",
            "deeds_full": "扎根一线二十年。",
            "f_0": "群众",
            "consent_publicity": "y",
            "democratic_on": DEMOCRATIC.isoformat(),
            "unit_publicity_start": PUBLICITY[0].isoformat(),
            "unit_publicity_end": PUBLICITY[1].isoformat(),
            "d_0": "no",
        },
    )
    assert saved.status_code == 302
    attachments.add(world.recommender, nomination, SLOT, Upload("a.pdf", PDF))
    db.session.commit()
    asked = client.post(f"{url}/submit", data={})
    assert asked.status_code == 200 and "占用本单位一个推荐名额" in asked.get_data(as_text=True)
    done = client.post(f"{url}/submit", data={"confirmed": "1"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Nomination, nomination.id).status is NominationStatus.SUBMITTED


def test_a_refused_save_names_the_field_and_changes_nothing(
    db: Any,
    world: SimpleNamespace,
    make_id_number: Callable[..., str],
    client_for: Callable[..., FlaskClient],
) -> None:
    nomination = start(world, "李秀英", make_id_number("11010519900307", "128"))
    db.session.commit()
    response = client_for(world.recommender).post(
        f"/nominations/recommend/nomination/{nomination.id}",
        data={"deeds_short": "字" * 501, "post": "车工", "democratic_on": "不是日期"},
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Nomination, nomination.id).post is None


# ---------------------------------------------------------------- permissions


def test_another_unions_recommender_gets_404_for_my_nomination_and_its_files(
    db: Any,
    world: SimpleNamespace,
    make_id_number: Callable[..., str],
    client_for: Callable[..., FlaskClient],
) -> None:
    nomination = ready(db, world, "李秀英", make_id_number("11010519900307", "128"))
    file_id = db.session.scalar(select(NominationAttachment.id))
    url = f"/nominations/recommend/nomination/{nomination.id}"
    other = client_for(world.west_recommender)
    assert other.get(url).status_code == 404
    assert other.get(f"/nominations/attachments/{file_id}").status_code == 404
    assert other.get(f"{url}/approval-form.pdf").status_code == 404
    assert other.post(url, data={"post": "x"}).status_code == 404
    assert other.post(f"{url}/submit", data={"confirmed": "1"}).status_code == 404
    assert other.post(f"{url}/withdraw", data={"reason": "x", "confirmed": "1"}).status_code == 404
    assert other.get(f"/nominations/recommend/{world.campaign.id}").status_code == 200  # its own
    # A draft is the unit's own; once submitted the host's organizer reads it and its files.
    organizer = client_for(world.organizer)
    assert organizer.get(url).status_code == 404
    assert organizer.get(f"/nominations/attachments/{file_id}").status_code == 404
    _submit(db, world, nomination)
    assert organizer.get(url).status_code == 200
    assert organizer.get(f"/nominations/attachments/{file_id}").status_code == 200
    assert organizer.post(url, data={"post": "x"}).status_code == 404  # reads, never edits
    assert client_for(world.reviewer).get(f"/nominations/attachments/{file_id}").status_code == 404
    assert client_for(None).get(url).status_code == 302  # to the login


def test_the_visible_query_and_the_menu_follow_the_union(
    db: Any,
    world: SimpleNamespace,
    make_id_number: Callable[..., str],
    make_user: Callable[..., Any],
) -> None:
    mine = ready(db, world, "李秀英", make_id_number("11010519900307", "128"))
    query = nominations.visible_to(world.west_recommender, world.campaign)
    assert list(db.session.scalars(query)) == []
    assert list(db.session.scalars(nominations.visible_to(world.recommender, world.campaign))) == [
        mine
    ]
    assert list(db.session.scalars(nominations.visible_to(world.organizer, world.campaign))) == []
    east_organizer = make_user("organizer", organization=world.east)
    assert nominations.recommends_anything(east_organizer)
    assert not nominations.recommends_anything(world.organizer)  # the host hands out, not in
    assert nominations.may_edit(east_organizer, mine)


# ---------------------------------------------------------------- the 推荐审批表


def _pdf_text(data: bytes) -> str:
    """The text of an fpdf2 PDF: its content streams' strings through the fonts' ToUnicode
    maps (two-byte glyph codes, as fpdf2 writes embedded TrueType fonts)."""
    streams = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            streams.append(zlib.decompress(raw))
        except zlib.error:
            streams.append(raw)
    cmap: dict[int, str] = {}
    for stream in streams:
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.S):
            for code, uni in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                chars = bytes.fromhex(uni.decode()).decode("utf-16-be")
                cmap[int(code, 16)] = chars
    escapes = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
    text = []
    for stream in streams:
        for literal in re.findall(rb"\(((?:\\.|[^\\)])*)\)\s*Tj", stream, re.S):
            raw = re.sub(
                rb"\\([nrtbf()\\]|[0-7]{1,3})",
                lambda m: (
                    escapes.get(m.group(1), m.group(1))
                    if not m.group(1).isdigit()
                    else bytes([int(m.group(1), 8)])
                ),
                literal,
            )
            text.append(
                "".join(
                    cmap.get(int.from_bytes(raw[i : i + 2], "big"), "")
                    for i in range(0, len(raw), 2)
                )
            )
    return "\n".join(text)


def test_the_approval_form_prints_the_nominee_with_the_number_masked(
    db: Any,
    world: SimpleNamespace,
    make_id_number: Callable[..., str],
    client_for: Callable[..., FlaskClient],
) -> None:
    number = make_id_number("32058219780614", "522")  # a woman (even sequence)
    nomination = ready(db, world, "李秀英", number)
    response = client_for(world.recommender).get(
        f"/nominations/recommend/nomination/{nomination.id}/approval-form.pdf"
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = _pdf_text(response.data)
    assert f"{number[:6]}********{number[-4:]}" in text
    assert number not in text and number[6:14] not in text
    assert "李秀英（女）" in text and "推荐审批表" in text and "江州市五一劳动奖章" in text
    assert "推荐单位意见" in text and "上级工会意见" in text and "（盖章）" in text
    assert "扎根一线二十年" in text and "5 个工作日" in text and "数控车工" in text


def test_long_deeds_continue_on_the_next_page(
    db: Any, world: SimpleNamespace, make_id_number: Callable[..., str]
) -> None:
    nomination = ready(
        db,
        world,
        "李秀英",
        make_id_number("11010519900307", "128"),
        deeds_full="\n".join(["攻坚克难，勇于创新，" * 9] * 20)[:2000],
    )
    data = approval_form_pdf(nomination)
    assert (
        data.count(b"/Type /Page\n") >= 2
        or data.count(b"/Type /Page\r") >= 2
        or (len(re.findall(rb"/Type\s*/Page[^s]", data)) >= 2)
    )
    assert "攻坚克难" in _pdf_text(data)


def test_the_recommenders_home_lists_the_campaigns_open_to_the_union(
    db: Any,
    world: SimpleNamespace,
    make_id_number: Callable[..., str],
    make_user: Callable[..., Any],
    client_for: Callable[..., FlaskClient],
) -> None:
    nomination = ready(db, world, "李秀英", make_id_number("11010519900307", "128"))
    _submit(db, world, nomination)
    nominations.return_(world.organizer, nomination, "请补充事迹")
    db.session.commit()
    home = client_for(world.recommender).get("/home").get_data(as_text=True)
    assert "2026 年江州市五一劳动奖章评选" in home
    assert "名额 2，可报 3（差额 150%），已报 0" in home and "1 份被退回修改" in home
    assert "目前没有面向本单位开放的评选推荐" not in home
    elsewhere = make_user("recommender")  # a union without a share
    assert "目前没有面向本单位开放的评选推荐" in client_for(elsewhere).get("/home").get_data(
        as_text=True
    )


def test_a_unit_is_nominated_by_its_organisation_without_personal_consents(
    db: Any, world: SimpleNamespace
) -> None:
    world.campaign.awards = [
        *world.campaign.awards,
        {
            "key": "award",
            "kind": "may_day_award",
            "title": "江州市五一劳动奖状",
            "recipient": "unit",
            "tier": None,
        },
    ]
    top = CampaignQuota(campaign_id=world.campaign.id, award="award", organization_id=world.city.id)
    top.quota = 3
    db.session.add(top)
    db.session.flush()
    db.session.add(
        CampaignQuota(
            campaign_id=world.campaign.id,
            award="award",
            organization_id=world.east.id,
            parent_id=top.id,
            quota=1,
        )
    )
    db.session.commit()
    unit = nominations.start(
        world.recommender,
        world.campaign,
        "award",
        world.east.id,
        NomineeData(organization_id=world.works.id),
    )
    assert (unit.recipient_kind, unit.name, unit.person_id) == (
        RecipientKind.UNIT,
        "江州精工机械有限公司",
        None,
    )
    complete(db, world, unit, consent_publicity=False, form={})
    assert unit.consent_publicity  # an organisation's name is no personal information
    _submit(db, world, unit)
    assert unit.status is NominationStatus.SUBMITTED
    text = _pdf_text(approval_form_pdf(unit))
    assert "单位名称" in text and "江州精工机械有限公司" in text and "身份证号" not in text
