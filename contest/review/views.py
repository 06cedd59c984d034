"""Review pages: live progress, the chief judge's side-by-side panel, re-check, appeals, sign-off.

Who may look: the contest's managers (organizers of the host union or above, admins) and the
event's chief judge (:func:`contest.services.skills.access.can_oversee`); any other judge gets 403.
Codes only until the chief judge has signed off; names after (decryption).  The rules live in
``contest.services.skills.review`` (and mark changes in ``contest.services.skills.judging``); these
views load, authorize, call the service, flash and redirect, and commit once.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_timezone
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from contest.extensions import db
from contest.models import (
    Appeal,
    Contest,
    ContestStatus,
    Entry,
    Event,
    PanelMember,
    RecheckItem,
    Role,
    ScoreSheet,
    User,
)
from contest.review import charts
from contest.review.blueprint import bp
from contest.review.forms import (
    AppealForm,
    CorrectForm,
    ReasonForm,
    RecheckForm,
    ReopenForm,
)
from contest.services.skills import access, arbitration, judging, review
from contest.services.skills import appeals as appeal_service
from contest.services.skills import recheck as recheck_service
from contest.services.skills import signoff as signoff_service
from contest.services.skills.codes import shown as shown_code
from contest.services.skills.contests import managed_contests_query
from contest.services.skills.judging import MarkErrors, SheetError
from contest.services.skills.marks import marks_frame
from contest.services.skills.policies import max_spread
from contest.services.skills.review import NotPermitted, ReviewError
from contest.ui import confirm, links
from contest.ui.forms import ActionForm
from contest.ui.params import page_number

PER_PAGE = 50
LIVE_STATUSES = access.REVIEW_STATUSES
_Row = TypeVar("_Row", Entry, RecheckItem, Appeal)  # what _of_event loads


# ---------------------------------------------------------------- home and index


def chief_home_section(user: User) -> dict[str, Any] | None:
    """A chief judge's home gets a "裁判长" section: their events, each to review."""
    events = access.chaired_events(user)
    return {"events": [(e, review.progress(e)) for e in events]} if events else None


@bp.route("/")
def index():  # type: ignore[no-untyped-def]
    """Every event the user may review: their contests' events, or the events they chair."""
    events: list[Event] = []
    if current_user.role in (Role.ADMIN, Role.ORGANIZER):
        contests = db.session.scalars(
            managed_contests_query(current_user).where(Contest.status.in_(LIVE_STATUSES))
        ).all()
        events = [e for c in contests for e in c.events]
    seen = {e.id for e in events}
    events += [e for e in access.chaired_events(current_user) if e.id not in seen]
    return render_template("review/index.html", events=events)


# ---------------------------------------------------------------- helpers


def _event(event_id: int) -> Event:
    event = db.session.get(Event, event_id) or abort(404)
    if not access.can_oversee(current_user, event):
        abort(403)
    return event


def _of_event(model: type[_Row], row_id: object, event: Event) -> _Row:
    """The ``model`` row (an entry, a re-check item, an appeal) with this id in ``event``; 404
    for an id that is not a number, does not exist or belongs to another event."""
    try:
        row = db.session.get(model, int(str(row_id)))
    except ValueError:
        abort(404)
    if row is None or row.event_id != event.id:
        abort(404)
    return row


def _judge_sheet(entry: Entry, judge_id: int | None) -> ScoreSheet | None:
    """The sheet a judge picked in a form holds for ``entry`` (None: they have none)."""
    return db.session.scalar(
        select(ScoreSheet).where(ScoreSheet.entry_id == entry.id, ScoreSheet.user_id == judge_id)
    )


def _fail(error: Exception) -> None:
    """Undo the attempt and tell the user why; a permission refusal is a 403."""
    db.session.rollback()
    if isinstance(error, NotPermitted):
        abort(403)
    if isinstance(error, MarkErrors) and error.problems:
        for key, problem in error.problems.items():
            label = _("原因") if key == "reason" else key
            flash(_("%(field)s：%(problem)s", field=label, problem=problem), "danger")
        return
    flash(getattr(error, "message", None) or str(error), "danger")


def _form_errors(form: Any) -> None:
    for name, errors in form.errors.items():
        label = getattr(getattr(form, name, None), "label", None)
        for error in errors:
            text = _("%(field)s：%(problem)s", field=label.text, problem=error) if label else error
            flash(str(text), "danger")


