"""The public honor wall: search semantics, filters, ordering, profiles, consent, caching."""

from __future__ import annotations

from typing import Any

import pytest

from contest.models import Gender, HonorLevel, OrgKind, RecipientKind
from contest.services.honors.records import HonorData, add_honor, revoke_honor, set_person_consent
from contest.validation import id_check_digit


def valid_id(body17: str) -> str:
    return body17 + id_check_digit(body17)


@pytest.fixture
def honor(db: Any) -> Any:
    def _make(
        name: str = "王秀英",
        title: str = "劳动模范",
        year: int = 2010,
        level: HonorLevel = HonorLevel.CITY,
        **fields: Any,
    ) -> Any:
        fields.setdefault("conferring_body", "江州市人民政府")
        fields.setdefault("document_number", "江政发〔2010〕8号")
        created = add_honor(
            None, HonorData(recipient_name=name, title=title, level=level, year=year, **fields)
        )
        db.session.commit()
        return created

    return _make


def names(client: Any, query: str) -> list[str]:
    response = client.get("/api/v1/honors" + query)
    assert response.status_code == 200
    return [item["name"] for item in response.json["items"]]


# ------------------------------------------------------------------ search


def test_search_finds_one_character_substrings_of_names(client: Any, honor: Any) -> None:
    honor("王秀英")
    honor("李建国")
    assert names(client, "?q=秀") == ["王秀英"]


def test_search_finds_two_character_substrings_of_units_and_titles(client: Any, honor: Any) -> None:
    honor("王秀英", unit_name="江州纺织厂", title="全国劳动模范", level=HonorLevel.NATIONAL)
    honor("李建国", unit_name="江州钢铁集团", title="五一劳动奖章")
    assert names(client, "?q=纺织") == ["王秀英"]
    assert names(client, "?q=奖章") == ["李建国"]


def test_search_handles_characters_outside_the_basic_plane(client: Any, honor: Any) -> None:
    honor("𠮷田光")
    honor("吉田光")
    assert names(client, "?q=𠮷") == ["𠮷田光"]


def test_search_treats_percent_underscore_and_quotes_as_plain_text(client: Any, honor: Any) -> None:
    honor("张三", unit_name="100%达标班组")
    honor("李四", unit_name="A_B车间")
    honor("王五", unit_name='O\'Neil "引号" 车间')
    honor("赵六", unit_name="普通车间")
    assert names(client, "?q=%25") == ["张三"]
    assert names(client, "?q=_") == ["李四"]
    assert names(client, "?q=O'Neil") == ["王五"]
    assert names(client, '?q="引号"') == ["王五"]


def test_search_with_no_match_says_so(client: Any, honor: Any) -> None:
    honor("王秀英")
    response = client.get("/wall/?q=不存在的人")
    assert response.status_code == 200
    assert "没有找到符合条件的荣誉" in response.get_data(as_text=True)
    assert names(client, "?q=不存在的人") == []


# ------------------------------------------------------------------ filters and order


def test_filters_by_level_title_year_range_and_industry(client: Any, honor: Any) -> None:
    honor("甲", title="全国劳动模范", level=HonorLevel.NATIONAL, year=1989, industry="制造业")
    honor("乙", title="五一劳动奖章", level=HonorLevel.PROVINCIAL, year=2005, industry="电力")
    honor("丙", title="劳动模范", level=HonorLevel.CITY, year=2020, industry="制造业")
    assert names(client, "?level=national") == ["甲"]
    assert sorted(names(client, "?title=劳动模范")) == ["丙", "甲"]
    assert sorted(names(client, "?year_from=2000&year_to=2021")) == ["丙", "乙"]
    assert names(client, "?year=2005") == ["乙"]
    assert sorted(names(client, "?industry=制造业")) == ["丙", "甲"]


def test_filter_by_union_includes_units_below_it(client: Any, honor: Any, make_org: Any) -> None:
    city = make_org(name="江州市总工会", kind=OrgKind.CITY)
    east = make_org(name="东湖区总工会", kind=OrgKind.DISTRICT, parent=city)
    west = make_org(name="西山区总工会", kind=OrgKind.DISTRICT, parent=city)
    plant = make_org(name="东湖机械厂工会", kind=OrgKind.GRASSROOTS, parent=east)
    honor("东湖人", organization=plant)
    honor("西山人", organization=west)
    assert names(client, f"?org={east.id}") == ["东湖人"]
    assert sorted(names(client, f"?org={city.id}")) == ["东湖人", "西山人"]


