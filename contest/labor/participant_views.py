"""The 参赛名录 tab: the list, add/edit a participant with its people (members), withdraw,
reinstate and delete, and the .xlsx template, import and export.

Thin views over ``contest.services.labor.participants`` and ``participant_sheet``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from contest.extensions import db
from contest.labor import confirmations
from contest.labor.base import (
    IMPORT_MAX_BYTES,
    XLSX_MIME,
    load_competition,
    load_member,
    load_participant,
    organizer_view,
    put_error,
    require_button,
)
from contest.labor.blueprint import bp
from contest.labor.forms import (
    NONE,
    ImportForm,
    MemberEditForm,
    MemberForm,
    ParticipantForm,
    WithdrawForm,
)
from contest.labor.subtree_forms import SubtreeForm
from contest.labor.views import header_counts
from contest.models import (
    Competition,
    CompetitionStatus,
    Organization,
    OrgKind,
    Participant,
    ParticipantKind,
    Track,
)
from contest.services.core.spreadsheets import RowError, SheetRefused, read_upload
from contest.services.labor import participant_sheet, participants
from contest.services.labor.base import LaborError
from contest.services.labor.participants import (
    MemberData,
    ParticipantData,
    SubtreeChoice,
    SubtreePlan,
)
from contest.ui import confirm
from contest.ui.confirm import Consequence
from contest.ui.forms import ActionForm
from contest.ui.imports import ERRORS_SHOWN
from contest.validation import db_int


def _list_url(competition: Competition, anchor: str | None = None) -> str:
    url = url_for("labor.participants", competition_id=competition.id)
    return f"{url}#{anchor}" if anchor else url


def _edit_url(competition: Competition, participant: Participant, anchor: str = "") -> str:
    url = url_for(
        "labor.participant_edit", competition_id=competition.id, participant_id=participant.id
    )
    return f"{url}#{anchor}" if anchor else url


@bp.route("/<int:competition_id>/participants", endpoint="participants")
@organizer_view
def participant_list(competition_id: int) -> str:
    competition = load_competition(competition_id)
    return render_template(
        "labor/participants.html",
        competition=competition,
        tab="participants",
        counts=header_counts(competition),
        roster=participants.roster(competition),
        action_form=ActionForm(),
        open=competition.status.value != "finished",
        subtree=_subtree_section(competition),
    )


def _form(competition: Competition, participant: Participant | None = None) -> ParticipantForm:
    """The participant form: as posted, or (``participant`` on a page that does not post it)
    filled from the participant."""
    posted = request.method == "POST" and "name" in request.form
    form = ParticipantForm(
        participants.unit_choices(competition, excluding=participant),
        participants.org_choices(competition),
        list(competition.tracks),
        **({} if posted else {"formdata": None}),
        obj=None if posted else participant,
    )
    if participant is not None and not posted:
        form.kind.data = participant.kind.value
        form.parent_id.data = participant.parent_id or NONE
        form.organization_id.data = participant.organization_id or NONE
        form.track_id.data = participant.track_id or NONE
        form.contact.data = participant.contact_user.username if participant.contact_user else ""
    return form


def _data(competition: Competition, form: ParticipantForm) -> ParticipantData:
    """The form as service data; an unknown contact name is refused on its field."""
    contact = None
    if (form.contact.data or "").strip():
        contact = participants.find_contact(competition, form.contact.data or "")
    parent = None
    if form.parent_id.data and form.parent_id.data != NONE:
        parent = db.session.get(Participant, form.parent_id.data)
    return ParticipantData(
        name=form.name.data or "",
        kind=ParticipantKind(form.kind.data),
        track=db.session.get(Track, form.track_id.data) if form.track_id.data else None,
        organization=(
            db.session.get(Organization, form.organization_id.data)
            if form.organization_id.data
            else None
        ),
        parent=parent,
        registered_on=form.registered_on.data,
        contact=contact,
    )


@bp.route("/<int:competition_id>/participants/new", methods=["GET", "POST"])
@organizer_view
def participant_create(competition_id: int) -> str | Response:
    competition = load_competition(competition_id)
    form = _form(competition)
    if request.method == "GET":
        form.kind.data = request.args.get("kind") or ParticipantKind.UNIT.value
        parent = request.args.get("parent", type=db_int)
        if parent:
            form.parent_id.data = parent
            form.kind.data = ParticipantKind.TEAM.value
    if form.validate_on_submit():
        try:
            participant = participants.add_participant(
                current_user, competition, _data(competition, form)
            )
        except LaborError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(_("已将“%(name)s”列入参赛名录。", name=participant.name), "success")
            if request.form.get("again"):
                return redirect(url_for("labor.participant_create", competition_id=competition.id))
            return redirect(_list_url(competition, f"participant-{participant.id}"))
    return render_template(
        "labor/participant_form.html",
        competition=competition,
        tab="participants",
        counts=header_counts(competition),
        form=form,
        participant=None,
        contacts=participants.contact_choices(competition),
    )


@bp.route("/<int:competition_id>/participants/<int:participant_id>", methods=["GET", "POST"])
@organizer_view
def participant_edit(competition_id: int, participant_id: int) -> str | Response:
    competition = load_competition(competition_id)
    participant = load_participant(competition, participant_id)
    form = _form(competition, participant)
    if form.validate_on_submit():
        try:
            participants.update_participant(current_user, participant, _data(competition, form))
        except LaborError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(_("已保存“%(name)s”。", name=participant.name), "success")
            return redirect(_list_url(competition, f"participant-{participant.id}"))
    return _edit_page(competition, participant, form, MemberForm(prefix="m"))


def _edit_page(
    competition: Competition,
    participant: Participant,
    form: ParticipantForm,
    member_form: MemberForm,
) -> str:
    return render_template(
        "labor/participant_form.html",
        competition=competition,
        tab="participants",
        counts=header_counts(competition),
        form=form,
        participant=participant,
        contacts=participants.contact_choices(competition),
        member_form=member_form,
        member_forms={m.id: MemberEditForm(prefix=f"e{m.id}", obj=m) for m in participant.members},
        teams=participants.teams_of(participant),
        withdraw_form=WithdrawForm(),
        action_form=ActionForm(),
        deletable=not participants.has_records(participant),
    )


@bp.route("/<int:competition_id>/participants/<int:participant_id>/withdraw", methods=["POST"])
@organizer_view
def participant_withdraw(competition_id: int, participant_id: int) -> str | Response:
    competition = load_competition(competition_id)
    participant = load_participant(competition, participant_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        flash(_("表单已过期，请重试。"), "danger")
        return redirect(_edit_url(competition, participant))
    if not confirm.confirmed():
        return confirm.ask(
            confirmations.withdraw_participant(participant), _edit_url(competition, participant)
        )
    try:
        participants.withdraw_participant(current_user, participant, form.reason.data)
    except LaborError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(_edit_url(competition, participant))
    db.session.commit()
    flash(_("“%(name)s”已退出竞赛。", name=participant.name), "success")
    return redirect(_list_url(competition))


@bp.route("/<int:competition_id>/participants/<int:participant_id>/reinstate", methods=["POST"])
@organizer_view
def participant_reinstate(competition_id: int, participant_id: int) -> Response:
    competition = load_competition(competition_id)
    participant = load_participant(competition, participant_id)
    require_button()
    try:
        participants.reinstate_participant(current_user, participant)
    except LaborError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(_edit_url(competition, participant))
    db.session.commit()
    flash(_("“%(name)s”已恢复参赛。", name=participant.name), "success")
    return redirect(_list_url(competition, f"participant-{participant.id}"))


@bp.route("/<int:competition_id>/participants/<int:participant_id>/delete", methods=["POST"])
@organizer_view
def participant_delete(competition_id: int, participant_id: int) -> str | Response:
    competition = load_competition(competition_id)
    participant = load_participant(competition, participant_id)
    require_button()
    if not confirm.confirmed():
        return confirm.ask(
            confirmations.delete_participant(participant), _edit_url(competition, participant)
        )
    name = participant.name
    try:
        participants.delete_participant(current_user, participant)
    except LaborError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(_edit_url(competition, participant))
    db.session.commit()
    flash(_("已从参赛名录中删除“%(name)s”。", name=name), "success")
    return redirect(_list_url(competition))


# ------------------------------------------------------------------ members


@bp.route("/<int:competition_id>/participants/<int:participant_id>/members", methods=["POST"])
@organizer_view
def member_add(competition_id: int, participant_id: int) -> str | Response:
    competition = load_competition(competition_id)
    participant = load_participant(competition, participant_id)
    member_form = MemberForm(prefix="m")
    if member_form.validate_on_submit():
        data = MemberData(
            name=member_form.name.data or "",
            id_number=member_form.id_number.data or "",
            post=member_form.post.data,
            on_site_since=member_form.on_site_since.data,
        )
        try:
            member = participants.add_member(current_user, participant, data)
        except LaborError as error:
            db.session.rollback()
            put_error(member_form, error)
        else:
            db.session.commit()
            flash(_("已添加参赛人员 %(name)s。", name=member.person.name), "success")
            return redirect(_edit_url(competition, participant, "members"))
    return _edit_page(competition, participant, _form(competition, participant), member_form)


@bp.route(
    "/<int:competition_id>/participants/<int:participant_id>/members/<int:member_id>",
    methods=["POST"],
)
@organizer_view
def member_edit(competition_id: int, participant_id: int, member_id: int) -> Response:
    competition = load_competition(competition_id)
    participant = load_participant(competition, participant_id)
    member = load_member(participant, member_id)
    form = MemberEditForm(prefix=f"e{member.id}")
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(str(message), "danger")
        return redirect(_edit_url(competition, participant, "members"))
    try:
        participants.update_member(current_user, member, form.post.data, form.on_site_since.data)
    except LaborError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(_edit_url(competition, participant, "members"))
    db.session.commit()
    flash(_("已保存 %(name)s 的岗位和进场日期。", name=member.person.name), "success")
    return redirect(_edit_url(competition, participant, "members"))


@bp.route(
    "/<int:competition_id>/participants/<int:participant_id>/members/<int:member_id>/delete",
    methods=["POST"],
)
@organizer_view
def member_delete(competition_id: int, participant_id: int, member_id: int) -> str | Response:
    competition = load_competition(competition_id)
    participant = load_participant(competition, participant_id)
    member = load_member(participant, member_id)
    require_button()
    name = member.person.name
    back = _edit_url(competition, participant, "members")
    if not confirm.confirmed():
        return confirm.ask(confirmations.remove_member(name), back)
    try:
        participants.remove_member(current_user, member)
    except LaborError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(back)
    db.session.commit()
    flash(_("已移除参赛人员 %(name)s。", name=name), "success")
    return redirect(back)


# ------------------------------------------------------------------ spreadsheets


@bp.route("/<int:competition_id>/participants/import", methods=["GET", "POST"])
@organizer_view
def participants_import(competition_id: int) -> str:
    """Upload a 参赛名录: every row or none, with a report of every problem."""
    competition = load_competition(competition_id)
    form = ImportForm()
    errors: list[RowError] = []
    result = None
    if form.validate_on_submit():
        try:
            data, filename = read_upload(form.file.data, IMPORT_MAX_BYTES)
            result = participant_sheet.import_roster(current_user, competition, data, filename)
        except SheetRefused as refusal:
            db.session.rollback()
            errors = refusal.errors
        except LaborError as error:
            db.session.rollback()
            errors = [RowError(0, "", error.message)]
        else:
            db.session.commit()
            flash(
                _(
                    "导入完成：列入参赛名录 %(n)d 个（单位 %(u)d、班组 %(t)d、项目 %(p)d）。",
                    n=result.rows,
                    u=result.units,
                    t=result.teams,
                    p=result.projects,
                ),
                "success",
            )
    return render_template(
        "labor/participants_import.html",
        competition=competition,
        tab="participants",
        counts=header_counts(competition),
        form=form,
        errors=errors[:ERRORS_SHOWN],
        error_count=len(errors),
        result=result,
    )


@bp.route("/<int:competition_id>/participants/template.xlsx")
@organizer_view
def participants_template(competition_id: int) -> Response:
    competition = load_competition(competition_id)
    return send_file(
        io.BytesIO(participant_sheet.template_workbook(competition)),
        mimetype=XLSX_MIME,
        as_attachment=True,
        download_name="参赛名录模板.xlsx",
    )


@bp.route("/<int:competition_id>/participants/export.xlsx")
@organizer_view
def participants_export(competition_id: int) -> Response:
    competition = load_competition(competition_id)
    return send_file(
        io.BytesIO(participant_sheet.export_workbook(competition)),
        mimetype=XLSX_MIME,
        as_attachment=True,
        download_name=f"参赛名录-{competition.id}.xlsx",
    )


# ------------------------------------------------------------------ the unions of a subtree


@dataclass
class SubtreeSection:
    """The 名录's "add the unions of a subtree" card: its form, and once previewed what the
    choice would add (``plan``), why it cannot (``refusal``) or the dialog's sentence."""

    form: SubtreeForm
    plan: SubtreePlan | None = None
    refusal: str | None = None
    consequence: Consequence | None = None


