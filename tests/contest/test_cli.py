"""The ``contest`` command line: names, exit codes and output shapes (DESIGN.md)."""

from __future__ import annotations

import contextvars
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from flask.testing import FlaskCliRunner
from sqlalchemy import create_engine, inspect, select, text

from contest.models import ApiToken, OrgKind, Role, User
from contest.security.passwords import verify_password


@pytest.fixture
def org(make_org: Callable[..., Any]) -> Any:
    return make_org(name="某某市总工会", kind=OrgKind.CITY)


def _create(runner: FlaskCliRunner, *args: str, password: str = "stdin-pass-123") -> Result:
    return runner.invoke(args=["user", "create", *args, "--password-stdin"], input=password + "\n")


# ---------------------------------------------------------------- user create


def test_user_create_makes_an_account_in_the_organisation(
    db: Any, runner: FlaskCliRunner, org: Any
) -> None:
    result = _create(runner, "liming", "--role", "organizer", "--org", str(org.id))
    assert result.exit_code == 0, result.output
    assert "created liming (organizer)" in result.output
    user = db.session.scalar(select(User).where(User.username == "liming"))
    assert (user.role, user.organization_id) == (Role.ORGANIZER, org.id)


def test_user_create_makes_a_care_account_and_knows_every_role(
    db: Any, runner: FlaskCliRunner, org: Any
) -> None:
    from contest.commands.user import ROLES

    result = _create(runner, "care1", "--role", "care", "--org", str(org.id))
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.username == "care1"))
    assert (user.role, user.organization_id) == (Role.CARE, org.id)
    assert sorted(ROLES) == sorted(role.value for role in Role)


def test_user_create_reads_the_password_from_stdin(
    db: Any, runner: FlaskCliRunner, org: Any
) -> None:
    _create(runner, "liming", "--role", "judge", "--org", str(org.id))
    user = db.session.scalar(select(User).where(User.username == "liming"))
    assert verify_password(user.password_hash, "stdin-pass-123")
    assert user.password_hash.startswith("$argon2id$")


def test_user_create_admin_needs_no_organisation(db: Any, runner: FlaskCliRunner) -> None:
    result = _create(runner, "root", "--role", "admin")
    assert result.exit_code == 0, result.output


def _assert_clean_failure(result: Result, message: str) -> None:
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_user_create_with_an_unknown_org_fails_cleanly(db: Any, runner: FlaskCliRunner) -> None:
    result = _create(runner, "liming", "--role", "organizer", "--org", "9999")
    _assert_clean_failure(result, "no organization with id 9999")
    assert db.session.scalar(select(User)) is None


def test_user_create_without_org_for_a_non_admin_fails_cleanly(
    db: Any, runner: FlaskCliRunner
) -> None:
    result = _create(runner, "liming", "--role", "judge")
    _assert_clean_failure(result, "必须属于一个组织")


def test_user_create_with_a_taken_username_fails_cleanly(
    db: Any, runner: FlaskCliRunner, org: Any, make_user: Callable[..., Any]
) -> None:
    make_user("judge", username="liming", organization=org)
    result = _create(runner, "liming", "--role", "organizer", "--org", str(org.id))
    _assert_clean_failure(result, "用户名“liming”已存在")
    assert db.session.scalar(select(User).where(User.username == "liming")).role is Role.JUDGE


def test_user_create_with_a_short_password_fails_cleanly(
    db: Any, runner: FlaskCliRunner, org: Any
) -> None:
    result = _create(runner, "liming", "--role", "admin", password="short")
    _assert_clean_failure(result, "密码至少需要 8 个字符")


def test_user_create_refuses_an_unknown_role(db: Any, runner: FlaskCliRunner) -> None:
    result = _create(runner, "liming", "--role", "superuser")
    assert result.exit_code == 2
    assert db.session.scalar(select(User)) is None


# ---------------------------------------------------------------- user list


@pytest.fixture
def accounts(make_user: Callable[..., Any], make_org: Callable[..., Any], org: Any) -> None:
    district = make_org(name="东城区总工会", kind=OrgKind.DISTRICT, parent=org)
    make_user("admin", username="admin1")
    make_user("organizer", username="org_city", organization=org)
    make_user("organizer", username="org_east", organization=district)
    make_user("judge", username="judge1", organization=district)


