"""Excel in and out for the orgs area: the union tree and its people.

Both imports are all-or-nothing (``services.core.org_sheet`` / ``people_sheet``): a refused file
shows every row's problems and writes nothing. Exports are POSTs because they are audited, and
personal numbers leave only when an admin ticks the box for them.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import abort, send_file
from flask_login import current_user

from contest.extensions import db
from contest.models import Role
from contest.orgs.base import IMPORT_MAX_BYTES, XLSX_MIME
from contest.orgs.blueprint import bp
from contest.orgs.forms import PeopleExportForm, SheetUploadForm, TreeExportForm
from contest.services.core import org_sheet, people_sheet
from contest.ui.imports import Importer, import_page, job_status


def _import_page(template: str, kind: str, run: Importer) -> Any:
    """Upload → a background import job → this page with its progress, result or refusal
    report (``contest.ui.imports``)."""
    return import_page(template, kind, SheetUploadForm(), run, max_bytes=IMPORT_MAX_BYTES)


@bp.route("/jobs/<job_id>")
def import_job(job_id: str):  # type: ignore[no-untyped-def]
    """A running import's progress, for the page's poller (the starter or an admin only)."""
    return job_status(job_id)


def _download(data: bytes | io.BytesIO, name: str, kind: str = "xlsx") -> Any:
    buffer = data if isinstance(data, io.BytesIO) else io.BytesIO(data)
    buffer.seek(0)
    response = send_file(
        buffer,
        mimetype=XLSX_MIME if kind == "xlsx" else "text/csv; charset=utf-8",
        as_attachment=True,
        download_name=name,
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _export(form: TreeExportForm, title: str, write: Callable[[io.BytesIO, str], int]) -> Any:
    """Run an (audited) export into memory, commit its audit entry, send it as a download."""
    kind = form.format.data or "xlsx"
    buffer = io.BytesIO()
    write(buffer, kind)
    db.session.commit()
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    return _download(buffer, f"{title}-{stamp}.{kind}", kind)


@bp.route("/import", methods=["GET", "POST"])
def import_tree():  # type: ignore[no-untyped-def]
    """Load a union tree from a sheet (a federation's 3,000 基层工会 in one file)."""
    return _import_page(
        "orgs/import_tree.html",
        "orgs",
        lambda actor, data, name, progress: org_sheet.import_tree(
            actor, data, name, progress=progress
        ),
    )


@bp.route("/template.xlsx")
def tree_template():  # type: ignore[no-untyped-def]
    return _download(org_sheet.template_workbook(), "组织导入模板.xlsx")


@bp.route("/export", methods=["POST"])
def export_tree():  # type: ignore[no-untyped-def]
    form = TreeExportForm()
    if not form.validate_on_submit():
        abort(400)
    return _export(form, "组织", lambda out, kind: org_sheet.export_tree(current_user, out, kind))


@bp.route("/people/import", methods=["GET", "POST"])
def import_people():  # type: ignore[no-untyped-def]
    return _import_page(
        "orgs/import_people.html",
        "people",
        lambda actor, data, name, progress: people_sheet.import_people(
            actor, data, name, progress=progress
        ),
    )


@bp.route("/people/template.xlsx")
def people_template():  # type: ignore[no-untyped-def]
    return _download(people_sheet.template_workbook(), "职工导入模板.xlsx")


@bp.route("/people/export", methods=["POST"])
def export_people():  # type: ignore[no-untyped-def]
    form = PeopleExportForm()
    if not form.validate_on_submit():
        abort(400)
    private = bool(form.include_private.data)
    if private and current_user.role is not Role.ADMIN:
        abort(403)
    return _export(
        form,
        "职工名册",
        lambda out, kind: people_sheet.export_people(
            current_user, out, kind, include_private=private
        ),
    )
