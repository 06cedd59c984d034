"""Expert scoring pages (issue 13 item 7): a scoring stage's rubric (templates, the organizer's
own items), the expert's sheet — tablet-first, static/js/sheet.js as on the skills and labor
sheets, by 推荐编号 only in a blind stage — and the campaign's results: the ranked list per
award with each expert's leniency and the panel's agreement, and the confirmed 确定评审结果.

Thin views over ``contest.services.nominations.expert`` (the sheets themselves go through the
shared engine there).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from contest import validation
from contest.extensions import db
from contest.models import Aspect, AspectKind, Nomination, SheetStatus
from contest.models.nomination import Campaign, ReviewStage
from contest.nominations import campaign_base, review_confirm
from contest.nominations.blueprint import bp
from contest.nominations.review_forms import ItemForm, SheetPostForm, TemplateForm, posted_marks
from contest.nominations.review_views import (
    load_nomination,
    load_stage,
    managed_campaign,
    signed_in,
    viewable_stage,
)
from contest.services.assessment.items import (
    KIND_NAMES,
    AspectData,
    RubricError,
    parse_decimal,
    split_descriptors,
)
from contest.services.assessment.sheets import (
    MarkErrors,
    NotAllowed,
    SheetError,
    StaleSheet,
    marks_of,
    number,
    parse_value,
    points_of,
)
from contest.services.nominations import awards, expert, review
from contest.services.nominations.review import NotPermitted, ReviewError
from contest.ui import confirm
from contest.ui.errors import render_error
from contest.ui.forms import ActionForm


def _rubric_url(stage: ReviewStage) -> str:
    return url_for("nominations.expert_rubric", campaign_id=stage.campaign_id, stage_id=stage.id)


def _scoring_stage(campaign: Campaign, stage_id: int) -> ReviewStage:
    stage = load_stage(campaign, stage_id)
    if stage.mode not in review.SCORING_MODES:
        abort(404)
    return stage


# ---------------------------------------------------------------- the rubric


def _rubric_page(
    campaign: Campaign,
    stage: ReviewStage,
    *,
    item_form: ItemForm | None = None,
    status: int = 200,
) -> tuple[str, int]:
    component = expert.rubric_of(stage)
    items = expert.items_of(stage)
    return (
        render_template(
            "nominations/expert_rubric.html",
            campaign=campaign,
            stage=stage,
            criteria=list(component.criteria) if component else [],
            items=items,
            full_marks=expert.full_marks(items),
            bonus=sum(
                (Decimal(a.max_points) for a in items if a.kind is AspectKind.BONUS), Decimal(0)
            ),
            editable=expert.rubric_editable(stage),
            template_form=TemplateForm(formdata=None),
            item_form=item_form or ItemForm(formdata=None, kind="measurement"),
            action_form=ActionForm(),
            confirmations=review_confirm,
        ),
        status,
    )


@bp.route("/<int:campaign_id>/review/<int:stage_id>/rubric")
@signed_in
def expert_rubric(campaign_id: int, stage_id: int) -> tuple[str, int]:
    campaign = managed_campaign(campaign_id)
    return _rubric_page(campaign, _scoring_stage(campaign, stage_id))


@bp.route("/<int:campaign_id>/review/<int:stage_id>/rubric/template", methods=["POST"])
@signed_in
def expert_rubric_template(campaign_id: int, stage_id: int) -> Any:
    campaign = managed_campaign(campaign_id)
    stage = _scoring_stage(campaign, stage_id)
    form = TemplateForm()
    if not form.validate_on_submit():
        flash(_("请选择评分细则模板。"), "danger")
        return redirect(_rubric_url(stage))
    if not confirm.confirmed():
        return confirm.ask(review_confirm.apply_template(stage), _rubric_url(stage))
    try:
        expert.apply_template(current_user, stage, form.template.data or "")
    except (RubricError, ReviewError) as error:
        db.session.rollback()
        if isinstance(error, NotPermitted):
            return render_error(403, error.message)
        flash(error.message if isinstance(error, ReviewError) else str(error), "danger")
        return redirect(_rubric_url(stage))
    db.session.commit()
    flash(_("已套用评分细则模板。"), "success")
    return redirect(_rubric_url(stage))


def _item_data(form: ItemForm) -> AspectData:
    """The posted item as the engine's data; RubricError naming the field."""
    kind = KIND_NAMES.get(form.kind.data or "")
    if kind not in expert.EXPERT_KINDS:
        raise RubricError(_("请选择类型"), "kind")
    assert kind is not None
    judgement = kind is AspectKind.JUDGEMENT
    return AspectData(
        key=(form.key.data or "").strip(),
        name=(form.name.data or "").strip(),
        kind=kind,
        max_points=parse_decimal(form.max_points.data or "", "max_points", _("分值")),
        scale=form.scale.data if judgement else None,
        step=parse_decimal(form.step.data or "0.5", "step", _("步长")),
        descriptors=split_descriptors(form.descriptors.data or "") if judgement else [],
        standard=(form.standard.data or "").strip() or None,
    )


