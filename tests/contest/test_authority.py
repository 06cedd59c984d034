"""Authenticity of honors (issue #10 item 7, DOMAIN.md rule 29).

A union runs selections at most at its own tier and only the top may say 全国/中国/中华; every
honor names its 授予机关, and those not earned in one of our contests their 文号; contest
titles carry the 工种 they were won in.
"""

from __future__ import annotations

from typing import Any

import pytest

from contest.models import Honor, HonorLevel, HonorSource, OrgKind
from contest.services.core import authority
from contest.services.honors import roster
from contest.services.honors.records import HonorData, HonorError, add_honor
from contest.services.skills import contests, policies, publishing
from contest.services.skills.contests import ContestError
from contest.services.skills.policies import PolicyInvalid
from tests.contest.results_fixtures import ready_contest_fixture  # noqa: F401
from tests.contest.test_contests_setup import _data as contest_data
from tests.contest.test_roster import csv_bytes, refused, row


@pytest.fixture
def tree(make_org: Any) -> Any:
    from types import SimpleNamespace

    national = make_org(name="中华全国总工会", kind=OrgKind.NATIONAL)
    seamen = make_org(name="中国海员建设工会", kind=OrgKind.INDUSTRY, parent=national)
    province = make_org(name="江南省总工会", kind=OrgKind.PROVINCIAL, parent=national)
    city = make_org(name="江州市总工会", kind=OrgKind.CITY, parent=province)
    city_industry = make_org(name="江州市教育工会", kind=OrgKind.INDUSTRY, parent=city)
    district = make_org(name="东湖区总工会", kind=OrgKind.DISTRICT, parent=city)
    plant = make_org(
        name="中国石化江州分公司工会",
        kind=OrgKind.GRASSROOTS,
        parent=district,
        employer="中国石化江州分公司",
    )
    return SimpleNamespace(**locals())


def test_tiers_follow_the_tree(tree: Any) -> None:
    assert authority.tier_of(tree.national) is HonorLevel.NATIONAL
    assert authority.tier_of(tree.seamen) is HonorLevel.PROVINCIAL  # 部级
    assert authority.tier_of(tree.province) is HonorLevel.PROVINCIAL
    assert authority.tier_of(tree.city) is HonorLevel.CITY
    assert authority.tier_of(tree.city_industry) is HonorLevel.DISTRICT
    assert authority.tier_of(tree.district) is HonorLevel.DISTRICT
    assert authority.tier_of(tree.plant) is HonorLevel.ENTERPRISE


def test_a_contest_above_the_hosts_tier_is_refused(db: Any, tree: Any, make_user: Any) -> None:
    admin = make_user("admin")
    with pytest.raises(ContestError, match="地市级及以下") as info:
        contests.create_contest(admin, contest_data(tree.city, level=HonorLevel.PROVINCIAL))
    assert info.value.field == "level"
    db.session.rollback()
    with pytest.raises(ContestError, match="企业级及以下"):
        contests.create_contest(admin, contest_data(tree.plant, level=HonorLevel.DISTRICT))
    db.session.rollback()
    assert contests.create_contest(admin, contest_data(tree.city)).level is HonorLevel.CITY
    below = contests.create_contest(admin, contest_data(tree.district, level=HonorLevel.ENTERPRISE))
    assert below.level is HonorLevel.ENTERPRISE


def test_only_the_top_may_name_a_contest_national(db: Any, tree: Any, make_user: Any) -> None:
    admin = make_user("admin")
    for word in ("全国", "中国", "中华"):
        with pytest.raises(ContestError, match=f"“{word}”字样") as info:
            contests.create_contest(admin, contest_data(tree.city, name=f"{word}数控技能大赛"))
        assert info.value.field == "name"
        db.session.rollback()
    national = contest_data(tree.national, name="全国数控技能大赛", level=HonorLevel.NATIONAL)
    assert contests.create_contest(admin, national).name == "全国数控技能大赛"
    seamen = contest_data(tree.seamen, name="中国海员技能大赛", level=HonorLevel.PROVINCIAL)
    assert contests.create_contest(admin, seamen)
    # An enterprise whose own name holds the word may use its name, and only its name.
    own = contest_data(tree.plant, name="中国石化江州分公司焊工比武", level=HonorLevel.ENTERPRISE)
    assert contests.create_contest(admin, own)
    with pytest.raises(ContestError, match="“全国”"):
        contests.create_contest(
            admin,
            contest_data(
                tree.plant, name="中国石化江州分公司全国焊工比武", level=HonorLevel.ENTERPRISE
            ),
        )


