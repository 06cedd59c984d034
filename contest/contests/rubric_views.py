"""The rubric builder of an event: criteria and aspects per component, templates, .xlsx.

Works without JavaScript: the builder page lists each component's criteria and aspects with
plain forms and links; adding or editing an aspect opens its own page.  ``static/js/rubric.js``
only hides the fields a kind does not use.  Every write goes through
``contest.services.skills.rubrics`` (which refuses once the contest has left registration).
"""

from __future__ import annotations

import io
from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from contest.contests.base import XLSX_MIME, load_event, put_error, require_button
from contest.contests.blueprint import bp
from contest.contests.forms import (
    AspectForm,
    CriterionForm,
    RubricImportForm,
    SaveTemplateForm,
    TemplateApplyForm,
)
from contest.extensions import db
from contest.models import Aspect, AspectKind, Component, Contest, Event, RubricCriterion
from contest.services.assessment.items import (
    AspectData,
    RubricError,
    join_descriptors,
    split_descriptors,
)
from contest.services.skills import rubric_io, rubric_templates, rubrics
from contest.services.skills.rubric_io import RubricImportRefused
from contest.services.skills.rubrics import component_problems, component_total
from contest.ui import confirm
from contest.ui.forms import ActionForm

IMPORT_MAX_BYTES = 5 * 1024 * 1024


def _rubric_url(contest: Contest, event: Event, anchor: str | None = None) -> str:
    url = url_for("contests.rubric", contest_id=contest.id, event_id=event.id)
    return f"{url}#{anchor}" if anchor else url


def _component(event: Event, component_id: object) -> Component:
    try:
        wanted = int(str(component_id))
    except ValueError:
        abort(404)
    for component in event.components:
        if component.id == wanted:
            return component
    abort(404)


def _criterion(event: Event, criterion_id: int) -> RubricCriterion:
    criterion = db.session.get(RubricCriterion, criterion_id)
    if criterion is None or criterion.component.event_id != event.id:
        abort(404)
    return criterion


def _aspect(event: Event, aspect_id: int) -> Aspect:
    aspect = db.session.get(Aspect, aspect_id)
    if aspect is None or aspect.event_id != event.id:
        abort(404)
    return aspect


def _refused(
    error: RubricError, contest: Contest, event: Event, anchor: str | None = None
) -> Response:
    db.session.rollback()
    flash(error.message, "danger")
    return redirect(_rubric_url(contest, event, anchor))


# ------------------------------------------------------------------ the builder page


@bp.route("/<int:contest_id>/events/<int:event_id>/rubric")
def rubric(contest_id: int, event_id: int) -> str:
    contest, event = load_event(contest_id, event_id)
    rubrics.load_rubrics([event])
    editable = contest.status in rubrics.EDITABLE_STATUSES
    templates = rubric_templates.choices(contest)
    components = [
        {
            "component": component,
            "total": component_total(component),
            "problems": component_problems(component),
            "criterion_form": CriterionForm(component_id=component.id, prefix=f"c{component.id}"),
            "template_form": _template_form(templates, component),
            "save_form": SaveTemplateForm(component_id=component.id, prefix=f"s{component.id}"),
        }
        for component in event.components
    ]
    return render_template(
        "contests/rubric.html",
        contest=contest,
        event=event,
        components=components,
        editable=editable,
        action_form=ActionForm(),
        import_form=RubricImportForm(),
        templates=templates,
        deletable={
            t.saved.id
            for t in templates
            if t.saved is not None and rubric_templates.can_delete(current_user, t.saved)
        },
    )


def _template_form(
    templates: list[rubric_templates.TemplateChoice], component: Component
) -> TemplateApplyForm:
    form = TemplateApplyForm(component_id=component.id, prefix=f"t{component.id}")
    form.template.choices = [(c.ref, c.name) for c in templates]
    return form


# ------------------------------------------------------------------ criteria