@bp.route("/<int:campaign_id>/review/<int:stage_id>/rubric/items", methods=["POST"])
@signed_in
def expert_item_add(campaign_id: int, stage_id: int) -> Any:
    campaign = managed_campaign(campaign_id)
    stage = _scoring_stage(campaign, stage_id)
    form = ItemForm()
    if form.validate_on_submit():
        try:
            aspect = expert.add_item(
                current_user, stage, form.criterion.data or "", _item_data(form)
            )
        except NotPermitted as error:
            db.session.rollback()
            return render_error(403, error.message)
        except (RubricError, ReviewError) as error:
            db.session.rollback()
            problems = getattr(error, "problems", None) or {
                getattr(error, "field", None): (
                    error.message if hasattr(error, "message") else str(error)
                )
            }
            for name, message in problems.items():
                target = getattr(form, name or "", None)
                if target is not None and hasattr(target, "errors"):
                    target.errors = [*target.errors, message]
                else:
                    form.form_errors.append(message)
        else:
            db.session.commit()
            flash(_("已添加评分要素 %(key)s。", key=aspect.key), "success")
            return redirect(_rubric_url(stage))
    return _rubric_page(campaign, stage, item_form=form, status=422)


@bp.route(
    "/<int:campaign_id>/review/<int:stage_id>/rubric/items/<int:aspect_id>/delete",
    methods=["POST"],
)
@signed_in
def expert_item_delete(campaign_id: int, stage_id: int, aspect_id: int) -> Any:
    campaign = managed_campaign(campaign_id)
    stage = _scoring_stage(campaign, stage_id)
    aspect = db.session.get(Aspect, aspect_id)
    if aspect is None or aspect.stage_id != stage.id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    if not confirm.confirmed():
        return confirm.ask(review_confirm.delete_item(aspect), _rubric_url(stage))
    try:
        expert.delete_item(current_user, stage, aspect)
    except (RubricError, ReviewError) as error:
        db.session.rollback()
        flash(getattr(error, "message", str(error)), "danger")
        return redirect(_rubric_url(stage))
    db.session.commit()
    flash(_("已删除评分要素。"), "success")
    return redirect(_rubric_url(stage))


# ---------------------------------------------------------------- the expert's sheet


@dataclass
class ItemRow:
    """An item as the sheet shows it: the value (stored or just typed), its message."""

    aspect: Aspect
    value: str | None = None
    error: str | None = None
    attempted: object = None

    @property
    def field_name(self) -> str:
        return f"m_{self.aspect.id}"

    def shows_attempt(self) -> bool:
        return self.attempted not in (None, "") and str(self.attempted) != (self.value or "")

    def level_points(self, level: int) -> str:
        return str(number(points_of(self.aspect, Decimal(level))))


@dataclass
class Group:
    name: str
    rows: list[ItemRow] = field(default_factory=list)

    @property
    def max_points(self) -> Decimal:
        return sum((Decimal(r.aspect.max_points) for r in self.rows), Decimal(0))

    @property
    def subtotal(self) -> Decimal:
        total = Decimal(0)
        for row in self.rows:
            value, problem = parse_value(row.aspect, row.value)
            if value is not None and not problem:
                total += points_of(row.aspect, value)
        return total


def _groups(
    items: list[Aspect],
    values: dict[str, Any],
    problems: dict[str, str] | None,
    attempted: dict[str, object] | None,
) -> list[Group]:
    groups: list[Group] = []
    for aspect in items:
        if not groups or groups[-1].name != aspect.criterion.name:
            groups.append(Group(aspect.criterion.name))
        raw = values.get(aspect.key)
        groups[-1].rows.append(
            ItemRow(
                aspect,
                value=str(number(raw))
                if isinstance(raw, Decimal)
                else (None if raw in (None, "") else str(raw)),
                error=(problems or {}).get(aspect.key),
                attempted=(attempted or {}).get(aspect.key),
            )
        )
    return groups


def _sheet_url(stage: ReviewStage, nomination: Nomination) -> str:
    return url_for(
        "nominations.expert_sheet",
        campaign_id=stage.campaign_id,
        stage_id=stage.id,
        nomination_id=nomination.id,
    )


