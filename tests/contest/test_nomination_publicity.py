"""公示, objections, 递补, conferral and revocation of a nomination campaign (issue 13 items 8–11),
the public pages, the campaigns API and the exports, on both engines with model-row fixtures
(``nomination_publicity_support``)."""

from __future__ import annotations

import io
import logging
import re
from datetime import date, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select, text

from contest.models import AuditEntry, Honor, HonorStatus
from contest.models.nomination import (
    CampaignStatus,
    Nomination,
    NominationStatus,
    Objection,
    ObjectionStatus,
    PublicityNotice,
)
from contest.services.honors import certificates
from contest.services.nominations import conferral, exports, objections, publicity
from tests.contest.nomination_publicity_support import ADDRESS, CAMPAIGN, TITLE, build_campaign

START = date(2026, 9, 28)  # a Monday before 国庆 2026
OBJECTOR = "孙明远"
OBJECTOR_PHONE = "13800138000"
DOC = "江工发〔2026〕30号"


@pytest.fixture
def world(db: Any, make_org: Any, make_user: Any, make_person: Any) -> Any:
    return build_campaign(db, make_org, make_user, make_person)


@pytest.fixture
def on_day(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Set the site's day (every module asks ``publicity.today``)."""

    def _set(day: date) -> None:
        monkeypatch.setattr(publicity, "today", lambda: day)

    _set(START)
    return _set


@pytest.fixture
def started(db: Any, world: Any, on_day: Any) -> Any:
    notice = publicity.start(
        world.organizer, world.campaign, START, "江州市总工会组织部 0510-12345678"
    )
    db.session.commit()
    world.notice = notice
    return world


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def _object(client: Any, world: Any, **fields: Any) -> Any:
    data = {
        "nomination_id": str(world.nominations["王秀英"].id),
        "by_unit": "person",
        "name": OBJECTOR,
        "contact": OBJECTOR_PHONE,
        "content": "该同志2025年曾发生安全生产责任事故，事迹材料有不实之处。",
        **fields,
    }
    return client.post(
        f"/nominations/publicity/{world.campaign.id}/objection",
        data=data,
        content_type="multipart/form-data",
    )


# ------------------------------------------------------------------ starting the 公示


def test_the_period_ends_on_the_fifth_working_day_across_national_day(
    db: Any, started: Any
) -> None:
    notice = started.notice
    assert (notice.starts_on, notice.ends_on) == (START, date(2026, 10, 9))
    assert notice.hidden_after == date(2026, 10, 12)  # three days' grace
    assert started.campaign.status is CampaignStatus.PUBLICITY
    listed = db.session.scalars(
        select(Nomination.name).where(Nomination.publicity_id == notice.id)
    ).all()
    assert sorted(listed) == sorted(started.nominations)  # alternates are published too
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "campaign.publicity.start")
    ).one()
    assert entry.actor_id == started.organizer.id


def test_a_nominee_without_consent_stops_the_start_by_name(
    db: Any, world: Any, on_day: Any
) -> None:
    world.nominations["李建国"].consent_publicity = False
    world.nominations["陈桂兰"].consent_publicity = False
    db.session.commit()
    with pytest.raises(publicity.PublicityError) as refused:
        publicity.start(world.organizer, world.campaign, START)
    assert "李建国" in refused.value.message and "陈桂兰" in refused.value.message
    db.session.rollback()
    assert world.campaign.status is CampaignStatus.REVIEW
    assert db.session.scalar(select(PublicityNotice.id)) is None


def test_a_year_without_calendar_data_and_bad_days_are_refused(
    db: Any, world: Any, on_day: Any
) -> None:
    on_day(date(2031, 3, 3))
    with pytest.raises(publicity.PublicityError) as missing:
        publicity.start(world.organizer, world.campaign, date(2031, 3, 3))
    assert "2031" in missing.value.message
    on_day(START)
    with pytest.raises(publicity.PublicityError, match="不能早于今天"):
        publicity.start(world.organizer, world.campaign, START - timedelta(days=1))
    db.session.rollback()
    assert world.campaign.status is CampaignStatus.REVIEW


