"""The core model: the union tree, people's encrypted numbers, accounts, and the migrations."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import JSON, bindparam, exc, inspect, select, text

from contest.models import OrgKind, Person, Role, User
from contest.services.core.users import AccountError, create_user
from tests.contest.results_fixtures import ready_contest_fixture  # noqa: F401

# ---------------------------------------------------------------- organisation tree


@pytest.fixture
def tree(make_org: Callable[..., Any]) -> dict[str, Any]:
    city = make_org(name="某某市总工会", kind=OrgKind.CITY)
    district = make_org(name="东城区总工会", kind=OrgKind.DISTRICT, parent=city)
    factory = make_org(name="机床厂工会", kind=OrgKind.GRASSROOTS, parent=district)
    other = make_org(name="西城区总工会", kind=OrgKind.DISTRICT, parent=city)
    return {"city": city, "district": district, "factory": factory, "other": other}


def test_org_path_lists_the_ids_from_the_root(tree: dict[str, Any]) -> None:
    city, district, factory = tree["city"], tree["district"], tree["factory"]
    assert city.path == f"/{city.id}/"
    assert factory.path == f"/{city.id}/{district.id}/{factory.id}/"
    assert factory.depth == 2


def test_org_contains_itself_and_everything_below(tree: dict[str, Any]) -> None:
    assert tree["city"].contains(tree["city"])
    assert tree["city"].contains(tree["factory"])
    assert tree["district"].contains(tree["factory"])


def test_org_does_not_contain_its_parent_or_siblings(tree: dict[str, Any]) -> None:
    assert not tree["district"].contains(tree["city"])
    assert not tree["district"].contains(tree["other"])
    assert not tree["district"].contains(None)


def test_org_does_not_contain_an_org_whose_id_merely_starts_with_the_same_digits(
    make_org: Callable[..., Any],
) -> None:
    first = make_org(name="一号")
    lookalike = make_org(name="二号")
    while not str(lookalike.id).startswith(str(first.id)) or lookalike.id == first.id:
        lookalike = make_org(name=f"单位{lookalike.id}")
    assert not first.contains(lookalike)


def test_subtree_query_selects_this_org_and_its_descendants(db: Any, tree: dict[str, Any]) -> None:
    ids = set(db.session.scalars(tree["district"].subtree_ids_query()))
    assert ids == {tree["district"].id, tree["factory"].id}


def test_ancestors_run_from_the_root_to_the_org(tree: dict[str, Any]) -> None:
    assert [o.name for o in tree["factory"].ancestors()] == [
        "某某市总工会",
        "东城区总工会",
        "机床厂工会",
    ]


# ---------------------------------------------------------------- people


ID_NUMBER_BASE = "44030619851122"
PHONE = "13823456789"


@pytest.fixture
def id_number(make_id_number: Callable[..., str]) -> str:
    return make_id_number(ID_NUMBER_BASE, "357")


@pytest.fixture
def person(make_person: Callable[..., Any], id_number: str) -> Any:
    return make_person(name="李四", id_number=id_number, phone=PHONE)


def _raw_row(db: Any, person_id: int) -> dict[str, Any]:
    db.session.expire_all()
    row = db.session.execute(
        text("SELECT * FROM people WHERE id = :id"), {"id": person_id}
    ).mappings()
    return dict(row.one())


def test_id_number_and_phone_are_stored_encrypted(db: Any, person: Any, id_number: str) -> None:
    raw = _raw_row(db, person.id)
    assert raw["id_number_encrypted"] and raw["phone_encrypted"]
    for value in raw.values():
        stored = bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
        assert id_number.encode() not in stored
        assert PHONE.encode() not in stored


def test_id_number_index_is_keyed_not_a_plain_digest(db: Any, person: Any, id_number: str) -> None:
    raw = _raw_row(db, person.id)
    assert raw["id_number_hash"] not in {
        hashlib.sha256(id_number.encode()).hexdigest(),
        hashlib.md5(id_number.encode()).hexdigest(),
    }


def test_reveal_returns_the_plain_numbers(db: Any, person: Any, id_number: str) -> None:
    db.session.expire_all()
    stored = db.session.get(Person, person.id)
    assert stored.reveal_id_number() == id_number
    assert stored.reveal_phone() == PHONE


def test_masked_numbers_keep_only_the_ends(person: Any, id_number: str) -> None:
    assert person.masked_id_number == id_number[:6] + "********" + id_number[-4:]
    assert person.masked_phone == "138****6789"


def test_reveal_under_a_different_key_returns_none(
    app: Any, db: Any, person: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "DATA_KEY", "a-rotated-key")
    assert person.reveal_id_number() is None
    assert person.reveal_phone() is None
    assert person.masked_id_number == ""


def test_id_number_blind_index_is_unique_in_the_database(
    db: Any, person: Any, id_number: str
) -> None:
    twin = Person(name="王五")
    twin.set_id_number(id_number)
    db.session.add(twin)
    with pytest.raises(exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_blind_index_ignores_case_of_the_check_letter(app: Any, db: Any) -> None:
    from contest.security.crypto import blind_index

    assert blind_index("11010519491231002x") == blind_index("11010519491231002X")


# ---------------------------------------------------------------- accounts


def test_usernames_are_unique_in_the_database(db: Any, make_user: Callable[..., Any]) -> None:
    make_user("organizer", username="zhangsan")
    db.session.add(User(username="zhangsan", password_hash="x", role=Role.JUDGE))
    with pytest.raises(exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_creating_a_duplicate_username_is_refused(db: Any, make_user: Callable[..., Any]) -> None:
    make_user("admin", username="zhangsan")
    with pytest.raises(AccountError, match="已存在"):
        create_user(None, "zhangsan", "another-pass-1", Role.ADMIN)
    db.session.rollback()
    assert db.session.scalar(select(User).where(User.username == "zhangsan")).role is Role.ADMIN


def test_non_admin_accounts_must_belong_to_an_organisation(db: Any) -> None:
    with pytest.raises(AccountError):
        create_user(None, "lonely", "long-enough-1", Role.ORGANIZER, None)


def test_user_manages_only_its_own_subtree(
    make_user: Callable[..., Any], tree: dict[str, Any]
) -> None:
    organizer = make_user("organizer", organization=tree["district"])
    assert organizer.can_manage_org(tree["factory"])
    assert not organizer.can_manage_org(tree["city"])
    assert not organizer.can_manage_org(tree["other"])


# ---------------------------------------------------------------- migrations


@contextmanager
def _emptied(db: Any) -> Iterator[Any]:
    """The test database emptied of every table for the migrations to build, and the models'
    schema put back afterwards, whatever revision a failure left it at."""
    db.session.remove()
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    try:
        yield db
    finally:
        db.session.remove()
        db.drop_all()  # an older revision's tables would not be altered by create_all
        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()  # leave the schema the other tests expect, whatever happened


@pytest.fixture
def migrated_db(db: Any) -> Iterator[Any]:
    """The test database emptied of every table, then built by the Alembic migrations."""
    from flask_migrate import upgrade

    with _emptied(db):
        upgrade()
        yield db


def test_migrations_build_exactly_the_models_schema(migrated_db: Any) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with migrated_db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, migrated_db.metadata)
    assert differences == []


def test_migrations_record_the_head_revision(migrated_db: Any) -> None:
    from alembic.script import ScriptDirectory
    from flask import current_app

    config = current_app.extensions["migrate"].migrate.get_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    with migrated_db.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head
        assert "people" in inspect(conn).get_table_names()


def test_a_downgrade_and_upgrade_keep_every_row(migrated_db: Any, ready_contest: Any) -> None:
    """SQLite rebuilds a table to alter it; with foreign keys on, dropping the old ``events``
    cascaded to every entry, sheet and mark. A round trip through 0009 must lose nothing."""
    from flask_migrate import downgrade, upgrade

    ready_contest(entries=4)
    migrated_db.session.commit()
    tables = ("entries", "score_sheets", "marks", "assignments", "panel_members", "events")

    def counts() -> dict[str, int]:
        with migrated_db.engine.connect() as conn:
            return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in tables}

    before = counts()
    assert before["entries"] == 4 and before["marks"] > 0
    migrated_db.session.remove()
    downgrade(revision="8c1d2e3f4a50")  # below 0009, which rebuilds events, entries …
    assert counts() == before
    upgrade()
    assert counts() == before


# Skills data as revision 0010 (a0b1c2d3e4f5) stored it, before the one assessment engine.
BEFORE_0011 = "a0b1c2d3e4f5"
_AT = "2026-05-01 08:00:00"
_OLD_SKILLS_ROWS = [
    "INSERT INTO organizations (id, name, kind, path, is_key_industry, created_at, updated_at)"
    f" VALUES (1, '江州市总工会', 'CITY', '/1/', :false, '{_AT}', '{_AT}')",
    "INSERT INTO users (id, username, password_hash, role, organization_id, is_enabled,"
    " must_change_password, created_at, updated_at)"
    f" VALUES (1, 'judge_old', 'x', 'JUDGE', 1, :true, :false, '{_AT}', '{_AT}')",
    "INSERT INTO people (id, name, consent_photo, consent_deeds, created_at, updated_at)"
    f" VALUES (1, '李工', :false, :false, '{_AT}', '{_AT}')",
    "INSERT INTO contests (id, name, level, year, organization_id, status, appeal_window_hours,"
    f" created_at, updated_at) VALUES (1, '职工技能大赛', 'CITY', 2026, 1, 'JUDGING', 2,"
    f" '{_AT}', '{_AT}')",
    'INSERT INTO events (id, contest_id, code, occupation, "group", position, policy,'
    " created_at, updated_at)"
    f" VALUES (1, 1, 'E01', '电工', 'WORKER', 0, :policy, '{_AT}', '{_AT}')",
    "INSERT INTO entries (id, contest_id, event_id, person_id, organization_id, status,"
    f" created_at, updated_at) VALUES (1, 1, 1, 1, 1, 'REGISTERED', '{_AT}', '{_AT}')",
    "INSERT INTO components (id, event_id, key, name, weight, max_score, position)"
    " VALUES (1, 1, 'practical', '实操', 100, 100, 0)",
    "INSERT INTO rubric_criteria (id, component_id, name, position) VALUES (1, 1, '接线', 0)",
    "INSERT INTO aspects (id, criterion_id, event_id, key, name, kind, max_points, step,"
    " descriptors, position) VALUES"
    " (1, 1, 1, 'A1', '接线正确', 'MEASUREMENT', 60, 0.5, :descriptors, 0),"
    " (2, 1, 1, 'A2', '工艺规范', 'JUDGEMENT', 40, 1, :descriptors, 1)",
    "INSERT INTO score_sheets (id, event_id, entry_id, user_id, status, version,"
    f" created_at, updated_at) VALUES (1, 1, 1, 1, 'SUBMITTED', 3, '{_AT}', '{_AT}')",
    "INSERT INTO marks (id, sheet_id, aspect_id, value) VALUES (1, 1, 1, 55.5), (2, 1, 2, 36)",
]


def test_migration_0011_carries_a_skills_sheet_onto_the_one_engine(db: Any) -> None:
    """A database at 0010 with a skills event's rubric, a submitted sheet and its marks,
    written by SQL in that revision's schema, upgraded to head: the sheet is an assessor's
    sheet of the same event and entry with the same marks, the rubric still belongs to the
    event, and the check constraints of one owner and one subject are in place."""
    from flask_migrate import upgrade

    with _emptied(db):
        upgrade(revision=BEFORE_0011)
        with db.engine.begin() as conn:
            values = {"true": True, "false": False, "policy": {}, "descriptors": []}
            for statement in _OLD_SKILLS_ROWS:
                used = {k: v for k, v in values.items() if f":{k}" in statement}
                query = text(statement).bindparams(
                    *(bindparam(k, type_=JSON) for k in ("policy", "descriptors") if k in used)
                )
                conn.execute(query, used)
        upgrade()
        with db.engine.connect() as conn:
            sheet = conn.execute(
                text(
                    "SELECT event_id, entry_id, user_id, role, round_id, participant_id, status,"
                    " version FROM score_sheets"
                )
            ).one()
            assert tuple(sheet) == (1, 1, 1, "ASSESSOR", None, None, "SUBMITTED", 3)
            marks = conn.execute(
                text("SELECT sheet_id, aspect_id, value FROM marks ORDER BY id")
            ).all()
            assert [(s, a, float(v)) for s, a, v in marks] == [(1, 1, 55.5), (1, 2, 36.0)]
            owners = conn.execute(
                text(
                    "SELECT 'component', event_id, competition_id FROM components"
                    " UNION ALL SELECT 'aspect', event_id, competition_id FROM aspects"
                )
            ).all()
            assert sorted(tuple(o) for o in owners) == [
                ("aspect", 1, None),
                ("aspect", 1, None),
                ("component", 1, None),
            ]
            checks = {
                table: {c["name"] for c in inspect(conn).get_check_constraints(table)}
                for table in ("score_sheets", "components", "aspects")
            }
        assert any(n and n.endswith("one_subject") for n in checks["score_sheets"]), checks
        assert any(n and n.endswith("one_owner") for n in checks["components"]), checks
        assert any(n and n.endswith("one_owner") for n in checks["aspects"]), checks
        # and they hold: a sheet about nothing, an aspect of no one, are refused, while the
        # same rows with an owner and a subject are taken (the refusal is the check's)
        sheet = (
            "INSERT INTO score_sheets (id, user_id, status, version, role, created_at,"
            f" updated_at{{cols}}) VALUES (9, 1, 'DRAFT', 1, 'ASSESSOR', '{_AT}', '{_AT}'{{vals}})"
        )
        aspect = (
            "INSERT INTO aspects (id, criterion_id, key, name, kind, max_points, step,"
            " descriptors, position{cols}) VALUES (9, 1, 'X', '无主', 'MEASUREMENT', 1, 1, '[]',"
            " 9{vals})"
        )
        for statement in (sheet, aspect):
            with pytest.raises(exc.IntegrityError), db.engine.begin() as conn:
                conn.execute(text(statement.format(cols="", vals="")))
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM marks"))
            conn.execute(text("DELETE FROM score_sheets"))
            conn.execute(text(sheet.format(cols=", event_id, entry_id", vals=", 1, 1")))
            conn.execute(text(aspect.format(cols=", event_id", vals=", 1")))