def _tasks(stage: ReviewStage) -> review.StageTasks | None:
    return next((g for g in review.stage_tasks(current_user) if g.stage.id == stage.id), None)


def _sheet_page(
    campaign: Campaign,
    stage: ReviewStage,
    nomination: Nomination,
    *,
    values: dict[str, Any] | None = None,
    problems: dict[str, str] | None = None,
    attempted: dict[str, object] | None = None,
    confirm_step: bool = False,
    status: int = 200,
) -> Any:
    refused = expert.score_refusal(current_user, stage, nomination)
    if isinstance(refused, NotAllowed):
        return render_error(403, refused.message)
    sheet = expert.sheet_of(stage, nomination, current_user.id)
    items = expert.items_of(stage)
    groups = _groups(items, marks_of(sheet) if values is None else values, problems, attempted)
    tasks = _tasks(stage)
    rows = [r for r in tasks.rows if not r.recused] if tasks else []
    ids = [r.nomination.id for r in rows]
    position = ids.index(nomination.id) if nomination.id in ids else -1
    following = None
    if tasks:
        ordered = rows[position + 1 :] + rows[: max(position, 0)]
        following = next((r for r in ordered if not tasks.is_done(r)), None)
    code = expert.codes(campaign)
    blind = stage.blind
    filled = sum(1 for g in groups for r in g.rows if r.value not in (None, ""))
    running = sum((g.subtotal for g in groups), Decimal(0))
    return (
        render_template(
            "nominations/expert_sheet.html",
            campaign=campaign,
            stage=stage,
            nomination=nomination,
            code=code.get(nomination.id, "N-?"),
            codes=code,
            blind=blind,
            shown_name=code.get(nomination.id, "N-?") if blind else nomination.name,
            deeds_short=expert.masked(nomination.deeds_short, nomination)
            if blind
            else (nomination.deeds_short or ""),
            deeds_full=expert.masked(nomination.deeds_full, nomination)
            if blind
            else (nomination.deeds_full or ""),
            award=awards.award_of(campaign, nomination.award),
            sheet=sheet,
            status=sheet.status.value if sheet is not None else "empty",
            groups=groups,
            items=items,
            filled=filled,
            running=running,
            full_marks=expert.full_marks(items),
            form=SheetPostForm(formdata=None, version=sheet.version if sheet is not None else 0),
            editable=refused is None and (sheet is None or sheet.status is SheetStatus.DRAFT),
            locked_reason=refused.message if refused is not None else None,
            confirm=confirm_step,
            tasks=tasks,
            previous=rows[position - 1] if rows and position > 0 else None,
            next=rows[position + 1] if rows and 0 <= position < len(rows) - 1 else None,
            following=following,
            config={
                "confirm": _("提交后评分表不能再修改。确定提交吗？"),
                "leave": _("评分表有未保存的修改，确定离开吗？"),
                "errors": _("有 %(n)s 处需要更正", n="__N__"),
                "incomplete": _(
                    "还有 %(n)s 项未填写，填写完整后才能提交：%(keys)s", n="__N__", keys="__KEYS__"
                ),
            },
        ),
        status,
    )


@bp.route("/<int:campaign_id>/review/<int:stage_id>/score/<int:nomination_id>")
@signed_in
def expert_sheet(campaign_id: int, stage_id: int, nomination_id: int) -> Any:
    campaign, stage = viewable_stage(campaign_id, stage_id)
    if stage.mode not in review.SCORING_MODES:
        abort(404)
    return _sheet_page(campaign, stage, load_nomination(campaign, nomination_id))


