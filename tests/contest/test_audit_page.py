"""审计日志 for people who are not programmers: sentences, filters, before/after, pages, the
.xlsx export, the vocabulary covering every audited action, and the hash chain left intact."""

from __future__ import annotations

import ast
import io
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import event, func, select

import contest
from contest.models import AuditEntry, Honor, HonorLevel, RecipientKind
from contest.services.core import audit, audit_log
from contest.services.core.audit_log import EXPORT_HEADERS, AuditFilter
from contest.services.core.audit_words import ACTION_GROUPS, TARGET_NOUNS, action_phrase
from contest.services.skills import appeals, judging, registration

FULL = {"T1": 88, "P1": "35.5", "P2": 2, "P3": 3}
NON_ADMIN_ROLES = ["organizer", "judge", "recommender", "reviewer"]


def _page(client: FlaskClient, **args: object) -> str:
    response = client.get("/admin/audit", query_string=args)
    assert response.status_code == 200
    return str(response.get_data(as_text=True))


def _sentences(body: str) -> list[str]:
    return re.findall(r'<p class="audit-sentence">(.*?)</p>', body)


def _export(client: FlaskClient, **args: object) -> list[tuple[Any, ...]]:
    response = client.post("/admin/audit/export", query_string=args)
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return list(load_workbook(io.BytesIO(response.data)).active.values)


def _submit(db: Any, judge: Any, entry: Any) -> Any:
    sheet = judging.save_sheet(judge, entry, FULL, submit=True, expected_version=None)
    db.session.commit()
    return sheet


def _count(db: Any, *where: Any) -> int:
    return db.session.scalar(select(func.count(AuditEntry.id)).where(*where)) or 0


# ---------------------------------------------------------------- sentences


def test_a_submitted_sheet_reads_as_judge_name_verb_and_entrant_code(
    db: Any, make_contest: Callable[..., Any], login_as: Callable[..., Any], client: FlaskClient
) -> None:
    c = make_contest()
    judge = c.judges[1]
    judge.display_name = "李国栋"
    db.session.commit()
    _submit(db, judge, c.entries[0])
    login_as("admin")
    body = _page(client)
    assert "评委 李国栋 提交了评分表 A-01" in _sentences(body)
    assert "江州市数控技能大赛 · 数控车工（职工组）" in body
    rows = body[body.index("<tbody>") :]
    assert "sheet.submit" not in rows and "score_sheet" not in rows


def test_the_before_and_after_are_labelled_fields_with_changes_marked(
    db: Any, make_contest: Callable[..., Any], login_as: Callable[..., Any], client: FlaskClient
) -> None:
    c = make_contest()
    judging.save_sheet(c.judges[1], c.entries[0], {"T1": 80}, submit=False, expected_version=0)
    db.session.commit()
    _submit(db, c.judges[1], c.entries[0])
    login_as("admin")
    body = _page(client, what="sheet.submit")
    diff = body[body.index('<details class="audit-diff">') :]
    assert "变更前" in diff and "变更后" in diff
    status = re.search(r'<tr class="changed">\s*<th scope="row">状态</th>(.*?)</tr>', diff, re.S)
    assert status and "草稿" in status.group(1) and "已提交" in status.group(1)
    assert re.search(r'<tr class="changed">\s*<th scope="row">分数 T1</th>', diff)


def test_names_come_from_the_objects_and_ids_in_snapshots_are_named_too(
    db: Any, make_contest: Callable[..., Any], login_as: Callable[..., Any], client: FlaskClient
) -> None:
    c = make_contest()
    entry = c.entries[1]
    registration.withdraw_entry(c.organizer, entry, "缺考")
    db.session.commit()
    login_as("admin")
    body = _page(client, what="entry.withdraw")
    assert _sentences(body) == [
        f"组织者 {c.organizer.name} 为选手 A-02 {entry.person.name} 办理了退赛"
    ]
    # organization_id and person_id of the snapshot are shown by name
    assert entry.organization.name in body and f"<td>{entry.person.name}</td>" in body
    assert "缺考" in body


