"""荣誉管理 in the admin area: the honor list, revocation, roster import, template, export and
the printed 劳模名录.

Routes hang off the admin blueprint, so its admin-only guard covers every one of them. The
work is done by ``contest.services.honors.roster`` and ``contest.services.honors.records``; these
views only check the upload, call the service, commit once and report.
"""

from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from contest.admin.blueprint import bp
from contest.admin.forms import ExportForm, RevokeForm, RollForm, RosterUploadForm
from contest.extensions import db
from contest.models import Honor, HonorLevel, HonorStatus, Organization
from contest.models.base import local_time, utcnow
from contest.services.honors import roll, validity
from contest.services.honors.records import HonorError, revoke_honor
from contest.services.honors.roster import export_for, import_roster, template_workbook
from contest.services.honors.wall import escape_like
from contest.ui.imports import import_page, job_status
from contest.ui.params import page_number

HONORS_PER_PAGE = 50
# An upload larger than this is refused before it is parsed (100,000 rows as .xlsx ≈ 8 MB).
ROSTER_MAX_BYTES = 30 * 1024 * 1024
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A 名录 longer than this is printed by ``contest honors roll``: 5,000 honors print in about a
# second on a quiet machine, but a worker held much longer risks a proxy's timeout, and the
# command shows its progress.
ROLL_BROWSER_LIMIT = 5_000
# The form field a refusal of ``roll.make_filter`` belongs to (else it is the form's).
_ROLL_FIELDS = {"level": "highest", "from": "first_year", "to": "last_year", "title": "titles"}


@bp.route("/honors")
def honors():  # type: ignore[no-untyped-def]
    """All honors, newest first, with a substring search over names, units and titles."""
    page = page_number()
    q = (request.args.get("q") or "").strip()[:100]
    status = request.args.get("status") or ""
    query = select(Honor)
    if q:
        query = query.where(Honor.search_text.like(f"%{escape_like(q)}%", escape="\\"))
    if status in {s.value for s in HonorStatus}:
        query = query.where(Honor.status == HonorStatus(status))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(
        query.order_by(Honor.id.desc()).limit(HONORS_PER_PAGE).offset((page - 1) * HONORS_PER_PAGE)
    ).all()
    return render_template(
        "admin/honors.html",
        honors=rows,
        total=total,
        page=page,
        per_page=HONORS_PER_PAGE,
        q=q,
        status=status,
        export_form=ExportForm(),
        today=validity.today(),  # a lapsed rating's grade is marked 已过期, not 有效
    )


@bp.route("/honors/<int:honor_id>/revoke", methods=["GET", "POST"])
def revoke(honor_id: int):  # type: ignore[no-untyped-def]
    """Revoke with a stated reason (DOMAIN.md §25); the honor stays on record, off the wall."""
    honor = db.session.get(Honor, honor_id) or abort(404)
    form = RevokeForm()
    if honor.is_revoked:
        flash(_("该荣誉已被撤销。"), "info")
        return redirect(url_for("admin.honors"))
    if form.validate_on_submit():
        try:
            revoke_honor(current_user, honor, form.reason.data or "")
        except HonorError as error:
            db.session.rollback()
            form.reason.errors = [*form.reason.errors, str(error)]
        else:
            db.session.commit()
            flash(
                _("已撤销 %(name)s 的“%(title)s”。", name=honor.recipient_name, title=honor.title),
                "success",
            )
            return redirect(url_for("admin.honors"))
    return render_template("admin/honors_revoke.html", honor=honor, form=form)


@bp.route("/honors/import", methods=["GET", "POST"])
def import_honors():  # type: ignore[no-untyped-def]
    """Upload a roster: a background job with a progress bar (100,000 rows take a minute or
    two); all-or-nothing, the refusal lists every row and column at fault."""
    return import_page(
        "admin/honors_import.html",
        "honors",
        RosterUploadForm(),
        lambda actor, data, name, progress: import_roster(actor, data, name, progress=progress),
        max_bytes=ROSTER_MAX_BYTES,
    )


@bp.route("/honors/jobs/<job_id>")
def honors_import_job(job_id: str):  # type: ignore[no-untyped-def]
    """A running roster import's progress, for the page's poller."""
    return job_status(job_id)


@bp.route("/honors/template.xlsx")
def honors_template():  # type: ignore[no-untyped-def]
    """An empty roster with the Chinese headers and one example row."""
    return send_file(
        io.BytesIO(template_workbook()),
        mimetype=XLSX_MIME,
        as_attachment=True,
        download_name="荣誉名录模板.xlsx",
    )


@bp.route("/honors/export", methods=["POST"])
def export_honors():  # type: ignore[no-untyped-def]
    """Download every honor; a POST (CSRF-checked) because it is audited, with private data."""
    form = ExportForm()
    if not form.validate_on_submit():
        abort(400)
    kind = form.format.data or "xlsx"
    buffer = io.BytesIO()
    export_for(
        current_user,
        buffer,
        kind,
        include_private=bool(form.include_private.data),
        valid_only=bool(form.valid_only.data),
    )
    db.session.commit()
    buffer.seek(0)
    stamp = local_time(utcnow()).strftime("%Y%m%d-%H%M")
    response = send_file(
        buffer,
        mimetype=XLSX_MIME if kind == "xlsx" else "text/csv; charset=utf-8",
        as_attachment=True,
        download_name=f"荣誉名录-{stamp}.{kind}",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/honors/roll", methods=["GET", "POST"])
def honors_roll():  # type: ignore[no-untyped-def]
    """The printed 劳模名录 (public fields only) of a union, levels and years, as a PDF; a
    larger one than :data:`ROLL_BROWSER_LIMIT` is refused with the command that prints it."""
    organizations = list(db.session.scalars(select(Organization).order_by(Organization.path)))
    form = RollForm(organizations)
    if form.validate_on_submit():
        try:
            flt = roll.make_filter(
                organization=db.session.get(Organization, form.organization_id.data or 0),
                levels=(HonorLevel(form.highest.data), HonorLevel(form.lowest.data)),
                first_year=form.first_year.data,
                last_year=form.last_year.data,
                titles=roll.split_words(form.titles.data),
            )
            count = roll.count_honors(flt)
            if count > ROLL_BROWSER_LIMIT:
                raise roll.RollError(
                    "",
                    _(
                        "符合条件的荣誉有 %(n)s 条，超过网页生成的上限 %(limit)s 条，"
                        "请缩小范围，或在服务器上运行命令 contest honors roll 生成。",
                        n=f"{count:,}",
                        limit=f"{ROLL_BROWSER_LIMIT:,}",
                    ),
                )
            buffer = io.BytesIO()
            roll.write_roll(current_user, flt, buffer)
        except roll.RollError as error:
            db.session.rollback()
            target = _ROLL_FIELDS.get(error.field)
            errors = getattr(form, target).errors if target else form.form_errors
            errors.append(error.message)
        else:
            db.session.commit()
            buffer.seek(0)
            stamp = local_time(utcnow()).strftime("%Y%m%d-%H%M")
            response = send_file(
                buffer,
                mimetype="application/pdf",
                as_attachment=True,
                download_name=f"劳模名录-{stamp}.pdf",
            )
            response.headers["Cache-Control"] = "no-store"
            return response
    return render_template("admin/honors_roll.html", form=form, limit=ROLL_BROWSER_LIMIT)
