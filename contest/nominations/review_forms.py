"""Forms of the review and expert pages of a campaign (评审流程, 审核, 征求意见, 专家评分).

Forms check what a form can (the CSRF token, a field's shape); every rule is the services'
(``contest.services.nominations.review`` and ``expert``), whose refusals are shown on the field
they name.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import request
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from contest.models import Aspect, StageMode, User
from contest.models.nomination import STAGE_MODE_LABELS
from contest.services.nominations import expert, review
from contest.ui.forms import CheckedForm


class StageForm(CheckedForm):
    name = StringField(
        _l("环节名称"),
        validators=[
            InputRequired(_l("请填写环节名称")),
            Length(max=60, message=_l("最长 60 个字")),
        ],
    )
    mode = SelectField(
        _l("评审方式"),
        choices=[SelectChoice(mode.value, STAGE_MODE_LABELS[mode]) for mode in StageMode],
        description=_l("无记名投票和评分后投票在投票页面进行"),
    )
    opens_on = DateField(_l("开始日期"), validators=[Optional()])
    closes_on = DateField(_l("结束日期"), validators=[Optional()])
    blind = BooleanField(_l("匿名评审（专家只看到推荐编号，事迹中的姓名和单位隐去）"))
    aggregation = SelectField(
        _l("专家评分汇总"),
        choices=[SelectChoice(key, label) for key, label in review.AGGREGATION_LABELS.items()],
    )
    trim = IntegerField(
        _l("去掉最高分和最低分各几个"),
        validators=[Optional(), NumberRange(min=0, max=review.MAX_TRIM)],
        default=1,
    )

    def data_for_service(self) -> review.StageData:
        return review.StageData(
            name=self.name.data or "",
            mode=StageMode(self.mode.data),
            opens_on=self.opens_on.data,
            closes_on=self.closes_on.data,
            blind=bool(self.blind.data),
            aggregation=self.aggregation.data or "mean",
            trim=int(self.trim.data or 0),
        )


def user_label(user: User) -> str:
    unit = user.organization.name if user.organization else "—"
    return f"{user.name}（{user.role.label} · {unit}）"


class MemberForm(CheckedForm):
    user_id = SelectField(_l("账号"), coerce=int, validators=[InputRequired(_l("请选择账号"))])
    is_chair = BooleanField(_l("组长（主持投票）"))

    def __init__(self, candidates: Sequence[User], *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.user_id.choices = [
            SelectChoice(0, _l("请选择")),
            *(SelectChoice(u.id, user_label(u)) for u in candidates),
        ]


OUTCOME_CHOICES = [
    SelectChoice("pass", _l("通过")),
    SelectChoice("return", _l("退回修改")),
    SelectChoice("reject", _l("不通过")),
]


class DecisionForm(CheckedForm):
    outcome = RadioField(
        _l("审核结论"), choices=OUTCOME_CHOICES, validators=[InputRequired(_l("请选择审核结论"))]
    )
    reason = TextAreaField(
        _l("意见或理由"),
        description=_l("退回修改、不通过和一票否决必须写明理由；退回修改的理由将告知推荐单位"),
        validators=[Length(max=review.REASON_MAX, message=_l("最长 1000 个字"))],
        render_kw={"rows": 3, "maxlength": review.REASON_MAX},
    )
    veto = BooleanField(_l("一票否决（结论为不通过）"))


class LimitedDecisionForm(DecisionForm):
    """A scoring or ballot stage: the sheets or the ballot pass; here only 退回 or 不通过."""

    outcome = RadioField(
        _l("审核结论"),
        choices=OUTCOME_CHOICES[1:],
        validators=[InputRequired(_l("请选择审核结论"))],
    )


CONSULTATION_CHOICES = [
    SelectChoice("cleared", _l("无异议")),
    SelectChoice("issue", _l("有问题")),
    SelectChoice("none", _l("尚未回复")),
]


class ConsultationForm(CheckedForm):
    department = HiddenField(validators=[InputRequired()])
    answer = RadioField(_l("回复"), choices=CONSULTATION_CHOICES, validators=[InputRequired()])
    note = StringField(_l("问题说明"), validators=[Length(max=500, message=_l("最长 500 个字"))])

    @property
    def cleared(self) -> bool | None:
        return {"cleared": True, "issue": False}.get(self.answer.data or "none")


class ReasonForm(CheckedForm):
    reason = StringField(
        _l("原因"),
        validators=[
            InputRequired(_l("请填写原因")),
            Length(max=1000, message=_l("最长 1000 个字")),
        ],
    )


class CloseForm(CheckedForm):
    # The number of missing sheets the organizer was shown (the service checks it still holds).
    accept_missing = IntegerField(widget=HiddenInput(), validators=[Optional()])


class TemplateForm(CheckedForm):
    template = SelectField(
        _l("评分细则模板"),
        choices=[SelectChoice(key, name) for key, (name, _build) in expert.TEMPLATES.items()],
    )


KIND_CHOICES = [
    SelectChoice("measurement", _l("得分（测量）")),
    SelectChoice("judgement", _l("评价等级")),
    SelectChoice("deduction", _l("扣分")),
    SelectChoice("bonus", _l("加分")),
]


class ItemForm(CheckedForm):
    criterion = StringField(
        _l("评分项"),
        description=_l("同名评分项下的要素归在一起，如「岗位业绩」"),
        validators=[InputRequired(_l("请填写评分项名称")), Length(max=200)],
    )
    key = StringField(_l("编号"), validators=[InputRequired(_l("请填写编号")), Length(max=20)])
    name = StringField(
        _l("评分要素"), validators=[InputRequired(_l("请填写评分要素名称")), Length(max=300)]
    )
    kind = SelectField(_l("类型"), choices=KIND_CHOICES)
    max_points = StringField(_l("分值"), validators=[InputRequired(_l("请填写分值"))])
    step = StringField(_l("步长"), default="0.5")
    scale = IntegerField(_l("评价等级数（最高等级）"), validators=[Optional()], default=3)
    descriptors = TextAreaField(
        _l("各等级说明"),
        description=_l("评价等级类：每行一条，从 0 级开始，如「0：不符合」"),
        render_kw={"rows": 4},
    )
    standard = TextAreaField(_l("评分标准"), render_kw={"rows": 2})


class SheetPostForm(CheckedForm):
    """The parts of an expert sheet's post the form checks: the CSRF token, the version the
    page was built from, and whether the submission was confirmed in the browser."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    confirmed = HiddenField()


def posted_marks(items: Sequence[Aspect]) -> dict[str, object]:
    """Every item's posted value by key (absent: None, which clears a mark)."""
    return {a.key: request.form.get(f"m_{a.id}") for a in items}