def test_the_system_unknown_actions_and_vanished_objects_never_fail(
    db: Any, login_as: Callable[..., Any], client: FlaskClient
) -> None:
    audit.record(None, "thing.update", "gadget", 7, after={"v": 1})
    audit.record(None, "event.delete", "event", 999, before={"code": "Z"})
    db.session.commit()
    login_as("admin")
    sentences = _sentences(_page(client))
    assert "系统 删除了赛项 #999" in sentences
    assert "系统 thing.update gadget #7" in sentences


def test_an_account_deleted_since_is_shown_by_its_stored_user_name_even_if_its_id_is_reused(
    db: Any, make_user: Callable[..., Any], login_as: Callable[..., Any], client: FlaskClient
) -> None:
    gone = make_user("organizer", username="temp_clerk")
    audit.record(gone, "honors.export", "honor", after={"rows": 1})
    db.session.delete(gone)
    db.session.commit()
    login_as("admin")
    assert "temp_clerk 导出了荣誉名录" in _sentences(_page(client, what="honors.export"))


def test_personal_numbers_never_show_on_the_page_or_in_the_export(
    db: Any,
    make_person: Callable[..., Any],
    make_id_number: Callable[..., str],
    login_as: Callable[..., Any],
    client: FlaskClient,
) -> None:
    number, phone = make_id_number("32058219780614", "517"), "13705172468"
    make_person(name="周八", id_number=number, phone=phone)
    login_as("admin")
    body = _page(client, what="group:people")
    assert "登记了职工 周八" in body and "已登记身份证号" in body
    text = "\n".join(str(v) for row in _export(client, what="group:people") for v in row)
    assert "登记了职工" in text and "已登记身份证号：是" in text
    for fragment in (number, number[:14], number[6:], phone, phone[-8:]):
        assert fragment not in body and fragment not in text


def test_a_page_names_its_objects_in_a_few_queries_however_many_entries(
    db: Any, make_contest: Callable[..., Any]
) -> None:
    c = make_contest(entries=10, judges=4)
    for judge in c.judges[1:]:
        for entry in c.entries:
            _submit(db, judge, entry)
    registration.withdraw_entry(c.organizer, c.entries[5], "缺考")
    db.session.commit()
    assert _count(db) >= 50

    def queries(per_page: int) -> int:
        seen = []

        def count(*_args: object, **_kwargs: object) -> None:
            seen.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            page = audit_log.read_page(AuditFilter(), 1, per_page)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        assert len(page.rows) == per_page
        return len(seen)

    kinds = {row.entry.target_type for row in audit_log.read_page(AuditFilter(), 1, 40).rows}
    assert {"score_sheet", "entry", "person", "user"} <= kinds
    assert queries(50) <= 12
    assert queries(50) == queries(40)


# ---------------------------------------------------------------- filters


@pytest.fixture
def two_contests(db: Any, make_contest: Callable[..., Any]) -> Iterator[Any]:
    """Contest A with a submitted sheet, a withdrawal and an appeal; contest B with a sheet."""
    a = make_contest(name="甲大赛")
    b = make_contest(name="乙大赛")
    _submit(db, a.judges[1], a.entries[0])
    registration.withdraw_entry(a.organizer, a.entries[3], "缺考")
    a.event.ended_at = datetime.now(UTC) - timedelta(hours=1)
    db.session.commit()
    appeals.record_appeal(a.organizer, a.event, entry_code="A-02", appellant="领队", content="有误")
    audit.record(a.organizer, "contest.update", "contest", a.contest.id, after={"name": "甲大赛"})
    db.session.commit()
    _submit(db, b.judges[1], b.entries[0])
    yield a, b


def test_the_contest_filter_keeps_what_belongs_to_that_contest(
    two_contests: Any, login_as: Callable[..., Any], client: FlaskClient
) -> None:
    a, b = two_contests
    login_as("admin")
    sentences = _sentences(_page(client, contest_id=a.contest.id))
    assert sorted(s.split(" ", 2)[2] for s in sentences) == sorted(
        [
            "提交了评分表 A-01",
            f"为选手 A-04 {a.entries[3].person.name} 办理了退赛",
            "登记了申诉 A-02",
            "修改了大赛 甲大赛 的信息",
        ]
    )
    assert [s.split(" ", 2)[2] for s in _sentences(_page(client, contest_id=b.contest.id))] == [
        "提交了评分表 A-01"
    ]


