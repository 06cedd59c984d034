"""评委 accounts from a sheet: all or nothing with a row report, one-time passwords printed once
on slips (never stored, logged or audited), phones kept encrypted on the judge's person."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from contest.models import AuditEntry, OrgKind, Person, Role, User
from contest.security.passwords import verify_password
from contest.services.core import account_sheet
from contest.services.core.orgs import close_organization
from contest.services.core.spreadsheets import SheetRefused
from contest.services.core.users import ONE_TIME_ALPHABET
from tests.contest.templates_support import check_template, example_upload

HEADER = "用户名,姓名,单位,联系电话"
SLIP_PASSWORD = re.compile(r'class="mono slip-password">([^<]+)<')


def csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


@pytest.fixture
def units(db: Any, make_org: Callable[..., Any]) -> SimpleNamespace:
    city = make_org(name="江州市总工会", kind=OrgKind.CITY)
    district = make_org(name="东湖区总工会", kind=OrgKind.DISTRICT, parent=city)
    college = make_org(
        name="江州技师学院工会", kind=OrgKind.GRASSROOTS, parent=district, code="JSXY"
    )
    other = make_org(name="西山纺织厂工会", kind=OrgKind.GRASSROOTS, parent=city)
    return SimpleNamespace(city=city, district=district, college=college, other=other)


def refused(actor: Any, data: bytes) -> dict[tuple[int, str], str]:
    with pytest.raises(SheetRefused) as info:
        account_sheet.import_judges(actor, data, "judges.csv")
    return {(e.row, e.column): e.message for e in info.value.errors}


def counts(db: Any) -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count(User.id))),
        db.session.scalar(select(func.count(Person.id))),
    )


def upload(client: FlaskClient, data: bytes, name: str = "judges.csv") -> Any:
    return client.post(
        "/admin/users/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


# ---------------------------------------------------------------- the service


def test_a_clean_sheet_creates_judges_who_must_change_their_password(
    db: Any, units: SimpleNamespace
) -> None:
    result = account_sheet.import_judges(
        None,
        csv("li_xl,李秀兰,JSXY,138 0013 8000", "wang_jg,王建国,西山纺织厂工会,0571-87654321"),
        "judges.csv",
    )
    db.session.commit()
    assert [a.username for a in result.accounts] == ["li_xl", "wang_jg"]
    li = db.session.scalar(select(User).where(User.username == "li_xl"))
    assert li.role is Role.JUDGE and li.must_change_password and li.is_enabled
    assert li.display_name == "李秀兰" and li.organization_id == units.college.id
    assert li.person.name == "李秀兰" and li.person.organization_id == units.college.id
    assert li.person.reveal_phone() == "13800138000"
    assert b"13800138000" not in (li.person.phone_encrypted or b"")
    for issued in result.accounts:
        user = db.session.scalar(select(User).where(User.username == issued.username))
        assert verify_password(user.password_hash, issued.password)
        assert issued.password not in user.password_hash
        assert set(issued.password.replace("-", "")) <= set(ONE_TIME_ALPHABET)
        assert len(issued.password) >= 12
    assert result.accounts[0].password != result.accounts[1].password
    assert not set("0Oo1lIi") & set(ONE_TIME_ALPHABET)


def test_a_worker_of_the_unit_with_the_same_name_and_phone_is_linked_not_registered_twice(
    db: Any, units: SimpleNamespace, make_person: Callable[..., Any]
) -> None:
    known = make_person("张伟", organization=units.college, phone="13912345678")
    namesake = make_person("张伟", organization=units.college, phone="13700000001")
    _users, people = counts(db)
    result = account_sheet.import_judges(
        None, csv("zhangwei,张伟,JSXY,13912345678", "zhangwei2,张伟,JSXY,13600000002"), "j.csv"
    )
    db.session.commit()
    assert (result.people_linked, result.people_created) == (1, 1)
    first = db.session.scalar(select(User).where(User.username == "zhangwei"))
    assert first.person_id == known.id
    second = db.session.scalar(select(User).where(User.username == "zhangwei2"))
    assert second.person_id not in (known.id, namesake.id)
    assert counts(db)[1] == people + 1
    assert namesake.reveal_phone() == "13700000001"  # nobody's data was changed


def test_every_row_problem_is_reported_without_the_phone_and_nothing_is_written(
    db: Any, units: SimpleNamespace, make_org: Callable[..., Any], make_user: Callable[..., Any]
) -> None:
    make_user("judge", username="taken", organization=units.college)
    make_org(name="江州技师学院工会", kind=OrgKind.GRASSROOTS, parent=units.city)  # a namesake
    account_sheet.import_judges(None, csv("linked,赵敏,西山纺织厂工会,13811112222"), "a.csv")
    db.session.commit()
    before = counts(db)
    problems = refused(
        None,
        csv(
            " ,甲,西山纺织厂工会,13800000001",  # 2: no username
            f"{'x' * 65},乙,西山纺织厂工会,13800000002",  # 3: username too long
            "dup,丙,西山纺织厂工会,13800000003",  # 4
            "dup,丁,西山纺织厂工会,13800000004",  # 5: username twice in the file
            "taken,戊,西山纺织厂工会,13800000005",  # 6: username already in the database
            "noname,,西山纺织厂工会,13800000006",  # 7: no name
            f"longname,{'名' * 61},西山纺织厂工会,13800000007",  # 8: name too long
            "nounit,己,不存在的厂,13800000008",  # 9: unknown unit
            "twounits,庚,江州技师学院工会,13800000009",  # 10: two units of that name
            "nophone,辛,西山纺织厂工会,",  # 11: no phone
            "badphone,壬,西山纺织厂工会,12345",  # 12: bad phone
            "same1,癸,西山纺织厂工会,13900000010",  # 13
            "same2,癸,西山纺织厂工会,13900000010",  # 14: the same worker again
            "again,赵敏,西山纺织厂工会,13811112222",  # 15: that worker already has an account
        ),
    )
    assert "必填" in problems[(2, "用户名")]
    assert "64" in problems[(3, "用户名")]
    assert "与第 4 行的用户名重复" in problems[(5, "用户名")]
    assert "已存在" in problems[(6, "用户名")]
    assert "必填" in problems[(7, "姓名")]
    assert "60" in problems[(8, "姓名")]
    assert "找不到单位" in problems[(9, "单位")]
    assert "组织代码" in problems[(10, "单位")]
    assert "必填" in problems[(11, "联系电话")]
    assert "格式不正确" in problems[(12, "联系电话")]
    assert "与第 13 行是同一位职工" in problems[(14, "姓名")]
    assert "已有账号“linked”" in problems[(15, "姓名")]
    assert len(problems) == 12
    for message in problems.values():
        assert "138000000" not in message and "13811112222" not in message
    assert counts(db) == before


def test_closed_units_take_no_accounts(
    db: Any, units: SimpleNamespace, make_user: Callable[..., Any]
) -> None:
    close_organization(make_user("admin"), units.other, "合并")
    db.session.commit()
    problems = refused(None, csv("a1,甲,西山纺织厂工会,13800000001"))
    assert "找不到单位" in problems[(2, "单位")]


def test_missing_unknown_and_repeated_columns_are_refused_before_the_rows(
    db: Any, units: SimpleNamespace
) -> None:
    problems = refused(None, csv("a1,甲,JSXY,13800000001,x", header="用户名,姓名,单位,电话,备注"))
    assert "缺少必填列" in problems[(1, "联系电话")]
    assert "无法识别的列" in problems[(1, "电话、备注")]


def test_an_empty_sheet_and_an_oversized_one_are_refused(
    db: Any, units: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "没有评委账号" in refused(None, csv())[(0, "")]
    monkeypatch.setattr(account_sheet, "MAX_ACCOUNTS", 2)
    rows = [f"u{i},甲{i},JSXY,1380000000{i}" for i in range(3)]
    assert "一次最多创建 2 个账号" in refused(None, csv(*rows))[(0, "")]
    assert counts(db)[0] == 0


def test_an_organizer_reaches_only_units_in_their_subtree(
    db: Any, units: SimpleNamespace, make_user: Callable[..., Any]
) -> None:
    organizer = make_user("organizer", organization=units.district)
    problems = refused(organizer, csv("a1,甲,西山纺织厂工会,13800000001"))
    assert "不在您管理的范围内" in problems[(2, "单位")]
    result = account_sheet.import_judges(organizer, csv("a2,乙,JSXY,13800000002"), "j.csv")
    assert result.created == 1


# ---------------------------------------------------------------- the pages


@pytest.mark.parametrize(
    ("role", "expected"),
    [(None, 302), ("admin", 200), ("organizer", 403), ("judge", 403), ("reviewer", 403)],
)
def test_only_admins_open_the_bulk_page_and_the_template(
    client: FlaskClient, db: Any, login_as: Callable[..., Any], role: str | None, expected: int
) -> None:
    if role:
        login_as(role)
    for path in ("/admin/users/import", "/admin/users/template.xlsx"):
        assert client.get(path).status_code == expected, path


def test_the_accounts_page_offers_bulk_judge_accounts(
    client: FlaskClient, login_as: Callable[..., Any]
) -> None:
    login_as("admin")
    html = client.get("/admin/users").get_data(as_text=True)
    assert "批量创建评委账号" in html and "/admin/users/import" in html


def test_the_templates_example_imports_and_the_slips_show_each_password_once(
    client: FlaskClient, db: Any, units: SimpleNamespace, login_as: Callable[..., Any]
) -> None:
    login_as("admin")
    template = client.get("/admin/users/template.xlsx")
    assert template.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    check_template(template.data)
    untouched = upload(client, template.data, "评委账号导入模板.xlsx")
    assert "文件中没有评委账号" in untouched.get_data(as_text=True)
    response = upload(client, example_upload(template.data), "评委账号导入模板.xlsx")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    html = response.get_data(as_text=True)
    passwords = SLIP_PASSWORD.findall(html)
    assert len(passwords) == 1
    judge = db.session.scalar(select(User).where(User.username == "zhangwei_jsxy"))
    assert verify_password(judge.password_hash, passwords[0])
    for text in ("职工技能竞赛与荣誉平台", "http://localhost/login", "张伟", "江州技师学院工会"):
        assert text in html
    assert "首次登录须修改密码" in html
    assert "13800138000" not in html
    listing = client.get("/admin/users").get_data(as_text=True)
    assert passwords[0] not in listing and "待改密" in listing


def test_a_refused_upload_lists_the_problems_and_creates_nothing(
    client: FlaskClient, db: Any, units: SimpleNamespace, login_as: Callable[..., Any]
) -> None:
    login_as("admin")
    before = counts(db)
    response = upload(client, csv("ok,甲,JSXY,13800000001", "bad,乙,不存在的厂,12345"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="import-errors"' in html
    assert "找不到单位" in html and "联系电话格式不正确" in html and "12345" not in html
    assert not SLIP_PASSWORD.search(html)
    assert counts(db) == before


def test_passwords_and_phones_stay_out_of_the_audit_trail_and_the_logs(
    client: FlaskClient,
    db: Any,
    units: SimpleNamespace,
    login_as: Callable[..., Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    login_as("admin")
    with caplog.at_level(logging.DEBUG):
        response = upload(client, csv("a1,甲,JSXY,13811112222", "a2,乙,JSXY,13933334444"))
    passwords = SLIP_PASSWORD.findall(response.get_data(as_text=True))
    assert len(passwords) == 2
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    actions = [e.action for e in entries]
    # the admin's own account and the two judges; each judge's person
    assert actions.count("user.create") == 3 and actions.count("person.create") == 2
    assert "user.import" in actions
    trail = json.dumps(
        [[e.before, e.after, e.reason] for e in entries], ensure_ascii=False, default=str
    )
    for secret in (*passwords, "13811112222", "13933334444", "11112222", "33334444"):
        assert secret not in trail
        assert secret not in caplog.text
    cookie = client.get_cookie("session")
    assert cookie is None or all(p not in cookie.value for p in passwords)


def test_an_admin_reset_can_issue_a_one_time_password_on_a_slip(
    client: FlaskClient, db: Any, make_user: Callable[..., Any], login_as: Callable[..., Any]
) -> None:
    judge = make_user("judge", username="judge_a")
    login_as("admin")
    assert "生成并打印密码条" in client.get(f"/admin/users/{judge.id}/password").text
    response = client.post(f"/admin/users/{judge.id}/one-time-password")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    (password,) = SLIP_PASSWORD.findall(response.get_data(as_text=True))
    db.session.expire_all()
    assert judge.must_change_password and verify_password(judge.password_hash, password)
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.password")).one()
    assert json.loads(entry.after or "{}") == {"must_change_password": True}


def test_a_typed_reset_requires_a_change_at_next_login_unless_unticked(
    client: FlaskClient, db: Any, make_user: Callable[..., Any], login_as: Callable[..., Any]
) -> None:
    judge = make_user("judge", username="judge_b")
    login_as("admin")
    url = f"/admin/users/{judge.id}/password"
    client.post(url, data={"password": "typed-by-admin-1", "must_change": "y"})
    db.session.expire_all()
    assert judge.must_change_password
    client.post(url, data={"password": "typed-by-admin-2"})
    db.session.expire_all()
    assert not judge.must_change_password
