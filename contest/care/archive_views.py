"""劳模档案 (issue #14 items 1–2): the list of files in the user's scope, one file with its
honors, status, contact details and care records, and the changes a care worker makes on a
visit — on a tablet, so every page is one column of cards with thumb-sized buttons.

Thin views over :mod:`contest.services.care.archive` and :mod:`contest.services.care.records`.
A file out of the user's scope answers 404 like a missing one (its existence does not leak);
every page that shows a file audits the view (``care.file.view``). The records' export is a POST
confirmed in a dialog, because it carries health notes.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from contest.care.archive_forms import FileForm, RecordForm, StatusForm, put_error
from contest.care.blueprint import bp
from contest.extensions import db
from contest.models import (
    HonoreeFile,
    HonorLevel,
    LifeStatus,
    Organization,
    Role,
)
from contest.services.care import archive, due, records, scope, settings
from contest.services.honors.validity import is_current, today
from contest.ui import confirm
from contest.ui.confirm import Consequence
from contest.ui.forms import ActionForm, choice_value
from contest.ui.params import page_number
from contest.validation import db_int

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---------------------------------------------------------------- the list


def _enum_arg(kind: Any, raw: str | None) -> Any:
    try:
        return kind(raw) if raw else None
    except ValueError:
        return None


def _org_arg(raw: str | None) -> Organization | None:
    try:
        org = db.session.get(Organization, db_int(raw)) if raw else None
    except ValueError:
        return None
    return org if org is not None and scope.may_see_org(current_user, org) else None


@bp.route("/", endpoint="files")
def files() -> str:
    """The files in scope, a page at a time in pinyin order, with the search box, the filters
    and, when honorees are still without a file, the banner that creates them."""
    q = (request.args.get("q") or "").strip()[: archive.SEARCH_MAX]
    status = _enum_arg(LifeStatus, request.args.get("status"))
    level = _enum_arg(HonorLevel, request.args.get("level"))
    org = _org_arg(request.args.get("org"))
    found = archive.search(current_user, q, status, level, org.id if org else None, page_number())
    args = {
        "q": q or None,
        "status": status.value if status else None,
        "level": level.value if level else None,
        "org": org.id if org else None,
    }
    return render_template(
        "care/files.html",
        found=found,
        q=q,
        status=status,
        level=level,
        org=org,
        args={k: v for k, v in args.items() if v is not None},
        statuses=list(LifeStatus),
        levels=list(HonorLevel),
        orgs=due.org_choices(current_user),
        unfiled=archive.unfiled_count(current_user),
        can_sync=current_user.role is Role.ADMIN or current_user.organization is not None,
        action_form=ActionForm(),
    )


@bp.route("/sync", methods=["POST"], endpoint="files_sync")
def files_sync() -> Response:
    """Create the missing files: an admin's for everyone, a care worker's for their union."""
    back = url_for("care.files")
    if not ActionForm().validate_on_submit():
        flash(_("页面已过期，请刷新后重试。"), "danger")
        return redirect(back)
    root = None if current_user.role is Role.ADMIN else current_user.organization
    try:
        created = archive.sync_files(current_user, root)
    except archive.ArchiveError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(back)
    db.session.commit()
    if created:
        flash(_("已为 %(n)d 位荣誉获得者建立档案。", n=created), "success")
    else:
        flash(_("没有需要新建的档案。"), "info")
    return redirect(back)


# ---------------------------------------------------------------- one file


def _visible(file_id: int) -> HonoreeFile:
    """The file for a change posted to it; 404 when missing or out of scope."""
    file = archive.find_file(current_user, file_id)
    if file is None:
        abort(404)
    return file


def _care_orgs() -> list[Organization]:
    """The unions a file may be handed to: the user's scope, in tree order."""
    statement = select(Organization).where(Organization.closed_at.is_(None))
    if current_user.role is not Role.ADMIN:
        statement = statement.where(
            Organization.id.in_(current_user.organization.subtree_ids_query())
        )
    found = db.session.scalars(statement).all()
    return sorted(found, key=lambda org: org.path_ids)


