"""Registration and draw pages of an event: entrants, the Excel import, withdrawal, check-in,
the 参赛号 and 赛位号 draws and their printable lists.

Thin views: load the contest and event (404 when the event is not the contest's), check that
the user manages the contest (403), call ``contest.services.skills.registration`` / ``draws``,
commit once, flash, redirect. The blueprint guard already admits only admins and organizers.
"""

from __future__ import annotations

import io

from flask import abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest.contests.base import XLSX_MIME, load_contest, load_event, page_context, require_button
from contest.contests.blueprint import bp
from contest.contests.registration_forms import (
    DrawForm,
    ImportForm,
    RegisterForm,
    TeamForm,
    WithdrawForm,
)
from contest.extensions import db
from contest.models import Contest, Entry, EntryStatus, Event, Gender
from contest.services.core.spreadsheets import RowError, SheetRefused, read_upload
from contest.services.skills import draws as draw_service
from contest.services.skills import turnout
from contest.services.skills.codes import CodeError
from contest.services.skills.policies import team_total_of
from contest.services.skills.registration import (
    EntrantData,
    ImportResult,
    RegistrationError,
    TeamData,
    host_units,
    import_entries,
    register_entry,
    register_team,
    registration_problem,
    template_workbook,
    withdraw_entry,
)
from contest.ui import confirm
from contest.ui.forms import ActionForm

IMPORT_MAX_BYTES = 10 * 1024 * 1024
SEARCH_MAX = 40
ERRORS_SHOWN = 500


# ------------------------------------------------------------------ loading


def load_entry(event: Event, entry_id: int) -> Entry:
    entry = db.session.get(Entry, entry_id)
    if entry is None or entry.event_id != event.id:
        abort(404)
    return entry


# ------------------------------------------------------------------ entries


@bp.route("/<int:contest_id>/events/<int:event_id>/entries", methods=["GET", "POST"])
def entries(contest_id: int, event_id: int):  # type: ignore[no-untyped-def]
    """The event's entrants with codes, unit and status, and the registration form."""
    contest, event = load_event(contest_id, event_id)
    form = RegisterForm(host_units(contest))
    closed = registration_problem(contest, event)
    if form.validate_on_submit():
        candidate = EntrantData(
            name=form.name.data or "",
            id_number=form.id_number.data or "",
            organization_id=form.organization_id.data,
            event_id=event.id,
            gender=Gender(form.gender.data) if form.gender.data else None,
            phone=form.phone.data or None,
            post=form.post.data or None,
        )
        try:
            entry = register_entry(current_user, contest, candidate)
        except RegistrationError as error:
            db.session.rollback()
            for name, message in error.problems.items():
                # The event is the page's own: its problems (closed, drawn) concern the form.
                target = getattr(form, name, None) if name not in ("", "event_id") else None
                if target is not None:
                    target.errors = [*target.errors, message]
                else:
                    form.form_errors.append(message)
        else:
            db.session.commit()
            flash(
                _(
                    "已报名：%(name)s（%(unit)s）",
                    name=entry.person.name,
                    unit=entry.organization.name,
                ),
                "success",
            )
            return redirect(url_for("contests.entries", contest_id=contest.id, event_id=event.id))
    query = request.args.get("q", "").strip()[:SEARCH_MAX]
    try:
        rows = draw_service.desk_search(event, query)
    except (draw_service.DrawError, CodeError) as error:
        # Back to a clean URL: what was typed (perhaps a whole ID number) stays out of the page,
        # its links and the browser's history.
        flash(str(error), "danger")
        return redirect(url_for("contests.entries", contest_id=contest.id, event_id=event.id))
    return render_template(
        "contests/registration.html",
        form=form,
        closed=closed,
        rows=rows,
        query=query,
        desk=draw_service.desk_count(event),
        member_scored=team_total_of(event) is not None,
        **(_row_context(contest, event) | page_context(contest, event, "entries")),
    )


def _row_context(contest: Contest, event: Event) -> dict[str, object]:
    """What a row of the check-in list needs besides its entry (``_entry_row.html``)."""
    return {
        "contest": contest,
        "event": event,
        "action_form": ActionForm(),
        "can_check_in": _can_check_in(contest, event),
        "can_withdraw": not event.is_signed_off and contest.status in draw_service.DAY_STATES,
    }