def test_linked_titles_may_not_say_national_below_the_top(db: Any, make_contest: Any) -> None:
    made = make_contest()
    with pytest.raises(PolicyInvalid, match="“全国”") as info:
        policies.save_policy(
            made.organizer,
            made.event,
            {"titles": [{"name": "全国技术能手", "best": 1, "worst": 3}]},
        )
    assert info.value.field == "titles"
    db.session.rollback()
    saved = policies.save_policy(
        made.organizer,
        made.event,
        {"titles": [{"name": "江州市技术能手", "best": 1, "worst": 3}]},
    )
    assert saved["titles"][0]["name"] == "江州市技术能手"


def documented_honor(**fields: Any) -> HonorData:
    """A city 劳动模范 with its 授予机关 and 文号; ``fields`` override."""
    values: dict[str, Any] = {
        "recipient_name": "王秀英",
        "title": "劳动模范",
        "level": HonorLevel.CITY,
        "year": 2015,
        "conferring_body": "江州市人民政府",
        "document_number": "江政发〔2015〕12号",
    }
    values.update(fields)
    return HonorData(**values)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"conferring_body": " "}, "conferring_body", "授予机关"),
        ({"document_number": ""}, "document_number", "文号"),
        ({"document_number": None, "source": HonorSource.ROSTER}, "document_number", "文号"),
        ({"title": "全国劳动模范"}, "level", "全国或省部级"),
        ({"title": "中华技能大奖", "level": HonorLevel.DISTRICT}, "level", "“中华”"),
    ],
)
def test_honors_without_authority_are_refused(
    db: Any, fields: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(HonorError, match=message) as info:
        add_honor(None, documented_honor(**fields))
    assert info.value.field == field
    db.session.rollback()
    assert db.session.query(Honor).count() == 0


def test_honors_that_keep_the_rules_are_kept(db: Any) -> None:
    add_honor(None, documented_honor(title="全国劳动模范", level=HonorLevel.NATIONAL))
    # 部级 honors of a national system are 省部级.
    add_honor(
        None, documented_honor(title="全国机械冶金建材系统劳动模范", level=HonorLevel.PROVINCIAL)
    )
    # A contest's published results are its document: no 文号 needed.
    add_honor(None, documented_honor(document_number=None, source=HonorSource.CONTEST))
    # The unit's own name may hold the word.
    add_honor(
        None,
        documented_honor(
            title="中国石化江州分公司先进个人",
            level=HonorLevel.ENTERPRISE,
            unit_name="中国石化江州分公司",
        ),
    )
    assert db.session.query(Honor).count() == 4


def test_roster_rows_report_missing_authority_in_their_columns(db: Any) -> None:
    data = csv_bytes(
        [
            row("王秀英", 授予机关="", 文号=""),
            row("李建国", 荣誉称号="全国劳动模范"),
            row("张伟"),
        ]
    )
    error = refused(db, data)
    assert {(e.row, e.column) for e in error.errors} == {
        (2, "授予机关"),
        (2, "文号"),
        (3, "级别"),
    }
    assert db.session.query(Honor).count() == 0
    assert roster.import_roster(None, csv_bytes([row("张伟")]), "r.csv").honors_created == 1


def test_contest_titles_carry_the_trade_to_the_wall(
    db: Any, ready_contest: Any, client: Any
) -> None:
    ns = ready_contest()
    publishing.publish(ns.organizer, ns.contest)
    db.session.commit()
    honors = db.session.query(Honor).filter(Honor.source == HonorSource.CONTEST).all()
    assert honors and {h.trade for h in honors} == {"数控车工"}
    assert all(h.conferring_body == ns.host.name for h in honors)
    page = client.get("/wall/?q=江州市技术能手").get_data(as_text=True)
    assert "江州市技术能手(数控车工)" in page
    items = client.get("/api/v1/honors?q=数控车工").get_json()["items"]
    assert {(i["title"], i["trade"]) for i in items} == {("江州市技术能手", "数控车工")}