def test_order_is_level_then_newest_year_then_pinyin(client: Any, honor: Any) -> None:
    honor("张伟", level=HonorLevel.CITY, year=2020)
    honor("安娜", level=HonorLevel.CITY, year=2020)
    honor("赵强", level=HonorLevel.CITY, year=2021)
    honor("钱亮", level=HonorLevel.NATIONAL, year=1990)
    assert names(client, "") == ["钱亮", "赵强", "安娜", "张伟"]


def test_pagination_is_stable_and_complete(client: Any, honor: Any) -> None:
    for i in range(25):
        honor(f"同名{i:02d}", year=2000)  # equal level, year and near-equal keys
    seen: list[str] = []
    for page in (1, 2, 3):
        seen += names(client, f"?per_page=10&page={page}")
    assert len(seen) == 25 and len(set(seen)) == 25
    assert names(client, "?per_page=10&page=1") == seen[:10]


def test_wall_page_links_next_page_with_filters_kept(client: Any, honor: Any) -> None:
    for i in range(30):
        honor(f"工人{i}", level=HonorLevel.CITY)
    html = client.get("/wall/?level=city").get_data(as_text=True)
    assert "level=city" in html and "page=2" in html


# ------------------------------------------------------------------ profiles and privacy


def test_profile_lists_all_valid_honors_in_time_order(
    client: Any, honor: Any, make_person: Any
) -> None:
    person = make_person(name="王秀英", consent_deeds=True)
    first = honor("王秀英", title="劳动模范", year=1988, person=person)
    honor("王秀英", title="全国劳动模范", year=1995, person=person, level=HonorLevel.NATIONAL)
    html = client.get(f"/wall/{first.id}").get_data(as_text=True)
    assert html.index("1988") < html.index("1995")
    assert "全国劳动模范" in html


