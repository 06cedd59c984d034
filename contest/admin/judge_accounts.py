"""评委账号 in bulk, and one-time passwords on printed slips.

The one-time passwords are shown exactly once: the slip page is the response to the POST that
created them, sent with ``Cache-Control: no-store``; they are never flashed (the session cookie
is only signed, not encrypted), stored, logged or audited. Routes hang off the admin blueprint,
so its admin-only guard covers them.
"""

from __future__ import annotations

import io
from typing import Any

from flask import abort, make_response, render_template, send_file
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from contest.admin.blueprint import bp
from contest.admin.forms import JudgeSheetForm
from contest.extensions import db
from contest.models import User
from contest.services.core import account_sheet
from contest.services.core import users as user_service
from contest.services.core.spreadsheets import RowError, SheetRefused, read_upload
from contest.ui import links

IMPORT_MAX_BYTES = 5 * 1024 * 1024  # 200 rows of four short columns need a few KB
ERRORS_SHOWN = 500
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _slips(accounts: list[account_sheet.IssuedAccount], title: str) -> Any:
    """The printable slips, as the response that carries the passwords; never cached."""
    response = make_response(
        render_template(
            "admin/password_slips.html",
            accounts=accounts,
            title=title,
            login_url=links.public_url("auth.login"),
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/users/import", methods=["GET", "POST"])
def import_judges():  # type: ignore[no-untyped-def]
    """Create 评委 accounts from a sheet, all or nothing; success prints their slips."""
    form = JudgeSheetForm()
    errors: list[RowError] = []
    if form.validate_on_submit():
        try:
            data, filename = read_upload(form.file.data, IMPORT_MAX_BYTES)
            result = account_sheet.import_judges(current_user, data, filename)
        except SheetRefused as refusal:
            db.session.rollback()
            errors = refusal.errors
        else:
            db.session.commit()
            return _slips(result.accounts, _("已创建 %(n)d 个评委账号", n=result.created))
    return render_template(
        "admin/judges_import.html",
        form=form,
        errors=errors[:ERRORS_SHOWN],
        error_count=len(errors),
        max_accounts=account_sheet.MAX_ACCOUNTS,
    )


@bp.route("/users/template.xlsx")
def judges_template():  # type: ignore[no-untyped-def]
    return send_file(
        io.BytesIO(account_sheet.template_workbook()),
        mimetype=XLSX_MIME,
        as_attachment=True,
        download_name="评委账号导入模板.xlsx",
    )


@bp.route("/users/<int:user_id>/one-time-password", methods=["POST"])
def issue_password(user_id: int):  # type: ignore[no-untyped-def]
    """Reset to a one-time password the owner must replace at first login; print its slip."""
    user = db.session.get(User, user_id) or abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    password = user_service.issue_one_time_password(current_user, user)
    db.session.commit()
    slip = account_sheet.IssuedAccount(
        user.username,
        user.name,
        user.organization.name if user.organization else "",
        password,
    )
    return _slips([slip], _("已为 %(name)s 生成一次性密码", name=user.username))
