"""The union tree's pages: create, edit, move, close, import and export, scoped by role."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from contest.models import AuditEntry, HonorSource, Organization, OrgKind, Person


@pytest.fixture
def tree(db: Any, make_org: Any) -> Any:
    from types import SimpleNamespace

    city = make_org(name="江州市总工会", kind=OrgKind.CITY, code="JZ")
    district = make_org(name="东湖区总工会", kind=OrgKind.DISTRICT, parent=city)
    other = make_org(name="西山区总工会", kind=OrgKind.DISTRICT, parent=city)
    factory = make_org(name="江州机床厂工会", kind=OrgKind.GRASSROOTS, parent=district)
    return SimpleNamespace(city=city, district=district, other=other, factory=factory)


def _sheet(headers: list[str], rows: list[list[Any]]) -> io.BytesIO:
    book = Workbook()
    book.active.append(headers)
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def test_an_admin_creates_the_first_union_of_an_empty_tree(
    db: Any, client: Any, login_as: Any
) -> None:
    login_as("admin")
    page = client.get("/orgs/")
    assert "还没有组织" in page.get_data(as_text=True)
    response = client.post(
        "/orgs/new",
        data={"parent_id": 0, "name": "江州市总工会", "kind": "city", "code": "JZ"},
    )
    assert response.status_code == 302
    org = db.session.query(Organization).one()
    assert org.parent_id is None and org.kind is OrgKind.CITY
    assert "江州市总工会" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_the_tree_page_shows_counts_and_finds_a_union_with_its_path(
    db: Any, client: Any, login_as: Any, tree: Any, make_person: Any
) -> None:
    make_person("张伟", organization=tree.factory)
    make_person("李娜", organization=tree.district)
    login_as("organizer", organization=tree.city)
    html = client.get("/orgs/").get_data(as_text=True)
    assert "江州机床厂工会" in html and 'data-path="' in html
    found = client.get("/orgs/?q=机床").get_data(as_text=True)
    assert "找到 1 个组织" in found and "江州市总工会 › 东湖区总工会" in found


def test_an_organizer_creates_below_their_union_and_a_bad_code_changes_nothing(
    db: Any, client: Any, login_as: Any, tree: Any
) -> None:
    login_as("organizer", organization=tree.district)
    count = db.session.query(Organization).count()
    page = client.post(
        "/orgs/new",
        data={
            "parent_id": tree.district.id,
            "name": "新厂工会",
            "kind": "grassroots",
            "credit_code": "91110000600037341X",
        },
    )
    assert page.status_code == 200 and "校验位不正确" in page.get_data(as_text=True)
    assert db.session.query(Organization).count() == count
    ok = client.post(
        "/orgs/new",
        data={
            "parent_id": tree.district.id,
            "name": "新厂工会",
            "kind": "grassroots",
            "credit_code": "91110000600037341L",
            "ownership": "non_public",
            "headcount": "120",
            "member_count": "118",
            "counted_on": "2026-06-30",
        },
    )
    assert ok.status_code == 302
    created = db.session.query(Organization).filter_by(name="新厂工会").one()
    assert created.parent_id == tree.district.id and created.member_count == 118
    page = client.get(f"/orgs/{created.id}").get_data(as_text=True)
    assert "入会率 98.3%" in page and "非公有制" in page


def test_organizer_pages_outside_their_subtree_answer_403(
    db: Any, client: Any, login_as: Any, tree: Any
) -> None:
    login_as("organizer", organization=tree.district)
    for url in (
        f"/orgs/{tree.other.id}",
        f"/orgs/{tree.other.id}/edit",
        f"/orgs/{tree.other.id}/move",
        f"/orgs/{tree.other.id}/close",
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(
        "/orgs/new", data={"parent_id": tree.other.id, "name": "x", "kind": "grassroots"}
    )
    assert response.status_code in (200, 403)
    assert db.session.query(Organization).filter_by(name="x").count() == 0


def test_move_and_close_through_the_pages(db: Any, client: Any, login_as: Any, tree: Any) -> None:
    login_as("organizer", organization=tree.city)
    response = client.post(
        f"/orgs/{tree.factory.id}/move", data={"parent_id": tree.other.id, "reason": "划转"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Organization, tree.factory.id).parent_id == tree.other.id
    blocked = client.get(f"/orgs/{tree.other.id}/close").get_data(as_text=True)
    assert "暂不能撤销" in blocked and "未撤销的下级组织" in blocked
    unconfirmed = client.post(f"/orgs/{tree.factory.id}/close", data={"reason": "注销"})
    assert "请勾选确认" in unconfirmed.get_data(as_text=True)
    assert not db.session.get(Organization, tree.factory.id).is_closed
    closed = client.post(f"/orgs/{tree.factory.id}/close", data={"reason": "注销", "confirm": "y"})
    assert closed.status_code == 302
    db.session.expire_all()
    assert db.session.get(Organization, tree.factory.id).is_closed
    assert client.post(f"/orgs/{tree.factory.id}/reopen").status_code == 302
    db.session.expire_all()
    assert not db.session.get(Organization, tree.factory.id).is_closed


def test_the_district_organizer_cannot_move_their_own_union(
    db: Any, client: Any, login_as: Any, tree: Any
) -> None:
    login_as("organizer", organization=tree.district)
    page = client.get(f"/orgs/{tree.district.id}/move").get_data(as_text=True)
    assert "只有上级工会的组织者或系统管理员" in page
    client.post(f"/orgs/{tree.district.id}/move", data={"parent_id": tree.other.id})
    db.session.expire_all()
    assert db.session.get(Organization, tree.district.id).parent_id == tree.city.id


def test_tree_import_page_reports_every_row_and_export_downloads(
    db: Any, client: Any, login_as: Any, tree: Any
) -> None:
    login_as("admin")
    bad = _sheet(
        ["组织名称", "类型", "上级工会"],
        [["甲厂工会", "基层工会", "不存在"], ["乙厂工会", "神仙会", "JZ"]],
    )
    page = client.post(
        "/orgs/import",
        data={"file": (bad, "tree.xlsx")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    html = page.get_data(as_text=True)
    assert "导入被拒绝" in html and "找不到上级工会" in html and "类型应为" in html
    good = _sheet(["组织名称", "类型", "上级工会"], [["甲厂工会", "基层工会", "JZ"]])
    done = client.post(
        "/orgs/import",
        data={"file": (good, "tree.xlsx")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "新增组织 1 个" in done.get_data(as_text=True)
    db.session.rollback()  # the import ran in its own session
    assert db.session.query(Organization).filter_by(name="甲厂工会").count() == 1
    export = client.post("/orgs/export", data={"format": "xlsx"})
    assert export.status_code == 200 and export.headers["Cache-Control"] == "no-store"
    rows = list(load_workbook(io.BytesIO(export.data)).active.values)
    assert rows[0][0] == "组织名称" and len(rows) == 6
    assert client.get("/orgs/template.xlsx").status_code == 200


def test_people_import_and_export_pages_keep_numbers_to_the_admin(
    db: Any, client: Any, login_as: Any, tree: Any, make_id_number: Any
) -> None:
    login_as("organizer", organization=tree.district)
    sheet = _sheet(["姓名", "单位", "身份证号"], [["王芳", "江州机床厂工会", make_id_number()]])
    page = client.post(
        "/orgs/people/import",
        data={"file": (sheet, "p.xlsx")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "新增职工 1 位" in page.get_data(as_text=True)
    db.session.rollback()  # the import ran in its own session
    assert db.session.query(Person).filter_by(name="王芳").count() == 1
    assert (
        client.post(
            "/orgs/people/export", data={"format": "xlsx", "include_private": "y"}
        ).status_code
        == 403
    )
    export = client.post("/orgs/people/export", data={"format": "csv"})
    assert export.status_code == 200 and "王芳" in export.data.decode("utf-8-sig")
    assert db.session.query(AuditEntry).filter_by(action="person.export").count() == 1


def test_the_new_account_form_starts_at_the_least_privileged_role(
    db: Any, client: Any, login_as: Any
) -> None:
    login_as("admin")
    html = client.get("/admin/users").get_data(as_text=True)
    assert '<option selected value="judge">' in html or '<option value="judge" selected' in html


def test_a_persons_page_lists_their_honors_and_contest_entries(
    db: Any, client: Any, login_as: Any, make_contest: Any, make_user: Any, client_for: Any
) -> None:
    from contest.models import HonorLevel
    from contest.services.honors.records import HonorData, add_honor

    made = make_contest(entries=1, judges=1)
    person = made.entries[0].person
    add_honor(
        None,
        HonorData(
            person.name,
            "技术能手",
            HonorLevel.CITY,
            2024,
            person=person,
            conferring_body="江州市总工会",
            source=HonorSource.CONTEST,
        ),
    )
    db.session.commit()
    login_as("organizer", organization=made.host)
    html = client.get(f"/orgs/people/{person.id}/edit").get_data(as_text=True)
    assert "2024 · 技术能手" in html and "江州市数控技能大赛" in html
    admin = client_for(make_user("admin"))
    assert "技术能手" in admin.get(f"/admin/people/{person.id}").get_data(as_text=True)
