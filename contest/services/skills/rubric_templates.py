"""Reusable rubrics: two built-in templates and the ones unions save from their own contests.

A template is one component's rubric as plain data (``rubrics.component_data``).  Built-in
templates live here in code (so every installation has them, translated, without a migration);
saved ones are ``RubricTemplate`` rows owned by a union and offered to contests hosted by that
union or below it.  Applying a template replaces the component's rubric (audited) and is
refused, like every rubric edit, once the contest has left registration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from contest.extensions import db
from contest.models import Organization, User
from contest.models.contest import SKILLS_ASPECT_KINDS, Component, Contest, RubricTemplate
from contest.services.assessment.items import plan_from_data
from contest.services.core import audit
from contest.services.skills import rubrics
from contest.validation import text_problem


def _m(key: str, name: str, points: int, step: str = "0.5", standard: str = "") -> dict[str, Any]:
    return {
        "key": key,
        "name": name,
        "kind": "measurement",
        "max_points": str(points),
        "step": step,
        "standard": standard or None,
    }


def _j(key: str, name: str, points: int, levels: list[str]) -> dict[str, Any]:
    return {
        "key": key,
        "name": name,
        "kind": "judgement",
        "max_points": str(points),
        "scale": len(levels) - 1,
        "step": "1",
        "descriptors": levels,
    }


def _d(key: str, name: str, points: int, standard: str) -> dict[str, Any]:
    return {
        "key": key,
        "name": name,
        "kind": "deduction",
        "max_points": str(points),
        "step": "1",
        "standard": standard,
    }


def _builtin() -> dict[str, dict[str, Any]]:
    """Built at call time so the names are translated for the current request."""
    return {
        "worldskills": {
            "name": _("世赛式测量/评价（M/J）模板"),
            "description": _(
                "测量分项按是否达标给分；评价分项由 3 名裁判按 0–3 级评价，"
                "每级有描述。合计 100 分。"
            ),
            "data": {
                "criteria": [
                    {
                        "name": _("A 工作组织与安全"),
                        "aspects": [
                            _m(
                                "M1",
                                _("正确佩戴安全防护用品"),
                                5,
                                "5",
                                _("全部正确得 5 分，否则 0 分"),
                            ),
                            _m("M2", _("工位整洁、工具归位"), 5, "1", _("每处不符合扣 1 分")),
                        ],
                    },
                    {
                        "name": _("B 尺寸与功能"),
                        "aspects": [
                            _m("M3", _("关键尺寸一"), 20, "0.5", _("在公差内得满分，超差不得分")),
                            _m("M4", _("关键尺寸二"), 20, "0.5", _("在公差内得满分，超差不得分")),
                            _m("M5", _("功能测试"), 10, "1", _("各项功能逐项测试")),
                        ],
                    },
                    {
                        "name": _("C 工艺与外观"),
                        "aspects": [
                            _j(
                                "J1",
                                _("表面质量"),
                                15,
                                [
                                    _("明显缺陷，未达到行业标准"),
                                    _("达到行业基本标准"),
                                    _("达到并部分超过行业标准"),
                                    _("优秀，达到行业领先水平"),
                                ],
                            ),
                            _j(
                                "J2",
                                _("整体工艺"),
                                15,
                                [
                                    _("工艺混乱，返工明显"),
                                    _("工艺基本合理"),
                                    _("工艺合理、过程规范"),
                                    _("工艺精湛、过程高效规范"),
                                ],
                            ),
                            _j(
                                "J3",
                                _("布局与美观"),
                                10,
                                [
                                    _("布局杂乱，不便使用"),
                                    _("布局基本合理"),
                                    _("布局合理、美观"),
                                    _("布局出色，兼顾美观与功能"),
                                ],
                            ),
                        ],
                    },
                ]
            },
        },
        "cn100": {
            "name": _("百分制评分细则（含扣分项）"),
            "description": _(
                "按工艺准备、加工质量、职业素养、安全文明生产分项打分，违规扣分。合计 100 分。"
            ),
            "data": {
                "criteria": [
                    {
                        "name": _("一、工艺准备"),
                        "aspects": [
                            _m(
                                "1",
                                _("工艺文件编制"),
                                10,
                                "1",
                                _("工序合理、参数正确，每处错误扣 2 分"),
                            ),
                        ],
                    },
                    {
                        "name": _("二、加工质量"),
                        "aspects": [
                            _m(
                                "2", _("尺寸精度"), 40, "0.5", _("每超差 0.01 mm 扣 2 分，扣完为止")
                            ),
                            _m("3", _("表面粗糙度"), 10, "1", _("Ra 超差一级扣 5 分")),
                            _m("4", _("形位公差"), 10, "1", _("每项超差扣 5 分")),
                        ],
                    },
                    {
                        "name": _("三、职业素养"),
                        "aspects": [
                            _j(
                                "5",
                                _("操作规范与工作习惯"),
                                10,
                                [_("不规范"), _("基本规范"), _("规范"), _("熟练规范")],
                            ),
                        ],
                    },
                    {
                        "name": _("四、安全文明生产（扣分项）"),
                        "aspects": [
                            _d(
                                "6",
                                _("违规操作"),
                                10,
                                _("每次违规扣 2 分；发生安全事故取消比赛资格"),
                            ),
                            _d("7", _("设备及工量具维护"), 10, _("损坏或乱放工量具每次扣 2 分")),
                        ],
                    },
                ]
            },
        },
    }


@dataclass(frozen=True)
class TemplateChoice:
    """A template offered in the builder: ``ref`` is "builtin:<key>" or "saved:<id>";
    ``saved`` is the row of a saved one (None for a built-in template)."""

    ref: str
    name: str
    description: str
    data: dict[str, Any]
    builtin: bool
    saved: RubricTemplate | None = None


def builtin_templates() -> list[TemplateChoice]:
    return [
        TemplateChoice(f"builtin:{key}", t["name"], t["description"], t["data"], True)
        for key, t in _builtin().items()
    ]


def saved_templates(contest: Contest) -> list[RubricTemplate]:
    """Templates saved by the host union or a union above it (shared down the hierarchy)."""
    ids = [org.id for org in contest.organization.ancestors()] or [contest.organization_id]
    return list(
        db.session.scalars(
            select(RubricTemplate)
            .where(RubricTemplate.organization_id.in_(ids))
            .order_by(RubricTemplate.name, RubricTemplate.id)
        )
    )


def choices(contest: Contest) -> list[TemplateChoice]:
    saved = [
        TemplateChoice(
            f"saved:{t.id}",
            t.name,
            str((t.data or {}).get("description") or ""),
            t.data or {},
            False,
            t,
        )
        for t in saved_templates(contest)
    ]
    return builtin_templates() + saved


def find(contest: Contest, ref: str) -> TemplateChoice:
    for choice in choices(contest):
        if choice.ref == ref:
            return choice
    raise rubrics.RubricError(_("找不到所选的模板"), "template")


def apply_template(actor: User, component: Component, ref: str) -> None:
    """Replace the component's rubric with the template's (refused when the rubric is locked)."""
    rubrics.ensure_editable(component.event)
    choice = find(component.event.contest, ref)
    plans = plan_from_data(choice.data, SKILLS_ASPECT_KINDS)
    rubrics.replace_component_rubric(
        actor, component, plans, action="rubric.template.apply", reason=choice.name
    )


def save_as_template(actor: User, component: Component, name: str) -> RubricTemplate:
    """Keep the component's rubric as a template of the host union, for its next contests."""
    name = (name or "").strip()
    if not name:
        raise rubrics.RubricError(_("请填写模板名称"), "name")
    if len(name) > 200:
        raise rubrics.RubricError(_("模板名称最长 200 个字"), "name")
    problem = text_problem(name)
    if problem:
        raise rubrics.RubricError(problem, "name")
    data = rubrics.component_data(component)
    if not any(c["aspects"] for c in data["criteria"]):
        raise rubrics.RubricError(_("该模块还没有评分要素，无法保存为模板"))
    problems = rubrics.component_problems(component)
    if problems:
        raise rubrics.RubricError(_("评分细则尚不完整，不能保存为模板：%(p)s", p=problems[0]))
    contest = component.event.contest
    template = RubricTemplate(
        name=name,
        organization_id=contest.organization_id,
        data={
            **data,
            "description": f"{contest.name} · {component.event.label} · {component.name}",
        },
        created_by_id=actor.id,
    )
    db.session.add(template)
    db.session.flush()
    audit.record(
        actor,
        "rubric.template.save",
        "rubric_template",
        template.id,
        after={
            "name": name,
            "organization_id": contest.organization_id,
            "component": component.key,
        },
    )
    return template


def can_delete(user: User, template: RubricTemplate) -> bool:
    """A saved template is removed by whoever manages the union that owns it (an organizer of
    a union below sees it in the builder but may not take it away from the others)."""
    owner = db.session.get(Organization, template.organization_id)
    return user.can_manage_org(owner)


def delete_template(actor: User, template: RubricTemplate) -> None:
    """Remove a saved template (contests that used it keep their rubric: it was copied)."""
    if not can_delete(actor, template):
        raise rubrics.RubricError(_("只能删除本单位或下级工会保存的模板"))
    before = {"name": template.name, "organization_id": template.organization_id}
    template_id = template.id
    db.session.delete(template)
    db.session.flush()
    audit.record(actor, "rubric.template.delete", "rubric_template", template_id, before=before)
