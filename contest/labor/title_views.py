"""The 称号 tab: title rules, the proposal with its reasons and near-misses, person awards, and
the conferral (文号 and date) that puts the titles on the wall; for a rating, the grades and
the honors they become.

Thin views over ``contest.services.labor.titles``: load (404), authorize (403), check the
form, call the service, commit once, flash, redirect. GET handlers never write.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import Length, Optional

from contest.extensions import db
from contest.labor.base import load_competition, organizer_view, put_error, require_button
from contest.labor.blueprint import bp
from contest.labor.views import header_counts
from contest.models import (
    HONOR_LEVEL_LABELS,
    Competition,
    CompetitionAward,
    ParticipantMember,
)
from contest.services.assessment.items import format_points
from contest.services.labor import titles as service
from contest.services.labor.base import LaborError, today
from contest.ui import confirm
from contest.ui.confirm import Consequence
from contest.ui.forms import ActionForm, CheckedForm
from contest.validation import db_int


class TitleRuleForm(CheckedForm):
    """A title rule's fields; the rules themselves are checked by the service."""

    title = StringField(
        _l("称号名称"),
        validators=[Length(max=100)],
        render_kw={"placeholder": _l("如：先进集体、优秀建设者")},
    )
    # The service checks the choices (with its own messages), so a select missing from a post
    # is told what to choose rather than WTForms' "not a valid choice".
    recipient = SelectField(_l("授予对象"), validate_choice=False)
    by = SelectField(_l("评定方式"), validate_choice=False)
    top = IntegerField(
        _l("前几名（每个赛道）"),
        validators=[Optional()],
        description=_l("按名次评定时填写；名次并列的一并授予"),
    )
    min_total = StringField(
        _l("分数线"),
        validators=[Optional(), Length(max=12)],
        description=_l("按分数线评定时填写，与累计排名的总分比较，如 95"),
    )
    every_round = BooleanField(_l("须参加每一轮考评"))
    prior_title = StringField(
        _l("须已获得的称号（包含文字）"),
        validators=[Optional(), Length(max=100)],
        description=_l("如“安康杯”；不要求以往称号请留空"),
    )
    prior_level = SelectField(_l("以往称号的级别（及以上）"), validate_choice=False)
    prior_years = IntegerField(
        _l("以往称号须在几年内获得"), validators=[Optional()], description=_l("如 5")
    )
    no_repeat_years = IntegerField(
        _l("几年内获得过的不再授予"),
        validators=[Optional()],
        description=_l("同级同名称号；永不重复授予可填 100；不限请留空"),
    )
    tenure_years = IntegerField(
        _l("进场满几年（个人称号）"),
        validators=[Optional()],
        description=_l("优秀建设者须在项目一线工作满 1 年"),
    )
    expected = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recipient.choices = [(r, service.recipient_label(r)) for r in service.RECIPIENTS]
        self.by.choices = [("rank", str(_l("按名次"))), ("threshold", str(_l("按分数线")))]
        self.prior_level.choices = [("", "—")] + [
            (level.value, str(label)) for level, label in HONOR_LEVEL_LABELS.items()
        ]

    def raw(self) -> dict[str, Any]:
        """The posted rule in the stored shape (the service reads and checks it)."""
        data: dict[str, Any] = {
            "title": self.title.data or "",
            "recipient": self.recipient.data,
            "by": self.by.data,
            "every_round": bool(self.every_round.data),
            "no_repeat_years": self.no_repeat_years.data,
            "tenure_years": self.tenure_years.data,
        }
        if self.by.data == "rank":
            data["top"] = self.top.data
        else:
            data["min_total"] = (self.min_total.data or "").strip()
        data["prior"] = {
            "title_contains": self.prior_title.data or "",
            "level": self.prior_level.data or "",
            "years": self.prior_years.data,
        }
        return data

    def fill(self, rule: service.TitleRule) -> None:
        self.title.data = rule.title
        self.recipient.data = rule.recipient
        self.by.data = rule.by
        self.top.data = rule.top
        self.min_total.data = format_points(rule.min_total) if rule.min_total else ""
        self.every_round.data = rule.every_round
        if rule.prior is not None:
            self.prior_title.data = rule.prior.title_contains
            self.prior_level.data = rule.prior.level.value
            self.prior_years.data = rule.prior.years
        self.no_repeat_years.data = rule.no_repeat_years
        self.tenure_years.data = rule.tenure_years
        self.expected.data = rule.title