def _safe_next(default: str) -> str:
    """The review page the form came from (``next``), else ``default``."""
    target = links.safe_next(request.form.get("next") or request.args.get("next"))
    return target if target and target.startswith("/review/") else default


def _context(event: Event) -> dict[str, Any]:
    """What every review page shows in its header."""
    return {
        "event": event,
        "contest": event.contest,
        "is_chief": access.is_chief(current_user, event),
        "can_manage": event.contest.can_manage(current_user),
        "names_visible": review.names_visible(event),
    }


def _as_utc(value: datetime | None) -> datetime | None:
    """A datetime-local value typed in the platform's time zone (北京时间), as UTC."""
    if value is None:
        return None
    zone = get_timezone()
    local = zone.localize(value) if hasattr(zone, "localize") else value.replace(tzinfo=zone)
    return local.astimezone(UTC)


# ---------------------------------------------------------------- progress dashboard


@bp.route("/events/<int:event_id>")
def progress(event_id: int):  # type: ignore[no-untyped-def]
    event = _event(event_id)
    state = review.progress(event)
    marks = marks_frame(event)
    flags = review.disagreements(event, marks)
    report = review.leniency(event, marks)
    chart = None
    if len(report) >= 2:
        figure = charts.leniency_figure(
            report,
            x_title=_("与其他评委平均分之差（占该项满分 %）"),
            hover=_("{name}：{value}%"),
        )
        chart = Markup(charts.figure_payload(figure))
    return render_template(
        "review/progress.html",
        state=state,
        flags=flags.to_dict("records"),
        report=report.reset_index().to_dict("records"),
        chart=chart,
        limit=max_spread(event),
        blockers=signoff_service.sign_off_blockers(event, state=state)
        if event.contest.status is ContestStatus.REVIEW
        else [],
        **_context(event),
    )


# ---------------------------------------------------------------- side-by-side panel


@bp.route("/events/<int:event_id>/panel")
def panel(event_id: int):  # type: ignore[no-untyped-def]
    event = _event(event_id)
    page = page_number()
    flagged = request.args.get("flagged") == "1"
    view = review.side_by_side(event, page=page, per_page=PER_PAGE, flagged_only=flagged)
    return render_template(
        "review/panel.html",
        view=view,
        page=page,
        per_page=PER_PAGE,
        flagged=flagged,
        num=judging.number,
        **_context(event),
    )


@bp.route("/events/<int:event_id>/entries/<int:entry_id>")
def entry(event_id: int, entry_id: int):  # type: ignore[no-untyped-def]
    """One entry's sheets side by side, with the correction and reopen forms."""
    event = _event(event_id)
    the_entry = _of_event(Entry, entry_id, event)
    view = review.side_by_side(event, entry_ids=[the_entry.id])
    row = view.rows[0] if view.rows else None
    correct = CorrectForm(formdata=None, entry_id=the_entry.id)
    _fill_correct(correct, view)
    correct.next.data = _safe_next("")
    reopen = ReopenForm(formdata=None, entry_id=the_entry.id)
    reopen.judge_id.choices = _judge_choices(view, row, submitted_only=True)
    appeals = [a for a in appeal_service.appeals_of(event) if a.entry_id == the_entry.id]
    item = recheck_service.item_of(the_entry)
    return render_template(
        "review/entry.html",
        entry=the_entry,
        view=view,
        row=row,
        correct=correct,
        reopen=reopen,
        appeals=appeals,
        item=item,
        num=judging.number,
        back=_safe_next(url_for("review.panel", event_id=event.id)),
        **_context(event),
    )


def _judge_choices(
    view: review.PanelView, row: review.PanelRow | None, *, submitted_only: bool = False
) -> list[tuple[int, str]]:
    choices = []
    for member in view.judges:
        if row is None or member.user_id not in row.statuses:
            continue
        if submitted_only and member.user_id not in row.submitted_judges():
            continue
        choices.append((member.user_id, member.user.name))
    return choices


def _fill_correct(form: CorrectForm, view: review.PanelView) -> None:
    row = view.rows[0] if view.rows else None
    form.judge_id.choices = _judge_choices(view, row)
    form.aspect_key.choices = [(a.key, f"{a.key} {a.name}") for a in view.aspects]


