"""Revocation along the chain that conferred the honor (issue #14 item 5): who acts at each
step, sending back and rejecting, the decision revoking the honor (it leaves the wall, /verify
says 已撤销 and nothing more, the case stays), recovery dates, evidence and its audit."""

from __future__ import annotations

import io
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import func, select

from contest.models import (
    AuditEntry,
    Honor,
    HonoreeFile,
    HonorLevel,
    HonorSource,
    HonorStatus,
    OrgKind,
    RecipientKind,
    ReviewOutcome,
    ReviewRound,
    ReviewVerdict,
    Revocation,
    RevocationEntry,
    RevocationEvidence,
    RevocationStep,
    Role,
)
from contest.models.nomination import Campaign, CampaignStatus, Nomination, NominationStatus
from contest.services.care import revocations
from contest.services.care.revocations import RevocationError
from contest.services.core.uploads import Upload
from contest.services.honors import certificates, records
from contest.services.honors.records import HonorData
from contest.services.honors.validity import today

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
FACTS = "王秀英因职务侵占罪被江州市东区人民法院判处有期徒刑三年（2025年刑初字第88号）。"
REASON = "经核实，事迹材料中的技术革新成果系他人完成"


@pytest.fixture
def chain(db: Any, make_org: Any, make_user: Any, make_person: Any) -> SimpleNamespace:
    """江州市总工会 → 东区总工会 → 东区机床厂工会; 王秀英 of the factory holds a 市级 劳模
    title from the roster and has a file there; a care user at each of the three unions and
    one of another district."""
    city = make_org(name="江州市总工会", kind=OrgKind.CITY)
    east = make_org(name="东区总工会", kind=OrgKind.DISTRICT, parent=city)
    factory = make_org(name="东区机床厂工会", kind=OrgKind.GRASSROOTS, parent=east)
    west = make_org(name="西区总工会", kind=OrgKind.DISTRICT, parent=city)
    person = make_person("王秀英", organization=factory)
    honor = records.add_honor(
        None,
        HonorData(
            "王秀英",
            "江州市劳动模范",
            HonorLevel.CITY,
            2020,
            person=person,
            organization=factory,
            unit_name="东区机床厂",
            conferring_body="江州市人民政府",
            document_number="江政发〔2020〕8号",
            conferred_on=date(2020, 4, 28),
        ),
    )
    file = HonoreeFile(person_id=person.id, care_organization_id=factory.id)
    db.session.add(file)
    db.session.commit()
    return SimpleNamespace(
        city=city,
        east=east,
        factory=factory,
        person=person,
        honor=honor,
        file=file,
        factory_care=make_user(Role.CARE, username="factory_care", organization=factory),
        east_care=make_user(Role.CARE, username="east_care", organization=east),
        city_care=make_user(Role.CARE, username="city_care", organization=city),
        west_care=make_user(Role.CARE, username="west_care", organization=west),
    )


def _count(db: Any, model: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def _actions(db: Any) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.action.like("revocation.%"))
            .order_by(AuditEntry.id)
        )
    )


def _opened(db: Any, chain: Any) -> Revocation:
    case = revocations.open_case(chain.factory_care, chain.honor, "criminal", FACTS)
    db.session.commit()
    return case


def _at_decision(db: Any, chain: Any) -> Revocation:
    case = _opened(db, chain)
    revocations.submit(chain.factory_care, case)
    revocations.forward(chain.east_care, case)
    revocations.forward(chain.city_care, case)
    db.session.commit()
    return case