@bp.route("/<int:contest_id>/events/<int:event_id>/teams/new", methods=["GET", "POST"])
def team_register(contest_id: int, event_id: int):  # type: ignore[no-untyped-def]
    """团体报名: a team name, its unit and its members (the first is the captain)."""
    contest, event = load_event(contest_id, event_id)
    if not event.is_team:
        abort(404)
    form = TeamForm(host_units(contest), event.team_max or 0)
    closed = registration_problem(contest, event)
    if form.validate_on_submit():
        filled = [(i, m.form) for i, m in enumerate(form.members) if not m.form.is_blank]
        team = TeamData(
            team_name=form.team_name.data or "",
            organization_id=form.organization_id.data,
            event_id=event.id,
            members=[
                EntrantData(
                    name=m.name.data or "",
                    id_number=m.id_number.data or "",
                    organization_id=None,
                    event_id=None,
                    gender=Gender(m.gender.data) if m.gender.data else None,
                    phone=m.phone.data or None,
                    post=m.post.data or None,
                )
                for _, m in filled
            ],
        )
        try:
            entry = register_team(current_user, contest, team)
        except RegistrationError as error:
            db.session.rollback()
            _team_errors(form, [i for i, _ in filled], error.problems)
        else:
            db.session.commit()
            flash(
                _(
                    "已报名团队“%(team)s”（%(unit)s），共 %(n)d 人",
                    team=entry.team_name,
                    unit=entry.organization.name,
                    n=len(team.members),  # a member-scored team is one entry per member
                ),
                "success",
            )
            return redirect(url_for("contests.entries", contest_id=contest.id, event_id=event.id))
    return render_template(
        "contests/registration_team.html",
        form=form,
        closed=closed,
        **page_context(contest, event, "entries"),
    )


def _team_errors(form: TeamForm, rows: list[int], problems: dict[str, str]) -> None:
    """Put the service's problems beside their fields; ``rows`` maps the service's member
    index (filled rows only) back to the form's row."""
    for key, message in problems.items():
        target = None
        if key.startswith("members-"):
            _prefix, index, name = key.split("-", 2)
            row = rows[int(index)] if int(index) < len(rows) else None
            if row is not None:
                target = getattr(form.members[row].form, name, None)
        elif key in ("team_name", "organization_id"):
            target = getattr(form, key)
        if target is not None:
            target.errors = [*target.errors, message]
        else:
            form.form_errors.append(message)


def _can_check_in(contest: Contest, event: Event) -> bool:
    return (
        contest.status in draw_service.DAY_STATES
        and event.entry_drawn_at is not None
        and event.seat_drawn_at is None
    )


@bp.route(
    "/<int:contest_id>/events/<int:event_id>/entries/<int:entry_id>/withdraw",
    methods=["GET", "POST"],
)
def entry_withdraw(contest_id: int, event_id: int, entry_id: int):  # type: ignore[no-untyped-def]
    """退赛 with a reason (audited); the entry keeps its codes and leaves the ranking."""
    contest, event = load_event(contest_id, event_id)
    entry = load_entry(event, entry_id)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            withdraw_entry(current_user, entry, form.reason.data or "")
        except RegistrationError as error:
            db.session.rollback()
            form.reason.errors = [*form.reason.errors, *error.problems.values()]
        else:
            db.session.commit()
            flash(_("%(name)s 已退赛。", name=entry.entrant_name), "success")
            return redirect(url_for("contests.entries", contest_id=contest.id, event_id=event.id))
    return render_template(
        "contests/registration_withdraw.html",
        form=form,
        entry=entry,
        **page_context(contest, event, "entries"),
    )


@bp.route(
    "/<int:contest_id>/events/<int:event_id>/entries/<int:entry_id>/check-in", methods=["POST"]
)
def entry_check_in(contest_id: int, event_id: int, entry_id: int):  # type: ignore[no-untyped-def]
    """检录 at the desk: the entrant with this 参赛号 is here.

    The desk's script posts the same form asking for JSON and gets the new row and counts back,
    so the list keeps its place; without the script the form posts and the page comes back at
    the row (its anchor), with the search that was on it.
    """
    contest, event = load_event(contest_id, event_id)
    entry = load_entry(event, entry_id)
    require_button()
    wants_json = request.accept_mimetypes.best == "application/json"
    try:
        draw_service.check_in(current_user, entry)
    except draw_service.DrawError as error:
        db.session.rollback()
        message, ok = str(error), False
    else:
        db.session.commit()
        # The flash may surface on another page (one without names); the desk's reply may not.
        message, ok = _("参赛号 %(code)s 已检录。", code=entry.entry_code), True
    if wants_json:
        if ok:
            message = _(
                "%(name)s（参赛号 %(code)s）已检录。", name=entry.person.name, code=entry.entry_code
            )
        count = draw_service.desk_count(event)
        row = render_template("contests/_entry_row.html", e=entry, **_row_context(contest, event))
        body = {"ok": ok, "message": message, "row": row}
        return jsonify(body | {"checked_in": count.checked_in, "expected": count.expected}), (
            200 if ok else 409
        )
    flash(message, "success" if ok else "danger")
    query = (request.form.get("q") or "").strip()[:SEARCH_MAX]
    return redirect(
        url_for(
            "contests.entries",
            contest_id=contest.id,
            event_id=event.id,
            q=query or None,
            _anchor=f"entry-{entry.id}",
        )
    )


# ------------------------------------------------------------------ import


