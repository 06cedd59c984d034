"""The organizer's pages of a rating's data inputs: 入会率 from the organisation figures and
the 会员评家 survey of each rated union — open it, print the QR slips, issue more codes, close
it, read the results.

Thin views: load (404) and authorize (403) through ``contest.labor.base``, validate the form,
call ``contest.services.labor.surveys``, commit once, flash, redirect. While a survey is open
its page shows only how many have answered: per-question counts read between two answers would
tell what the second person chose (``contest.services.labor.surveys``).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from contest.extensions import db
from contest.labor.base import (
    load_competition,
    load_participant,
    organizer_view,
    put_error,
    require_button,
)
from contest.labor.blueprint import bp
from contest.labor.survey_forms import AddCodesForm, EditSurveyForm, OpenSurveyForm, question_lines
from contest.labor.views import header_counts
from contest.models import Competition, Participant, Survey, SurveyCode
from contest.services.labor import survey_slips, surveys
from contest.services.labor.membership import participant_membership_rate
from contest.services.labor.surveys import SurveyError
from contest.ui import confirm, links
from contest.ui.confirm import Consequence
from contest.ui.forms import ActionForm
from contest.validation import db_int


def close_consequence(survey: Survey, answered: int, issued: int) -> Consequence:
    """What closing does, for the dialog and the no-JS page (``contest.ui.confirm``)."""
    return Consequence(
        title=_("结束「%(union)s」的会员评家调查？", union=survey.participant.name),
        text=_(
            "已发放 %(issued)d 个调查码，%(answered)d 人作答。结束后不再接受作答，也不能重新开始；"
            "各题结果和满意率随即显示并计入评级。",
            issued=issued,
            answered=answered,
        ),
        action=_("结束调查"),
    )


def _rating(competition_id: int) -> Competition:
    competition = load_competition(competition_id)
    if not competition.is_rating:
        abort(404)
    return competition


def _survey_or_404(participant: Participant) -> Survey:
    return surveys.survey_of(participant) or abort(404)


def _back(competition: Competition, participant: Participant) -> Response:
    return redirect(
        url_for("labor.survey", competition_id=competition.id, participant_id=participant.id)
    )


# ------------------------------------------------------------------ the list


@bp.route("/competitions/<int:competition_id>/surveys")
@organizer_view
def surveys_index(competition_id: int) -> str:
    """Every rated union with its 入会率 and the state of its survey."""
    competition = _rating(competition_id)
    participants = db.session.scalars(
        select(Participant)
        .where(Participant.competition_id == competition.id)
        .order_by(Participant.id)
    ).all()
    by_participant = {
        s.participant_id: s
        for s in db.session.scalars(select(Survey).where(Survey.competition_id == competition.id))
    }
    counts: dict[int, tuple[int, int]] = {
        survey_id: (int(issued), int(used))
        for survey_id, issued, used in db.session.execute(
            select(
                SurveyCode.survey_id,
                func.count(SurveyCode.id),
                func.count(SurveyCode.id).filter(SurveyCode.used.is_(True)),
            )
            .where(SurveyCode.survey_id.in_([s.id for s in by_participant.values()]))
            .group_by(SurveyCode.survey_id)
        )
    }
    rows = []
    for participant in participants:
        survey = by_participant.get(participant.id)
        issued, answered = counts.get(survey.id, (0, 0)) if survey else (0, 0)
        rows.append(
            {
                "participant": participant,
                "membership": participant_membership_rate(participant),
                "survey": survey,
                "issued": issued,
                "answered": answered,
                "satisfaction": surveys.satisfaction_rate(survey) if survey else None,
            }
        )
    return render_template(
        "labor/surveys.html",
        competition=competition,
        rows=rows,
        tab="surveys",
        counts=header_counts(competition),
    )


# ------------------------------------------------------------------ one union's survey


def _page(
    competition: Competition,
    participant: Participant,
    *,
    open_form: OpenSurveyForm | None = None,
    edit_form: EditSurveyForm | None = None,
    codes_form: AddCodesForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    survey = surveys.survey_of(participant)
    found = surveys.results(survey) if survey else None
    if survey is None and open_form is None:
        open_form = OpenSurveyForm(formdata=None)
        open_form.questions.data = "\n".join(surveys.default_questions())
    if survey is not None and edit_form is None:
        edit_form = EditSurveyForm(formdata=None)
        edit_form.questions.data = "\n".join(survey.questions)
        edit_form.min_response_rate.data = survey.min_response_rate.normalize()
    org = participant.organization
    page = render_template(
        "labor/survey.html",
        competition=competition,
        tab="surveys",
        counts=header_counts(competition),
        participant=participant,
        membership=participant_membership_rate(participant),
        member_count=org.member_count if org is not None else None,
        survey=survey,
        results=found,
        is_open=survey is not None and surveys.is_open(survey),
        open_form=open_form,
        edit_form=edit_form,
        codes_form=codes_form or AddCodesForm(formdata=None),
        action_form=ActionForm(),
        close=close_consequence(survey, found.answered, found.issued) if survey and found else None,
        answer_url=survey_slips.code_box_url(links.public_base()),
        slip_files=survey_slips.parts(found.issued) if found else [],
        slip_downloads=surveys.slip_downloads(survey) if survey else {},
        slips_per_file=survey_slips.SLIPS_PER_FILE,
        target=surveys.TARGET_SATISFACTION,
        choice_labels=surveys.CHOICE_LABELS,
    )
    return page, status


@bp.route("/competitions/<int:competition_id>/participants/<int:participant_id>/survey")
@organizer_view
def survey(competition_id: int, participant_id: int) -> tuple[str, int]:
    return _page(*_loaded(competition_id, participant_id))


def _submit(
    competition: Competition,
    participant: Participant,
    form: FlaskForm,
    slot: str,
    write: Callable[[], object],
) -> Response | tuple[str, int]:
    """The POST skeleton of the page's forms: validate, write (which returns the success
    message), commit and go back; a refusal shows the page again with the form as sent
    (``slot``: which of the page's forms it is)."""
    if form.validate_on_submit():
        try:
            message = write()
        except SurveyError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(str(message), "success")
            return _back(competition, participant)
    return _page(competition, participant, status=400, **{slot: form})


def _loaded(competition_id: int, participant_id: int) -> tuple[Competition, Participant]:
    competition = _rating(competition_id)
    return competition, load_participant(competition, participant_id)


@bp.route(
    "/competitions/<int:competition_id>/participants/<int:participant_id>/survey/open",
    methods=["POST"],
)
@organizer_view
def survey_open(competition_id: int, participant_id: int) -> Response | tuple[str, int]:
    competition, participant = _loaded(competition_id, participant_id)
    form = OpenSurveyForm()

    def write() -> object:
        opened = surveys.open_survey(
            current_user,
            participant,
            codes=form.codes.data,
            questions=question_lines(form.questions.data),
            min_response_rate=form.min_response_rate.data,
        )
        return _(
            "已开展会员评家调查，生成 %(n)d 个调查码。请下载调查码纸条打印后随机发给会员。",
            n=surveys.issued(opened),
        )

    return _submit(competition, participant, form, "open_form", write)


@bp.route(
    "/competitions/<int:competition_id>/participants/<int:participant_id>/survey/edit",
    methods=["POST"],
)
@organizer_view
def survey_edit(competition_id: int, participant_id: int) -> Response | tuple[str, int]:
    competition, participant = _loaded(competition_id, participant_id)
    found = _survey_or_404(participant)
    form = EditSurveyForm()

    def write() -> object:
        surveys.update_survey(
            current_user,
            found,
            questions=question_lines(form.questions.data),
            min_response_rate=form.min_response_rate.data,
        )
        return _("调查问题和最低回收率已保存。")

    return _submit(competition, participant, form, "edit_form", write)


@bp.route(
    "/competitions/<int:competition_id>/participants/<int:participant_id>/survey/codes",
    methods=["POST"],
)
@organizer_view
def survey_codes(competition_id: int, participant_id: int) -> Response | tuple[str, int]:
    competition, participant = _loaded(competition_id, participant_id)
    found = _survey_or_404(participant)
    form = AddCodesForm()

    def write() -> object:
        count = form.count.data or 0
        total = surveys.add_codes(current_user, found, count)
        return _(
            "已增发 %(n)d 个调查码，共 %(total)d 个；新纸条排在调查码纸条的最后。",
            n=count,
            total=total,
        )

    return _submit(competition, participant, form, "codes_form", write)


@bp.route(
    "/competitions/<int:competition_id>/participants/<int:participant_id>/survey/close",
    methods=["POST"],
)
@organizer_view
def survey_close(competition_id: int, participant_id: int) -> Response | str:
    competition, participant = _loaded(competition_id, participant_id)
    found = _survey_or_404(participant)
    require_button()
    if not confirm.confirmed():
        counts = surveys.results(found)
        back = url_for("labor.survey", competition_id=competition.id, participant_id=participant.id)
        return confirm.ask(close_consequence(found, counts.answered, counts.issued), back)
    try:
        surveys.close_survey(current_user, found)
    except SurveyError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(_("调查已结束，结果见下方。"), "success")
    return _back(competition, participant)


@bp.route("/competitions/<int:competition_id>/participants/<int:participant_id>/survey/slips.pdf")
@organizer_view
def survey_slips_pdf(competition_id: int, participant_id: int) -> Response:
    """The survey's slips, :data:`~contest.services.labor.survey_slips.SLIPS_PER_FILE` to a
    file (``?part=2`` for the second thousand); the QR codes lead to the public root. Every
    download is recorded (``surveys.record_slips``) and counted on the survey page."""
    competition, participant = _loaded(competition_id, participant_id)
    found = _survey_or_404(participant)
    part = request.args.get("part", 1, type=db_int) or 1
    codes = survey_slips.part_codes(found, part) or abort(404)
    data = survey_slips.slips_pdf(
        found, base_url=links.public_base(), heading=competition.name, codes=codes
    )
    surveys.record_slips(current_user, found, part, len(codes))
    db.session.commit()
    response = Response(data, mimetype="application/pdf")
    name = f"survey-slips-{competition.id}-{participant.id}-{part}.pdf"
    response.headers["Content-Disposition"] = f"attachment; filename={name}"
    response.headers["Cache-Control"] = "private, no-store"
    return response