def test_user_list_json_has_the_documented_shape(runner: FlaskCliRunner, accounts: None) -> None:
    result = runner.invoke(args=["user", "list", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output) == [
        {"username": "admin1", "role": "admin", "organization": None},
        {"username": "judge1", "role": "judge", "organization": "东城区总工会"},
        {"username": "org_city", "role": "organizer", "organization": "某某市总工会"},
        {"username": "org_east", "role": "organizer", "organization": "东城区总工会"},
    ]


def test_user_list_json_keeps_chinese_readable(runner: FlaskCliRunner, accounts: None) -> None:
    assert "东城区总工会" in runner.invoke(args=["user", "list", "--json"]).output


def test_user_list_filters_by_role(runner: FlaskCliRunner, accounts: None) -> None:
    result = runner.invoke(args=["user", "list", "--role", "organizer", "--json"])
    assert [row["username"] for row in json.loads(result.output)] == ["org_city", "org_east"]


def test_user_list_json_of_no_accounts_is_an_empty_list(db: Any, runner: FlaskCliRunner) -> None:
    assert json.loads(runner.invoke(args=["user", "list", "--json"]).output) == []


def test_user_list_plain_shows_one_line_per_account(runner: FlaskCliRunner, accounts: None) -> None:
    lines = runner.invoke(args=["user", "list"]).output.strip().splitlines()
    assert len(lines) == 4
    assert lines[0].split() == ["admin1", "admin"]


# ---------------------------------------------------------------- token create


def test_token_create_prints_a_token_and_stores_its_hash(
    db: Any, runner: FlaskCliRunner, make_user: Callable[..., Any]
) -> None:
    user = make_user("judge", username="judge1")
    result = runner.invoke(args=["token", "create", "judge1"])
    assert result.exit_code == 0
    token = result.output.strip()
    assert token.startswith("ct_") and len(token) > 30
    row = db.session.scalar(select(ApiToken))
    assert row.user_id == user.id
    assert row.token_hash != token


def test_token_create_for_an_unknown_user_fails_cleanly(db: Any, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["token", "create", "ghost"])
    _assert_clean_failure(result, "用户 ghost 不存在")
    assert db.session.scalar(select(ApiToken)) is None


# ---------------------------------------------------------------- init


@pytest.fixture
def fresh_env(tmp_path: Path) -> dict[str, str | None]:
    """Environment for a ``contest`` process on a brand-new SQLite file."""
    return {
        "CONTEST_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh' / 'contest.db'}",
        "CONTEST_INSTANCE_PATH": str(tmp_path / "instance"),
        "CONTEST_SECRET_KEY": None,
        "CONTEST_DATA_KEY": None,
        "CONTEST_ARGON2_TIME_COST": "1",
        "CONTEST_ARGON2_MEMORY_KIB": "1024",
    }


def _contest(args: list[str], env: dict[str, str | None], stdin: str | None = None) -> Result:
    """Run the real ``contest`` entry point (it builds its app from the environment)."""
    from contest.cli import main

    # The command sets a context variable (write intent); keep it out of later tests.
    return contextvars.copy_context().run(CliRunner().invoke, main, args, stdin, env)


def _schema(url: str) -> tuple[set[str], str | None, int]:
    """Tables, Alembic revision and number of organisations of the database at ``url``."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
            orgs = conn.execute(text("SELECT count(*) FROM organizations")).scalar() or 0
            return set(inspect(conn).get_table_names()), version, orgs
    finally:
        engine.dispose()


def test_init_creates_the_schema_on_a_fresh_sqlite_file(fresh_env: dict[str, Any]) -> None:
    result = _contest(["init"], fresh_env)
    assert result.exit_code == 0, result.output
    tables, version, _ = _schema(fresh_env["CONTEST_DATABASE_URL"])
    assert {"organizations", "people", "users", "api_tokens", "audit_entries"} <= tables
    assert version


def test_init_writes_a_private_instance_secret_key(fresh_env: dict[str, Any]) -> None:
    _contest(["init"], fresh_env)
    key_file = Path(fresh_env["CONTEST_INSTANCE_PATH"]) / "secret_key"
    assert len(key_file.read_text().strip()) >= 32
    assert key_file.stat().st_mode & 0o077 == 0


def test_init_twice_keeps_the_schema_and_the_data(fresh_env: dict[str, Any]) -> None:
    url = fresh_env["CONTEST_DATABASE_URL"]
    assert _contest(["init"], fresh_env).exit_code == 0
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO organizations (name, kind, path, created_at, updated_at) "
                "VALUES ('某某市总工会', 'CITY', '/1/', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
    engine.dispose()
    before = _schema(url)
    second = _contest(["init"], fresh_env)
    assert second.exit_code == 0, second.output
    assert _schema(url) == before
    assert before[2] == 1


def test_init_then_user_create_works_end_to_end(fresh_env: dict[str, Any]) -> None:
    _contest(["init"], fresh_env)
    created = _contest(
        ["user", "create", "root", "--role", "admin", "--password-stdin"],
        fresh_env,
        stdin="long-enough-pass\n",
    )
    assert created.exit_code == 0, created.output
    listed = _contest(["user", "list", "--json"], fresh_env)
    assert json.loads(listed.output) == [
        {"username": "root", "role": "admin", "organization": None}
    ]


# ---------------------------------------------------------------- orgs, backup, restore


def _tree_file(path: Path, rows: list[list[str]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["组织名称", "类型", "上级工会", "组织代码"])
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_orgs_import_and_export_on_a_fresh_install(
    fresh_env: dict[str, Any], tmp_path: Path
) -> None:
    assert _contest(["init"], fresh_env).exit_code == 0
    tree = _tree_file(
        tmp_path / "tree.xlsx",
        [["江州市总工会", "市总工会", "", "JZ"], ["东湖区总工会", "区县总工会", "JZ", "JZ-01"]],
    )
    imported = _contest(["orgs", "import", str(tree)], fresh_env)
    assert imported.exit_code == 0, imported.output
    assert "2 个组织" in imported.output
    assert _schema(fresh_env["CONTEST_DATABASE_URL"])[2] == 2
    out = tmp_path / "out.csv"
    exported = _contest(["orgs", "export", str(out)], fresh_env)
    assert exported.exit_code == 0, exported.output
    assert "东湖区总工会" in out.read_text(encoding="utf-8-sig")


def test_orgs_import_refusal_prints_the_rows_and_exits_1(
    fresh_env: dict[str, Any], tmp_path: Path
) -> None:
    _contest(["init"], fresh_env)
    bad = _tree_file(
        tmp_path / "bad.xlsx", [["甲", "不知道", "", ""], ["乙", "基层工会", "无", ""]]
    )
    refused = _contest(["orgs", "import", str(bad)], fresh_env)
    assert refused.exit_code == 1
    assert "第 2 行 [类型]" in refused.output and "第 3 行 [上级工会]" in refused.output
    assert _schema(fresh_env["CONTEST_DATABASE_URL"])[2] == 0


def test_backup_then_restore_round_trips_and_refuses_overwrite_without_force(
    fresh_env: dict[str, Any], tmp_path: Path
) -> None:
    _contest(["init"], fresh_env)
    _contest(
        [
            "orgs",
            "import",
            str(_tree_file(tmp_path / "t.xlsx", [["江州市总工会", "市总工会", "", "JZ"]])),
        ],
        fresh_env,
    )
    backup = tmp_path / "backup.zip"
    made = _contest(["backup", str(backup)], fresh_env)
    assert made.exit_code == 0, made.output
    assert "CONTEST_DATA_KEY" in made.output
    refused = _contest(["restore", str(backup)], fresh_env)
    assert refused.exit_code != 0 and "--force" in refused.output
    other = dict(fresh_env, CONTEST_DATABASE_URL=f"sqlite:///{tmp_path / 'other.db'}")
    restored = _contest(["restore", str(backup)], other)
    assert restored.exit_code == 0, restored.output
    assert _schema(other["CONTEST_DATABASE_URL"])[2] == 1
    verified = _contest(["audit", "verify"], other)
    assert verified.exit_code == 0 and "chain intact" in verified.output