class ConferForm(CheckedForm):
    document_number = StringField(
        _l("表彰文件文号"),
        validators=[Length(max=100)],
        render_kw={"placeholder": _l("如：江工发〔2026〕12号")},
    )
    conferred_on = DateField(_l("授予日期"), validators=[Optional()])


def _url(competition: Competition, anchor: str = "") -> str:
    url = url_for("labor.titles", competition_id=competition.id)
    return f"{url}#{anchor}" if anchor else url


def _flash_error(error: LaborError) -> None:
    flash(error.message, "danger")
    for problem in error.problems:
        flash(problem, "danger")


# ------------------------------------------------------------------ the page


@bp.route("/<int:competition_id>/titles")
@organizer_view
def titles(competition_id: int) -> str:
    competition = load_competition(competition_id)
    rule_problem = ""
    try:
        rules = service.rules_of(competition)
    except LaborError as error:
        rules, rule_problem = [], error.message
    conferral = service.conferral(competition)
    evaluation = service.evaluate(competition)
    awards = service.awards_of(competition)
    problems = [] if conferral else service.confer_problems(competition, evaluation)
    listed = {(a.title, a.person_id) for a in awards if a.person_id is not None}
    candidates = [c for c in evaluation.candidates if (c.title, c.person_id) not in listed]
    form = ConferForm()
    form.conferred_on.data = today()
    grades = [
        (line, grade, service.rating_title(competition.kind, grade))
        for line, grade in competition.grades or []
    ]
    return render_template(
        "labor/titles.html",
        competition=competition,
        tab="titles",
        counts=header_counts(competition),
        rules=rules,
        rule_problem=rule_problem,
        evaluation=evaluation,
        awards=awards,
        candidates=candidates,
        conferral=conferral,
        problems=problems,
        form=form,
        action_form=ActionForm(),
        grades=grades,
        may_edit=conferral is None and competition.status.value != "draft",
        recipient_label=service.recipient_label,
        delete_rule=delete_rule_consequence,
        consequence=_confer_consequence(competition, awards),
    )


def _confer_consequence(competition: Competition, awards: list[CompetitionAward]) -> Consequence:
    people = sum(1 for a in awards if a.person_id is not None)
    text = _(
        "将创建 %(n)d 项荣誉（集体 %(c)d 项、个人 %(p)d 项），登上劳模墙。",
        n=len(awards),
        c=len(awards) - people,
        p=people,
    ) + _("竞赛随即结束，授予后不能撤回或重复授予。")
    if competition.is_rating:
        text += _("同一组织此前同类、同级评级的有效期截止到授予日期前一天。")
    return Consequence(title=_("授予称号？"), text=text, action=_("授予称号"))


# ------------------------------------------------------------------ rules


def _rule_form_page(competition: Competition, form: TitleRuleForm, index: int | None) -> str:
    return render_template(
        "labor/title_rule_form.html",
        competition=competition,
        tab="titles",
        counts=header_counts(competition),
        form=form,
        index=index,
    )


@bp.route("/<int:competition_id>/titles/rules/new", methods=["GET", "POST"])
@organizer_view
def title_rule_new(competition_id: int) -> str | Response:
    competition = load_competition(competition_id)
    form = TitleRuleForm()
    if request.method == "GET":
        form.by.data = "rank"
    if form.validate_on_submit():
        try:
            rule = service.save_rule(current_user, competition, form.raw())
        except LaborError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(_("已添加称号规则“%(title)s”。", title=rule.title), "success")
            return redirect(_url(competition, "rules"))
    return _rule_form_page(competition, form, None)


@bp.route("/<int:competition_id>/titles/rules/<int:index>", methods=["GET", "POST"])
@organizer_view
def title_rule_edit(competition_id: int, index: int) -> str | Response:
    competition = load_competition(competition_id)
    try:
        rules = service.rules_of(competition)
    except LaborError as error:
        flash(error.message, "danger")
        return redirect(_url(competition, "rules"))
    if not 0 <= index < len(rules):
        abort(404)
    form = TitleRuleForm()
    if request.method == "GET":
        form.fill(rules[index])
    if form.validate_on_submit():
        try:
            service.save_rule(
                current_user, competition, form.raw(), index, form.expected.data or ""
            )
        except LaborError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(_("已保存称号规则。"), "success")
            return redirect(_url(competition, "rules"))
    return _rule_form_page(competition, form, index)