def test_the_organizer_starts_it_on_the_page_and_others_may_not(
    db: Any, world: Any, on_day: Any, client_for: Any, make_user: Any
) -> None:
    organizer = client_for(world.organizer)
    page = organizer.get(f"/nominations/{world.campaign.id}/publicity")
    assert page.status_code == 200 and "王秀英" in page.text
    posted = organizer.post(
        f"/nominations/{world.campaign.id}/publicity",
        data={"starts_on": START.isoformat(), "contact": "组织部 0510-12345678"},
    )
    assert posted.status_code == 302
    assert world.campaign.status is CampaignStatus.PUBLICITY
    for outsider in (world.recommender, make_user("organizer")):
        assert (
            client_for(outsider).get(f"/nominations/{world.campaign.id}/publicity").status_code
            == 403
        )


# ------------------------------------------------------------------ the public page and API


def test_the_public_page_and_api_show_public_fields_only(
    db: Any, started: Any, client: Any
) -> None:
    cid = started.campaign.id
    page = client.get(f"/nominations/publicity/{cid}")
    assert page.status_code == 200
    body = page.text
    assert "王秀英（女）" in body and "李建国" in body and "高级技师" in body
    assert "递补人选" in body and TITLE in body
    assert "2026-10-09" in body and "0510-12345678" in body
    assert f"/nominations/publicity/{cid}/objection" in body
    home = client.get("/").text
    assert "/nominations/publicity/" in home  # the public entry
    listing = client.get("/nominations/publicity/").text
    assert CAMPAIGN in listing
    api = client.get("/api/v1/campaigns").get_json()
    item = next(c for c in api["campaigns"] if c["id"] == cid)
    assert item["publicity"]["start"] == "2026-09-28" and item["publicity"]["end"] == "2026-10-09"
    assert item["publicity"]["url"].endswith(f"/nominations/publicity/{cid}")
    assert (item["kind"], item["level"], item["year"], item["status"]) == (
        "may_day_medal",
        "city",
        2026,
        "publicity",
    )
    detail = client.get(f"/api/v1/campaigns/{cid}/publicity")
    data = detail.get_json()
    assert {"campaign", "nominees", "start", "end"} <= set(data)
    assert data["start"] == "2026-09-28" and data["end"] == "2026-10-09"
    nominee = next(n for n in data["nominees"] if n["name"] == "王秀英")
    assert {"name", "unit", "post", "title", "is_alternate"} <= set(nominee)
    assert (nominee["unit"], nominee["title"], nominee["is_alternate"]) == (
        "江州机床厂",
        TITLE,
        False,
    )
    assert next(n for n in data["nominees"] if n["name"] == "陈桂兰")["is_alternate"] is True
    crawled = body + home + listing + detail.text + client.get("/api/v1/campaigns").text
    for secret in started.secrets:
        assert secret not in crawled, secret
    assert "1985-03-07" not in crawled and "19850307" not in crawled


def test_the_page_leaves_the_site_after_the_grace(
    db: Any, started: Any, client: Any, on_day: Any
) -> None:
    cid = started.campaign.id
    on_day(date(2026, 10, 12))  # the last day of the grace: still shown, objections closed
    page = client.get(f"/nominations/publicity/{cid}")
    assert page.status_code == 200 and "不再受理" in page.text
    on_day(date(2026, 10, 13))
    gone = client.get(f"/nominations/publicity/{cid}")
    assert gone.status_code == 410 and "公示期已结束" in gone.text and "王秀英" not in gone.text
    assert client.get(f"/api/v1/campaigns/{cid}/publicity").status_code == 404
    listed = client.get("/api/v1/campaigns").get_json()["campaigns"]
    assert next(c for c in listed if c["id"] == cid)["publicity"] is None
    on_day(START - timedelta(days=1))  # before it begins: nothing to show yet
    assert client.get(f"/nominations/publicity/{cid}").status_code == 404


def test_the_api_answers_404_json_for_a_campaign_not_in_publicity(
    db: Any, world: Any, client: Any
) -> None:
    missing = client.get(f"/api/v1/campaigns/{world.campaign.id}/publicity")
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"
    assert client.get("/api/v1/campaigns").get_json() == {"campaigns": []}
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/campaigns" in spec["paths"]
    assert "/api/v1/campaigns/{campaign_id}/publicity" in spec["paths"]


# ------------------------------------------------------------------ objections