@bp.route("/<int:contest_id>/events/<int:event_id>/rubric/criteria", methods=["POST"])
def rubric_criterion_add(contest_id: int, event_id: int) -> Response:
    contest, event = load_event(contest_id, event_id)
    component = _component(event, request.form.get("component_id"))
    form = CriterionForm(prefix=f"c{component.id}")
    anchor = f"component-{component.id}"
    if not form.validate_on_submit():
        message = next(iter(form.name.errors), _("请填写评分项名称"))
        flash(str(message), "danger")
        return redirect(_rubric_url(contest, event, anchor))
    try:
        criterion = rubrics.add_criterion(current_user, component, form.name.data or "")
    except RubricError as error:
        return _refused(error, contest, event, anchor)
    db.session.commit()
    flash(_("已添加评分项“%(name)s”，请为它添加评分要素。", name=criterion.name), "success")
    return redirect(_rubric_url(contest, event, f"criterion-{criterion.id}"))


@bp.route(
    "/<int:contest_id>/events/<int:event_id>/rubric/criteria/<int:criterion_id>",
    methods=["POST"],
)
def rubric_criterion_update(contest_id: int, event_id: int, criterion_id: int) -> Response:
    contest, event = load_event(contest_id, event_id)
    criterion = _criterion(event, criterion_id)
    form = CriterionForm(prefix=f"r{criterion.id}")
    anchor = f"criterion-{criterion.id}"
    if not form.validate_on_submit():
        flash(_("请填写评分项名称"), "danger")
        return redirect(_rubric_url(contest, event, anchor))
    try:
        rubrics.update_criterion(current_user, criterion, form.name.data or "")
    except RubricError as error:
        return _refused(error, contest, event, anchor)
    db.session.commit()
    flash(_("已重命名评分项。"), "success")
    return redirect(_rubric_url(contest, event, anchor))


@bp.route(
    "/<int:contest_id>/events/<int:event_id>/rubric/criteria/<int:criterion_id>/delete",
    methods=["POST"],
)
def rubric_criterion_delete(contest_id: int, event_id: int, criterion_id: int) -> Response:
    contest, event = load_event(contest_id, event_id)
    criterion = _criterion(event, criterion_id)
    require_button()
    anchor = f"component-{criterion.component_id}"
    if not confirm.confirmed():
        return confirm.ask(confirm.delete_criterion(criterion), _rubric_url(contest, event, anchor))
    name = criterion.name
    try:
        rubrics.delete_criterion(current_user, criterion)
    except RubricError as error:
        return _refused(error, contest, event, anchor)
    db.session.commit()
    flash(_("已删除评分项“%(name)s”及其评分要素。", name=name), "success")
    return redirect(_rubric_url(contest, event, anchor))


# ------------------------------------------------------------------ aspects


def _aspect_data(form: AspectForm) -> AspectData:
    kind = form.aspect_kind
    return AspectData(
        key=(form.key.data or "").strip(),
        name=(form.name.data or "").strip(),
        kind=kind,
        max_points=form.max_points.data if form.max_points.data is not None else Decimal(0),
        scale=form.scale.data if kind is AspectKind.JUDGEMENT else None,
        step=form.step.data if form.step.data is not None else Decimal("0.5"),
        descriptors=split_descriptors(form.descriptors.data or "")
        if kind is AspectKind.JUDGEMENT
        else [],
        standard=form.standard.data,
    )


def _next_key(event: Event, component: Component) -> str:
    used = {a.key for c in event.components for cr in c.criteria for a in cr.aspects}
    prefix = component.key[:1].upper()
    n = 1
    while f"{prefix}{n}" in used:
        n += 1
    return f"{prefix}{n}"


