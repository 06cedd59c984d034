"""Large imports run beside the request and show their progress (issue #10 item 2): the state
is readable by the starter (and admins) from any process, a refusal keeps its report, a crash
says so without leaking the error's text, and a job whose process died is shown as broken."""

from __future__ import annotations

import io
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from contest.models import Organization, OrgKind
from contest.services.core import import_jobs
from contest.services.core.orgs import add_organization
from contest.services.core.spreadsheets import RowError, SheetRefused


def wait_for(app: Any, job_id: str, user: Any, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    with app.test_request_context():
        while time.monotonic() < deadline:
            state = import_jobs.read(job_id, user)
            if state is not None and state.finished:
                return state
            time.sleep(0.05)
    raise AssertionError("the import job did not finish")


@pytest.fixture
def quick(app: Any, monkeypatch: Any) -> None:
    """Return from start() at once, so a test sees the job while it runs."""
    monkeypatch.setitem(app.config, "IMPORT_JOB_WAIT_SECONDS", 0)


def test_progress_is_visible_while_it_runs_and_only_to_its_owner(
    app: Any, db: Any, make_user: Any, client_for: Any, quick: None
) -> None:
    owner, stranger, admin = make_user("organizer"), make_user("organizer"), make_user("admin")
    # Signed in first, so no login (a write) has to queue behind the import's batches.
    as_owner, as_stranger, as_admin = client_for(owner), client_for(stranger), client_for(admin)
    halfway, release = threading.Event(), threading.Event()

    def work(actor: Any, progress: Any) -> dict[str, int]:
        progress("validate", 10, 10)
        progress("write", 4, 10)
        halfway.set()
        release.wait(10)
        add_organization(actor, name="甲厂工会", kind=OrgKind.GRASSROOTS)
        progress("write", 10, 10)
        return {"created": 1}

    with app.test_request_context():
        job = import_jobs.start("orgs", owner, work)
    assert halfway.wait(10)
    state = as_owner.get(f"/orgs/jobs/{job.id}").get_json()
    assert state == {
        "status": "running",
        "stage": "write",
        "done": 4,
        "total": 10,
        "percent": 40,
        "finished": False,
    }
    try:
        assert as_stranger.get(f"/orgs/jobs/{job.id}").status_code == 404
        assert as_admin.get(f"/orgs/jobs/{job.id}").status_code == 200
    finally:
        release.set()
    done = wait_for(app, job.id, owner)
    assert (done.status, done.result) == ("done", {"created": 1})
    db.session.rollback()
    assert db.session.query(Organization).filter_by(name="甲厂工会").count() == 1


def test_a_refusal_keeps_its_report_and_writes_nothing(
    app: Any, db: Any, make_user: Any, client_for: Any
) -> None:
    owner = make_user("admin")

    def work(actor: Any, progress: Any) -> None:
        add_organization(actor, name="乙厂工会", kind=OrgKind.GRASSROOTS)
        raise SheetRefused([RowError(3, "类型", "类型应为 基层工会 等"), RowError(0, "", "空文件")])

    with app.test_request_context():
        job = import_jobs.start("orgs", owner, work)
    assert (job.status, job.error_count) == ("refused", 2)
    page = client_for(owner).get(f"/orgs/import?job={job.id}").get_data(as_text=True)
    assert "导入被拒绝：发现 2 处错误" in page and "类型应为 基层工会 等" in page
    db.session.rollback()
    assert db.session.query(Organization).filter_by(name="乙厂工会").count() == 0


def test_a_crash_is_reported_without_its_text(
    app: Any, db: Any, make_user: Any, client_for: Any, caplog: Any
) -> None:
    owner = make_user("admin")

    def work(actor: Any, progress: Any) -> None:
        raise RuntimeError("110105199003071234 王芳")

    with app.test_request_context():
        job = import_jobs.start("people", owner, work)
    assert job.status == "failed"
    page = client_for(owner).get(f"/orgs/people/import?job={job.id}").get_data(as_text=True)
    assert "导入失败" in page
    assert "RuntimeError" in caplog.text and "110105199003071234" not in caplog.text


def test_a_job_whose_process_died_is_shown_as_interrupted(
    app: Any, db: Any, make_user: Any, client_for: Any, quick: None
) -> None:
    owner = make_user("admin")
    client = client_for(owner)
    release = threading.Event()
    with app.test_request_context():
        job = import_jobs.start("orgs", owner, lambda actor, progress: release.wait(10) and {})
    release.set()
    finished = wait_for(app, job.id, owner)
    path = Path(app.config["INSTANCE_PATH"]) / "jobs" / f"{job.id}.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw.update(status="running", updated_at=time.time() - import_jobs.STALE_SECONDS - 1)
    path.write_text(json.dumps(raw), encoding="utf-8")
    assert client.get(f"/orgs/jobs/{job.id}").get_json()["finished"] is True
    assert "导入已中断" in client.get(f"/orgs/import?job={job.id}").get_data(as_text=True)
    assert finished.status == "done"


def test_unknown_and_malformed_job_ids_are_not_found(client_for: Any, make_user: Any) -> None:
    client = client_for(make_user("admin"))
    for job_id in ("nope", "../../etc/passwd", "a" * 60):
        assert client.get(f"/orgs/jobs/{job_id}").status_code == 404
        assert client.get(f"/orgs/import?job={job_id}").status_code == 404


def test_old_job_files_are_swept(app: Any, db: Any, make_user: Any) -> None:
    owner = make_user("admin")
    folder = Path(app.config["INSTANCE_PATH"]) / "jobs"
    folder.mkdir(parents=True, exist_ok=True)
    old = folder / "old.json"
    old.write_text("{}", encoding="utf-8")
    aged = time.time() - import_jobs.KEEP_SECONDS - 10
    import os

    os.utime(old, (aged, aged))
    with app.test_request_context():
        import_jobs.start("orgs", owner, lambda actor, progress: {})
    assert not old.exists()


def _tree(rows: int) -> bytes:
    book = Workbook()
    book.active.append(["组织名称", "类型", "上级工会", "组织代码"])
    book.active.append(["江州市总工会", "市总工会", "", "JZ"])
    for n in range(rows):
        book.active.append([f"第{n}机械厂工会", "基层工会", "JZ", f"JZ-{n:05d}"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_large_tree_import_shows_progress_then_its_result(
    app: Any, db: Any, make_user: Any, client_for: Any, quick: None
) -> None:
    admin = make_user("admin")
    client = client_for(admin)
    response = client.post(
        "/orgs/import",
        data={"file": (io.BytesIO(_tree(800)), "tree.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    job_id = response.headers["Location"].split("job=", 1)[1]
    first = client.get(f"/orgs/import?job={job_id}").get_data(as_text=True)
    assert 'id="import-progress"' in first or "新增组织 801 个" in first
    wait_for(app, job_id, admin, timeout=120)
    final = client.get(f"/orgs/import?job={job_id}").get_data(as_text=True)
    assert "新增组织 801 个" in final and 'id="import-progress"' not in final
    db.session.rollback()
    assert db.session.query(Organization).count() == 801 + 0
