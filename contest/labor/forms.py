"""Forms of the competition set-up pages. They check shapes (required, number, length); the
rules live in ``contest.services.labor``, whose refusals the views put on the named field."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from contest.models import (
    ASPECT_KIND_LABELS,
    COMPETITION_KIND_LABELS,
    HONOR_LEVEL_LABELS,
    PARTICIPANT_KIND_LABELS,
    VETO_EFFECT_LABELS,
    Organization,
    Participant,
    Track,
    User,
)
from contest.services.labor.competitions import tie_break_labels
from contest.services.labor.indicators import LABOR_KINDS
from contest.ui.forms import CheckedForm, WriteOnlyInput, choice_value

NONE = 0  # the value of a select's "none" choice


def _none(label: object) -> tuple[int, str]:
    return (NONE, str(label))


class CompetitionForm(CheckedForm):
    name = StringField(
        _l("竞赛名称"),
        validators=[DataRequired(_l("请填写竞赛名称")), Length(max=200)],
        description=_l("例如：2026 年江州市重点工程建设劳动竞赛"),
    )
    kind = SelectField(_l("类型"), coerce=choice_value)
    level = SelectField(
        _l("级别"), coerce=choice_value, description=_l("授予称号的级别，如市总工会主办为地市级")
    )
    year = IntegerField(
        _l("年份"),
        validators=[Optional(), NumberRange(2000, 2100, _l("年份应在 2000 到 2100 之间"))],
        description=_l("留空则按开始日期的年份"),
    )
    organization_id = SelectField(_l("主办工会"), coerce=int)
    starts_on = DateField(_l("开始日期"), validators=[Optional()])
    ends_on = DateField(_l("结束日期"), validators=[Optional()])
    is_public = BooleanField(_l("在公开页面展示（轮次排名、流动红旗和大屏）"), default=True)
    conferring_body = StringField(
        _l("授予机关"), validators=[Optional(), Length(max=200)], description=_l("留空则为主办工会")
    )
    aggregation = SelectField(_l("多名考评人员的评分汇总"))
    trim = IntegerField(
        _l("去掉最高、最低分各几个"),
        validators=[Optional()],
        default=0,
        description=_l("仅用于“去掉最高最低分后平均”"),
    )
    cumulation = SelectField(_l("各轮成绩累计"))
    flag_count = IntegerField(
        _l("每个赛道每轮流动红旗面数"),
        validators=[Optional()],
        default=1,
        description=_l("0 表示不设流动红旗"),
    )
    flag_keep_after = IntegerField(
        _l("连续获得几次后永久保留"),
        validators=[Optional()],
        description=_l("不设请留空"),
    )
    valid_months = IntegerField(
        _l("评定结果有效期（月）"),
        validators=[Optional()],
        description=_l("工会评级每年复评，通常为 12 个月；劳动竞赛留空"),
    )
    tie_break_1 = SelectField(_l("累计总分相同时，先比"), default="latest_round")
    tie_break_2 = SelectField(_l("仍相同时，再比"), default="")
    tie_break_3 = SelectField(_l("仍相同时，最后比"), default="")
    description = TextAreaField(_l("说明"), validators=[Optional(), Length(max=5000)])

    def __init__(self, hosts: list[Organization], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k.value, str(label)) for k, label in COMPETITION_KIND_LABELS.items()]
        self.level.choices = [(lv.value, str(label)) for lv, label in HONOR_LEVEL_LABELS.items()]
        self.organization_id.choices = [(o.id, "\u3000" * o.depth + o.name) for o in hosts]
        self.aggregation.choices = [
            ("mean", str(_l("平均分"))),
            ("median", str(_l("中位数"))),
            ("trimmed", str(_l("去掉最高最低分后平均"))),
        ]
        links = [("", str(_l("不再比较（名次并列）"))), *tie_break_labels().items()]
        for link in (self.tie_break_1, self.tie_break_2, self.tie_break_3):
            link.choices = links
        self.cumulation.choices = [
            ("sum", str(_l("各轮得分相加"))),
            ("mean", str(_l("各轮平均"))),
            ("weighted", str(_l("按轮次权重加权平均"))),
        ]


class StatusForm(CheckedForm):
    to = HiddenField()
    reason = StringField(_l("原因"), validators=[Optional(), Length(max=1000)])


class TrackForm(CheckedForm):
    name = StringField(
        _l("赛道（分组）名称"),
        validators=[DataRequired(_l("请填写赛道（分组）名称")), Length(max=60)],
        render_kw={"placeholder": _l("如：土建组、机电组")},
    )


# ------------------------------------------------------------------ indicators


class CriterionForm(CheckedForm):
    name = StringField(
        _l("考评项目"),
        validators=[DataRequired(_l("请填写考评项目名称")), Length(max=200)],
        render_kw={"placeholder": _l("如：比安全、比质量")},
    )


class ItemForm(CheckedForm):
    key = StringField(
        _l("编号"),
        validators=[DataRequired(_l("请填写编号")), Length(max=20)],
        description=_l("本竞赛内唯一，如 A1、B2"),
    )
    kind = SelectField(_l("类型"), coerce=choice_value)
    name = TextAreaField(
        _l("考核内容"),
        validators=[DataRequired(_l("请填写考核内容")), Length(max=300)],
        render_kw={"rows": 2},
    )
    max_points = DecimalField(
        _l("分值"),
        validators=[Optional()],
        places=None,
        description=_l("加分项为最多可加的分数；否决项和必备项不计分"),
    )
    step = DecimalField(
        _l("最小给分单位"),
        validators=[Optional()],
        places=None,
        default=0.5,
        description=_l("考评人员可输入的最小单位，如 0.5"),
    )
    standard = TextAreaField(
        _l("评分细则"),
        validators=[Optional(), Length(max=5000)],
        render_kw={"rows": 3},
        description=_l("如「缺一项制度扣 1 分，扣完为止」"),
    )
    threshold = DecimalField(
        _l("达标值（%）"),
        validators=[Optional()],
        places=None,
        description=_l("达到此百分比得满分，如入会率 95"),
    )
    per_step = DecimalField(
        _l("扣分步长（百分点）"),
        validators=[Optional()],
        places=None,
        description=_l("每低于达标值多少个百分点扣一次分（不足一步按一步计）"),
    )
    step_deduction = DecimalField(_l("每步扣分"), validators=[Optional()], places=None)
    # Not validated as a choice: it is posted only for a veto item (the service asks for it
    # then), and a value it does not know is read as none.
    veto_effect = SelectField(_l("否决范围"), coerce=choice_value, validate_choice=False)
    source = SelectField(
        _l("数据来源"),
        coerce=choice_value,
        default="",
        description=_l(
            "比率可由系统计算：入会率取自组织的会员数和职工人数，满意率取自会员评家问卷"
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k.value, str(ASPECT_KIND_LABELS[k])) for k in LABOR_KINDS]
        self.veto_effect.choices = [
            (e.value, str(label)) for e, label in VETO_EFFECT_LABELS.items()
        ]
        self.source.choices = [
            ("", str(_l("考评人员填写"))),
            ("membership_rate", str(_l("入会率（组织数据）"))),
            ("satisfaction", str(_l("会员评家满意率（问卷）"))),
        ]


class RulesForm(CheckedForm):
    bonus_cap = DecimalField(
        _l("加分上限"),
        validators=[Optional()],
        places=None,
        description=_l("每轮加分合计最多加多少分；不设请留空（按各加分项分值）"),
    )
    grades = TextAreaField(
        _l("等级"),
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 4, "placeholder": "90 五星\n80 四星"},
        description=_l("工会评级：每行一个等级，分数线在前，如「90 五星」；劳动竞赛通常不设"),
    )


class TemplateForm(CheckedForm):
    template = SelectField(_l("模板"), validate_choice=False)


class ImportForm(CheckedForm):
    file = FileField(_l("Excel 文件（.xlsx）"), validators=[FileRequired(_l("请选择要导入的文件"))])


# ------------------------------------------------------------------ participants


class ParticipantForm(CheckedForm):
    kind = SelectField(_l("类型"), coerce=choice_value)
    name = StringField(
        _l("名称"),
        validators=[DataRequired(_l("请填写名称")), Length(max=200)],
        description=_l("参赛单位、班组或项目（标段）的名称"),
    )
    parent_id = SelectField(
        _l("所属参赛单位"), coerce=int, default=NONE, description=_l("班组须选择所属的参赛单位")
    )
    organization_id = SelectField(
        _l("所属组织"),
        coerce=int,
        default=NONE,
        description=_l("组织树中的单位（可不选）；班组同所属单位"),
    )
    track_id = SelectField(_l("赛道（分组）"), coerce=int, default=NONE)
    registered_on = DateField(
        _l("备案日期"),
        validators=[Optional()],
        description=_l("列入参赛名录备案的日期；未备案的不能获评称号"),
    )
    contact = StringField(
        _l("自评联系人账号"),
        validators=[Optional(), Length(max=64)],
        description=_l("填写该单位自评的账号的用户名，可不填"),
        render_kw={"list": "contact-choices", "autocomplete": "off"},
    )

    def __init__(
        self,
        units: list[Participant],
        orgs: list[Organization],
        tracks: list[Track],
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k.value, str(label)) for k, label in PARTICIPANT_KIND_LABELS.items()]
        self.parent_id.choices = [_none(_l("（不属于参赛单位）")), *((u.id, u.name) for u in units)]
        self.organization_id.choices = [
            _none(_l("（不关联组织）")),
            *((o.id, "\u3000" * o.depth + o.name) for o in orgs),
        ]
        self.track_id.choices = [_none(_l("（不分赛道）")), *((t.id, t.name) for t in tracks)]


class WithdrawForm(CheckedForm):
    reason = StringField(_l("退出原因"), validators=[Optional(), Length(max=1000)])


class MemberForm(CheckedForm):
    name = StringField(_l("姓名"), validators=[DataRequired(_l("请填写姓名")), Length(max=60)])
    id_number = StringField(
        _l("身份证号"),
        validators=[DataRequired(_l("请填写身份证号"))],
        widget=WriteOnlyInput(),
        description=_l("用于在职工库中查找或登记该职工，不会公开"),
        render_kw={"autocomplete": "off"},
    )
    post = StringField(_l("岗位"), validators=[Optional(), Length(max=100)])
    on_site_since = DateField(
        _l("进场日期"),
        validators=[Optional()],
        description=_l("优秀建设者须在项目一线工作满 1 年"),
    )


class MemberEditForm(CheckedForm):
    post = StringField(_l("岗位"), validators=[Optional(), Length(max=100)])
    on_site_since = DateField(_l("进场日期"), validators=[Optional()])


# ------------------------------------------------------------------ assessors and rounds


class AssessorForm(CheckedForm):
    user_id = SelectField(_l("账号"), coerce=int)
    is_chief = BooleanField(_l("担任组长（负责确认各轮考评结果）"))
    track_id = SelectField(_l("只考评该赛道"), coerce=int, description=_l("不限则考评所有参赛单位"))

    def __init__(self, users: list[User], tracks: list[Track], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user_id.choices = [
            _none(_l("请选择")),
            *((u.id, f"{u.name}（{u.username} · {u.role.label}）") for u in users),
        ]
        self.track_id.choices = [_none(_l("（不限）")), *((t.id, t.name) for t in tracks)]


class AssessorEditForm(CheckedForm):
    is_chief = BooleanField(_l("组长"))
    track_id = SelectField(_l("只考评该赛道"), coerce=int, default=NONE)

    def __init__(self, tracks: list[Track], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.track_id.choices = [_none(_l("（不限）")), *((t.id, t.name) for t in tracks)]


class RoundForm(CheckedForm):
    name = StringField(
        _l("轮次名称"),
        validators=[DataRequired(_l("请填写轮次名称")), Length(max=60)],
        render_kw={"placeholder": _l("如：2026 年 3 月、主体结构封顶")},
    )
    starts_on = DateField(_l("开始日期"), validators=[Optional()])
    ends_on = DateField(_l("结束日期"), validators=[Optional()])
    weight = DecimalField(
        _l("权重"),
        validators=[Optional()],
        places=None,
        default=1,
        description=_l("按权重累计时使用，通常为 1"),
    )
    is_public = BooleanField(_l("公布后公开（否则仅内部通报）"), default=True)


class ScheduleForm(CheckedForm):
    pattern = SelectField(_l("周期"))
    milestones = TextAreaField(
        _l("节点"),
        validators=[Optional(), Length(max=5000)],
        render_kw={
            "rows": 4,
            "placeholder": "基础施工 2026-03-01 2026-05-31\n主体结构封顶 2026-06-01 2026-09-30",
        },
        description=_l("按节点时：每行一个，「名称 开始日期 结束日期」"),
    )
    weight = DecimalField(_l("每轮权重"), validators=[Optional()], places=None, default=1)
    is_public = BooleanField(_l("公布后公开"), default=True)
    replace = BooleanField(_l("替换现有轮次"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pattern.choices = [
            ("monthly", str(_l("每月一轮"))),
            ("half_monthly", str(_l("每半月一轮"))),
            ("quarterly", str(_l("每季度一轮"))),
            ("once", str(_l("全程一轮（年度评定）"))),
            ("milestones", str(_l("按节点（手工填写）"))),
        ]