@bp.route("/events/<int:event_id>/reopen", methods=["POST"])
def reopen(event_id: int):  # type: ignore[no-untyped-def]
    """Give one judge's submitted sheet back as a draft (reason required, audited)."""
    event = _event(event_id)
    form = ReopenForm()
    the_entry = _of_event(Entry, form.entry_id.data, event)
    form.judge_id.choices = [(m.user_id, m.user.name) for m in _members(event)]
    back = _safe_next(url_for("review.entry", event_id=event.id, entry_id=the_entry.id))
    if not form.validate():
        _form_errors(form)
        return redirect(back)
    sheet = _judge_sheet(the_entry, form.judge_id.data)
    if sheet is None:
        flash(_("该评委还没有这名选手的评分表。"), "danger")
        return redirect(back)
    try:
        judging.reopen_sheet(current_user, sheet, form.reason.data or "")
    except SheetError as error:
        _fail(error)
        return redirect(back)
    db.session.commit()
    flash(
        _(
            "已将评委 %(judge)s 对 %(code)s 的评分表退回重评。",
            judge=sheet.user.name,
            code=shown_code(the_entry),
        ),
        "success",
    )
    return redirect(back)


def _members(event: Event) -> list[PanelMember]:
    return list(
        db.session.scalars(
            select(PanelMember)
            .where(PanelMember.event_id == event.id)
            .options(selectinload(PanelMember.user))
        )
    )


@bp.route("/events/<int:event_id>/correct", methods=["POST"])
def correct(event_id: int):  # type: ignore[no-untyped-def]
    """Correct one mark (re-check or upheld appeal) through ``judging.correct_mark``."""
    event = _event(event_id)
    form = CorrectForm()
    the_entry = _of_event(Entry, form.entry_id.data, event)
    _fill_correct(form, review.side_by_side(event, entry_ids=[the_entry.id]))
    back = url_for(
        "review.entry", event_id=event.id, entry_id=the_entry.id, next=_safe_next("") or None
    )
    if not form.validate():
        _form_errors(form)
        return redirect(back)
    sheet = _judge_sheet(the_entry, form.judge_id.data)
    if sheet is None:
        flash(_("该评委还没有这名选手的评分表。"), "danger")
        return redirect(back)
    try:
        judging.correct_mark(
            current_user, sheet, form.aspect_key.data or "", form.value.data, form.reason.data or ""
        )
    except SheetError as error:
        _fail(error)
        return redirect(back)
    db.session.commit()
    flash(
        _(
            "已更正 %(code)s 评委 %(judge)s 的 %(aspect)s 为 %(value)s。",
            code=shown_code(the_entry),
            judge=sheet.user.name,
            aspect=form.aspect_key.data,
            value=form.value.data,
        ),
        "success",
    )
    return redirect(back)


# ---------------------------------------------------------------- re-check (复核)


@bp.route("/events/<int:event_id>/recheck")
def recheck(event_id: int):  # type: ignore[no-untyped-def]
    event = _event(event_id)
    state = recheck_service.recheck_state(event)
    return render_template(
        "review/recheck.html",
        state=state,
        action=ActionForm(formdata=None),
        remark=ReasonForm(formdata=None),
        record=RecheckForm(formdata=None),
        # Only shown (as the sheets still missing) while there is no list to draw.
        progress_state=None if state.built else review.progress(event),
        **_context(event),
    )


@bp.route("/events/<int:event_id>/recheck/build", methods=["POST"])
def recheck_build(event_id: int):  # type: ignore[no-untyped-def]
    event = _event(event_id)
    if not ActionForm().validate():
        abort(400)
    try:
        items = recheck_service.build_recheck(current_user, event)
    except ReviewError as error:
        _fail(error)
    else:
        db.session.commit()
        flash(_("已生成复核名单，共 %(n)s 名选手。", n=len(items)), "success")
    return redirect(url_for("review.recheck", event_id=event.id))


