"""The 考核指标 tab: the competition's indicator sheet, a built-in template, 考评项目 and the
items of every kind, the bonus cap and a rating's grades, and the .xlsx round trip.

Works without JavaScript (``static/js/indicators.js`` only hides the fields an item's kind
does not use). Every write goes through ``contest.services.labor.indicators``, which refuses
once a round has been assessed on the sheet.
"""

from __future__ import annotations

import io
from decimal import Decimal

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
    load_criterion,
    load_item,
    organizer_view,
    plain,
    put_error,
    require_button,
)
from contest.labor.blueprint import bp
from contest.labor.forms import CriterionForm, ImportForm, ItemForm, RulesForm, TemplateForm
from contest.labor.views import header_counts
from contest.models import Aspect, AspectKind, Competition, RubricCriterion, VetoEffect
from contest.services.assessment.items import AspectData, RubricError
from contest.services.core.spreadsheets import RowError, SheetRefused, read_upload
from contest.services.labor import indicator_sheet, indicators
from contest.ui import confirm
from contest.ui.forms import ActionForm
from contest.ui.imports import ERRORS_SHOWN


def _url(competition: Competition, anchor: str | None = None) -> str:
    url = url_for("labor.indicators", competition_id=competition.id)
    return f"{url}#{anchor}" if anchor else url


def _refused(error: RubricError, competition: Competition, anchor: str | None = None) -> Response:
    db.session.rollback()
    flash(error.message, "danger")
    return redirect(_url(competition, anchor))


def _template_form(competition: Competition) -> TemplateForm:
    form = TemplateForm(prefix="tpl")
    form.template.choices = [
        (key, t["name"]) for key, t in indicators.template_choices(competition)
    ]
    return form


def _page(competition: Competition, rules_form: RulesForm | None = None) -> str:
    component = indicators.sheet_of(competition)
    if rules_form is None:
        rules_form = RulesForm(
            prefix="rules",
            formdata=None,
            bonus_cap=plain(competition.bonus_cap),
            grades=indicators.grades_text(competition),
        )
    return render_template(
        "labor/indicators.html",
        competition=competition,
        tab="indicators",
        counts=header_counts(competition),
        component=component,
        total=indicators.base_total(component),
        bonus=indicators.bonus_total(component),
        problems=indicators.sheet_problems(competition),
        editable=indicators.is_editable(competition),
        criterion_points=indicators.criterion_points,
        criterion_form=CriterionForm(prefix="c"),
        template_form=_template_form(competition),
        templates=indicators.template_choices(competition),
        rules_form=rules_form,
        action_form=ActionForm(),
    )


@bp.route("/<int:competition_id>/indicators", endpoint="indicators")
@organizer_view
def indicator_sheet_page(competition_id: int) -> str:
    return _page(load_competition(competition_id))


@bp.route("/<int:competition_id>/indicators/template", methods=["POST"])
@organizer_view
def indicators_apply_template(competition_id: int) -> str | Response:
    competition = load_competition(competition_id)
    form = _template_form(competition)
    if not form.validate_on_submit():
        flash(_("表单已过期，请重试。"), "danger")
        return redirect(_url(competition))
    if indicators.items_of(indicators.sheet_of(competition)) and not confirm.confirmed():
        return confirm.ask(confirmations.apply_template(competition), _url(competition))
    name = dict(form.template.choices or []).get(form.template.data or "", "")
    try:
        indicators.apply_template(current_user, competition, form.template.data or "")
    except RubricError as error:
        return _refused(error, competition)
    db.session.commit()
    flash(_("已套用模板“%(name)s”。", name=name), "success")
    return redirect(_url(competition))


@bp.route("/<int:competition_id>/indicators/rules", methods=["POST"])
@organizer_view
def indicators_rules(competition_id: int) -> str | Response:
    competition = load_competition(competition_id)
    form = RulesForm(prefix="rules")
    if form.validate_on_submit():
        try:
            grades = indicators.parse_grades(form.grades.data or "")
            indicators.set_rules(current_user, competition, form.bonus_cap.data, grades)
        except RubricError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(_("已保存加分上限和等级。"), "success")
            return redirect(_url(competition, "rules"))
    return _page(competition, form)