@bp.route("/<int:campaign_id>/review/<int:stage_id>/score/<int:nomination_id>", methods=["POST"])
@signed_in
def expert_save(campaign_id: int, stage_id: int, nomination_id: int) -> Any:
    campaign, stage = viewable_stage(campaign_id, stage_id)
    if stage.mode not in review.SCORING_MODES:
        abort(404)
    nomination = load_nomination(campaign, nomination_id)
    url = _sheet_url(stage, nomination)
    items = expert.items_of(stage)
    form = SheetPostForm()
    if not form.validate_on_submit():
        flash(_("页面已过期，请刷新后重新填写。"), "danger")
        return redirect(url)
    action = request.form.get("action", "save")
    wants_submit = action in ("submit", "submit-confirmed")
    submit = wants_submit and (action == "submit-confirmed" or form.confirmed.data == "1")
    values = posted_marks(items)
    try:
        expert.save_sheet(
            current_user,
            stage,
            nomination,
            values,
            submit=submit,
            expected_version=form.version.data,
        )
    except StaleSheet as error:
        db.session.rollback()
        flash(error.message, "warning")
        return _sheet_page(campaign, stage, nomination, attempted=values, status=409)
    except MarkErrors as error:
        db.session.rollback()
        flash(error.message, "danger")
        return _sheet_page(
            campaign, stage, nomination, values=values, problems=error.problems, status=422
        )
    except NotAllowed as error:
        db.session.rollback()
        return render_error(403, error.message)
    except SheetError as error:
        db.session.rollback()
        flash(error.message, "warning")
        return redirect(url)
    db.session.commit()
    shown = expert.code_of(nomination) if stage.blind else nomination.name
    if submit:
        flash(_("%(name)s 的评分表已提交。", name=shown), "success")
    elif wants_submit:
        # Without JavaScript: the draft is saved, then the page asks again (or names the gaps).
        stored = marks_of(expert.sheet_of(stage, nomination, current_user.id))
        missing = {a.key: _("提交前请填写此项") for a in items if stored.get(a.key) is None}
        if missing:
            flash(_("草稿已保存。还有未填写的项目，填写完整后才能提交。"), "warning")
            return _sheet_page(campaign, stage, nomination, problems=missing, status=422)
        flash(_("草稿已保存。请核对后确认提交。"), "info")
        return _sheet_page(campaign, stage, nomination, confirm_step=True)
    else:
        flash(_("草稿已保存。"), "success")
    return redirect(url)


# ---------------------------------------------------------------- results


@dataclass
class AwardView:
    key: str
    title: str
    quota: int | None
    rows: list[expert.Ranked]


def _max_spread(results: expert.StageResults | None) -> Decimal | None:
    """The spread the results page flags (points between an expert's total and another's):
    what the organizer typed, else a tenth of the full marks. A view setting, never stored."""
    raw = request.args.get("spread", "").strip()
    if raw:
        try:
            return validation.parse_decimal(raw, minimum=Decimal(0))
        except ValueError:
            pass  # not a plain number ≥ 0: the default below
    if results is None or results.full_marks <= 0:
        return None
    return (results.full_marks / 10).quantize(Decimal("0.1"))


@bp.route("/<int:campaign_id>/results")
@signed_in
def expert_results(campaign_id: int) -> tuple[str, int]:
    campaign = managed_campaign(campaign_id)
    stage = expert.score_stage(campaign)
    results = expert.stage_results(stage) if stage is not None else None
    views = []
    for award in awards.awards_of(campaign):
        quota = expert.host_quota(campaign, award.key)
        views.append(
            AwardView(
                award.key,
                award.title,
                int(quota.quota) if quota is not None else None,
                expert.ranked(campaign, award.key),
            )
        )
    limit = _max_spread(results)
    return (
        render_template(
            "nominations/expert_results.html",
            **campaign_base.header(campaign, "review"),
            stage=stage,
            results=results,
            awards=views,
            max_spread=limit,
            flagged=results.flagged(limit) if results is not None else set(),
            problems=expert.finalize_problems(campaign),
            action_form=ActionForm(),
            consequence=review_confirm.finalize(campaign),
        ),
        200,
    )


@bp.route("/<int:campaign_id>/results/finalize", methods=["POST"])
@signed_in
def expert_finalize(campaign_id: int) -> Response | str:
    campaign = managed_campaign(campaign_id)
    back = url_for("nominations.expert_results", campaign_id=campaign.id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if not confirm.confirmed():
        return confirm.ask(review_confirm.finalize(campaign), back)
    try:
        report = expert.finalize(current_user, campaign)
    except NotPermitted as error:
        db.session.rollback()
        return render_error(403, error.message)  # type: ignore[no-any-return]
    except ReviewError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(back)
    db.session.commit()
    for result in report.awards:
        flash(
            _(
                "「%(title)s」：正选 %(s)d 名，递补 %(a)d 名，未入选 %(n)d 名。",
                title=result.title,
                s=len(result.selected),
                a=len(result.alternates),
                n=len(result.not_selected),
            ),
            "success",
        )
        for row, why in result.skipped:
            flash(
                _(
                    "%(name)s（第 %(rank)s 名）因构成比例「%(rule)s」让出正选名额。",
                    name=row.nomination.name,
                    rank=row.rank,
                    rule=why,
                ),
                "warning",
            )
        for warning in result.warnings:
            flash(_("构成比例未达到：%(rule)s", rule=warning), "warning")
    return redirect(back)