def test_the_whole_chain_of_a_roster_honor_through_the_pages(
    db: Any, chain: Any, client_for: Any
) -> None:
    factory, east, city = (
        client_for(u) for u in (chain.factory_care, chain.east_care, chain.city_care)
    )
    new = f"/care/revocations/new?honor={chain.honor.id}"
    page = factory.get(new)
    assert page.status_code == 200
    assert all(org in page.text for org in ("东区机床厂工会", "东区总工会", "江州市总工会"))
    assert client_for(chain.west_care).get(new).status_code == 404
    refused = factory.post(new, data={"ground": "", "facts": FACTS})
    assert refused.status_code == 400 and "请选择撤销依据" in refused.text
    assert _count(db, Revocation) == 0
    opened = factory.post(new, data={"ground": "criminal", "facts": FACTS})
    case = db.session.scalars(select(Revocation)).one()
    assert opened.location.endswith(f"/care/revocations/{case.id}")
    assert (case.reporting_organization, case.nominating_organization) == (
        chain.factory,
        chain.east,
    )
    assert case.same_level_organization == chain.city and case.file_id == chain.file.id

    base = f"/care/revocations/{case.id}"
    factory.post(f"{base}/evidence", data={"file": (io.BytesIO(PDF), "判决书.pdf")})
    evidence = db.session.scalars(select(RevocationEvidence)).one()
    assert evidence.content_type == "application/pdf"
    opened_file = east.get(f"{base}/evidence/{evidence.id}")
    assert opened_file.status_code == 200 and opened_file.data == PDF
    assert client_for(chain.west_care).get(f"{base}/evidence/{evidence.id}").status_code == 404

    assert factory.post(f"{base}/act/submit", data={"note": ""}).status_code == 302
    # The factory cannot act for the district; the district cannot act for the city.
    assert factory.post(f"{base}/act/forward", data={"note": ""}).status_code == 400
    assert east.post(f"{base}/act/forward", data={"note": "情况属实"}).status_code == 302
    assert east.post(f"{base}/act/forward", data={"note": ""}).status_code == 400
    assert city.post(f"{base}/act/forward", data={"note": ""}).status_code == 302
    db.session.refresh(case)
    assert case.step is RevocationStep.DECISION
    decision = {
        "document_number": "江政发〔2026〕3号",
        "decided_on": today().isoformat(),
        "note": REASON,
    }
    denied = east.post(f"{base}/decide", data={**decision, "confirmed": "1"})
    assert denied.status_code == 400 and "此环节由江州市总工会办理" in denied.text
    public = client_for(None)
    assert public.get("/api/v1/honors?q=王秀英").json["total"] == 1
    assert f"/wall/{chain.honor.id}" in public.get("/wall/?q=王秀英").text
    asked = city.post(f"{base}/decide", data=decision)
    assert asked.status_code == 200 and "确认撤销" in asked.text
    db.session.refresh(chain.honor)
    assert chain.honor.status is HonorStatus.VALID
    done = city.post(f"{base}/decide", data={**decision, "confirmed": "1"})
    assert done.status_code == 302

    db.session.refresh(case)
    db.session.refresh(chain.honor)
    assert case.step is RevocationStep.REVOKED and case.document_number == "江政发〔2026〕3号"
    assert chain.honor.status is HonorStatus.REVOKED and "撤销文号" in chain.honor.revoked_reason
    assert [e.action for e in case.history] == ["create", "submit", "forward", "forward", "decide"]
    assert _actions(db) == [
        "revocation.create",
        "revocation.evidence.add",
        "revocation.evidence.view",
        "revocation.submit",
        "revocation.forward",
        "revocation.forward",
        "revocation.decide",
    ]
    shown = city.get(base)
    assert "已撤销" in shown.text and "情况属实" in shown.text and "判决书.pdf" in shown.text

    assert public.get("/api/v1/honors?q=王秀英").json["total"] == 0
    assert f"/wall/{chain.honor.id}" not in public.get("/wall/?q=王秀英").text
    assert public.get(f"/wall/{chain.honor.id}").status_code == 404
    verify = public.get(f"/verify/{certificates.number_of(chain.honor)}")
    assert verify.status_code == 200 and "该荣誉已撤销" in verify.text
    revoked_on = today().isoformat()  # the decision's day and the record's
    for secret in ("江政发〔2026〕3号", "受到刑事处罚", "职务侵占", REASON, "撤销文号", revoked_on):
        assert secret not in verify.text