@bp.route("/<int:competition_id>/titles/rules/<int:index>/delete", methods=["POST"])
@organizer_view
def title_rule_delete(competition_id: int, index: int) -> str | Response:
    competition = load_competition(competition_id)
    require_button()
    expected = (request.form.get("expected") or "")[:100]
    if not confirm.confirmed():
        return confirm.ask(delete_rule_consequence(expected), _url(competition, "rules"))
    try:
        removed = service.delete_rule(current_user, competition, index, expected)
    except LaborError as error:
        db.session.rollback()
        _flash_error(error)
        return redirect(_url(competition, "rules"))
    db.session.commit()
    flash(_("已删除称号规则“%(title)s”。", title=removed.title), "success")
    return redirect(_url(competition, "rules"))


def delete_rule_consequence(title: str) -> Consequence:
    return Consequence(
        title=_("删除称号规则「%(title)s」？", title=title),
        text=_("删除后建议名单中按此规则评定的称号也将在重新生成时移除。"),
        action=_("删除规则"),
    )


# ------------------------------------------------------------------ the proposal


@bp.route("/<int:competition_id>/titles/propose", methods=["POST"])
@organizer_view
def titles_propose(competition_id: int) -> Response:
    competition = load_competition(competition_id)
    require_button()
    try:
        evaluation = service.propose(current_user, competition)
    except LaborError as error:
        db.session.rollback()
        _flash_error(error)
        return redirect(_url(competition, "proposal"))
    db.session.commit()
    flash(
        _(
            "已生成建议名单：%(n)d 项称号，%(m)d 个未入选的说明见下方。",
            n=len(evaluation.qualified),
            m=len(evaluation.near_misses),
        ),
        "success",
    )
    return redirect(_url(competition, "proposal"))


@bp.route("/<int:competition_id>/titles/people", methods=["POST"])
@organizer_view
def title_person_add(competition_id: int) -> Response:
    competition = load_competition(competition_id)
    require_button()
    try:
        member_id = db_int(request.form.get("member_id") or "")
    except ValueError:
        member_id = None
    member = db.session.get(ParticipantMember, member_id) if member_id else None
    if member is None or member.participant.competition_id != competition.id:
        abort(404)
    title = (request.form.get("title") or "").strip()[:100]
    try:
        award = service.add_person_award(current_user, competition, member, title)
    except LaborError as error:
        db.session.rollback()
        _flash_error(error)
        return redirect(_url(competition, "people"))
    db.session.commit()
    flash(
        _("已将%(name)s列入“%(title)s”建议名单。", name=member.person.name, title=award.title),
        "success",
    )
    return redirect(_url(competition, "people"))


@bp.route("/<int:competition_id>/titles/awards/<int:award_id>/remove", methods=["POST"])
@organizer_view
def title_award_remove(competition_id: int, award_id: int) -> Response:
    competition = load_competition(competition_id)
    require_button()
    award = db.session.get(CompetitionAward, award_id)
    if award is None or award.competition_id != competition.id:
        abort(404)
    name = award.person.name if award.person else ""
    try:
        service.remove_award(current_user, award)
    except LaborError as error:
        db.session.rollback()
        _flash_error(error)
        return redirect(_url(competition, "proposal"))
    db.session.commit()
    flash(_("已将%(name)s移出建议名单。", name=name), "success")
    return redirect(_url(competition, "proposal"))


# ------------------------------------------------------------------ conferral


@bp.route("/<int:competition_id>/titles/confer", methods=["POST"])
@organizer_view
def titles_confer(competition_id: int) -> str | Response:
    competition = load_competition(competition_id)
    form = ConferForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "danger")
        return redirect(_url(competition, "confer"))
    if not confirm.confirmed():
        awards = service.awards_of(competition)
        return confirm.ask(_confer_consequence(competition, awards), _url(competition, "confer"))
    try:
        done = service.confer(
            current_user, competition, form.document_number.data or "", form.conferred_on.data
        )
    except LaborError as error:
        db.session.rollback()
        _flash_error(error)
        return redirect(_url(competition, "confer"))
    db.session.commit()
    message = _("已授予 %(n)d 项称号，已在劳模墙展示。", n=len(done.honors))
    if done.ended:
        message += _("此前 %(n)d 项评级的有效期已截止。", n=done.ended)
    flash(message, "success")
    return redirect(_url(competition, "proposal"))