def _subtree_choice(form: SubtreeForm) -> SubtreeChoice:
    """The (validated) form as the service's choice."""
    root = db.session.get(Organization, form.organization_id.data or 0)
    if root is None:
        raise LaborError(_("请从列表中选择工会"), "organization_id")
    kinds = tuple(OrgKind(value) for value in form.kinds.data or [])
    return SubtreeChoice(root, kinds, bool(form.with_figures.data))


def _subtree_section(competition: Competition) -> SubtreeSection | None:
    """The card while the 名录 may change: blank (the host, the kind the applied template is
    written for), or the preview of the choice in the query string (a GET: nothing changes)."""
    if competition.status is CompetitionStatus.FINISHED:
        return None
    roots = participants.subtree_roots(competition)
    if "organization_id" not in request.args:
        form = SubtreeForm(roots, formdata=None, meta={"csrf": False})
        form.organization_id.data = competition.organization_id
        form.kinds.data = [kind.value for kind in participants.suggested_kinds(competition)]
        return SubtreeSection(form)
    form = SubtreeForm(roots, formdata=request.args, meta={"csrf": False})
    section = SubtreeSection(form)
    if form.validate():
        try:
            section.plan = participants.subtree_plan(competition, _subtree_choice(form))
        except LaborError as error:
            put_error(form, error)
        else:
            section.refusal = participants.subtree_refusal(section.plan)
            section.consequence = confirmations.add_subtree(section.plan)
    return section