@bp.route(
    "/<int:contest_id>/events/<int:event_id>/rubric/criteria/<int:criterion_id>/aspects/new",
    methods=["GET", "POST"],
)
def rubric_aspect_add(contest_id: int, event_id: int, criterion_id: int) -> str | Response:
    contest, event = load_event(contest_id, event_id)
    criterion = _criterion(event, criterion_id)
    form = AspectForm()
    if request.method == "GET":
        form.key.data = _next_key(event, criterion.component)
        form.kind.data = AspectKind.MEASUREMENT.value
        form.descriptors.data = join_descriptors(
            [_("不合格"), _("基本达到要求"), _("达到要求"), _("优秀")]
        )
    if form.validate_on_submit():
        try:
            rubrics.add_aspect(current_user, criterion, _aspect_data(form))
        except RubricError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(_("已添加评分要素 %(key)s。", key=form.key.data), "success")
            return redirect(_rubric_url(contest, event, f"criterion-{criterion.id}"))
    return render_template(
        "contests/rubric_aspect.html",
        form=form,
        contest=contest,
        event=event,
        criterion=criterion,
        aspect=None,
        editable=contest.status in rubrics.EDITABLE_STATUSES,
    )


@bp.route(
    "/<int:contest_id>/events/<int:event_id>/rubric/aspects/<int:aspect_id>",
    methods=["GET", "POST"],
)
def rubric_aspect_edit(contest_id: int, event_id: int, aspect_id: int) -> str | Response:
    contest, event = load_event(contest_id, event_id)
    aspect = _aspect(event, aspect_id)
    form = AspectForm(obj=aspect if request.method == "GET" else None)
    if request.method == "GET":
        form.kind.data = aspect.kind.value
        form.descriptors.data = join_descriptors(aspect.descriptors or [])
        form.max_points.data = Decimal(aspect.max_points).normalize()
        form.step.data = Decimal(aspect.step).normalize()
        if aspect.scale is None:
            form.scale.data = 3
    if form.validate_on_submit():
        try:
            rubrics.update_aspect(current_user, aspect, _aspect_data(form))
        except RubricError as error:
            db.session.rollback()
            put_error(form, error)
        else:
            db.session.commit()
            flash(_("已保存评分要素 %(key)s。", key=aspect.key), "success")
            return redirect(_rubric_url(contest, event, f"criterion-{aspect.criterion_id}"))
    return render_template(
        "contests/rubric_aspect.html",
        form=form,
        contest=contest,
        event=event,
        criterion=aspect.criterion,
        aspect=aspect,
        editable=contest.status in rubrics.EDITABLE_STATUSES,
        delete_form=ActionForm(),
    )


@bp.route(
    "/<int:contest_id>/events/<int:event_id>/rubric/aspects/<int:aspect_id>/delete",
    methods=["POST"],
)
def rubric_aspect_delete(contest_id: int, event_id: int, aspect_id: int) -> Response:
    contest, event = load_event(contest_id, event_id)
    aspect = _aspect(event, aspect_id)
    require_button()
    anchor = f"criterion-{aspect.criterion_id}"
    if not confirm.confirmed():
        return confirm.ask(confirm.delete_aspect(aspect), _rubric_url(contest, event, anchor))
    key = aspect.key
    try:
        rubrics.delete_aspect(current_user, aspect)
    except RubricError as error:
        return _refused(error, contest, event, anchor)
    db.session.commit()
    flash(_("已删除评分要素 %(key)s。", key=key), "success")
    return redirect(_rubric_url(contest, event, anchor))


# ------------------------------------------------------------------ templates


@bp.route("/<int:contest_id>/events/<int:event_id>/rubric/apply-template", methods=["POST"])
def rubric_apply_template(contest_id: int, event_id: int) -> Response:
    contest, event = load_event(contest_id, event_id)
    component = _component(event, request.form.get("component_id"))
    form = TemplateApplyForm(prefix=f"t{component.id}")
    anchor = f"component-{component.id}"
    if not form.validate_on_submit():
        abort(400)
    try:
        rubric_templates.apply_template(current_user, component, form.template.data or "")
    except RubricError as error:
        return _refused(error, contest, event, anchor)
    db.session.commit()
    flash(
        _("已将模板应用到「%(name)s」模块，可继续修改各评分要素。", name=component.name), "success"
    )
    return redirect(_rubric_url(contest, event, anchor))