def test_the_what_filter_takes_one_action_or_a_group(
    two_contests: Any, login_as: Callable[..., Any], client: FlaskClient
) -> None:
    login_as("admin")
    assert len(_sentences(_page(client, what="sheet.submit"))) == 2
    review = _sentences(_page(client, what="group:review"))
    assert [s.split(" ", 2)[2] for s in review] == ["登记了申诉 A-02"]
    accounts = _sentences(_page(client, what="group:accounts"))
    assert accounts and all("创建了账号" in s for s in accounts)


def test_the_who_filter_matches_user_names_display_names_and_the_system(
    db: Any, two_contests: Any, login_as: Callable[..., Any], client: FlaskClient
) -> None:
    a, _b = two_contests
    a.organizer.display_name = "周建华"
    db.session.commit()
    login_as("admin")
    by_display = _sentences(_page(client, who="建华"))
    by_username = _sentences(_page(client, who=a.organizer.username))
    assert by_display == by_username and len(by_display) == 3
    assert all(s.startswith("组织者 周建华 ") for s in by_display)
    system = _sentences(_page(client, who="系统"))
    assert system and all(s.startswith("系统 ") for s in system)
    assert _sentences(_page(client, who="%")) == []  # a wildcard is a plain character


def test_the_date_filter_uses_the_local_day(
    db: Any, monkeypatch: pytest.MonkeyPatch, login_as: Callable[..., Any], client: FlaskClient
) -> None:
    # 15:59 UTC is 23:59 on 1 May in Beijing; 16:00 UTC is already 2 May there.
    for minute, name in ((59, "五月一日"), (60, "五月二日")):
        moment = datetime(2026, 5, 1, 15, 0, tzinfo=UTC) + timedelta(minutes=minute)
        monkeypatch.setattr(audit, "utcnow", lambda moment=moment: moment)
        audit.record(None, "contest.create", "contest", None, after={"name": name})
    db.session.commit()
    monkeypatch.undo()
    login_as("admin")

    def names(**args: object) -> list[str]:
        body = _page(client, what="contest.create", **args)
        return re.findall(r"<td>(五月.日)</td>", body)

    assert names(date_from="2026-05-02", date_to="2026-05-02") == ["五月二日"]
    assert names(date_to="2026-05-01") == ["五月一日"]
    assert names(date_from="2026-05-01") == ["五月二日", "五月一日"]
    assert names(date_from="2026-05-03") == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"date_from": "2026-13-01"}, "请按“年-月-日”填写日期"),
        ({"date_to": "昨天"}, "请按“年-月-日”填写日期"),
        ({"date_from": "0001-01-01"}, "日期应在 1900 年至 2999 年之间"),
        ({"date_from": "2026-05-02", "date_to": "2026-05-01"}, "截止日期不能早于起始日期"),
        ({"what": "drop.table"}, "请从列表中选择操作"),
        ({"contest_id": "abc"}, "请从列表中选择大赛"),
        ({"contest_id": "99999"}, "请从列表中选择大赛"),
        ({"who": "x" * 65}, "操作人不能超过 64 个字符"),
    ],
)
def test_bad_filters_get_the_page_with_a_message_and_no_entries(
    db: Any,
    login_as: Callable[..., Any],
    client: FlaskClient,
    args: dict[str, str],
    message: str,
) -> None:
    login_as("admin")
    body = _page(client, **args)
    assert message in body
    assert "筛选条件有误" in body and _sentences(body) == []


def test_pages_are_numbered_and_keep_the_filters(
    db: Any, login_as: Callable[..., Any], client: FlaskClient
) -> None:
    for n in range(120):
        audit.record(None, "honors.export", "honor", after={"rows": n})
    db.session.commit()
    login_as("admin")
    first = _page(client, what="honors.export")
    assert len(_sentences(first)) == 50
    assert "第 1 / 3 页，共 120 条" in first
    assert 'href="/admin/audit?page=3&amp;what=honors.export"' in first
    last = _page(client, what="honors.export", page=3)
    assert len(_sentences(last)) == 20 and '<span aria-current="page">3</span>' in last
    assert "<td>0</td>" in last  # the oldest entry is last


# ---------------------------------------------------------------- export