class TestCsrf:
    @pytest.fixture
    def app(self, make_app: Any) -> Any:
        """This class's app checks CSRF tokens, as production does."""
        return make_app(WTF_CSRF_ENABLED=True)

    def test_the_objection_form_needs_its_csrf_token(
        self, db: Any, started: Any, client: Any
    ) -> None:
        refused = _object(client, started)
        assert refused.status_code == 400
        assert db.session.scalar(select(Objection.id)) is None
        form = client.get(f"/nominations/publicity/{started.campaign.id}/objection")
        assert form.headers["Cache-Control"] == "no-store"
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.text)
        assert token is not None
        accepted = _object(client, started, csrf_token=token[1])
        assert accepted.status_code == 302
        assert db.session.scalar(select(Objection.id)) is not None


def test_objections_are_rate_limited_per_address(
    db: Any, started: Any, client: Any, app: Any
) -> None:
    app.config.update(OBJECTION_MAX_PER_WINDOW=2, OBJECTION_WINDOW_MINUTES=30)
    assert _object(client, started).status_code == 302
    assert _object(client, started, content="").status_code == 400  # a refused one counts too
    locked = _object(client, started)
    assert locked.status_code == 429 and "30 分钟" in locked.text
    assert db.session.scalar(select(Objection.id).order_by(Objection.id.desc())) == 1


def test_objections_only_during_the_period_and_checked_in_chinese(
    db: Any, started: Any, client: Any, on_day: Any
) -> None:
    unit = _object(client, started, by_unit="unit", name="江州某某公司")
    assert unit.status_code == 400 and "公章" in unit.text
    bad_file = _object(client, started, files=(io.BytesIO(b"MZ\x90\x00not a pdf"), "evidence.pdf"))
    assert bad_file.status_code == 400 and "只接受" in bad_file.text
    # The messages never quote a name or contact (the form keeps what the visitor typed).
    messages = " ".join(re.findall(r'class="error">([^<]*)<', bad_file.text))
    assert "只接受" in messages and OBJECTOR not in messages and OBJECTOR_PHONE not in messages
    on_day(date(2026, 10, 10))
    closed = _object(client, started)
    assert closed.status_code == 410
    assert db.session.scalar(select(Objection.id)) is None


def test_the_identity_is_encrypted_shown_to_handlers_only_and_every_view_audited(
    db: Any,
    started: Any,
    client: Any,
    client_for: Any,
    make_user: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    response = _object(
        client,
        started,
        by_unit="unit",
        name="江州某某机械有限公司",
        contact=OBJECTOR_PHONE,
        seal=(io.BytesIO(_png()), "seal.png"),
        files=(io.BytesIO(b"%PDF-1.4 evidence of " + OBJECTOR.encode()), "孙明远的材料.pdf"),
    )
    assert response.status_code == 302
    objection = db.session.scalars(select(Objection)).one()
    raw = db.session.execute(
        text("SELECT identity_encrypted, seal_encrypted FROM objections WHERE id = :id"),
        {"id": objection.id},
    ).one()
    files = db.session.execute(
        text("SELECT filename_encrypted, data_encrypted FROM objection_attachments")
    ).all()
    stored = b"".join(bytes(v) for v in (*raw, *files[0]))
    for plain in ("江州某某机械有限公司", OBJECTOR_PHONE, OBJECTOR, "孙明远的材料"):
        assert plain.encode() not in stored
    assert b"\x89PNG" not in stored and b"%PDF" not in stored

    cid, oid = started.campaign.id, objection.id
    handler = client_for(started.organizer)
    listing = handler.get(f"/nominations/{cid}/objections")
    detail = handler.get(f"/nominations/{cid}/objections/{oid}")
    assert listing.status_code == 200 and detail.status_code == 200
    assert "安全生产" in detail.text
    for page in (listing, detail):
        assert "江州某某机械有限公司" not in page.text and OBJECTOR_PHONE not in page.text

    def views() -> int:
        return len(
            db.session.scalars(
                select(AuditEntry).where(AuditEntry.action == "objection.identity.view")
            ).all()
        )

    assert views() == 0
    shown = handler.post(f"/nominations/{cid}/objections/{oid}/identity")
    assert "江州某某机械有限公司" in shown.text and OBJECTOR_PHONE in shown.text
    assert "data:image/png;base64," in shown.text
    handler.post(f"/nominations/{cid}/objections/{oid}/identity")
    assert views() == 2
    file_id = db.session.execute(text("SELECT id FROM objection_attachments")).scalar()
    download = handler.post(f"/nominations/{cid}/objections/{oid}/files/{file_id}")
    assert download.data.startswith(b"%PDF")
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.target_type == "objection")
    ).all()
    assert actions.count("objection.seal.view") == 2 and "objection.file.view" in actions
    trail = " ".join(
        f"{e.before} {e.after} {e.reason}" for e in db.session.scalars(select(AuditEntry))
    )
    assert "江州某某机械有限公司" not in trail and OBJECTOR_PHONE not in trail

    # Nobody else: an admin, another union's organizer, the recommender, the public.
    outsiders = [
        make_user("admin"),
        make_user("organizer"),
        started.recommender,
        make_user("reviewer", organization=started.host),
    ]
    for user in outsiders:
        other = client_for(user)
        assert other.get(f"/nominations/{cid}/objections/{oid}").status_code == 403
        assert other.post(f"/nominations/{cid}/objections/{oid}/identity").status_code == 403
    assert client.get(f"/nominations/{cid}/objections/{oid}").status_code in (302, 401)

    # The nominee's (recommender's) view, the public pages, the exports and the logs.
    recommender = client_for(started.recommender)
    nominee_view = recommender.get(
        f"/nominations/recommend/nomination/{started.nominations['王秀英'].id}"
    ).text
    public = client.get(f"/nominations/publicity/{cid}").text
    api = client.get(f"/api/v1/campaigns/{cid}/publicity").text
    texts = "\n".join(
        _cells(handler.post(f"/nominations/{cid}/export/{kind}.xlsx").data)
        for kind in ("summary", "publicity", "awards", "audit")
    )
    logs = caplog.text
    for where in (nominee_view, public, api, texts, logs):
        assert "江州某某机械有限公司" not in where and OBJECTOR_PHONE not in where