@bp.route("/<int:contest_id>/events/<int:event_id>/rubric/save-template", methods=["POST"])
def rubric_save_template(contest_id: int, event_id: int) -> Response:
    contest, event = load_event(contest_id, event_id)
    component = _component(event, request.form.get("component_id"))
    form = SaveTemplateForm(prefix=f"s{component.id}")
    anchor = f"component-{component.id}"
    if not form.validate_on_submit():
        flash(_("请填写模板名称"), "danger")
        return redirect(_rubric_url(contest, event, anchor))
    try:
        template = rubric_templates.save_as_template(current_user, component, form.name.data or "")
    except RubricError as error:
        return _refused(error, contest, event, anchor)
    db.session.commit()
    flash(
        _(
            "已保存为“%(org)s”的模板“%(name)s”，本单位及下级工会的大赛均可使用。",
            org=contest.organization.name,
            name=template.name,
        ),
        "success",
    )
    return redirect(_rubric_url(contest, event, anchor))


@bp.route(
    "/<int:contest_id>/events/<int:event_id>/rubric/templates/<int:template_id>/delete",
    methods=["POST"],
)
def rubric_template_delete(contest_id: int, event_id: int, template_id: int) -> Response:
    contest, event = load_event(contest_id, event_id)
    template = next(
        (t for t in rubric_templates.saved_templates(contest) if t.id == template_id), None
    )
    if template is None:
        abort(404)
    if not rubric_templates.can_delete(current_user, template):
        abort(403)
    require_button()
    name = template.name
    rubric_templates.delete_template(current_user, template)
    db.session.commit()
    flash(_("已删除模板“%(name)s”。套用过它的评分细则不受影响。", name=name), "success")
    return redirect(_rubric_url(contest, event, "templates"))


# ------------------------------------------------------------------ .xlsx


@bp.route("/<int:contest_id>/events/<int:event_id>/rubric.xlsx")
def rubric_export(contest_id: int, event_id: int) -> Response:
    contest, event = load_event(contest_id, event_id)
    data = rubric_io.export_xlsx(event)
    return send_file(
        io.BytesIO(data),
        mimetype=XLSX_MIME,
        as_attachment=True,
        download_name=f"{contest.name}-{event.code}-{event.occupation}-评分细则.xlsx",
    )


@bp.route("/<int:contest_id>/events/<int:event_id>/rubric/template.xlsx")
def rubric_import_template(contest_id: int, event_id: int) -> Response:
    _contest, event = load_event(contest_id, event_id)
    return send_file(
        io.BytesIO(rubric_io.template_xlsx(event)),
        mimetype=XLSX_MIME,
        as_attachment=True,
        download_name="评分细则导入模板.xlsx",
    )


@bp.route("/<int:contest_id>/events/<int:event_id>/rubric/import", methods=["GET", "POST"])
def rubric_import(contest_id: int, event_id: int) -> str | Response:
    contest, event = load_event(contest_id, event_id)
    form = RubricImportForm()
    problems: list[str] = []
    if form.validate_on_submit():
        upload = form.file.data
        filename = (upload.filename or "").lower()
        data = upload.stream.read(IMPORT_MAX_BYTES + 1)
        if not filename.endswith(".xlsx"):
            problems = [_("请上传 .xlsx 格式的 Excel 文件")]
        elif len(data) > IMPORT_MAX_BYTES:
            problems = [_("文件超过 %(mb)d MB", mb=IMPORT_MAX_BYTES // (1024 * 1024))]
        else:
            try:
                count = rubric_io.import_xlsx(current_user, event, data)
            except RubricImportRefused as refused:
                db.session.rollback()
                problems = [p.describe() for p in refused.problems]
            except RubricError as error:
                db.session.rollback()
                problems = [error.message]
            else:
                db.session.commit()
                flash(_("已导入 %(n)s 个评分要素。", n=count), "success")
                return redirect(_rubric_url(contest, event))
    return render_template(
        "contests/rubric_import.html",
        form=form,
        contest=contest,
        event=event,
        problems=problems,
        editable=contest.status in rubrics.EDITABLE_STATUSES,
    )