def test_the_export_has_every_filtered_entry_in_the_columns_asked_for(
    db: Any, two_contests: Any, login_as: Callable[..., Any], client: FlaskClient
) -> None:
    a, _b = two_contests
    for n in range(60):  # more than a page
        audit.record(a.organizer, "contest.update", "contest", a.contest.id, after={"year": n})
    db.session.commit()
    login_as("admin")
    rows = _export(client, contest_id=a.contest.id)
    assert rows[0] == EXPORT_HEADERS
    assert len(rows) == 1 + 64
    ids = [r[0] for r in rows[1:]]
    assert ids == sorted(ids, reverse=True)
    submit = next(r for r in rows[1:] if r[3] == "提交了评分表")
    assert submit[2] == f"评委 {a.judges[1].name}"
    assert submit[4] == "评分表 A-01（甲大赛 · 数控车工（职工组））"
    assert "状态：已提交" in submit[7] and "分数 T1：88" in submit[7]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", submit[1])
    entry = db.session.get(AuditEntry, submit[0])
    assert submit[8] == entry.hash
    withdrawal = next(r for r in rows[1:] if r[3] == "为选手办理了退赛")
    assert withdrawal[5] == "缺考"


def test_text_that_excel_would_run_is_exported_as_text(
    db: Any, login_as: Callable[..., Any], client: FlaskClient
) -> None:
    audit.record(None, "honors.export", "honor", after={"rows": 1}, reason='=HYPERLINK("x")')
    db.session.commit()
    login_as("admin")
    row = _export(client, what="honors.export")[1]
    assert row[5] == '\'=HYPERLINK("x")'


def test_the_export_is_audited_and_the_chain_still_verifies(
    db: Any, two_contests: Any, login_as: Callable[..., Any], client: FlaskClient
) -> None:
    login_as("admin")
    before = _count(db)
    _page(client)
    _page(client, what="group:scoring", page=2)
    assert _count(db) == before  # reading writes nothing
    _export(client, what="group:scoring")
    assert _count(db) == before + 1
    last = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert last.action == "audit.export" and '"what": "group:scoring"' in (last.after or "")
    report = audit.verify_chain()
    assert report.ok and report.checked == before + 1
    assert "哈希链完整" in _page(client, verify=1)


def test_an_export_with_bad_filters_goes_back_to_the_page(
    db: Any, login_as: Callable[..., Any], client: FlaskClient
) -> None:
    login_as("admin")
    before = _count(db)
    response = client.post("/admin/audit/export", query_string={"date_from": "2026-02-30"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/audit?date_from=2026-02-30")
    assert _count(db) == before
    assert "请按“年-月-日”填写日期" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )


# ---------------------------------------------------------------- access


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
@pytest.mark.parametrize(
    ("method", "url"), [("get", "/admin/audit"), ("post", "/admin/audit/export")]
)
def test_non_admins_get_403(
    login_as: Callable[..., Any], client: FlaskClient, role: str, method: str, url: str
) -> None:
    login_as(role)
    assert getattr(client, method)(url).status_code == 403


def test_anonymous_is_sent_to_login(client: FlaskClient, db: Any) -> None:
    assert client.get("/admin/audit").status_code == 302
    assert client.post("/admin/audit/export").status_code in (302, 400)


# ---------------------------------------------------------------- the vocabulary


def _audit_aliases(tree: ast.Module) -> set[str]:
    """Names under which a module reaches ``contest.services.core.audit``."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "contest.services.core":
            names |= {a.asname or a.name for a in node.names if a.name == "audit"}
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name == "contest.services.core.audit" and a.asname:
                    names.add(a.asname)
    return names


def _constants(node: ast.expr) -> list[str] | None:
    """The strings an expression can be: a literal, or either branch of ``x if c else y``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, orelse = _constants(node.body), _constants(node.orelse)
        return None if body is None or orelse is None else body + orelse
    return None


def _module_constant(tree: ast.Module, name: str) -> list[str] | None:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return _constants(node.value)
    return None


def _parameter_values(
    trees: dict[Path, ast.Module], tree: ast.Module, call: ast.Call, name: str
) -> list[str] | None:
    """A parameter's default and every literal passed for it, by keyword or by position, code
    base wide (a service's own recording helper, e.g. ``audited(actor, "x.y", "kind", id)``)."""
    function = next(
        (
            f
            for f in ast.walk(tree)
            if isinstance(f, ast.FunctionDef)
            and f.lineno <= call.lineno <= (f.end_lineno or f.lineno)
        ),
        None,
    )
    if function is None:
        return None
    args = function.args
    positional = [a.arg for a in args.posonlyargs + args.args]
    defaults = dict(
        zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True)
    )
    defaults |= {a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d}
    values = _constants(defaults[name]) if name in defaults else []
    if values is None:
        return None
    # A private helper (``_record``) is called from its own module only, and several modules
    # have one of that name with other parameters: look at its own module's calls then.
    scope = [tree] if function.name.startswith("_") else list(trees.values())
    calls = (n for t in scope for n in ast.walk(t) if isinstance(n, ast.Call))
    for node in calls:
        called_name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if called_name == function.name:
            index = positional.index(name) if name in positional else None
            if index is not None and len(node.args) > index:
                passed = _constants(node.args[index])
                if passed is None:
                    return None
                values += passed
            for keyword in node.keywords:
                if keyword.arg == name:
                    passed = _constants(keyword.value)
                    if passed is None:
                        return None
                    values += passed
    return values


