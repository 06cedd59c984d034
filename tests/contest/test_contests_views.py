"""Contest set-up pages end to end through the test client, and role × route permissions."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from sqlalchemy import select

from contest.models import Aspect, AspectKind, Contest, ContestStatus, Event, OrgKind
from contest.services.skills import rubrics

S = ContestStatus


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


def test_organizer_creates_contest_event_and_rubric(
    db: Any, make_org: Any, make_user: Any, client_for: Any
) -> None:
    host = make_org(name="江州市总工会", kind=OrgKind.CITY)
    organizer = make_user("organizer", organization=host)
    client = client_for(organizer)
    assert "技能大赛" in _text(client.get("/"))
    page = client.get("/contests/new")
    assert page.status_code == 200 and "主办工会" in _text(page)
    response = client.post(
        "/contests/new",
        data={
            "name": "2026 年江州市焊工技能大赛",
            "level": "city",
            "year": "2026",
            "organization_id": str(host.id),
            "starts_on": "2026-05-01",
            "ends_on": "2026-04-01",
            "appeal_window_hours": "2",
        },
    )
    assert response.status_code == 200 and "结束日期不能早于开始日期" in _text(response)
    assert db.session.scalar(select(Contest)) is None
    response = client.post(
        "/contests/new",
        data={
            "name": "2026 年江州市焊工技能大赛",
            "level": "city",
            "year": "2026",
            "organization_id": str(host.id),
            "appeal_window_hours": "2",
        },
    )
    assert response.status_code == 302
    contest = db.session.scalar(select(Contest))
    base = f"/contests/{contest.id}"
    show = _text(client.get(base))
    assert "大赛还没有赛项" in show and "进入「报名中」" in show

    response = client.post(
        f"{base}/events/new", data={"code": "A", "occupation": "焊工", "group": "worker"}
    )
    assert response.status_code == 302
    event = db.session.scalar(select(Event))
    assert [c.key for c in event.components] == ["theory", "practical"]
    response = client.post(
        f"{base}/events/new", data={"code": "A", "occupation": "电工", "group": "worker"}
    )
    assert "本大赛已有代码为 A 的赛项" in _text(response)

    ev = f"{base}/events/{event.id}"
    response = client.post(
        f"{ev}/components", data={"theory_weight": "30", "practical_weight": "60"}
    )
    assert "各模块权重之和为 90%，应为 100%" in _text(response)
    response = client.post(
        f"{ev}/components",
        data={"theory_weight": "20", "practical_weight": "60", "oral_weight": "20"},
    )
    assert response.status_code == 302

    page = _text(client.get(f"{ev}/rubric"))
    assert "「实操」模块还没有评分要素" in page
    practical = next(c for c in event.components if c.key == "practical")
    response = client.post(
        f"{ev}/rubric/apply-template",
        data={
            "component_id": str(practical.id),
            f"t{practical.id}-template": "builtin:worldskills",
        },
    )
    assert response.status_code == 302
    theory = next(c for c in event.components if c.key == "theory")
    response = client.post(
        f"{ev}/rubric/criteria",
        data={"component_id": str(theory.id), f"c{theory.id}-name": "理论知识"},
    )
    assert response.status_code == 302
    criterion = theory.criteria[0]
    add = f"{ev}/rubric/criteria/{criterion.id}/aspects/new"
    assert 'value="T1"' in _text(client.get(add))
    response = client.post(
        add,
        data={
            "key": "T1",
            "name": "理论试卷",
            "kind": "judgement",
            "max_points": "100",
            "scale": "3",
            "descriptors": "0: 差\n1: 中",
        },
    )
    assert response.status_code == 200
    assert "请为每个评价等级 0–3 各写一条描述" in _text(response)
    response = client.post(
        add,
        data={
            "key": "T1",
            "name": "理论试卷",
            "kind": "measurement",
            "max_points": "100",
            "step": "0.5",
        },
    )
    assert response.status_code == 302
    oral = next(c for c in event.components if c.key == "oral")
    client.post(
        f"{ev}/rubric/apply-template",
        data={"component_id": str(oral.id), f"t{oral.id}-template": "builtin:cn100"},
    )
    db.session.expire_all()
    assert rubrics.rubric_problems(event) == []
    response = client.post(
        f"{ev}/policy",
        data={
            "method": "trimmed",
            "trim": "1",
            "normalize": "none",
            "precision": "2",
            "award_mode": "count",
            "award_rounding": "floor",
            "edge_ties": "include",
            "award-0-name": "一等奖",
            "award-0-value": "1",
            "award-1-name": "二等奖",
            "award-1-value": "2",
            "award-2-name": "三等奖",
            "award-2-value": "5",
            "title-0-name": "技术能手",
            "title-0-best": "1",
            "title-0-worst": "5",
            "tie-0": "component:practical",
            "tie-1": "time",
            "min_field": "3",
            "max_spread": "1",
            "recheck_top": "5",
            "recheck_share": "20",
            "recheck_error_limit": "5",
        },
    )
    assert response.status_code == 302, _text(response)
    db.session.expire_all()
    assert event.policy["awards"][2] == {"name": "三等奖", "count": 5}
    assert event.policy["titles"] == [{"name": "技术能手", "best": 1, "worst": 5}]
    assert event.policy["recheck_share"] == 0.2
    page = _text(client.get(f"{ev}/policy"))
    assert 'value="技术能手"' in page and 'value="5"' in page

    response = client.post(f"{base}/status", data={"to": "registration"})
    assert response.status_code == 302
    db.session.expire_all()
    assert contest.status is S.REGISTRATION
    assert "已改为「报名中」" in _text(client.get(base))
    home = _text(client.get("/home"))
    assert "我管理的技能大赛" in home and contest.name in home


def test_policy_form_refuses_impossible_rules(db: Any, make_contest: Any, client_for: Any) -> None:
    made = make_contest(status=S.DRAFT)
    client = client_for(made.organizer)
    url = f"/contests/{made.contest.id}/events/{made.event.id}/policy"
    page = _text(client.get(url))
    assert 'value="10"' in page and "实操成绩高者优先" in page
    base = {
        "method": "mean",
        "trim": "1",
        "normalize": "none",
        "award_mode": "share",
        "award_rounding": "floor",
        "edge_ties": "include",
        "award-0-name": "一等奖",
        "award-0-value": "10",
    }
    response = client.post(url, data=base)
    assert response.status_code == 200 and "trimmed" in _text(response)
    response = client.post(url, data={**base, "trim": "0", "award-0-value": "abc"})
    assert "奖项比例须是数字" in _text(response)
    response = client.post(
        url,
        data={
            **base,
            "trim": "0",
            "title-0-name": "技术能手",
            "title-0-best": "5",
            "title-0-worst": "1",
        },
    )
    assert "名次范围无效" in _text(response)
    response = client.post(
        url, data={**base, "trim": "0", "award-1-name": "二等奖", "award-1-value": "95"}
    )
    assert "不能超过 100%" in _text(response)
    db.session.expire_all()
    assert made.event.policy == {}


def test_status_buttons_show_problems_and_refuse(
    db: Any, make_contest: Any, client_for: Any
) -> None:
    made = make_contest(status=S.REGISTRATION, judges=0)
    client = client_for(made.organizer)
    base = f"/contests/{made.contest.id}"
    page = _text(client.get(base))
    assert "4 名选手尚未分配评委" in page and "裁判组还没有指定裁判长" in page
    assert re.search(r'<button class="button" type="submit" disabled', page)
    response = client.post(f"{base}/status", data={"to": "judging"}, follow_redirects=True)
    assert "不能转为「比赛评分中」" in _text(response)
    response = client.post(f"{base}/status", data={"to": "draft"}, follow_redirects=True)
    assert "退回上一阶段须填写原因" in _text(response)
    response = client.post(
        f"{base}/status", data={"to": "draft", "reason": "调整赛项"}, follow_redirects=True
    )
    assert "已有 4 名选手报名" in _text(response)
    db.session.expire_all()
    assert made.contest.status is S.REGISTRATION


def test_locked_rubric_pages(db: Any, make_contest: Any, client_for: Any) -> None:
    made = make_contest(status=S.JUDGING)
    client = client_for(made.organizer)
    ev = f"/contests/{made.contest.id}/events/{made.event.id}"
    page = _text(client.get(f"{ev}/rubric"))
    assert "评分细则已锁定" in page and "添加评分要素" not in page
    aspect = made.aspects["P1"]
    response = client.post(
        f"{ev}/rubric/aspects/{aspect.id}/delete", data={"confirmed": "1"}, follow_redirects=True
    )
    assert "评分可能已经开始，评分细则已锁定" in _text(response)
    assert db.session.get(Aspect, aspect.id) is not None


def test_rubric_xlsx_pages(db: Any, make_contest: Any, client_for: Any) -> None:
    made = make_contest(status=S.DRAFT)
    client = client_for(made.organizer)
    ev = f"/contests/{made.contest.id}/events/{made.event.id}"
    exported = client.get(f"{ev}/rubric.xlsx")
    assert exported.status_code == 200 and exported.data[:2] == b"PK"
    assert client.get(f"{ev}/rubric/template.xlsx").data[:2] == b"PK"
    response = client.post(
        f"{ev}/rubric/import",
        data={"file": (io.BytesIO(b"nonsense"), "rubric.xlsx")},
        content_type="multipart/form-data",
    )
    assert "未导入" in _text(response) and ".xlsx" in _text(response)
    response = client.post(
        f"{ev}/rubric/import",
        data={"file": (io.BytesIO(exported.data), "rubric.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert {a.key for a in db.session.scalars(select(Aspect))} == {"T1", "P1", "P2", "P3"}
    p2 = db.session.scalar(select(Aspect).where(Aspect.key == "P2"))
    assert p2.kind is AspectKind.JUDGEMENT and p2.descriptors[3] == "优秀"


def test_save_template_and_edit_aspect_pages(db: Any, make_contest: Any, client_for: Any) -> None:
    made = make_contest(status=S.DRAFT)
    client = client_for(made.organizer)
    ev = f"/contests/{made.contest.id}/events/{made.event.id}"
    practical = made.components["practical"]
    response = client.post(
        f"{ev}/rubric/save-template",
        data={"component_id": str(practical.id), f"s{practical.id}-name": "数控车工实操"},
        follow_redirects=True,
    )
    assert "模板“数控车工实操”" in _text(response)
    assert "数控车工实操" in _text(client.get(f"{ev}/rubric"))
    aspect = made.aspects["P2"]
    page = _text(client.get(f"{ev}/rubric/aspects/{aspect.id}"))
    assert "0：不合格" in page
    response = client.post(
        f"{ev}/rubric/aspects/{aspect.id}",
        data={
            "key": "P1",
            "name": "表面",
            "kind": "judgement",
            "max_points": "30",
            "scale": "3",
            "descriptors": "a\nb\nc\nd",
        },
    )
    assert "编号 P1 在本赛项中已被使用" in _text(response)


# ------------------------------------------------------------------ permissions


ROUTES = [
    ("GET", "/contests/"),
    ("GET", "/contests/new"),
    ("GET", "/contests/{c}"),
    ("GET", "/contests/{c}/edit"),
    ("POST", "/contests/{c}/status"),
    ("GET", "/contests/{c}/events/new"),
    ("GET", "/contests/{c}/events/{e}/edit"),
    ("GET", "/contests/{c}/events/{e}/components"),
    ("GET", "/contests/{c}/events/{e}/policy"),
    ("GET", "/contests/{c}/events/{e}/rubric"),
    ("GET", "/contests/{c}/events/{e}/rubric.xlsx"),
    ("GET", "/contests/{c}/events/{e}/rubric/import"),
    ("GET", "/contests/{c}/events/{e}/rubric/aspects/{a}"),
    ("POST", "/contests/{c}/events/{e}/rubric/aspects/{a}/delete"),
    ("POST", "/contests/{c}/events/{e}/rubric/apply-template"),
]
SCOPED = [r for r in ROUTES if "{c}" in r[1]]


def _url(template: str, made: Any) -> str:
    return template.format(c=made.contest.id, e=made.event.id, a=made.aspects["P1"].id)


@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_public_redirected_to_login(
    db: Any, make_contest: Any, client_for: Any, method: str, route: str
) -> None:
    made = make_contest(status=S.DRAFT)
    response = client_for(None).open(_url(route, made), method=method)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize(("method", "route"), ROUTES)
def test_judge_forbidden(
    db: Any, make_contest: Any, client_for: Any, method: str, route: str
) -> None:
    made = make_contest(status=S.DRAFT)
    response = client_for(made.chief).open(_url(route, made), method=method)
    assert response.status_code == 403


@pytest.mark.parametrize(("method", "route"), SCOPED)
def test_organizer_of_another_union_forbidden(
    db: Any,
    make_contest: Any,
    make_org: Any,
    make_user: Any,
    client_for: Any,
    method: str,
    route: str,
) -> None:
    made = make_contest(status=S.DRAFT)
    stranger = make_user("organizer", organization=make_org(name="河州市总工会"))
    response = client_for(stranger).open(_url(route, made), method=method)
    assert response.status_code in (403, 404)
    db.session.expire_all()
    assert made.contest.status is S.DRAFT and db.session.get(Aspect, made.aspects["P1"].id)


@pytest.mark.parametrize(("method", "route"), [r for r in ROUTES if r[0] == "GET"])
def test_admin_and_owner_allowed(
    db: Any, make_contest: Any, make_user: Any, client_for: Any, method: str, route: str
) -> None:
    made = make_contest(status=S.DRAFT)
    for user in (make_user("admin"), made.organizer):
        response = client_for(user).open(_url(route, made), method=method)
        assert response.status_code == 200, (user.role, route)


def test_event_of_another_contest_is_404(db: Any, make_contest: Any, client_for: Any) -> None:
    made = make_contest(status=S.DRAFT)
    other = make_contest(status=S.DRAFT, host=made.host)
    response = client_for(made.organizer).get(
        f"/contests/{made.contest.id}/events/{other.event.id}/rubric"
    )
    assert response.status_code == 404


def test_list_scoped_to_managed(
    db: Any, make_contest: Any, make_user: Any, client_for: Any
) -> None:
    mine = make_contest(status=S.DRAFT, name="甲市大赛")
    make_contest(status=S.DRAFT, name="乙市大赛")
    page = _text(client_for(mine.organizer).get("/contests/"))
    assert "甲市大赛" in page and "乙市大赛" not in page
    page = _text(client_for(make_user("admin")).get("/contests/"))
    assert "甲市大赛" in page and "乙市大赛" in page


def test_criterion_rename_and_delete_pages(db: Any, make_contest: Any, client_for: Any) -> None:
    made = make_contest(status=S.DRAFT)
    client = client_for(made.organizer)
    ev = f"/contests/{made.contest.id}/events/{made.event.id}"
    criterion = made.components["practical"].criteria[1]
    response = client.post(
        f"{ev}/rubric/criteria/{criterion.id}", data={f"r{criterion.id}-name": "安全生产"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert criterion.name == "安全生产"
    response = client.post(
        f"{ev}/rubric/criteria/{criterion.id}/delete",
        data={"confirmed": "1"},
        follow_redirects=True,
    )
    assert "已删除评分项“安全生产”" in _text(response)
    assert "合计 70 分" in _text(response)


def test_publish_button_goes_to_publication(db: Any, make_contest: Any, client_for: Any) -> None:
    made = make_contest(status=S.REVIEW)
    client = client_for(made.organizer)
    response = client.post(f"/contests/{made.contest.id}/status", data={"to": "published"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/results/{made.contest.id}/publish")
    db.session.expire_all()
    assert made.contest.status is S.REVIEW


def test_set_up_pages_do_not_query_per_criterion(
    db: Any, make_contest: Any, client_for: Any
) -> None:
    """The contest page, the builder and the policy page load the rubric tree at once."""
    from decimal import Decimal

    from contest.models import RubricCriterion

    made = make_contest(status=S.REGISTRATION)
    client = client_for(made.organizer)
    event_base = f"/contests/{made.contest.id}/events/{made.event.id}"
    pages = [f"/contests/{made.contest.id}", f"{event_base}/rubric", f"{event_base}/policy"]

    before = [_selects(db, client, url) for url in pages]
    practical = made.components["practical"]
    for n in range(5):
        criterion = RubricCriterion(component=practical, name=f"附加评分项{n}", position=10 + n)
        db.session.add(criterion)
        db.session.flush()
        db.session.add(
            Aspect(
                criterion=criterion,
                event_id=made.event.id,
                key=f"X{n}",
                name=f"附加要素{n}",
                kind=AspectKind.MEASUREMENT,
                max_points=Decimal(1),
                step=Decimal("0.5"),
                position=0,
            )
        )
    db.session.flush()
    assert [_selects(db, client, url) for url in pages] == before


def _selects(db: Any, client: Any, url: str) -> int:
    """How many SELECT statements one GET of ``url`` runs (fresh identity map)."""
    from sqlalchemy import event as sa_event

    db.session.expire_all()
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    engine = db.session.get_bind()
    sa_event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa_event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_contest_list_does_not_query_per_contest(
    db: Any, make_contest: Any, make_user: Any, client_for: Any
) -> None:
    client = client_for(make_user("admin"))
    make_contest(status=S.DRAFT, name="甲市大赛")
    few = _selects(db, client, "/contests/")
    for name in ("乙市大赛", "丙市大赛", "丁市大赛"):
        make_contest(status=S.REGISTRATION, name=name)
    assert _selects(db, client, "/contests/") == few
    page = _text(client.get("/contests/"))
    assert page.count('<td class="num">1</td>') >= 4  # one event each, counted per contest


def test_service_errors_are_shown_on_their_fields(
    db: Any, make_contest: Any, client_for: Any
) -> None:
    made = make_contest(status=S.DRAFT)
    client = client_for(made.organizer)
    ev = f"/contests/{made.contest.id}/events/{made.event.id}"
    # A ContestError naming "theory-weight" lands on the form's theory_weight field.
    page = _text(
        client.post(f"{ev}/components", data={"theory_weight": "30", "practical_weight": "60"})
    )
    cell = page[page.index('id="theory_weight"') :]
    assert cell.index("各模块权重之和为 90%") < cell.index('id="practical_weight"')
    # A RubricError with one problem per field marks each of them.
    criterion = made.aspects["P2"].criterion
    page = _text(
        client.post(
            f"{ev}/rubric/criteria/{criterion.id}/aspects/new",
            data={
                "key": "P1",
                "name": "表面",
                "kind": "judgement",
                "max_points": "30",
                "scale": "3",
                "descriptors": "a\nb",
            },
        )
    )
    invalid = re.findall(r'<[^>]*aria-invalid="true"[^>]*id="(\w+)"', page)
    assert invalid == ["key", "descriptors"]


def test_saved_template_deleted_only_by_its_union(
    db: Any, make_contest: Any, make_org: Any, client_for: Any
) -> None:
    from contest.models import RubricTemplate
    from contest.services.skills import rubric_templates

    made = make_contest(status=S.DRAFT)
    template = rubric_templates.save_as_template(
        made.organizer, made.components["practical"], "数控车工实操细则"
    )
    child = make_org(name="江州区总工会", kind=OrgKind.DISTRICT, parent=made.host)
    below = make_contest(status=S.DRAFT, host=child)
    stranger = make_contest(status=S.DRAFT)

    def delete_url(owner: Any) -> str:
        base = f"/contests/{owner.contest.id}/events/{owner.event.id}/rubric"
        return f"{base}/templates/{template.id}/delete"

    # The district organizer sees the city's template but may not delete it.
    client = client_for(below.organizer)
    rubric_page = f"/contests/{below.contest.id}/events/{below.event.id}/rubric"
    page = _text(client.get(rubric_page))
    assert "数控车工实操细则" in page and "删除模板" not in page
    assert client.post(delete_url(below)).status_code == 403
    # A union that does not see it gets 404.
    assert client_for(stranger.organizer).post(delete_url(stranger)).status_code == 404
    assert db.session.get(RubricTemplate, template.id) is not None

    client = client_for(made.organizer)
    rubric_page = f"/contests/{made.contest.id}/events/{made.event.id}/rubric"
    assert "删除模板" in _text(client.get(rubric_page))
    response = client.post(delete_url(made))
    assert response.status_code == 302 and response.headers["Location"].endswith("#templates")
    assert "已删除模板“数控车工实操细则”" in _text(client.get(rubric_page))
    db.session.expire_all()
    assert db.session.get(RubricTemplate, template.id) is None


def test_the_contest_form_refuses_a_level_above_the_host_and_shows_the_hosts_path(
    db: Any, make_org: Any, make_user: Any, client_for: Any
) -> None:
    city = make_org(name="江州市总工会", kind=OrgKind.CITY)
    district = make_org(name="东湖区总工会", kind=OrgKind.DISTRICT, parent=city)
    client = client_for(make_user("organizer", organization=city))
    form = {
        "name": "东湖区焊工技能大赛",
        "level": "city",
        "year": "2026",
        "organization_id": str(district.id),
        "appeal_window_hours": "2",
    }
    refused = client.post("/contests/new", data=form)
    assert refused.status_code == 200
    assert "东湖区总工会 只能主办或授予区县级及以下的评选" in _text(refused)
    assert db.session.scalar(select(Contest)) is None
    named = client.post("/contests/new", data={**form, "level": "district", "name": "全国焊工大赛"})
    assert "“全国”字样只能由全国总工会或全国产业工会主办的评选使用" in _text(named)
    created = client.post("/contests/new", data={**form, "level": "district"})
    assert created.status_code == 302
    page = client.get(created.headers["Location"]).get_data(as_text=True)
    assert (
        f'href="/orgs/{city.id}">江州市总工会</a> › <a href="/orgs/{district.id}">东湖区总工会'
        in page
    )