# ------------------------------------------------------------------ criteria


@bp.route("/<int:competition_id>/indicators/criteria", methods=["POST"])
@organizer_view
def indicators_criterion_add(competition_id: int) -> Response:
    competition = load_competition(competition_id)
    form = CriterionForm(prefix="c")
    if not form.validate_on_submit():
        flash(str(next(iter(form.name.errors), _("请填写考评项目名称"))), "danger")
        return redirect(_url(competition))
    try:
        criterion = indicators.add_criterion(current_user, competition, form.name.data or "")
    except RubricError as error:
        return _refused(error, competition)
    db.session.commit()
    flash(_("已添加考评项目“%(name)s”，请为它添加考核内容。", name=criterion.name), "success")
    return redirect(_url(competition, f"criterion-{criterion.id}"))


@bp.route("/<int:competition_id>/indicators/criteria/<int:criterion_id>", methods=["POST"])
@organizer_view
def indicators_criterion_rename(competition_id: int, criterion_id: int) -> Response:
    competition = load_competition(competition_id)
    criterion = load_criterion(competition, criterion_id)
    form = CriterionForm(prefix=f"r{criterion.id}")
    anchor = f"criterion-{criterion.id}"
    if not form.validate_on_submit():
        flash(str(next(iter(form.name.errors), _("请填写考评项目名称"))), "danger")
        return redirect(_url(competition, anchor))
    try:
        indicators.rename_criterion(current_user, competition, criterion, form.name.data or "")
    except RubricError as error:
        return _refused(error, competition, anchor)
    db.session.commit()
    flash(_("已重命名考评项目。"), "success")
    return redirect(_url(competition, anchor))


@bp.route("/<int:competition_id>/indicators/criteria/<int:criterion_id>/delete", methods=["POST"])
@organizer_view
def indicators_criterion_delete(competition_id: int, criterion_id: int) -> str | Response:
    competition = load_competition(competition_id)
    criterion = load_criterion(competition, criterion_id)
    require_button()
    if not confirm.confirmed():
        return confirm.ask(confirmations.delete_criterion(criterion), _url(competition))
    name = criterion.name
    try:
        indicators.delete_criterion(current_user, competition, criterion)
    except RubricError as error:
        return _refused(error, competition)
    db.session.commit()
    flash(_("已删除考评项目“%(name)s”及其考核内容。", name=name), "success")
    return redirect(_url(competition))


# ------------------------------------------------------------------ items


def _item_data(form: ItemForm) -> AspectData:
    kind = AspectKind(form.kind.data) if form.kind.data else AspectKind.MEASUREMENT
    effects = {e.value: e for e in VetoEffect}
    return AspectData(
        key=(form.key.data or "").strip(),
        name=(form.name.data or "").strip(),
        kind=kind,
        max_points=form.max_points.data if form.max_points.data is not None else Decimal(0),
        step=form.step.data if form.step.data is not None else Decimal("0.5"),
        standard=form.standard.data,
        threshold=form.threshold.data,
        per_step=form.per_step.data,
        step_deduction=form.step_deduction.data,
        veto_effect=effects.get(form.veto_effect.data or ""),
        source=form.source.data or None,
    )


def _item_page(
    competition: Competition,
    criterion: RubricCriterion,
    form: ItemForm,
    aspect: Aspect | None,
) -> str:
    return render_template(
        "labor/indicator_item.html",
        competition=competition,
        tab="indicators",
        counts=header_counts(competition),
        criterion=criterion,
        form=form,
        aspect=aspect,
        editable=indicators.is_editable(competition),
        action_form=ActionForm(),
    )


@bp.route(
    "/<int:competition_id>/indicators/criteria/<int:criterion_id>/items/new",
    methods=["GET", "POST"],
)
@organizer_view
def indicators_item_add(competition_id: int, criterion_id: int) -> str | Response:
    competition = load_competition(competition_id)
    criterion = load_criterion(competition, criterion_id)
    form = ItemForm()
    if request.method == "GET":
        form.key.data = indicators.suggested_key(competition, criterion)
        form.kind.data = request.args.get("kind") or AspectKind.MEASUREMENT.value
        form.veto_effect.data = VetoEffect.ROUND.value
    if form.validate_on_submit():
        try:
            aspect = indicators.add_item(current_user, competition, criterion, _item_data(form))
        except RubricError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(_("已添加考核内容 %(key)s。", key=aspect.key), "success")
            return redirect(_url(competition, f"criterion-{criterion.id}"))
    return _item_page(competition, criterion, form, None)