@bp.route("/<int:contest_id>/entries/import", methods=["GET", "POST"])
def entries_import(contest_id: int):  # type: ignore[no-untyped-def]
    """Upload a registration sheet for the whole contest: all rows or none, with a report."""
    contest = load_contest(contest_id)
    form = ImportForm()
    errors: list[RowError] = []
    result: ImportResult | None = None
    if form.validate_on_submit():
        try:
            data, filename = read_upload(form.file.data, IMPORT_MAX_BYTES)
            result = import_entries(current_user, contest, data, filename)
        except SheetRefused as refusal:  # the upload's or the import's refusal
            db.session.rollback()
            errors = refusal.errors
        else:
            db.session.commit()
            flash(
                _(
                    "导入完成：报名 %(rows)d 人，其中新建职工 %(new)d 人，匹配职工库 %(old)d 人。",
                    rows=result.entries_created,
                    new=result.people_created,
                    old=result.people_matched,
                ),
                "success",
            )
    return render_template(
        "contests/registration_import.html",
        form=form,
        errors=errors[:ERRORS_SHOWN],
        error_count=len(errors),
        result=result,
        closed=registration_problem(contest),
        **page_context(contest, None, "import"),
    )


@bp.route("/<int:contest_id>/entries/template.xlsx")
def entries_template(contest_id: int):  # type: ignore[no-untyped-def]
    """The registration sheet with Chinese headers and an example row of this contest."""
    contest = load_contest(contest_id)
    return send_file(
        io.BytesIO(template_workbook(contest)),
        mimetype=XLSX_MIME,
        as_attachment=True,
        download_name="报名表模板.xlsx",
    )


# ------------------------------------------------------------------ draws


@bp.route("/<int:contest_id>/events/<int:event_id>/draws")
def draws(contest_id: int, event_id: int):  # type: ignore[no-untyped-def]
    """Both draws of the event: state, seeds, the buttons, and links to the printable lists."""
    contest, event = load_event(contest_id, event_id)
    counts = draw_service.status_counts(event)
    return render_template(
        "contests/draws.html",
        entry_form=DrawForm(prefix="entry"),
        seat_form=DrawForm(prefix="seat"),
        active=turnout.field_size(counts),
        checked_in=counts[EntryStatus.CHECKED_IN],
        has_sheets=draw_service.has_sheets(event),
        entry_draw_open=contest.status in draw_service.ENTRY_DRAW_STATES,
        day_open=contest.status in draw_service.DAY_STATES,
        **page_context(contest, event, "draws"),
    )


def _draw(contest_id: int, event_id: int, which: str):  # type: ignore[no-untyped-def]
    contest, event = load_event(contest_id, event_id)
    form = DrawForm(prefix=which)
    if not form.validate_on_submit():
        for message in form.seed.errors or [_("表单已过期，请刷新页面后重试。")]:
            flash(str(message), "danger")
        return redirect(url_for("contests.draws", contest_id=contest.id, event_id=event.id))
    if not confirm.confirmed():  # codes cannot be drawn again: ask first
        ask = confirm.draw_entry_codes if which == "entry" else confirm.draw_seat_codes
        back = url_for("contests.draws", contest_id=contest.id, event_id=event.id)
        return confirm.ask(ask(event), back)
    draw = draw_service.draw_entry_codes if which == "entry" else draw_service.draw_seat_codes
    try:
        result = draw(current_user, event, form.seed.data or None)
    except draw_service.DrawError as error:
        db.session.rollback()
        flash(str(error), "danger")
    else:
        db.session.commit()
        what = _("参赛号") if which == "entry" else _("赛位号")
        flash(
            _(
                "%(what)s抽签完成：%(n)d 人，随机种子 %(seed)s（已记入审计日志）。",
                what=what,
                n=result.count,
                seed=result.seed,
            ),
            "success",
        )
    return redirect(url_for("contests.draws", contest_id=contest.id, event_id=event.id))


@bp.route("/<int:contest_id>/events/<int:event_id>/draws/entry", methods=["POST"])
def draw_entry_codes(contest_id: int, event_id: int):  # type: ignore[no-untyped-def]
    return _draw(contest_id, event_id, "entry")


@bp.route("/<int:contest_id>/events/<int:event_id>/draws/seat", methods=["POST"])
def draw_seat_codes(contest_id: int, event_id: int):  # type: ignore[no-untyped-def]
    return _draw(contest_id, event_id, "seat")


@bp.route("/<int:contest_id>/events/<int:event_id>/draws/entry-list")
def draws_entry_list(contest_id: int, event_id: int):  # type: ignore[no-untyped-def]
    """For the organizer only: 参赛号 ↔ name ↔ unit (the key that de-anonymises)."""
    contest, event = load_event(contest_id, event_id)
    return render_template(
        "contests/draws_print.html",
        kind="entry",
        rows=draw_service.entry_list(event),
        contest=contest,
        event=event,
    )


@bp.route("/<int:contest_id>/events/<int:event_id>/draws/seat-list")
def draws_seat_list(contest_id: int, event_id: int):  # type: ignore[no-untyped-def]
    """For the check-in desk: 赛位号 ↔ 参赛号 only, no names."""
    contest, event = load_event(contest_id, event_id)
    return render_template(
        "contests/draws_print.html",
        kind="seat",
        rows=draw_service.seat_list(event),
        contest=contest,
        event=event,
    )