def recorded_actions() -> dict[str, set[str]]:
    """Every action an ``audit.record(`` call of the code base can write, with the target
    types written beside it (``"?"`` where the target type is not a literal)."""
    root = Path(contest.__file__).parent
    trees = {p: ast.parse(p.read_text(encoding="utf-8")) for p in sorted(root.rglob("*.py"))}
    found: dict[str, set[str]] = {}
    for path, tree in trees.items():
        aliases = _audit_aliases(tree)
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id in aliases
            ):
                continue
            where = f"{path.relative_to(root.parent)}:{node.lineno}"
            assert len(node.args) >= 3, f"{where}: audit.record without action and target type"
            action, target = node.args[1], node.args[2]
            actions = _constants(action)
            if actions is None and isinstance(action, ast.Name):
                actions = _module_constant(tree, action.id) or _parameter_values(
                    trees, tree, node, action.id
                )
            assert actions, f"{where}: cannot tell which action {ast.unparse(action)} is"
            targets = _constants(target) or ["?"]
            for name in actions:
                found.setdefault(name, set()).update(targets)
    return found


def test_every_audited_action_in_the_code_base_is_described() -> None:
    actions = recorded_actions()
    assert len(actions) > 50  # the scan really found the calls
    assert {"sheet.submit", "rubric.template.apply", "recheck.build"} <= set(actions)
    missing = sorted(a for a in actions if action_phrase(a) is None)
    assert not missing, f"add these to contest/services/core/audit_words.py: {missing}"


def test_each_description_names_the_target_type_the_code_writes() -> None:
    described = {a: spec[0] for g in ACTION_GROUPS.values() for a, spec in g.actions.items()}
    for action, targets in recorded_actions().items():
        assert targets <= {described.get(action), "?"}, action
    assert set(described.values()) <= set(TARGET_NOUNS)


def test_every_described_action_renders(
    db: Any, make_contest: Callable[..., Any], login_as: Callable[..., Any], client: FlaskClient
) -> None:
    c = make_contest()
    honor = Honor(
        recipient_kind=RecipientKind.PERSON,
        recipient_name="王五",
        title="劳动模范",
        level=HonorLevel.CITY,
        level_rank=3,
        year=2020,
    )
    db.session.add(honor)
    db.session.flush()
    ids = {"contest": c.contest.id, "event": c.event.id, "entry": c.entries[0].id}
    ids |= {"honor": honor.id, "user": c.organizer.id, "organization": c.host.id}
    for group in ACTION_GROUPS.values():
        for action, (target, _phrase) in group.actions.items():
            audit.record(c.organizer, action, target, ids.get(target, 1), after={"x": 1})
    db.session.commit()
    login_as("admin")
    count = sum(len(group.actions) for group in ACTION_GROUPS.values())
    pages = range(1, count // 50 + 2)  # every page of the trail (50 a page)
    sentences = [s for page in pages for s in _sentences(_page(client, page=page))]
    assert f"组织者 {c.organizer.name} 登记了荣誉 王五「劳动模范」" in sentences
    assert not [s for s in sentences if "%(" in s or "." in s.split(" ")[2]]
