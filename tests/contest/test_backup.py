"""Backup → restore into a fresh database gives every table back, and the audit chain verifies."""

from __future__ import annotations

import json
import uuid
import zipfile
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from contest import create_app
from contest.extensions import db
from tests.conftest import POSTGRES_URL, _pg_url, base_config


@pytest.fixture
def fresh_app(engine_name: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """``fresh_app(label, engine=…)``: an app on a new, empty database (the test's engine by
    default)."""
    made: list[tuple[Flask, str | None]] = []

    def _make(label: str, engine: str = engine_name) -> Flask:
        folder = tmp_path / label
        folder.mkdir()
        schema = None
        if engine == "postgres":
            assert POSTGRES_URL
            schema = f"b_{uuid.uuid4().hex[:12]}"
            admin = create_engine(_pg_url(POSTGRES_URL))
            with admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            admin.dispose()
            target = {
                "url": _pg_url(POSTGRES_URL),
                "options": {"connect_args": {"options": f"-csearch_path={schema}"}},
            }
        else:
            target = {"url": f"sqlite:///{folder / 'data.db'}", "options": {}}
        app = create_app(base_config(target, folder))
        made.append((app, schema))
        return app

    yield _make
    for app, schema in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if schema:
            admin = create_engine(_pg_url(POSTGRES_URL or ""))
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def _fill(app: Flask) -> None:
    """A little of everything: a moved subtree, encrypted numbers, decimals, JSON, an upload."""
    from contest.models import Component, Contest, ContestStatus, Event, HonorLevel, OrgKind
    from contest.services.core import orgs
    from contest.services.core.people import PersonData, create_person
    from contest.services.honors.records import HonorData, add_honor
    from contest.validation import id_check_digit

    with app.app_context():
        upgrade()
        city = orgs.add_organization(None, name="江州市总工会", kind=OrgKind.CITY)
        factory = orgs.add_organization(
            None, name="机床厂工会", kind=OrgKind.GRASSROOTS, parent=city
        )
        district = orgs.add_organization(
            None,
            name="东湖区总工会",
            kind=OrgKind.DISTRICT,
            parent=city,
            headcount=12,
            member_count=10,
            counted_on=date(2026, 6, 30),
        )
        factory.parent = district  # the parent now has a larger id than its child
        factory.path = f"{district.path}{factory.id}/"
        first17 = "11010519900307123"
        person = create_person(
            None,
            PersonData(
                name="王秀英",
                organization=factory,
                id_number=first17 + id_check_digit(first17),
                phone="13800138000",
            ),
        )
        add_honor(
            None,
            HonorData(
                "王秀英",
                "劳动模范",
                HonorLevel.CITY,
                2015,
                person=person,
                conferring_body="江州市人民政府",
                document_number="江政发〔2015〕8号",
            ),
        )
        contest = Contest(
            name="江州市数控技能大赛",
            level=HonorLevel.CITY,
            year=2026,
            organization=city,
            status=ContestStatus.DRAFT,
        )
        event = Event(contest=contest, code="A", occupation="数控车工", policy={"trim": 1})
        db.session.add_all(
            [
                contest,
                event,
                Component(
                    event=event, key="theory", name="理论", weight=Decimal("30.5"), position=0
                ),
            ]
        )
        db.session.commit()
    uploads = Path(app.config["UPLOAD_FOLDER"]) / "photos"
    uploads.mkdir(parents=True)
    (uploads / "1.jpg").write_bytes(b"\xff\xd8 photo")


def _dump(app: Flask) -> dict[str, list[dict[str, Any]]]:
    from contest.services.core.backup import _rows, _tables

    with app.app_context(), db.engine.connect() as conn:
        return {t.name: list(_rows(conn, t)) for t in _tables()}


def test_backup_restores_into_a_fresh_database_table_for_table(
    fresh_app: Callable[[str], Flask], tmp_path: Path
) -> None:
    from contest.services.core.audit import verify_chain
    from contest.services.core.backup import create_backup, restore_backup

    source = fresh_app("source")
    _fill(source)
    with source.app_context():
        summary = create_backup(tmp_path / "b.zip", uploads=Path(source.config["UPLOAD_FOLDER"]))
    assert summary.tables["organizations"] == 3 and summary.uploads == 1

    target = fresh_app("target")
    with target.app_context():
        restored = restore_backup(tmp_path / "b.zip", uploads=Path(target.config["UPLOAD_FOLDER"]))
        assert restored.tables == summary.tables
        assert verify_chain().ok
        from contest.models import Person

        person = db.session.query(Person).one()
        assert person.reveal_phone() == "13800138000"  # the same data key decrypts it
    assert _dump(target) == _dump(source)
    photo = Path(target.config["UPLOAD_FOLDER"]) / "photos" / "1.jpg"
    assert photo.read_bytes() == b"\xff\xd8 photo"


def test_restore_refuses_a_database_with_data_unless_forced(
    fresh_app: Callable[[str], Flask], tmp_path: Path
) -> None:
    from contest.services.core.backup import BackupError, create_backup, restore_backup

    source = fresh_app("source")
    _fill(source)
    with source.app_context():
        create_backup(tmp_path / "b.zip")
        with pytest.raises(BackupError, match="--force"):
            restore_backup(tmp_path / "b.zip")
        restore_backup(tmp_path / "b.zip", force=True)
    assert _dump(source)["organizations"][2]["name"] == "东湖区总工会"


def test_restore_refuses_a_newer_schema_and_foreign_files(
    fresh_app: Callable[[str], Flask], tmp_path: Path
) -> None:
    from contest.services.core.backup import BackupError, restore_backup

    app = fresh_app("target")
    newer = tmp_path / "newer.zip"
    with zipfile.ZipFile(newer, "w") as archive:
        archive.writestr("manifest.json", json.dumps({"format": 1, "revision": "ffff0000ffff"}))
    not_zip = tmp_path / "x.zip"
    not_zip.write_bytes(b"hello")
    with app.app_context():
        with pytest.raises(BackupError, match="更新版本"):
            restore_backup(newer)
        with pytest.raises(BackupError, match="无法读取"):
            restore_backup(not_zip)


def test_a_crafted_upload_path_cannot_escape_the_upload_folder(
    fresh_app: Callable[[str], Flask], tmp_path: Path
) -> None:
    from contest.services.core.backup import BackupError, create_backup, restore_backup

    source = fresh_app("source")
    _fill(source)
    with source.app_context():
        create_backup(tmp_path / "b.zip")
    with zipfile.ZipFile(tmp_path / "b.zip", "a") as archive:
        archive.writestr("uploads/../../evil.txt", "x")
    target = fresh_app("target")
    with target.app_context(), pytest.raises(BackupError, match="不安全"):
        restore_backup(tmp_path / "b.zip", uploads=Path(target.config["UPLOAD_FOLDER"]))
    assert not (tmp_path / "evil.txt").exists()


@pytest.mark.skipif(not POSTGRES_URL, reason="needs CONTEST_TEST_POSTGRES_URL")
def test_a_sqlite_backup_restores_into_postgresql(
    engine_name: str, fresh_app: Callable[..., Flask], tmp_path: Path
) -> None:
    from contest.services.core.audit import verify_chain
    from contest.services.core.backup import create_backup, restore_backup

    if engine_name != "sqlite":
        pytest.skip("one direction is enough: SQLite (the embedded default) → PostgreSQL")
    source = fresh_app("source", engine="sqlite")
    _fill(source)
    with source.app_context():
        create_backup(tmp_path / "b.zip")
    target = fresh_app("target", engine="postgres")
    with target.app_context():
        restore_backup(tmp_path / "b.zip")
        assert verify_chain().ok
    assert _dump(target) == _dump(source)