def _campaign_honor(db: Any, chain: Any) -> Honor:
    """A 市级 五一劳动奖章 conferred by a campaign of the city, recommended by the district."""
    campaign = Campaign(
        name="2025年江州市五一劳动奖章评选",
        organization=chain.city,
        level=HonorLevel.CITY,
        year=2025,
        conferring_body="江州市总工会",
        status=CampaignStatus.CONFERRED,
        awards=[],
    )
    db.session.add(campaign)
    db.session.flush()
    honor = records.add_honor(
        None,
        HonorData(
            "王秀英",
            "江州市五一劳动奖章",
            HonorLevel.CITY,
            2025,
            person=chain.person,
            organization=chain.factory,
            conferring_body="江州市总工会",
            document_number="江工发〔2025〕12号",
            conferred_on=date(2025, 4, 28),
            source=HonorSource.CAMPAIGN,
            source_ref=f"campaign:{campaign.id}",
        ),
    )
    db.session.add(
        Nomination(
            campaign_id=campaign.id,
            award="medal",
            unit_id=chain.east.id,
            recipient_kind=RecipientKind.PERSON,
            person_id=chain.person.id,
            name="王秀英",
            status=NominationStatus.CONFERRED,
            honor_id=honor.id,
        )
    )
    db.session.commit()
    return honor


def test_a_campaign_honor_is_revoked_through_its_campaign(db: Any, chain: Any) -> None:
    honor = _campaign_honor(db, chain)
    case = revocations.open_case(chain.factory_care, honor, "fraud", FACTS)
    assert case.nominating_organization == chain.east  # the nominating unit
    assert case.same_level_organization == chain.city  # the campaign's host
    revocations.submit(chain.factory_care, case)
    revocations.forward(chain.east_care, case)
    revocations.forward(chain.city_care, case)
    revocations.decide(chain.city_care, case, "江工发〔2026〕5号", today(), "")
    db.session.commit()
    assert honor.status is HonorStatus.REVOKED and case.step is RevocationStep.REVOKED
    campaign_entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "campaign.honor_revoke")
    ).one()
    assert "fraud" in campaign_entry.after and campaign_entry.reason == FACTS
    assert chain.honor.status is HonorStatus.VALID  # the roster title stands


def test_sending_back_and_rejecting_need_a_note_and_keep_the_honor(db: Any, chain: Any) -> None:
    case = _opened(db, chain)
    revocations.submit(chain.factory_care, case)
    db.session.commit()
    entries = _count(db, RevocationEntry)
    with pytest.raises(RevocationError, match="请填写退回理由"):
        revocations.send_back(chain.east_care, case, " ")
    db.session.rollback()
    assert case.step is RevocationStep.NOMINATING and _count(db, RevocationEntry) == entries
    revocations.send_back(chain.east_care, case, "请补充判决书")
    assert case.step is RevocationStep.UNIT_REPORT
    revocations.add_evidence(chain.factory_care, case, Upload("判决书.pdf", PDF))
    revocations.submit(chain.factory_care, case, "已补充")
    with pytest.raises(RevocationError, match="请填写不予撤销的理由"):
        revocations.reject(chain.east_care, case, "")
    revocations.reject(chain.east_care, case, "判决尚未生效")
    db.session.commit()
    assert case.step is RevocationStep.REJECTED and chain.honor.status is HonorStatus.VALID
    steps = [(s.step, s.state) for s in revocations.steps_of(case)]
    assert steps == [
        (RevocationStep.UNIT_REPORT, "done"),
        (RevocationStep.NOMINATING, "done"),
        (RevocationStep.REJECTED, "done"),
    ]
    with pytest.raises(RevocationError, match="不能进行此操作"):
        revocations.forward(chain.city_care, case)
    again = revocations.open_case(chain.factory_care, chain.honor, "criminal", FACTS)
    assert again.id != case.id  # a closed case does not block a new one


