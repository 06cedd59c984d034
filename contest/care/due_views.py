"""到期名单: who is due a health check or a 疗休养 stay, who has not been visited this
festival (issue #14 item 3), with the exports for the hospital, the travel agency and the
visiting team, and the care role's home section that counts them.

The lists and their rules are :mod:`contest.services.care.due`; these views read the year,
festival and union from the query string (a wrong one is said, and the default shown), and the
export is a POST because it is audited.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from contest.care.blueprint import bp
from contest.extensions import db
from contest.models import Organization, User
from contest.services.care import due, scope, settings
from contest.ui.forms import ActionForm
from contest.ui.params import page_number
from contest.validation import db_int

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PER_PAGE = 100


@dataclass
class _Choice:
    """What the query string (or the export form) asks for, with what was wrong in it."""

    kind: due.DueKind
    year: int
    festival: str
    organization: Organization | None
    problems: list[str] = field(default_factory=list)

    @property
    def due_list(self) -> due.DueList:
        festival = self.festival if self.kind is due.DueKind.VISIT else None
        return due.DueList(self.kind, self.year, festival, self.organization)

    def args(self, **changes: Any) -> dict[str, Any]:
        """The query string of this choice (for tab links, pages and the way back)."""
        values: dict[str, Any] = {
            "tab": self.kind.value,
            "year": self.year,
            "festival": self.festival,
        }
        if self.organization is not None:
            values["org"] = self.organization.id
        values.update(changes)
        return values


def _choice(values: Any) -> _Choice:
    """Read tab, year, festival and union from ``values``; a wrong one gets a message and
    the default (this year, the first festival, every union in scope)."""
    problems: list[str] = []
    try:
        kind = due.DueKind(values.get("tab") or due.DueKind.HEALTH_CHECK.value)
    except ValueError:
        kind = due.DueKind.HEALTH_CHECK
    try:
        year = due.parse_year(values.get("year"))
    except due.DueError as error:
        problems.append(error.message)
        year = due.year_today()
    try:
        festival = due.parse_festival(values.get("festival"))
    except due.DueError as error:
        problems.append(error.message)
        festival = settings.festivals()[0]
    organization = None
    if values.get("org"):
        try:
            organization = db.session.get(Organization, db_int(values.get("org")))
        except ValueError:
            organization = None
        if organization is None or not scope.may_see_org(current_user, organization):
            problems.append(_("所选工会不在您的服务范围内，已列出范围内的全部劳模"))
            organization = None
    return _Choice(kind, year, festival, organization, problems)


@bp.route("/due", endpoint="due")
def due_lists() -> str:
    """The tab's list for the year (and festival) within the union chosen, a page at a time,
    with the count of every tab."""
    choice = _choice(request.args)
    found = due.rows(current_user, choice.due_list)
    page = page_number()
    return render_template(
        "care/due.html",
        choice=choice,
        kinds=list(due.DueKind),
        counts=due.counts(current_user, choice.year, choice.festival, choice.organization),
        rows=found[(page - 1) * PER_PAGE : page * PER_PAGE],
        total=len(found),
        page=page,
        per_page=PER_PAGE,
        interval=None if choice.kind is due.DueKind.VISIT else due.interval_years(choice.kind),
        years=due.year_choices(),
        festivals=settings.festivals(),
        orgs=due.org_choices(current_user),
        export_form=ActionForm(),
    )


@bp.route("/due/export", methods=["POST"])
def due_export() -> Response:
    """The list of the tab, as .xlsx for whoever receives it; audited."""
    if not ActionForm().validate_on_submit():
        abort(400)
    choice = _choice(request.form)
    if choice.problems:
        for problem in choice.problems:
            flash(problem, "danger")
        return redirect(url_for("care.due", **choice.args()))
    buffer = io.BytesIO()
    due.export_xlsx(current_user, choice.due_list, buffer)
    db.session.commit()
    buffer.seek(0)
    response = send_file(
        buffer,
        mimetype=XLSX_MIME,
        as_attachment=True,
        download_name=due.export_name(choice.due_list),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def home_section(user: User) -> dict[str, Any] | None:
    """The care role's home: the files in scope and how many are due on each list this
    year (visits: the first festival of the setting)."""
    year = due.year_today()
    festival = settings.festivals()[0]
    return {
        "files": due.file_count(user),
        "year": year,
        "festival": festival,
        "counts": due.counts(user, year, festival),
        "kinds": list(due.DueKind),
    }