def test_hostile_deeds_and_names_are_escaped_with_line_breaks_kept(
    client: Any, honor: Any, make_person: Any
) -> None:
    person = make_person(name="<img src=x onerror=alert(1)>", consent_deeds=True)
    h = honor(person.name, person=person, deeds_full="第一段<script>alert(1)</script>\n第二段")
    html = client.get(f"/wall/{h.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\n第二段" in html


def test_deeds_and_photo_need_consent(client: Any, honor: Any, make_person: Any) -> None:
    person = make_person(name="李建国", consent_deeds=False, consent_photo=False)
    person.photo_filename = "x.jpg"
    h = honor("李建国", person=person, deeds_summary="不公开的事迹", deeds_full="不公开的全文")
    html = client.get(f"/wall/{h.id}").get_data(as_text=True)
    assert "不公开的事迹" not in html and "不公开的全文" not in html
    assert client.get(f"/wall/photo/{person.id}").status_code == 404
    item = client.get("/api/v1/honors").json["items"][0]
    assert item["deeds_summary"] is None and item["photo_url"] is None


def test_withdrawn_consent_hides_deeds_again(
    app: Any, db: Any, client: Any, honor: Any, make_person: Any
) -> None:
    app.config["WALL_VERSION_TTL"] = 0
    person = make_person(name="李建国", consent_deeds=True)
    h = honor("李建国", person=person, deeds_summary="公开的事迹")
    assert "公开的事迹" in client.get(f"/wall/{h.id}").get_data(as_text=True)
    set_person_consent(None, person, photo=False, deeds=False)
    db.session.commit()
    assert "公开的事迹" not in client.get(f"/wall/{h.id}").get_data(as_text=True)


def test_female_marker_follows_the_person(client: Any, honor: Any, make_person: Any) -> None:
    person = make_person(name="王秀英", gender=Gender.FEMALE)
    honor("王秀英", person=person)
    assert '王秀英<span class="female">（女）</span>' in client.get("/wall/").get_data(as_text=True)
    assert client.get("/api/v1/honors").json["items"][0]["is_female"] is True


def test_revoked_honors_leave_the_wall_profile_and_api(
    app: Any, db: Any, client: Any, honor: Any
) -> None:
    app.config["WALL_VERSION_TTL"] = 0
    kept = honor("留下的")
    gone = honor("撤销的")
    revoke_honor(None, gone, "事迹严重失实")
    db.session.commit()
    assert names(client, "") == ["留下的"]
    assert client.get(f"/wall/{gone.id}").status_code == 404
    assert client.get(f"/wall/{kept.id}").status_code == 200


def test_unit_and_team_honors_show_their_deeds(client: Any, honor: Any) -> None:
    h = honor(
        "江州地铁1号线维保班组",
        title="工人先锋号",
        recipient_kind=RecipientKind.TEAM,
        deeds_summary="连续十年安全运营",
    )
    assert "连续十年安全运营" in client.get(f"/wall/{h.id}").get_data(as_text=True)


def test_profile_has_a_qr_code_to_itself(client: Any, honor: Any) -> None:
    h = honor()
    response = client.get(f"/wall/{h.id}/qr.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert b"<svg" in response.data


def test_no_personal_numbers_on_wall_pages_or_api(
    client: Any, honor: Any, make_person: Any
) -> None:
    id_number = valid_id("33010219800101123")
    phone = "13912345678"
    person = make_person(
        name="王秀英", id_number=id_number, phone=phone, consent_deeds=True, consent_photo=True
    )
    h = honor("王秀英", person=person)
    for url in ["/wall/", f"/wall/{h.id}", "/wall/kiosk", "/api/v1/honors"]:
        body = client.get(url).get_data(as_text=True)
        assert id_number not in body and phone not in body, url
        assert "1980-01-01" not in body, url
    # Searching by a personal number finds nobody: it is not searchable.
    assert client.get(f"/api/v1/honors?q={id_number}").json["total"] == 0
    assert client.get(f"/api/v1/honors?q={phone}").json["total"] == 0


# ------------------------------------------------------------------ caching and freshness


def test_etag_revalidation_answers_not_modified(client: Any, honor: Any) -> None:
    honor()
    first = client.get("/wall/")
    again = client.get("/wall/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert first.headers.get("Last-Modified")


def test_a_change_from_another_process_shows_after_the_version_interval(
    app: Any, db: Any, client: Any, honor: Any, monkeypatch: Any
) -> None:
    """The memo re-reads the version after WALL_VERSION_TTL, so new honors appear."""
    import contest.caching as caching

    clock = [1000.0]
    monkeypatch.setattr(caching.time, "monotonic", lambda: clock[0])
    honor("先有的")
    assert names(client, "") == ["先有的"]
    honor("后来的")  # as if another worker or `contest honors import` wrote it
    clock[0] += float(app.config.get("WALL_VERSION_TTL", 2.0)) + 0.1
    assert sorted(names(client, "")) == ["先有的", "后来的"]


def test_a_crowd_on_a_cold_wall_renders_it_once(make_app: Any, monkeypatch: Any) -> None:
    """Single flight: visitors arriving together on an uncached page wait for one render."""
    import threading
    import time

    import contest.wall.views as wall_views
    from contest.extensions import db

    app = make_app(CACHE_TYPE="SimpleCache")
    with app.app_context():
        add_honor(
            None,
            HonorData(
                recipient_name="王秀英",
                title="劳动模范",
                level=HonorLevel.CITY,
                year=2010,
                conferring_body="江州市人民政府",
                document_number="江政发〔2010〕8号",
            ),
        )
        db.session.commit()
    renders: list[int] = []
    real_render = wall_views.render_template

    def slow_render(*args: Any, **kwargs: Any) -> str:
        renders.append(1)
        time.sleep(0.2)
        return real_render(*args, **kwargs)

    monkeypatch.setattr(wall_views, "render_template", slow_render)
    bodies: list[bytes] = []

    def visit() -> None:
        response = app.test_client().get("/wall/")
        assert response.status_code == 200
        bodies.append(response.get_data())

    threads = [threading.Thread(target=visit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert renders == [1] and len(bodies) == 8 and len(set(bodies)) == 1


def test_kiosk_embeds_its_first_data_and_filters(client: Any, honor: Any) -> None:
    honor("王秀英", level=HonorLevel.NATIONAL)
    honor("李建国", level=HonorLevel.CITY)
    import json
    import re

    html = client.get("/wall/kiosk?level=national&interval=5").get_data(as_text=True)
    block = re.search(r'<script type="application/json" id="kiosk-data">(.*?)</script>', html)
    assert block is not None
    assert [item["name"] for item in json.loads(block.group(1))["items"]] == ["王秀英"]
    assert 'data-interval="5"' in html
    assert "level=national" in html