def _subtree_preview_url(competition: Competition, form: SubtreeForm) -> str:
    """The 名录 page previewing the choice ``form`` holds (where a refused add goes back to)."""
    args: dict[str, Any] = {
        "organization_id": form.organization_id.data or "",
        "kinds": list(form.kinds.data or []),
    }
    if form.with_figures.data:
        args["with_figures"] = "y"
    url = url_for("labor.participants", competition_id=competition.id, **args)
    return f"{url}#subtree"


@bp.route("/<int:competition_id>/participants/subtree", methods=["POST"])
@organizer_view
def participants_subtree(competition_id: int) -> str | Response:
    """Add the previewed unions of a subtree; without the dialog's confirmation the page asks
    first, naming how many will be added."""
    competition = load_competition(competition_id)
    form = SubtreeForm(participants.subtree_roots(competition))
    back = _subtree_preview_url(competition, form)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(str(message), "danger")
        return redirect(back)
    try:
        choice = _subtree_choice(form)
        if not confirm.confirmed():
            plan = participants.subtree_plan(competition, choice)
            refusal = participants.subtree_refusal(plan)
            if refusal is not None:
                raise LaborError(refusal)
            return confirm.ask(confirmations.add_subtree(plan), back)
        plan = participants.add_subtree(current_user, competition, choice)
    except LaborError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(back)
    db.session.commit()
    message = _("已将 %(n)d 个工会列入参赛名录。", n=len(plan.adding))
    if plan.skipped:
        message = _(
            "已将 %(n)d 个工会列入参赛名录，跳过 %(s)d 个。", n=len(plan.adding), s=plan.skipped
        )
    flash(message, "success")
    return redirect(_list_url(competition, "roster"))
