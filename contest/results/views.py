"""Published results (public), certificate verification (public, rate-limited), and the
organizer's publication page, exports and bulk certificates (login + ``contest.can_manage``).

Public pages read the current snapshot only (``contest.services.skills.results``) through the
results cache (``contest.caching.results_cache``): the hour results come out, a crowd
reloading the same pages costs one render per worker and version.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from contest.caching import results_cache
from contest.extensions import db, limiter
from contest.models import Contest, ContestStatus
from contest.results.blueprint import bp
from contest.services.honors import certificates as honor_certificates
from contest.services.skills import publishing
from contest.services.skills import results as results_service
from contest.ui import confirm, links, published
from contest.ui.params import page_number

PER_PAGE = 50


def _verify_limit() -> str:
    return str(current_app.config["VERIFY_RATE_LIMIT"])


def _header_or_404(contest_id: int) -> results_service.PublicContest:
    header = published.header(contest_id)
    if header is None:
        abort(404)
    return header  # type: ignore[no-any-return]


def _managed_or_403(contest_id: int) -> Contest:
    contest = db.session.get(Contest, contest_id)
    if contest is None:
        abort(404)
    if not contest.can_manage(current_user):
        abort(403)
    return contest


def _download(data: bytes, filename: str, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ------------------------------------------------------------------ public pages


@bp.route("/results/")
@results_cache.page()
def index():  # type: ignore[no-untyped-def]
    contests = results_cache.data("results.index", _public_list)
    return render_template("results/index.html", contests=contests)


def _public_list() -> list[dict[str, Any]]:
    return [
        {
            "id": c.id,
            "name": c.name,
            "level": c.level.label,
            "year": c.year,
            "host": c.organization.name,
            "published_at": c.published_at,
        }
        for c in results_service.published_contests()
    ]


@bp.route("/results/<int:contest_id>")
@results_cache.page()
def show(contest_id: int):  # type: ignore[no-untyped-def]
    header = _header_or_404(contest_id)
    code = request.args.get("event") or None
    event = header.event(code)
    if event is None and header.events:
        abort(404)
    page = page_number()
    rows: list[dict[str, Any]] = []
    if event is not None:
        pages = max((event.count + PER_PAGE - 1) // PER_PAGE, 1)
        if page > pages:
            abort(404)
        rows = results_cache.data(
            "results.rows",
            lambda: published.rows(header, [event], page, PER_PAGE),
            header.snapshot_id,
            event.id,
            page,
        )
    return render_template(
        "results/show.html",
        header=header,
        event=event,
        rows=rows,
        page=page,
        per_page=PER_PAGE,
        can_manage=_can_manage(contest_id),
    )


def _can_manage(contest_id: int) -> bool:
    """Whether to show the organizer's links (logged-in pages are never shared-cached)."""
    if not current_user.is_authenticated:
        return False
    contest = db.session.get(Contest, contest_id)
    return contest is not None and contest.can_manage(current_user)


@bp.route("/results/<int:contest_id>/certificates/<number>.pdf")
@results_cache.page(max_age=3600)
def certificate(contest_id: int, number: str):  # type: ignore[no-untyped-def]
    """One certificate as PDF: public once results are published (it is public information)."""
    from contest.services.skills import certificates

    found = published.certificate(number)
    if found is None or found.contest_id != contest_id:
        abort(404)
    base_url = links.public_base()
    data = results_cache.data(
        "results.certificate",
        lambda: certificates.certificate_pdf([found], base_url=base_url),
        found.number,
        base_url,
    )
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"inline; filename={found.number}.pdf"
    return response


@bp.route("/verify")
@limiter.limit(_verify_limit)
def verify_form():  # type: ignore[no-untyped-def]
    number = (request.args.get("number") or "").strip()
    if number:
        return redirect(url_for("results.verify", number=number))
    return render_template("results/verify.html", number="", found=None, searched=False)


@bp.route("/verify/<number>")
@limiter.limit(_verify_limit)
def verify(number: str):  # type: ignore[no-untyped-def]
    """A contest's certificate, or an honor's (a campaign's 劳模, 奖章 …): one page checks both,
    and an honor revoked since says so."""
    found = published.certificate(number)
    honor = honor_certificates.find(number) if found is None else None
    status = 200 if found is not None or honor is not None else 404
    return (
        render_template(
            "results/verify.html", number=number[:60], found=found, honor=honor, searched=True
        ),
        status,
    )


# ------------------------------------------------------------------ organizer


@bp.route("/results/<int:contest_id>/publish", methods=["GET", "POST"])
@login_required
def publish(contest_id: int):  # type: ignore[no-untyped-def]
    contest = _managed_or_403(contest_id)
    if request.method == "POST":
        if not confirm.confirmed():
            back = url_for("results.publish", contest_id=contest_id)
            return confirm.ask(confirm.publish_results(contest), back)
        try:
            snapshot = publishing.publish(current_user, contest)
        except publishing.ResultsError as error:
            db.session.rollback()
            for problem in error.problems:
                flash(problem, "danger")
            return redirect(url_for("results.publish", contest_id=contest_id))
        db.session.commit()
        flash(_("成绩已公布，快照哈希 %(digest)s", digest=snapshot.digest[:16] + "…"), "success")
        return redirect(url_for("results.publish", contest_id=contest_id))
    publishable = contest.status in (ContestStatus.REVIEW, ContestStatus.PUBLISHED)
    problems = publishing.publish_problems(contest) if publishable else []
    history = results_service.snapshots(contest.id)
    return render_template(
        "results/publish.html",
        contest=contest,
        publishable=publishable,
        problems=problems,
        history=[(s, results_service.verify_digest(s)) for s in history],
    )


@bp.route("/results/<int:contest_id>/export.xlsx")
@login_required
def export_results(contest_id: int):  # type: ignore[no-untyped-def]
    from contest.services.skills import result_exports

    contest = _managed_or_403(contest_id)
    snapshot = results_service.current_snapshot(contest.id)
    if snapshot is None:
        abort(404)
    data = result_exports.results_workbook(contest, snapshot)
    return _download(
        data,
        f"results-{contest.id}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@bp.route("/results/<int:contest_id>/sheets.xlsx")
@login_required
def export_sheets(contest_id: int):  # type: ignore[no-untyped-def]
    from contest.services.skills import result_exports

    contest = _managed_or_403(contest_id)
    data = result_exports.sheets_workbook(contest)
    return _download(
        data,
        f"score-sheets-{contest.id}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@bp.route("/results/<int:contest_id>/certificates/event/<code>.pdf")
@login_required
def event_certificates(contest_id: int, code: str):  # type: ignore[no-untyped-def]
    """Every certificate of one event in one PDF, for printing (organizer)."""
    from contest.services.skills import certificates

    contest = _managed_or_403(contest_id)
    found = certificates.event_certificates(contest, code)
    if not found:
        abort(404)
    data = certificates.certificate_pdf(found, base_url=links.public_base())
    return _download(data, f"certificates-{contest.id}-{code}.pdf", "application/pdf")