def _file_form(file: HonoreeFile, formdata: Any = None) -> FileForm:
    orgs = _care_orgs()
    if all(org.id != file.care_organization_id for org in orgs):
        orgs = [file.care_organization, *orgs]  # a closed union still shown as it is
    form = FileForm(
        orgs,
        formdata=formdata,
        data={
            "current_unit": file.current_unit or "",
            "contact": file.reveal_contact() or "",
            "care_organization_id": file.care_organization_id,
        },
    )
    return form


def _status_form(file: HonoreeFile, formdata: Any = None) -> StatusForm:
    return StatusForm(
        formdata=formdata,
        data={"status": file.status.value, "day": file.died_on or file.retired_on},
    )


def _record_form(formdata: Any = None, data: dict[str, Any] | None = None) -> RecordForm:
    return RecordForm(settings.festivals(), formdata=formdata, data=data or {})


def export_consequence(file: HonoreeFile) -> Consequence:
    return Consequence(
        title=_("导出关爱记录？"),
        text=_(
            "将导出%(name)s的 %(n)d 条关爱记录，含备注中的健康等敏感信息。"
            "导出记入审计日志；文件请妥善保管，不要转发。",
            name=file.person.name,
            n=len(file.records),
        ),
        action=_("导出"),
    )


def delete_consequence(record: Any) -> Consequence:
    return Consequence(
        title=_("删除这条关爱记录？"),
        text=_(
            "将删除 %(day)s 的%(kind)s记录及其备注，不能恢复；审计日志保留删除记录。",
            day=record.on_date.isoformat(),
            kind=record.kind.label,
        ),
        action=_("删除"),
    )