def test_refused_cases_change_nothing(db: Any, chain: Any) -> None:
    refusals = [
        (chain.factory_care, "treason", FACTS, "请选择撤销依据"),
        (chain.factory_care, "criminal", "  ", "请填写事实和理由"),
        (chain.factory_care, "criminal", "实" * 2001, "最长 2000"),
        (chain.west_care, "criminal", FACTS, "不在您的负责范围内"),
    ]
    for actor, ground, facts, message in refusals:
        with pytest.raises(RevocationError, match=message):
            revocations.open_case(actor, chain.honor, ground, facts)
        db.session.rollback()
    assert _count(db, Revocation) == 0 and _actions(db) == []
    round_ = ReviewRound(organization_id=chain.factory.id, name="复核", year=2026)
    db.session.add(round_)
    db.session.flush()
    ok = ReviewOutcome(round_id=round_.id, file_id=chain.file.id, verdict=ReviewVerdict.OK)
    db.session.add(ok)
    db.session.commit()
    with pytest.raises(RevocationError, match="建议撤销"):
        revocations.open_case(chain.factory_care, chain.honor, "criminal", FACTS, outcome=ok)
    ok.verdict = ReviewVerdict.REVOKE
    case = revocations.open_case(chain.factory_care, chain.honor, "criminal", FACTS, outcome=ok)
    assert case.review_outcome_id == ok.id and case.file_id == chain.file.id
    with pytest.raises(RevocationError, match="已有正在办理"):
        revocations.open_case(chain.city_care, chain.honor, "criminal", FACTS)
    records.revoke_honor(None, chain.honor, "另案处理")
    with pytest.raises(RevocationError, match="已被撤销"):
        revocations.open_case(chain.city_care, chain.honor, "criminal", FACTS)


def test_evidence_is_checked_by_its_bytes_and_only_at_the_unit_report(db: Any, chain: Any) -> None:
    case = _opened(db, chain)
    with pytest.raises(RevocationError, match="只接受 JPEG、PNG 图片或 PDF 文件"):
        revocations.add_evidence(chain.factory_care, case, Upload("判决书.pdf", b"just text"))
    with pytest.raises(RevocationError, match="文件超过"):
        revocations.add_evidence(
            chain.factory_care,
            case,
            Upload("大.pdf", PDF + b"0" * revocations.MAX_EVIDENCE_BYTES),
        )
    db.session.rollback()
    assert _count(db, RevocationEvidence) == 0
    revocations.submit(chain.factory_care, case)
    db.session.commit()
    with pytest.raises(RevocationError, match="不能进行此操作"):
        revocations.add_evidence(chain.factory_care, case, Upload("判决书.pdf", PDF))
    assert _count(db, RevocationEvidence) == 0


def test_recovery_dates_come_after_the_decision_and_not_in_the_future(db: Any, chain: Any) -> None:
    case = _at_decision(db, chain)
    with pytest.raises(RevocationError, match="撤销决定作出后"):
        revocations.record_recovery(chain.city_care, case, today(), None, None)
    decided = today() - timedelta(days=10)
    with pytest.raises(RevocationError, match="不能晚于今天"):
        revocations.decide(chain.city_care, case, "江政发〔2026〕3号", today() + timedelta(1), "")
    with pytest.raises(RevocationError, match="请填写撤销文号"):
        revocations.decide(chain.city_care, case, "", decided, "")
    db.session.rollback()
    assert chain.honor.status is HonorStatus.VALID
    revocations.decide(chain.city_care, case, "江政发〔2026〕3号", decided, "")
    db.session.commit()
    with pytest.raises(RevocationError, match="不能早于撤销决定日期"):
        revocations.record_recovery(chain.factory_care, case, decided - timedelta(1), None, None)
    with pytest.raises(RevocationError, match="待遇停止日期不能晚于今天"):
        revocations.record_recovery(chain.factory_care, case, None, None, today() + timedelta(1))
    with pytest.raises(RevocationError, match="您不能登记"):
        revocations.record_recovery(chain.west_care, case, decided, None, None)
    db.session.rollback()
    assert case.medal_recovered_on is None
    revocations.record_recovery(chain.factory_care, case, decided, today(), decided)
    db.session.commit()
    assert (case.medal_recovered_on, case.certificate_recovered_on) == (decided, today())
    assert case.benefits_stop_on == decided and _actions(db)[-1] == "revocation.recovery"