def _cells(book: bytes) -> str:
    """Every cell of a workbook, one per line."""
    workbook = load_workbook(io.BytesIO(book), read_only=True)
    return "\n".join(
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


# ------------------------------------------------------------------ handling, 递补


def _received(db: Any, world: Any, name: str = "王秀英") -> Objection:
    objection = objections.submit(
        world.campaign,
        objections.Submission(
            nomination_id=world.nominations[name].id,
            by_unit=False,
            name=OBJECTOR,
            contact=OBJECTOR_PHONE,
            content="反映事迹不实。",
        ),
        "203.0.113.9",
    )
    db.session.commit()
    return objection


def test_a_dismissed_objection_changes_no_nominee(db: Any, started: Any) -> None:
    objection = _received(db, started)
    done = objections.decide(started.organizer, objection, False, "经核实，反映问题不属实。")
    db.session.commit()
    assert objection.status is ObjectionStatus.DISMISSED and done.removed is None
    assert started.nominations["王秀英"].status is NominationStatus.SELECTED
    with pytest.raises(objections.ObjectionRefused, match="已经处理完毕"):
        objections.decide(started.organizer, objection, True, "再议")


def test_an_upheld_objection_removes_the_nominee_and_promotes_the_alternate_that_keeps_the_slate(
    db: Any, started: Any, client: Any, client_for: Any, on_day: Any
) -> None:
    on_day(date(2026, 9, 30))
    objection = _received(db, started)
    handler = client_for(started.organizer)
    url = f"/nominations/{started.campaign.id}/objections/{objection.id}"
    asked = handler.post(f"{url}/decide", data={"upheld": "yes", "reason": "经核实，情况属实。"})
    assert asked.status_code == 200 and "确认提交" in asked.text  # the confirmation page
    assert objection.status is ObjectionStatus.RECEIVED
    missing = handler.post(f"{url}/decide", data={"upheld": "yes", "reason": "", "confirmed": "1"})
    assert missing.status_code == 400 and "请填写处理意见" in missing.text
    done = handler.post(
        f"{url}/decide",
        data={"upheld": "yes", "reason": "经核实，情况属实。", "confirmed": "1"},
    )
    assert done.status_code == 302
    db.session.expire_all()
    nominations = started.nominations
    assert nominations["王秀英"].status is NominationStatus.REMOVED
    # 赵志强 ranks higher but is not a 农民工: the slate keeps its 农民工 with 陈桂兰.
    assert nominations["赵志强"].status is NominationStatus.ALTERNATE
    promoted = nominations["陈桂兰"]
    assert promoted.status is NominationStatus.SELECTED
    supplement = db.session.get(PublicityNotice, promoted.publicity_id)
    assert supplement is not None and supplement.is_supplement
    # 09-30 + 5 working days: 09-30, then 国庆 to 10-07, then 10-08, 10-09, 10-10 (补班), 10-12
    assert (supplement.starts_on, supplement.ends_on) == (date(2026, 9, 30), date(2026, 10, 12))
    actions = db.session.scalars(select(AuditEntry.action)).all()
    for action in (
        "objection.decide",
        "nomination.objection_removed",
        "nomination.promote",
        "campaign.publicity.supplement",
    ):
        assert action in actions
    page = client.get(f"/nominations/publicity/{started.campaign.id}").text
    assert "递补人选公示" in page and "王秀英" not in page
    api = client.get(f"/api/v1/campaigns/{started.campaign.id}/publicity").get_json()
    names = {n["name"]: n for n in api["nominees"]}
    assert "王秀英" not in names and names["陈桂兰"]["supplement"] is True
    assert names["陈桂兰"]["is_alternate"] is False


def test_no_alternate_is_promoted_when_none_keeps_the_composition(db: Any, started: Any) -> None:
    started.nominations["陈桂兰"].consent_publicity = False
    db.session.commit()
    done = objections.decide(started.organizer, _received(db, started), True, "情况属实。")
    db.session.commit()
    assert done.promoted is None and done.no_promotion
    assert "赵志强（不符合结构要求）" in done.no_promotion
    assert "陈桂兰（未同意公示）" in done.no_promotion


# ------------------------------------------------------------------ conferral, revocation


def test_conferral_waits_for_the_period_and_the_objections(
    db: Any, started: Any, on_day: Any
) -> None:
    problems = conferral.confer_problems(started.campaign)
    assert any("2026-10-09" in p for p in problems)
    objection = _received(db, started, "李建国")
    on_day(date(2026, 10, 10))
    assert conferral.confer_problems(started.campaign) == ["还有 1 件异议未处理完毕"]
    with pytest.raises(conferral.ConferralError):
        conferral.confer(started.organizer, started.campaign, DOC, date(2026, 10, 10))
    db.session.rollback()
    objections.decide(started.organizer, objection, False, "不属实。")
    with pytest.raises(conferral.ConferralError) as refused:
        conferral.confer(started.organizer, started.campaign, "", date(2026, 10, 10))
    assert refused.value.field == "document_number"
    assert conferral.confer_problems(started.campaign) == []


def _conferred(db: Any, world: Any, on_day: Any) -> list[Honor]:
    on_day(date(2026, 10, 16))
    done = conferral.confer(world.organizer, world.campaign, DOC, date(2026, 10, 16))
    db.session.commit()
    return done.honors


def test_conferral_puts_the_honors_on_the_wall_with_certificates_that_verify(
    db: Any, started: Any, client: Any, client_for: Any, on_day: Any
) -> None:
    honors = _conferred(db, started, on_day)
    assert sorted(h.recipient_name for h in honors) == ["李建国", "王秀英"]
    assert started.campaign.status is CampaignStatus.CONFERRED
    assert {n.status for n in started.nominations.values()} == {
        NominationStatus.CONFERRED,
        NominationStatus.ALTERNATE,
    }
    wang = next(h for h in honors if h.recipient_name == "王秀英")
    li = next(h for h in honors if h.recipient_name == "李建国")
    assert (wang.title, wang.source_ref, wang.document_number) == (
        TITLE,
        f"campaign:{started.campaign.id}",
        "江工发〔2026〕30号",
    )
    assert wang.conferring_body == "江州市总工会" and wang.person_id is not None
    assert wang.deeds_summary and li.deeds_summary is None  # 事迹 only with consent
    assert wang.person.consent_deeds is True and wang.person.consent_photo is False
    wall = client.get("/wall/?q=王秀英").text
    assert "王秀英" in wall and TITLE in wall
    assert client.get("/api/v1/honors?q=王秀英").get_json()["total"] == 1
    number = certificates.number_of(wang)
    verified = client.get(f"/verify/{number}")
    assert verified.status_code == 200 and "证书有效" in verified.text and TITLE in verified.text
    assert client.get(f"/verify/{number[:-1]}X").status_code == 404
    organizer = client_for(started.organizer)
    pdf = organizer.get(f"/nominations/{started.campaign.id}/certificates/{wang.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert organizer.get(f"/nominations/{started.campaign.id}/certificates.pdf").status_code == 200
    with pytest.raises(conferral.ConferralError):
        conferral.confer(started.organizer, started.campaign, "再次", date(2026, 10, 16))


def test_the_organizer_confers_on_the_page_after_confirming(
    db: Any, started: Any, client_for: Any, on_day: Any
) -> None:
    on_day(date(2026, 10, 16))
    organizer = client_for(started.organizer)
    url = f"/nominations/{started.campaign.id}/conferral"
    assert "2 名拟表彰人选" in organizer.get(url).text
    form = {"document_number": "江工发〔2026〕30号", "conferred_on": "2026-10-16"}
    asked = organizer.post(url, data=form)
    assert asked.status_code == 200 and started.campaign.status is CampaignStatus.REVIEW.PUBLICITY
    done = organizer.post(url, data={**form, "confirmed": "1"})
    assert done.status_code == 302
    db.session.expire_all()
    assert started.campaign.status is CampaignStatus.CONFERRED


def test_revocation_takes_the_honor_off_the_wall_and_verify_says_revoked(
    db: Any, started: Any, client: Any, client_for: Any, on_day: Any
) -> None:
    honors = _conferred(db, started, on_day)
    wang = next(h for h in honors if h.recipient_name == "王秀英")
    number = certificates.number_of(wang)
    on_day(date(2026, 11, 20))
    organizer = client_for(started.organizer)
    url = f"/nominations/{started.campaign.id}/honors/{wang.id}/revoke"
    assert organizer.get(url).status_code == 200
    bad = organizer.post(
        url,
        data={
            "ground": "",
            "document_number": "江工发〔2026〕41号",
            "revoked_on": "2026-11-20",
            "reason": "x",
            "confirmed": "1",
        },
    )
    assert bad.status_code == 400 and "请选择撤销依据" in bad.text
    done = organizer.post(
        url,
        data={
            "ground": "untrue",
            "document_number": "江工发〔2026〕41号",
            "revoked_on": "2026-11-20",
            "reason": "经复核，主要事迹严重失实。",
            "confirmed": "1",
        },
    )
    assert done.status_code == 302
    db.session.expire_all()
    honor = db.session.get(Honor, wang.id)
    assert honor is not None and honor.status is HonorStatus.REVOKED  # the record stays
    assert "江工发〔2026〕41号" in (honor.revoked_reason or "")
    assert client.get("/api/v1/honors?q=王秀英").get_json()["total"] == 0  # off the wall
    verified = client.get(f"/verify/{number}")
    assert verified.status_code == 200 and "已撤销" in verified.text
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "campaign.honor_revoke")
    ).one()
    assert "untrue" in (entry.after or "")
    again = organizer.get(url)
    assert again.status_code == 302