def _file_page(
    file: HonoreeFile,
    *,
    file_form: FileForm | None = None,
    status_form: StatusForm | None = None,
    record_form: RecordForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The file page. Whoever renders it shows the file: the view is audited by the caller
    (:func:`archive.open_file` on a GET, :func:`archive.note_view` after a refused POST)."""
    honors = archive.honors_of(file)
    if record_form is None:
        record_form = _record_form(data={"on_date": today()})
    care_records = sorted(file.records, key=lambda r: (r.on_date, r.id), reverse=True)
    return render_template(
        "care/file.html",
        file=file,
        person=file.person,
        honors=[(h, is_current(h)) for h in honors],
        file_form=file_form or _file_form(file),
        status_form=status_form or _status_form(file),
        record_form=record_form,
        records=[(r, r.reveal_notes(), records.amount_text(r.amount_fen)) for r in care_records],
        action_form=ActionForm(),
        export=export_consequence(file),
        delete=delete_consequence,
        contact=file.reveal_contact(),
    ), status


def _refused(file: HonoreeFile, **forms: Any) -> tuple[str, int]:
    """A POST refused: roll back, then show the file again with the messages (a view)."""
    db.session.rollback()
    archive.note_view(current_user, file)
    db.session.commit()
    return _file_page(file, status=400, **forms)


@bp.route("/files/<int:file_id>", endpoint="file")
def file_page(file_id: int) -> tuple[str, int]:
    file = archive.open_file(current_user, file_id)
    if file is None:
        abort(404)
    db.session.commit()
    return _file_page(file)


@bp.route("/files/<int:file_id>", methods=["POST"], endpoint="file_update")
def file_update(file_id: int) -> Response | tuple[str, int]:
    file = _visible(file_id)
    form = _file_form(file, formdata=request.form)
    if not form.validate():
        return _refused(file, file_form=form)
    org = db.session.get(Organization, form.care_organization_id.data or 0)
    try:
        changed = archive.update_file(
            current_user, file, form.current_unit.data, form.contact.data, org
        )
    except archive.ArchiveError as error:
        put_error(form, error.field, error.message)
        return _refused(file, file_form=form)
    db.session.commit()
    flash(_("档案已保存。") if changed else _("没有修改。"), "success" if changed else "info")
    return redirect(url_for("care.file", file_id=file.id))


@bp.route("/files/<int:file_id>/status", methods=["POST"], endpoint="file_status")
def file_status(file_id: int) -> Response | tuple[str, int]:
    file = _visible(file_id)
    form = _status_form(file, formdata=request.form)
    if not form.validate():
        return _refused(file, status_form=form)
    try:
        changed = archive.set_status(
            current_user, file, LifeStatus(form.status.data), form.day.data
        )
    except archive.ArchiveError as error:
        put_error(form, error.field, error.message)
        return _refused(file, status_form=form)
    db.session.commit()
    if changed:
        flash(_("状态已改为%(status)s。", status=file.status.label), "success")
    else:
        flash(_("没有修改。"), "info")
    return redirect(url_for("care.file", file_id=file.id) + "#status")


@bp.route("/files/<int:file_id>/records", methods=["POST"], endpoint="record_add")
def record_add(file_id: int) -> Response | tuple[str, int]:
    file = _visible(file_id)
    form = _record_form(formdata=request.form)
    if not form.validate():
        return _refused(file, record_form=form)
    try:
        records.add_record(current_user, file, form.data_for_service())
    except records.RecordError as error:
        put_error(form, error.field, error.message)
        return _refused(file, record_form=form)
    db.session.commit()
    flash(_("关爱记录已登记。"), "success")
    return redirect(url_for("care.file", file_id=file.id) + "#records")


def _record_of(file: HonoreeFile, record_id: int) -> Any:
    record = records.find_record(file, record_id)
    if record is None:
        abort(404)
    return record


def _record_page(file: HonoreeFile, record: Any, form: RecordForm, status: int = 200) -> Any:
    return render_template(
        "care/record.html", file=file, person=file.person, record=record, record_form=form
    ), status


@bp.route("/files/<int:file_id>/records/<int:record_id>", endpoint="record_edit")
def record_edit(file_id: int, record_id: int) -> Any:
    """A record to correct (the page shows its notes: a view of the file, audited)."""
    file = archive.open_file(current_user, file_id)
    if file is None:
        abort(404)
    record = _record_of(file, record_id)
    db.session.commit()
    form = _record_form(
        data={
            "kind": choice_value(record.kind),
            "on_date": record.on_date,
            "place": record.place or "",
            "amount": records.amount_text(record.amount_fen),
            "festival": record.festival or "",
            "notes": record.reveal_notes() or "",
        }
    )
    return _record_page(file, record, form)


@bp.route(
    "/files/<int:file_id>/records/<int:record_id>", methods=["POST"], endpoint="record_update"
)
def record_update(file_id: int, record_id: int) -> Any:
    file = _visible(file_id)
    record = _record_of(file, record_id)
    form = _record_form(formdata=request.form)
    if form.validate():
        try:
            changed = records.update_record(current_user, record, form.data_for_service())
        except records.RecordError as error:
            put_error(form, error.field, error.message)
        else:
            db.session.commit()
            flash(_("关爱记录已保存。") if changed else _("没有修改。"), "success")
            return redirect(url_for("care.file", file_id=file.id) + "#records")
    db.session.rollback()
    archive.note_view(current_user, file)
    db.session.commit()
    return _record_page(file, record, form, 400)


@bp.route(
    "/files/<int:file_id>/records/<int:record_id>/delete",
    methods=["POST"],
    endpoint="record_delete",
)
def record_delete(file_id: int, record_id: int) -> Response | str:
    file = _visible(file_id)
    record = _record_of(file, record_id)
    back = url_for("care.file", file_id=file.id) + "#records"
    if not ActionForm().validate_on_submit():
        flash(_("页面已过期，请刷新后重试。"), "danger")
        return redirect(back)
    if not confirm.confirmed():
        return confirm.ask(delete_consequence(record), back)
    records.delete_record(current_user, record)
    db.session.commit()
    flash(_("关爱记录已删除。"), "success")
    return redirect(back)


@bp.route("/files/<int:file_id>/records/export", methods=["POST"], endpoint="records_export")
def records_export(file_id: int) -> Response | str:
    """The file's care records with their notes, as .xlsx: asked for on purpose (a dialog
    names what it holds), audited, never cached."""
    file = _visible(file_id)
    back = url_for("care.file", file_id=file.id) + "#records"
    if not ActionForm().validate_on_submit():
        flash(_("页面已过期，请刷新后重试。"), "danger")
        return redirect(back)
    if not confirm.confirmed():
        return confirm.ask(export_consequence(file), back)
    data = records.export_records(current_user, file)
    db.session.commit()
    response = Response(data, mimetype=XLSX_MIME)
    filename = quote(records.export_name(file))
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    response.headers["Cache-Control"] = "private, no-store"
    return response