@bp.route("/<int:competition_id>/indicators/items/<int:aspect_id>", methods=["GET", "POST"])
@organizer_view
def indicators_item_edit(competition_id: int, aspect_id: int) -> str | Response:
    competition = load_competition(competition_id)
    aspect = load_item(competition, aspect_id)
    form = ItemForm(obj=aspect if request.method == "GET" else None)
    if request.method == "GET":
        for name in ("max_points", "step", "threshold", "per_step", "step_deduction"):
            getattr(form, name).data = plain(getattr(aspect, name))
        form.kind.data = aspect.kind.value
        form.veto_effect.data = (aspect.veto_effect or VetoEffect.ROUND).value
        form.source.data = aspect.source or ""
    if form.validate_on_submit():
        try:
            indicators.update_item(current_user, competition, aspect, _item_data(form))
        except RubricError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(_("已保存考核内容 %(key)s。", key=aspect.key), "success")
            return redirect(_url(competition, f"criterion-{aspect.criterion_id}"))
    return _item_page(competition, aspect.criterion, form, aspect)


@bp.route("/<int:competition_id>/indicators/items/<int:aspect_id>/delete", methods=["POST"])
@organizer_view
def indicators_item_delete(competition_id: int, aspect_id: int) -> str | Response:
    competition = load_competition(competition_id)
    aspect = load_item(competition, aspect_id)
    require_button()
    anchor = f"criterion-{aspect.criterion_id}"
    if not confirm.confirmed():
        return confirm.ask(confirmations.delete_item(aspect), _url(competition, anchor))
    key = aspect.key
    try:
        indicators.delete_item(current_user, competition, aspect)
    except RubricError as error:
        return _refused(error, competition, anchor)
    db.session.commit()
    flash(_("已删除考核内容 %(key)s。", key=key), "success")
    return redirect(_url(competition, anchor))


# ------------------------------------------------------------------ spreadsheets


@bp.route("/<int:competition_id>/indicators/import", methods=["GET", "POST"])
@organizer_view
def indicators_import(competition_id: int) -> str | Response:
    """Replace the sheet with a file's: all rows or none, with a report of every problem."""
    competition = load_competition(competition_id)
    form = ImportForm()
    errors: list[RowError] = []
    if form.validate_on_submit():
        try:
            data, filename = read_upload(form.file.data, IMPORT_MAX_BYTES)
            count = indicator_sheet.import_workbook(current_user, competition, data, filename)
        except SheetRefused as refusal:
            db.session.rollback()
            errors = refusal.errors
        except RubricError as error:
            db.session.rollback()
            errors = [RowError(0, "", error.message)]
        else:
            db.session.commit()
            flash(_("已导入 %(n)d 项考核内容。", n=count), "success")
            return redirect(_url(competition))
    return render_template(
        "labor/indicators_import.html",
        competition=competition,
        tab="indicators",
        counts=header_counts(competition),
        form=form,
        errors=errors[:ERRORS_SHOWN],
        error_count=len(errors),
        editable=indicators.is_editable(competition),
    )


@bp.route("/<int:competition_id>/indicators/export.xlsx")
@organizer_view
def indicators_export(competition_id: int) -> Response:
    competition = load_competition(competition_id)
    return send_file(
        io.BytesIO(indicator_sheet.export_workbook(competition)),
        mimetype=XLSX_MIME,
        as_attachment=True,
        download_name=f"考核指标-{competition.id}.xlsx",
    )


@bp.route("/<int:competition_id>/indicators/template.xlsx")
@organizer_view
def indicators_template(competition_id: int) -> Response:
    competition = load_competition(competition_id)
    return send_file(
        io.BytesIO(indicator_sheet.template_workbook(competition)),
        mimetype=XLSX_MIME,
        as_attachment=True,
        download_name="考核指标模板.xlsx",
    )
