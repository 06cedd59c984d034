"""The 劳模 archive (issue #14 item 1): which honors count, creating the files, scope, the
audit of every view, status and the wall, the settings page and the care role's account."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from contest.extensions import db as _db
from contest.models import (
    AuditEntry,
    ContentVersion,
    Honor,
    HonoreeFile,
    HonorLevel,
    LifeStatus,
    Role,
    Setting,
    User,
)
from contest.services.care import archive
from contest.services.care import settings as care_settings
from contest.services.core import settings as store
from contest.services.core.people import PersonData, create_person
from contest.services.core.versions import HONORS_CONTENT
from contest.services.honors.validity import today
from tests.contest.care_archive_support import Tree, build_tree, entries, filed_tree, honor


def _names(tree: Tree) -> set[str]:
    filed = set(_db.session.scalars(select(HonoreeFile.person_id)))
    return {name for name, person in tree.people.items() if person.id in filed}


# ---------------------------------------------------------------- counting and creating files


def test_only_held_person_honors_of_the_titles_and_levels_of_the_settings_count(db: Any) -> None:
    tree = build_tree()
    assert archive.unfiled_count(tree.admin) == 3  # type: ignore[arg-type]
    assert archive.sync_files(tree.admin, None) == 3  # type: ignore[arg-type]
    assert _names(tree) == {"张伟", "李娜", "周杰"}  # not 区县级, 技术能手 or the revoked one

    store.store(tree.admin, care_settings.LOWEST_LEVEL, "district")  # type: ignore[arg-type]
    store.store(tree.admin, care_settings.TITLE_WORDS, "劳动模范、技术能手")  # type: ignore[arg-type]
    assert archive.sync_files(tree.admin, None) == 2  # type: ignore[arg-type]
    assert _names(tree) == {"张伟", "李娜", "周杰", "王强", "赵敏"}
    assert archive.unfiled_count(tree.admin) == 0  # type: ignore[arg-type]


def test_a_new_file_is_in_service_cared_for_by_the_persons_union(db: Any) -> None:
    tree = filed_tree()
    zhang = tree.file_of("张伟")
    assert zhang.status is LifeStatus.IN_SERVICE
    assert zhang.care_organization_id == tree.east_unit.id
    assert zhang.current_unit == "江州机床厂工会"
    orphan = tree.file_of("周杰")  # no union: the top union looks after him
    assert orphan.care_organization_id == tree.city.id
    assert orphan.current_unit == "周杰的工作单位"  # from his latest counting honor


def test_sync_is_idempotent_and_audited_once_per_run(db: Any) -> None:
    tree = filed_tree()
    assert archive.sync_files(tree.admin, None) == 0  # type: ignore[arg-type]
    db.session.commit()
    assert db.session.scalar(select(func.count(HonoreeFile.id))) == 3
    runs = entries("care.files.sync")
    assert [e.after for e in runs] == [
        '{"created": 3, "organization_id": null}',
        '{"created": 0, "organization_id": null}',
    ]


def test_a_care_users_sync_files_their_union_only(
    db: Any, client_for: Callable[..., FlaskClient]
) -> None:
    tree = build_tree()
    assert archive.unfiled_count(tree.care_east) == 1  # type: ignore[arg-type]
    client = client_for(tree.care_east)
    page = client.get("/care/").get_data(as_text=True)
    assert "1 位荣誉获得者尚未建档" in page
    response = client.post("/care/sync", follow_redirects=True)
    assert "已为 1 位荣誉获得者建立档案" in response.get_data(as_text=True)
    assert _names(tree) == {"张伟"}  # not 西城区's, not 周杰 without a union
    with pytest.raises(archive.ArchiveError):
        archive.sync_files(tree.care_east, None)  # type: ignore[arg-type]
    with pytest.raises(archive.ArchiveError):
        archive.sync_files(tree.care_east, tree.west)  # type: ignore[arg-type]


def test_without_any_union_people_without_one_are_skipped(
    db: Any, make_user: Callable[..., Any]
) -> None:
    admin = make_user("admin")
    person = create_person(None, PersonData(name="周杰", organization=None))
    honor(person, "周杰", "省劳动模范", HonorLevel.PROVINCIAL, 2020)
    assert archive.top_union() is None
    assert archive.unfiled_count(admin) == 0
    assert archive.sync_files(admin, None) == 0


# ---------------------------------------------------------------- scope and the list


def test_a_care_user_sees_the_files_of_their_subtree_only(
    db: Any, client_for: Callable[..., FlaskClient]
) -> None:
    tree = filed_tree()
    client = client_for(tree.care_east)
    page = client.get("/care/").get_data(as_text=True)
    assert "张伟" in page and "李娜" not in page and "周杰" not in page
    assert client.get(f"/care/files/{tree.file_of('张伟').id}").status_code == 200
    outside = tree.file_of("李娜").id
    missing = outside + 100
    assert client.get(f"/care/files/{outside}").status_code == 404
    assert client.get(f"/care/files/{missing}").status_code == 404
    assert (
        client.post(f"/care/files/{outside}/status", data={"status": "retired"}).status_code == 404
    )
    assert [e.target_id for e in entries("care.file.view")] == [str(tree.file_of("张伟").id)]


def test_an_admin_sees_every_file_in_pinyin_order(
    db: Any, client_for: Callable[..., FlaskClient]
) -> None:
    tree = filed_tree()
    page = client_for(tree.admin).get("/care/").get_data(as_text=True)
    # li na, zhang wei, zhou jie
    assert page.index("李娜") < page.index("张伟") < page.index("周杰")
    found = archive.search(tree.admin, q="机床")  # type: ignore[arg-type]
    assert [row.name for row in found.items] == ["张伟"]
    found = archive.search(tree.admin, level=HonorLevel.NATIONAL)  # type: ignore[arg-type]
    assert [(r.name, r.honor_title) for r in found.items] == [("李娜", "全国劳动模范")]
    found = archive.search(tree.admin, org_id=tree.west.id)  # type: ignore[arg-type]
    assert [row.name for row in found.items] == ["李娜"]


def test_other_roles_are_refused(
    db: Any, make_user: Callable[..., Any], client_for: Callable[..., FlaskClient]
) -> None:
    for role in ("organizer", "judge", "recommender", "reviewer"):
        client = client_for(make_user(role))
        for url in ("/care/", "/care/files/1", "/care/settings"):
            assert client.get(url).status_code == 403, (role, url)
        assert client.post("/care/sync").status_code == 403, role


def test_anonymous_visitors_are_sent_to_login(db: Any, client: FlaskClient) -> None:
    for url in ("/care/", "/care/files/1"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_every_view_of_a_file_is_audited_with_its_viewer(
    db: Any, client_for: Callable[..., FlaskClient]
) -> None:
    tree = filed_tree()
    file_id = tree.file_of("张伟").id
    for user, times in ((tree.care_east, 2), (tree.admin, 1)):
        client = client_for(user)
        for _ in range(times):
            assert client.get(f"/care/files/{file_id}").status_code == 200
    views = entries("care.file.view")
    assert [(e.actor_name, e.target_id) for e in views] == [
        ("care-east", str(file_id)),
        ("care-east", str(file_id)),
        ("care-admin", str(file_id)),
    ]


def test_the_file_page_lists_every_honor_with_revoked_ones_marked(
    db: Any, client_for: Callable[..., FlaskClient]
) -> None:
    tree = filed_tree()
    sun = tree.people["孙丽"]
    db.session.add(
        HonoreeFile(person=sun, care_organization=tree.east_unit, status=LifeStatus.RETIRED)
    )
    db.session.commit()
    file = tree.file_of("孙丽")
    page = client_for(tree.care_east).get(f"/care/files/{file.id}").get_data(as_text=True)
    assert "江州市先进工作者" in page and "已撤销" in page


# ---------------------------------------------------------------- changes


def test_contact_is_kept_encrypted_and_the_audit_says_only_that_it_changed(db: Any) -> None:
    tree = filed_tree()
    file = tree.file_of("张伟")
    assert archive.update_file(tree.care_east, file, "江州机床厂", "13800138000", tree.east)  # type: ignore[arg-type]
    db.session.commit()
    assert file.reveal_contact() == "13800138000"
    (entry,) = entries("care.file.update")
    assert "13800138000" not in (entry.before or "") + (entry.after or "")
    assert '"contact_changed": true' in entry.after
    assert not archive.update_file(tree.care_east, file, "江州机床厂", "13800138000", tree.east)  # type: ignore[arg-type]


def test_bad_particulars_are_refused(db: Any) -> None:
    tree = filed_tree()
    file = tree.file_of("张伟")
    cases = [
        ("厂" * 201, "", tree.east, "current_unit"),
        ("", "1" * 201, tree.east, "contact"),
        ("", "", tree.west, "care_organization_id"),  # outside the care user's scope
        ("", "", None, "care_organization_id"),
    ]
    for unit, contact, org, field in cases:
        with pytest.raises(archive.ArchiveError) as refused:
            archive.update_file(tree.care_east, file, unit, contact, org)  # type: ignore[arg-type]
        assert refused.value.field == field
    assert file.current_unit == "江州机床厂工会"


def test_status_dates_follow_the_rules(db: Any) -> None:
    tree = filed_tree()
    file = tree.file_of("张伟")
    user = tree.care_east
    day = today()
    cases = [
        (LifeStatus.RETIRED, None, "请填写退休日期"),
        (LifeStatus.RETIRED, day + timedelta(days=1), "日期不能晚于今天"),
        (LifeStatus.DECEASED, None, "请填写去世日期"),
    ]
    for status, when, message in cases:
        with pytest.raises(archive.ArchiveError, match=message):
            archive.set_status(user, file, status, when)  # type: ignore[arg-type]
    assert archive.set_status(user, file, LifeStatus.RETIRED, date(2020, 6, 1))  # type: ignore[arg-type]
    with pytest.raises(archive.ArchiveError, match="去世日期不能早于退休日期"):
        archive.set_status(user, file, LifeStatus.DECEASED, date(2020, 5, 31))  # type: ignore[arg-type]
    assert archive.set_status(user, file, LifeStatus.DECEASED, day)  # type: ignore[arg-type]
    assert (file.retired_on, file.died_on) == (date(2020, 6, 1), day)
    assert archive.set_status(user, file, LifeStatus.IN_SERVICE, None)  # type: ignore[arg-type]
    assert (file.retired_on, file.died_on) == (None, None)
    assert len(entries("care.file.status")) == 3


def test_a_deceased_honoree_stays_on_the_wall_marked_and_the_cached_wall_follows(
    db: Any, make_app: Callable[..., Any], client_for: Callable[..., FlaskClient]
) -> None:
    public = make_app(CACHE_TYPE="SimpleCache", WALL_VERSION_TTL=0).test_client()  # empties
    tree = filed_tree()
    honor_id = db.session.scalar(select(Honor.id).where(Honor.person_id == tree.people["张伟"].id))
    assert "已故" not in public.get(f"/wall/{honor_id}").get_data(as_text=True)
    assert "已故" not in public.get("/wall/").get_data(as_text=True)
    file = tree.file_of("张伟")
    response = client_for(tree.care_east).post(
        f"/care/files/{file.id}/status",
        data={"status": "deceased", "day": "2024-03-01"},
    )
    assert response.status_code == 302
    profile = public.get(f"/wall/{honor_id}").get_data(as_text=True)
    assert "已故" in profile and "2024-03-01" not in profile
    wall = public.get("/wall/").get_data(as_text=True)
    assert "张伟" in wall and "已故" in wall
    api = public.get("/api/v1/honors?q=张伟").get_json()
    assert api["total"] == 1 and "is_deceased" not in api["items"][0]


def test_a_refused_status_change_says_why_and_changes_nothing(
    db: Any, client_for: Callable[..., FlaskClient]
) -> None:
    tree = filed_tree()
    file = tree.file_of("张伟")
    response = client_for(tree.care_east).post(
        f"/care/files/{file.id}/status", data={"status": "retired", "day": ""}
    )
    assert response.status_code == 400
    assert "请填写退休日期" in response.get_data(as_text=True)
    db.session.expire_all()
    assert tree.file_of("张伟").status is LifeStatus.IN_SERVICE


# ---------------------------------------------------------------- settings


def test_the_settings_page_refuses_a_bad_value_and_saves_nothing(
    db: Any, client_for: Callable[..., FlaskClient]
) -> None:
    tree = build_tree()
    client = client_for(tree.admin)
    page = client.get("/care/settings").get_data(as_text=True)
    assert "纳入档案的荣誉称号" in page and "劳动模范、先进工作者" in page
    form = {
        "care__title_words": "劳动模范",
        "care__lowest_level": "provincial",
        "care__health_check_years": "0",
        "care__recuperation_years": "3",
        "care__review_years": "2",
        "care__festivals": "春节、中秋",
        "wall__craftsman_share": "1.5",
    }
    refused = client.post("/care/settings", data=form)
    assert refused.status_code == 400
    assert "请填写 1 到 5 之间的整数年数" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Setting)) == 0
    version = db.session.get(ContentVersion, HONORS_CONTENT).version
    saved = client.post("/care/settings", data={**form, "care__health_check_years": "2"})
    assert saved.status_code == 302
    # the 工匠 share shows on /wall/stats, cached on the honors' content version
    assert db.session.get(ContentVersion, HONORS_CONTENT).version == version + 1
    db.session.expire_all()
    assert care_settings.lowest_level() is HonorLevel.PROVINCIAL
    assert care_settings.health_check_years() == 2
    assert care_settings.festivals() == ["春节", "中秋"]
    assert len(entries("setting.change")) == 6  # review_years kept its default


def test_the_settings_page_is_for_admins_only(
    db: Any, client_for: Callable[..., FlaskClient]
) -> None:
    tree = build_tree()
    client = client_for(tree.care_east)
    assert client.get("/care/settings").status_code == 403
    assert client.post("/care/settings", data={}).status_code == 403
    menu = client.get("/care/").get_data(as_text=True)
    assert "/care/settings" not in menu
    assert "/care/settings" in client_for(tree.admin).get("/care/").get_data(as_text=True)


# ---------------------------------------------------------------- the care account


def test_an_admin_creates_a_care_account_with_a_union_and_not_without(
    db: Any, client_for: Callable[..., FlaskClient]
) -> None:
    tree = build_tree()
    client = client_for(tree.admin)
    base = {"username": "care-new", "role": Role.CARE.value, "password": "care-pass-2026"}
    refused = client.post("/admin/users", data={**base, "organization_id": 0})
    assert "除系统管理员外，每个账号都必须属于一个组织" in refused.get_data(as_text=True)
    client.post("/admin/users", data={**base, "organization_id": tree.west.id})
    user = db.session.scalar(select(User).where(User.username == "care-new"))
    assert user.role is Role.CARE and user.organization_id == tree.west.id
    care = client_for()
    care.post("/login", data={"username": "care-new", "password": "care-pass-2026"})
    home = care.get("/home", follow_redirects=True).get_data(as_text=True)
    assert 'href="/care/"' in home.split('id="main"', 1)[1]  # the home page, not the menu


def test_the_audit_trail_never_holds_a_files_contact(db: Any) -> None:
    tree = filed_tree()
    file = tree.file_of("李娜")
    archive.update_file(tree.admin, file, None, "江州市幸福路 8 号", tree.west)  # type: ignore[arg-type]
    db.session.commit()
    texts = db.session.scalars(select(AuditEntry.after)).all()
    assert not [t for t in texts if t and "幸福路" in t]
