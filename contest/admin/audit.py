"""审计日志 in the admin area: the trail as sentences with filters, pages and each entry's
before/after; the .xlsx export of everything the filters select; the hash-chain check.

Routes hang off the admin blueprint (admins only). Reading and describing are done by
``contest.services.core.audit_log``; these views only read the filter form and render.
"""

from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from contest.admin.blueprint import bp
from contest.admin.forms import AuditFilterForm
from contest.admin.honors import XLSX_MIME
from contest.extensions import db
from contest.models import Contest
from contest.models.base import local_time, utcnow
from contest.services.core import audit as audit_service
from contest.services.core import audit_log
from contest.ui.forms import ActionForm
from contest.ui.params import page_number

AUDIT_PER_PAGE = 50


def _filter_form() -> AuditFilterForm:
    """The filters from the query string; the contests offered are every contest, newest first."""
    contests = db.session.execute(select(Contest.id, Contest.name).order_by(Contest.id.desc()))
    return AuditFilterForm([(cid, name) for cid, name in contests], formdata=request.args)


@bp.route("/audit")
def audit():  # type: ignore[no-untyped-def]
    """A page of entries matching the filters; wrong filters show their message, no entries."""
    form = _filter_form()
    valid = form.validate()
    page = page_number()
    filters = form.filters() if valid else None
    result = audit_log.read_page(filters, page, AUDIT_PER_PAGE) if filters else None
    report = audit_service.verify_chain() if request.args.get("verify") == "1" else None
    return render_template(
        "admin/audit.html",
        form=form,
        result=result,
        filter_args=filters.as_args() if filters else {},
        report=report,
        export_form=ActionForm(),
    )


@bp.route("/audit/export", methods=["POST"])
def export_audit():  # type: ignore[no-untyped-def]
    """Every entry the filters (in the query string) select, as .xlsx; a POST because the
    export itself is audited."""
    if not ActionForm().validate_on_submit():
        abort(400)
    form = _filter_form()
    if not form.validate():
        flash(_("筛选条件有误，请更正后再导出。"), "danger")
        return redirect(url_for("admin.audit", **request.args))
    buffer = io.BytesIO()
    audit_log.export_xlsx(current_user, form.filters(), buffer)
    db.session.commit()
    buffer.seek(0)
    stamp = local_time(utcnow()).strftime("%Y%m%d-%H%M")
    name = f"审计日志-{stamp}.xlsx"
    response = send_file(buffer, mimetype=XLSX_MIME, as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response