@bp.route("/events/<int:event_id>/recheck/<int:item_id>", methods=["POST"])
def recheck_record(event_id: int, item_id: int):  # type: ignore[no-untyped-def]
    event = _event(event_id)
    item = _of_event(RecheckItem, item_id, event)
    form = RecheckForm()
    if not form.validate():
        _form_errors(form)
        return redirect(url_for("review.recheck", event_id=event.id))
    try:
        recheck_service.record_check(
            current_user, item, errors_found=int(form.errors_found.data or 0), note=form.note.data
        )
    except ReviewError as error:
        _fail(error)
    else:
        db.session.commit()
        flash(_("已记录 %(code)s 的复核结果。", code=shown_code(item.entry)), "success")
    return redirect(url_for("review.recheck", event_id=event.id))


@bp.route("/events/<int:event_id>/remark", methods=["POST"])
def remark(event_id: int):  # type: ignore[no-untyped-def]
    """The organizer orders everything re-marked: every sheet is reopened."""
    event = _event(event_id)
    form = ReasonForm()
    if not form.validate():
        _form_errors(form)
        return redirect(url_for("review.recheck", event_id=event.id))
    try:
        count = recheck_service.remark_all(current_user, event, form.reason.data or "")
    except (ReviewError, SheetError) as error:
        _fail(error)
    else:
        db.session.commit()
        flash(
            _("已退回全部 %(n)s 份评分表重新评分；评委重新提交后再生成复核名单。", n=count),
            "warning",
        )
    return redirect(url_for("review.recheck", event_id=event.id))


# ---------------------------------------------------------------- appeals (申诉)


def _render_appeals(event: Event, form: AppealForm, status: int = 200) -> Any:
    deadline = appeal_service.appeal_deadline(event)
    now = datetime.now(UTC)
    return (
        render_template(
            "review/appeals.html",
            appeals=appeal_service.appeals_of(event),
            form=form,
            arbitrators=arbitration.arbitrators_of(event.contest),
            deadline=deadline,
            window_open=deadline is not None and now <= deadline,
            **_context(event),
        ),
        status,
    )


@bp.route("/events/<int:event_id>/appeals", methods=["GET", "POST"])
def appeals(event_id: int):  # type: ignore[no-untyped-def]
    event = _event(event_id)
    form = AppealForm()
    if request.method == "GET":
        return _render_appeals(event, AppealForm(formdata=None))
    if not form.validate():
        return _render_appeals(event, form, 422)
    try:
        appeal = appeal_service.record_appeal(
            current_user,
            event,
            entry_code=form.entry_code.data or "",
            appellant=form.appellant.data or "",
            content=form.content.data or "",
            received_at=_as_utc(form.received_at.data),
        )
    except ReviewError as error:
        db.session.rollback()
        if isinstance(error, NotPermitted):
            abort(403)
        target = getattr(form, error.field or "", None)
        if target is not None:
            target.errors = [*target.errors, error.message]
        else:
            form.form_errors.append(error.message)
        return _render_appeals(event, form, 422)
    db.session.commit()
    flash(_("已登记 %(code)s 的申诉，待仲裁裁决。", code=shown_code(appeal.entry)), "success")
    return redirect(url_for("review.appeals", event_id=event.id))


# ---------------------------------------------------------------- sign-off (签字确认)


@bp.route("/events/<int:event_id>/sign-off", methods=["GET", "POST"])
def sign_off(event_id: int):  # type: ignore[no-untyped-def]
    event = _event(event_id)
    form = ActionForm()
    if request.method == "POST":
        if not form.validate():
            abort(400)
        if not access.is_chief(current_user, event):
            abort(403)
        if not confirm.confirmed():
            back = url_for("review.sign_off", event_id=event.id)
            return confirm.ask(confirm.sign_off(event), back)
        try:
            locked = signoff_service.sign_off(current_user, event)
        except ReviewError as error:
            _fail(error)
            return redirect(url_for("review.sign_off", event_id=event.id))
        db.session.commit()
        flash(
            _("已签字确认，%(n)s 份评分表已锁定；选手姓名现已对评审组显示。", n=locked),
            "success",
        )
        return redirect(url_for("review.progress", event_id=event.id))
    state = review.progress(event)
    recheck = recheck_service.recheck_state(event)
    return render_template(
        "review/sign_off.html",
        blockers=signoff_service.sign_off_blockers(
            event, current_user, state=state, recheck=recheck
        ),
        state=state,
        recheck=recheck,
        appeals=appeal_service.appeals_of(event),
        form=ActionForm(formdata=None),
        **_context(event),
    )
