"""Forms of the contest set-up pages: contest, event, components, rubric and ranking policy.

Forms check shapes (required, number, length); the rules (weights sum to 100, rubric totals,
policy consistency) live in the services, whose errors the views put back on the named field.
The ranking policy form converts to and from the policy JSON of
``contest.services.skills.policies``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone, to_utc
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    Field,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from contest.models import ASPECT_KIND_LABELS, EVENT_GROUP_LABELS, HONOR_LEVEL_LABELS, Organization
from contest.models.contest import AspectKind, Event
from contest.services.skills.contests import COMPONENT_KINDS
from contest.services.skills.policies import DEFAULT_POLICY, MERIT_BAND, STANDARD_SCALE, merged
from contest.services.skills.rubrics import format_points
from contest.ui.forms import CheckedForm, choice_value
from contest.validation import db_int, parse_decimal

MAX_TIE_BREAKS = 4
MAX_AWARDS = 4
MAX_TITLES = 4
DEFAULT_AWARD_NAMES = ("一等奖", "二等奖", "三等奖", "优秀奖")
COMPONENT_LABELS = {"theory": _l("理论"), "practical": _l("实操"), "oral": _l("答辩")}


# ------------------------------------------------------------------ contest and event


class ContestForm(CheckedForm):
    name = StringField(
        _l("大赛名称"),
        validators=[DataRequired(_l("请填写大赛名称")), Length(max=200)],
        description=_l("例如：2026 年江州市职工职业技能大赛"),
    )
    level = SelectField(_l("级别"), coerce=choice_value)
    year = IntegerField(
        _l("年份"),
        validators=[Optional(), NumberRange(2000, 2100, _l("年份应在 2000 到 2100 之间"))],
        description=_l("留空则按开始日期的年份"),
    )
    year_confirmed = BooleanField(_l("按所填年份保存（与开始日期的年份不同）"))
    organization_id = SelectField(_l("主办工会"), coerce=int)
    starts_on = DateField(_l("开始日期"), validators=[Optional()])
    ends_on = DateField(_l("结束日期"), validators=[Optional()])
    appeal_window_hours = IntegerField(
        _l("申诉时限（小时）"),
        default=2,
        validators=[NumberRange(0, 720, _l("申诉时限应在 0 到 720 小时之间"))],
        description=_l("赛项比赛结束后多少小时内受理书面申诉（通常为 2 小时）"),
    )
    conferring_body = StringField(
        _l("证书授予机关"),
        validators=[Optional(), Length(max=200)],
        description=_l("留空则为主办工会"),
    )
    description = TextAreaField(_l("说明"), validators=[Optional(), Length(max=5000)])

    def __init__(self, hosts: list[Organization], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.level.choices = [(lv.value, str(label)) for lv, label in HONOR_LEVEL_LABELS.items()]
        self.organization_id.choices = [(o.id, "\u3000" * o.depth + o.name) for o in hosts]


class EventForm(CheckedForm):
    code = StringField(
        _l("赛项代码"),
        validators=[DataRequired(_l("请填写赛项代码")), Length(max=3)],
        description=_l("1–3 个大写字母，作参赛号前缀（A → A001）"),
        render_kw={"autocapitalize": "characters", "maxlength": 3},
    )
    occupation = StringField(
        _l("工种"), validators=[DataRequired(_l("请填写工种")), Length(max=100)]
    )
    group = SelectField(_l("组别"), coerce=choice_value)
    quota_per_unit = IntegerField(
        _l("每单位名额"),
        validators=[Optional()],
        description=_l("每个单位最多报名人数，不限请留空"),
    )
    min_age = IntegerField(_l("最低年龄"), validators=[Optional()])
    max_age = IntegerField(_l("最高年龄"), validators=[Optional()])
    team_min = IntegerField(
        _l("团体项目：每队最少人数"),
        validators=[Optional()],
        description=_l("团体项目填写 2–5 人；个人项目两项均留空"),
    )
    team_max = IntegerField(_l("团体项目：每队最多人数"), validators=[Optional()])
    ended_at = DateTimeLocalField(
        _l("比赛结束时间"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description=_l("申诉时限从此时起算"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.group.choices = [(g.value, str(label)) for g, label in EVENT_GROUP_LABELS.items()]


def local_to_utc(value: datetime | None) -> datetime | None:
    """A naive local time from a form → an aware UTC datetime for the database."""
    return None if value is None else to_utc(value).replace(tzinfo=UTC)


def utc_to_local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return to_user_timezone(value).replace(tzinfo=None)


class ComponentsForm(CheckedForm):
    """Weights and pass marks of 理论 / 实操 / 答辩 (a blank weight leaves one out)."""

    theory_weight = DecimalField(_l("理论权重（%）"), validators=[Optional()], places=None)
    theory_pass_mark = DecimalField(_l("理论合格分"), validators=[Optional()], places=None)
    practical_weight = DecimalField(_l("实操权重（%）"), validators=[Optional()], places=None)
    practical_pass_mark = DecimalField(_l("实操合格分"), validators=[Optional()], places=None)
    oral_weight = DecimalField(_l("答辩权重（%）"), validators=[Optional()], places=None)
    oral_pass_mark = DecimalField(_l("答辩合格分"), validators=[Optional()], places=None)

    def rows(self) -> list[tuple[str, Field, Field]]:
        return [
            (key, getattr(self, f"{key}_weight"), getattr(self, f"{key}_pass_mark"))
            for key in COMPONENT_KINDS
        ]

    def fill(self, event: Event) -> None:
        for component in event.components:
            if component.key in COMPONENT_KINDS:
                getattr(self, f"{component.key}_weight").data = Decimal(component.weight)
                pass_field = getattr(self, f"{component.key}_pass_mark")
                pass_field.data = component.pass_mark


# ------------------------------------------------------------------ rubric


class CriterionForm(CheckedForm):
    component_id = HiddenField()
    name = StringField(
        _l("评分项名称"),
        validators=[DataRequired(_l("请填写评分项名称")), Length(max=200)],
        render_kw={"placeholder": _l("如：零件加工、安全文明生产")},
    )


class AspectForm(CheckedForm):
    key = StringField(
        _l("评分要素编号"),
        validators=[DataRequired(_l("请填写评分要素编号")), Length(max=20)],
        description=_l("本赛项内唯一，如 M1、J2、2.3"),
    )
    name = StringField(
        _l("评分要素"), validators=[DataRequired(_l("请填写评分要素名称")), Length(max=300)]
    )
    kind = SelectField(_l("类型"), coerce=choice_value)
    max_points = DecimalField(
        _l("分值"),
        validators=[DataRequired(_l("请填写分值"))],
        places=None,
        description=_l("该要素满分；评价类按 等级 ÷ 最高等级 × 分值 折算"),
    )
    scale = IntegerField(
        _l("评价最高等级"),
        validators=[Optional()],
        default=3,
        description=_l("评价类：0 到此等级（世赛为 0–3）"),
    )
    step = DecimalField(
        _l("步长"),
        validators=[Optional()],
        places=None,
        default=Decimal("0.5"),
        description=_l("测量/扣分类：评委可输入的最小单位，如 0.5"),
    )
    descriptors = TextAreaField(
        _l("评价等级描述"),
        validators=[Optional(), Length(max=5000)],
        description=_l("评价类：每行一个等级，从 0 级开始，如「0：不合格」"),
        render_kw={"rows": 5},
    )
    standard = TextAreaField(
        _l("评分标准"),
        validators=[Optional(), Length(max=5000)],
        description=_l("测量/扣分类：如「每超差 0.01 mm 扣 2 分」"),
        render_kw={"rows": 3},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k.value, str(label)) for k, label in ASPECT_KIND_LABELS.items()]

    @property
    def aspect_kind(self) -> AspectKind:
        try:
            return AspectKind(self.kind.data)
        except ValueError:
            return AspectKind.MEASUREMENT


class TemplateApplyForm(CheckedForm):
    component_id = HiddenField()
    template = SelectField(_l("模板"), validate_choice=False)


class SaveTemplateForm(CheckedForm):
    component_id = HiddenField()
    name = StringField(
        _l("模板名称"), validators=[DataRequired(_l("请填写模板名称")), Length(max=200)]
    )


class RubricImportForm(CheckedForm):
    file = FileField(
        _l("评分细则文件（.xlsx）"),
        validators=[FileRequired(_l("请选择要导入的文件"))],
        description=_l(
            "表头：模块、评分项、评分要素编号、评分要素、类型（测量/评价/扣分）、分值、评价等级、步长、评价描述/评分标准"
        ),
    )


class StatusForm(CheckedForm):
    to = HiddenField()
    reason = StringField(_l("原因"), validators=[Optional(), Length(max=1000)])


# ------------------------------------------------------------------ ranking policy


class PolicyForm(CheckedForm):
    """The ranking policy; fields with numbered suffixes are the rows of a list."""

    method = SelectField(_l("汇总方法"))
    trim = IntegerField(
        _l("去掉最高、最低分各几个"),
        validators=[Optional()],
        default=0,
        description=_l("仅用于“去掉最高最低分后平均”，5 人评委组通常为 1"),
    )
    normalize = SelectField(_l("评委打分标准化"))
    precision = IntegerField(_l("保留小数位数"), validators=[Optional()], default=2)
    team_total = SelectField(
        _l("团体成绩"),
        default="",
        description=_l(
            "成员成绩之和或平均：每名队员各自抽签、检录、评分，团队按队员总成绩之和或平均排名；"
            "缺考或退赛的队员不计成绩（求和时相当于 0 分，求平均时不计入人数）。有报名后不能再改。"
        ),
    )
    award_mode = SelectField(_l("奖项设置方式"))
    award_rounding = SelectField(_l("按比例计算名额时"))
    edge_ties = SelectField(_l("奖项分界处并列时"))
    merit = BooleanField(
        _l("其余前一半授予优胜奖"),
        description=_l(
            "上列奖项之后，名次在参赛人数前一半以内的其余选手获优胜奖（奇数人数向下取整）"
        ),
    )
    standard_scale = BooleanField(
        _l("显示标准分（700 分制）"),
        description=_l(
            "成绩页和导出另列一栏标准分：中位数选手为 700，一个标准差为 100；不改变名次"
        ),
    )
    min_field = IntegerField(
        _l("最低参赛人数"),
        validators=[Optional()],
        default=0,
        description=_l("参赛人数少于此数则不评奖、不授称号（省级通常为 30）"),
    )
    max_spread = DecimalField(
        _l("允许的评委评分差"),
        validators=[Optional()],
        places=None,
        description=_l("同一评价要素各评委等级相差超过此值时标记复议（世赛常用 1）；留空不标记"),
    )
    recheck_top = IntegerField(_l("复核前几名"), validators=[Optional()], default=10)
    recheck_share = DecimalField(
        _l("其余选手抽查比例（%）"), validators=[Optional()], places=None, default=Decimal(15)
    )
    recheck_error_limit = DecimalField(
        _l("差错率上限（%）"),
        validators=[Optional()],
        places=None,
        default=Decimal(5),
        description=_l("复核差错率超过此值时全部重新评分"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.method.choices = [
            ("mean", str(_l("平均分"))),
            ("trimmed", str(_l("去掉最高最低分后平均"))),
            ("median", str(_l("中位数"))),
        ]
        self.normalize.choices = [
            ("none", str(_l("不标准化"))),
            ("zscore", str(_l("按评委标准化（消除宽严差异）"))),
        ]
        self.team_total.choices = [
            ("", str(_l("整队评分"))),
            ("sum", str(_l("成员成绩之和"))),
            ("mean", str(_l("成员成绩平均"))),
        ]
        self.award_mode.choices = [
            ("share", str(_l("按比例（%）"))),
            ("count", str(_l("按名额（人）"))),
        ]
        self.award_rounding.choices = [
            ("floor", str(_l("向下取整"))),
            ("half_up", str(_l("四舍五入"))),
            ("ceil", str(_l("向上取整"))),
        ]
        self.edge_ties.choices = [
            ("include", str(_l("并列者同获该奖"))),
            ("exclude", str(_l("并列者均不获该奖"))),
        ]


def tie_break_choices(event: Event) -> list[tuple[str, str]]:
    choices = [("", str(_l("（无）")))]
    for component in event.components:
        choices.append(
            (f"component:{component.key}", str(_l("%(name)s成绩高者优先", name=component.name)))
        )
    choices.append(("time", str(_l("用时短者优先"))))
    for component in event.components:
        for criterion in component.criteria:
            for aspect in criterion.aspects:
                choices.append(
                    (
                        f"criterion:{aspect.key}",
                        str(
                            _l(
                                "评分要素 %(key)s %(name)s 得分高者优先",
                                key=aspect.key,
                                name=aspect.name,
                            )
                        ),
                    )
                )
    return choices


def policy_rows(data: dict[str, Any]) -> dict[str, Any]:
    """Values for the list rows of the policy page (tie-breaks, awards, titles) from JSON."""
    data = merged(data)
    awards = [a for a in data.get("awards") or [] if a.get("upto") in (None, "")]
    mode = "count" if any(a.get("count") not in (None, "") for a in awards) else "share"
    award_rows = []
    for i in range(MAX_AWARDS):
        award = awards[i] if i < len(awards) else {}
        if mode == "share" and award.get("share") not in (None, ""):
            value = format_points(Decimal(str(award["share"])) * 100)
        else:
            value = format_points(award.get("count"))
        award_rows.append({"name": award.get("name") or DEFAULT_AWARD_NAMES[i], "value": value})
    titles = list(data.get("titles") or [])
    title_rows = []
    for i in range(MAX_TITLES):
        title = titles[i] if i < len(titles) else {}
        title_rows.append(
            {
                "name": title.get("name") or "",
                "best": title.get("best") or "",
                "worst": title.get("worst") or "",
                "recommend": bool(title.get("recommend")),
            }
        )
    ties = list(data.get("tie_breaks") or [])
    return {
        "tie_breaks": [ties[i] if i < len(ties) else "" for i in range(MAX_TIE_BREAKS)],
        "award_mode": mode,
        "awards": award_rows,
        "titles": title_rows,
    }


def fill_policy_form(form: PolicyForm, data: dict[str, Any]) -> None:
    data = merged(data)
    form.method.data = data["method"] if data["method"] in ("mean", "trimmed", "median") else "mean"
    form.trim.data = data["trim"]
    form.normalize.data = data["normalize"] if data["normalize"] in ("none", "zscore") else "none"
    form.precision.data = data["precision"]
    form.team_total.data = data["team_total"] or ""
    form.award_mode.data = policy_rows(data)["award_mode"]
    form.award_rounding.data = data["award_rounding"]
    form.edge_ties.data = data["edge_ties"]
    form.merit.data = any(a.get("upto") not in (None, "") for a in data["awards"] or [])
    form.standard_scale.data = bool(data["scale"])
    form.min_field.data = data["min_field"]
    form.max_spread.data = None if data["max_spread"] is None else Decimal(str(data["max_spread"]))
    form.recheck_top.data = data["recheck_top"]
    form.recheck_share.data = Decimal(str(data["recheck_share"])) * 100
    form.recheck_error_limit.data = Decimal(str(data["recheck_error_limit"])) * 100


class PolicyFormError(ValueError):
    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _int_or_none(text: str, message: str, field: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    try:
        return db_int(text)
    except ValueError:
        raise PolicyFormError(message, field) from None


def _dec_or_none(text: str, message: str, field: str) -> Decimal | None:
    text = text.strip().rstrip("%")
    if not text:
        return None
    try:
        return parse_decimal(text)
    except ValueError:
        raise PolicyFormError(message, field) from None


def policy_from_form(form: PolicyForm, posted: Any) -> dict[str, Any]:
    """The policy JSON from the submitted form (``posted`` is ``request.form`` for the rows).

    Raises PolicyFormError for a row that is not a number; policy rules are checked later by
    ``policies.validate``.
    """
    mode = form.award_mode.data or "share"
    awards = []
    for i in range(MAX_AWARDS):
        name = (posted.get(f"award-{i}-name") or "").strip()
        raw = posted.get(f"award-{i}-value") or ""
        field = f"award-{i}-value"
        if mode == "share":
            value = _dec_or_none(raw, str(_l("奖项比例须是数字（如 10 表示 10%）")), field)
            if value is None:
                continue
            awards.append({"name": name, "share": float(value / 100)})
        else:
            count = _int_or_none(raw, str(_l("奖项名额须是整数")), field)
            if count is None:
                continue
            awards.append({"name": name, "count": count})
    if form.merit.data:
        awards.append(dict(MERIT_BAND))
    titles = []
    for i in range(MAX_TITLES):
        name = (posted.get(f"title-{i}-name") or "").strip()
        best = _int_or_none(
            posted.get(f"title-{i}-best") or "", str(_l("名次须是整数")), f"title-{i}-best"
        )
        worst = _int_or_none(
            posted.get(f"title-{i}-worst") or "", str(_l("名次须是整数")), f"title-{i}-worst"
        )
        if not name and best is None and worst is None:
            continue
        titles.append(
            {
                "name": name,
                "best": best if best is not None else 1,
                "worst": worst if worst is not None else (best or 1),
                **({"recommend": True} if posted.get(f"title-{i}-recommend") else {}),
            }
        )
    ties = []
    for i in range(MAX_TIE_BREAKS):
        value = (posted.get(f"tie-{i}") or "").strip()
        if value:
            ties.append(value)
    share = form.recheck_share.data
    limit = form.recheck_error_limit.data
    return {
        "method": form.method.data,
        "trim": form.trim.data or 0,
        "normalize": form.normalize.data,
        "precision": 2 if form.precision.data is None else form.precision.data,
        "tie_breaks": ties,
        "awards": awards,
        "award_rounding": form.award_rounding.data,
        "edge_ties": form.edge_ties.data,
        "titles": titles,
        "min_field": form.min_field.data or 0,
        "max_spread": None if form.max_spread.data is None else float(form.max_spread.data),
        "recheck_top": DEFAULT_POLICY["recheck_top"]
        if form.recheck_top.data is None
        else form.recheck_top.data,
        "recheck_share": DEFAULT_POLICY["recheck_share"] if share is None else float(share / 100),
        "recheck_error_limit": (
            DEFAULT_POLICY["recheck_error_limit"] if limit is None else float(limit / 100)
        ),
        "scale": dict(STANDARD_SCALE) if form.standard_scale.data else None,
        "team_total": form.team_total.data or None,
    }