# ------------------------------------------------------------------ exports


def test_the_exports_list_what_they_should_and_nothing_personal(
    db: Any, started: Any, client_for: Any, on_day: Any
) -> None:
    _conferred(db, started, on_day)
    organizer = client_for(started.organizer)
    books = {
        kind: _cells(organizer.post(f"/nominations/{started.campaign.id}/export/{kind}.xlsx").data)
        for kind in ("summary", "publicity", "awards", "audit")
    }
    assert "推荐汇总表" not in books["summary"]  # header row, then the rows
    assert "江州机床厂工会" in books["summary"] and "92.5" in books["summary"]
    assert "王秀英（女）" in books["publicity"] and "递补人选" in books["publicity"]
    assert "江工发〔2026〕30号" in books["awards"] and "RY-2026-" in books["awards"]
    assert "表彰了" in books["audit"] and "开始了" in books["audit"]
    for book in books.values():
        for secret in started.secrets:
            assert secret not in book
    assert ADDRESS not in "".join(books.values())
    exported = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "campaign.export")
    ).all()
    assert len(exported) == 4
    assert (
        client_for(started.recommender)
        .post(f"/nominations/{started.campaign.id}/export/summary.xlsx")
        .status_code
        == 403
    )
    assert exports.SUMMARY_HEADERS[0] == "序号"
