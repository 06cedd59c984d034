"""Forms of the organizer's campaign pages. They check shapes (required, number, length); the
rules live in ``contest.services.nominations``, whose refusals the views put on the field."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from contest.models import HONOR_LEVEL_LABELS, Organization, RecipientKind
from contest.services.nominations import awards
from contest.services.nominations.groups import GROUPS
from contest.ui.forms import CheckedForm, choice_value


def _orgs(orgs: list[Organization]) -> list[tuple[int, str]]:
    return [(o.id, "\u3000" * o.depth + o.name) for o in orgs]


def _groups() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label in GROUPS.items()]


class CampaignForm(CheckedForm):
    name = StringField(
        _l("评选名称"),
        validators=[DataRequired(_l("请填写评选名称")), Length(max=200)],
        description=_l("例如：2026 年江州市五一劳动奖章评选"),
    )
    organization_id = SelectField(_l("主办工会"), coerce=int)
    level = SelectField(
        _l("级别"),
        coerce=choice_value,
        description=_l("不能高于主办工会的层级，如市总工会为地市级"),
    )
    year = IntegerField(
        _l("年份"),
        validators=[
            InputRequired(_l("请填写年份")),
            NumberRange(2000, 2100, _l("年份应在 2000 到 2100 之间")),
        ],
    )
    conferring_body = StringField(
        _l("授予机关"), validators=[Optional(), Length(max=200)], description=_l("留空则为主办工会")
    )
    submission_deadline = DateTimeLocalField(
        _l("推荐截止时间"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description=_l("北京时间；开放推荐前须填写"),
    )
    surplus_percent = IntegerField(
        _l("差额推荐比例（%）"),
        default=100,
        validators=[InputRequired(_l("请填写差额比例"))],
        description=_l("100 为按名额等额推荐；120 即可报送名额的 1.2 倍（向下取整）"),
    )
    description = TextAreaField(_l("说明"), validators=[Optional(), Length(max=5000)])

    def __init__(self, hosts: list[Organization], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization_id.choices = _orgs(hosts)
        self.level.choices = [(lv.value, str(label)) for lv, label in HONOR_LEVEL_LABELS.items()]


class StatusForm(CheckedForm):
    to = HiddenField()
    reason = StringField(_l("原因"), validators=[Optional(), Length(max=1000)])


class AwardForm(CheckedForm):
    kind = SelectField(_l("奖项类型"), coerce=choice_value, default="may_day_medal")
    title = StringField(
        _l("称号名称"),
        validators=[Optional(), Length(max=100)],
        description=_l("留空则按主办工会和类型生成，如「江州市五一劳动奖章」"),
    )
    recipient = SelectField(
        _l("授予对象"),
        coerce=choice_value,
        default="person",
        description=_l("仅「其他称号」需选择；其余类型按惯例确定"),
    )
    tier = SelectField(
        _l("工匠层级"),
        coerce=choice_value,
        default="",
        description=_l("仅工匠需选择；默认同评选级别"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k.value, str(k.label)) for k in awards.KINDS.values()]
        self.recipient.choices = [
            (r.value, str(label)) for r, label in awards.RECIPIENT_LABELS.items()
        ]
        self.tier.choices = [("", str(_l("（同评选级别）")))] + [
            (level.value, str(label)) for level, label in awards.TIER_LABELS.items()
        ]


class AwardEditForm(CheckedForm):
    title = StringField(
        _l("称号名称"), validators=[DataRequired(_l("请填写称号名称")), Length(max=100)]
    )
    tier = SelectField(_l("工匠层级"), coerce=choice_value, default="")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tier.choices = [("", "—")] + [
            (level.value, str(label)) for level, label in awards.TIER_LABELS.items()
        ]


_LINES_HELP = _l("每行一项；行末加 * 表示必填")


class MaterialsForm(CheckedForm):
    person_fields = TextAreaField(
        _l("推荐表项目（个人）"),
        validators=[Optional(), Length(max=3000)],
        render_kw={"rows": 8},
        description=_LINES_HELP,
    )
    unit_fields = TextAreaField(
        _l("推荐表项目（单位）"),
        validators=[Optional(), Length(max=3000)],
        render_kw={"rows": 8},
        description=_LINES_HELP,
    )
    team_fields = TextAreaField(
        _l("推荐表项目（集体）"),
        validators=[Optional(), Length(max=3000)],
        render_kw={"rows": 8},
        description=_LINES_HELP,
    )
    deeds_short_max = IntegerField(
        _l("事迹简介字数上限"),
        validators=[InputRequired(_l("请填写字数上限"))],
        default=500,
        description=_l("按字符计，通常 500 字"),
    )
    deeds_full_max = IntegerField(
        _l("事迹全文字数上限"),
        validators=[InputRequired(_l("请填写字数上限"))],
        default=2000,
        description=_l("按字符计，通常 2000 字左右"),
    )
    attachments = TextAreaField(
        _l("附件"),
        validators=[Optional(), Length(max=3000)],
        render_kw={"rows": 5},
        description=_l("每行一个附件名称；行末加 * 表示必须上传（PDF、JPG 或 PNG）"),
    )
    consultations = TextAreaField(
        _l("征求意见"),
        validators=[Optional(), Length(max=3000)],
        render_kw={"rows": 3},
        description=_l("每行「人员类别：部门、部门」，如「企业负责人：市场监管、税务、人社」"),
    )


class QuotaForm(CheckedForm):
    """An award's total at the host, or a share handed to a lower union."""

    organization_id = SelectField(_l("下级单位"), coerce=int, validate_choice=False)
    quota = IntegerField(
        _l("名额"), validators=[InputRequired(_l("请填写名额")), NumberRange(0, 100000)]
    )
    slots = StringField(
        _l("专项名额"),
        validators=[Optional(), Length(max=500)],
        render_kw={"placeholder": _l("如：企业负责人 1；农民工 1")},
    )
    alternates = IntegerField(
        _l("递补名额"), default=0, validators=[Optional(), NumberRange(0, 1000)]
    )

    def __init__(self, orgs: list[Organization] | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization_id.choices = _orgs(orgs or [])


class ImportForm(CheckedForm):
    file = FileField(_l("Excel 文件（.xlsx）"), validators=[FileRequired(_l("请选择要导入的文件"))])


class RuleForm(CheckedForm):
    award = SelectField(_l("奖项"), coerce=choice_value, default="")
    group = SelectField(_l("人员类别"), coerce=choice_value)
    op = SelectField(_l("要求"), coerce=choice_value, default=">=")
    value = DecimalField(_l("数值"), places=None, validators=[Optional()], default=0)
    unit = SelectField(_l("计算方式"), coerce=choice_value, default="percent")
    denominator = SelectField(
        _l("占哪些人的比例"), coerce=choice_value, default="all", description=_l("仅按比例时使用")
    )

    def __init__(self, award_choices: list[tuple[str, str]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.award.choices = [("", str(_l("所有奖项"))), *award_choices]
        self.group.choices = _groups()
        self.op.choices = [(">=", str(_l("不少于"))), ("<=", str(_l("不超过")))]
        self.unit.choices = [
            ("percent", str(_l("比例（%）"))),
            ("count", str(_l("人数"))),
            ("slots", str(_l("分配的专项名额"))),
        ]
        self.denominator.choices = [("all", str(_l("全部推荐对象"))), *_groups()]


class EligibilityForm(CheckedForm):
    prerequisite_level = SelectField(
        _l("须已获荣誉的级别"),
        coerce=choice_value,
        default="",
        description=_l("被推荐人须已获得该级别或更高级别的荣誉，如全国评选须已获省部级荣誉"),
    )
    craftsman_ladder = BooleanField(_l("工匠逐级申报：申报某一层级须已获下一层级的工匠称号"))
    repeat_years = IntegerField(
        _l("同一称号不重复授予的年限"),
        validators=[InputRequired(_l("请填写年限"))],
        description=_l("如 5：2026 年评选时，2022 年及以后获得同一称号的不再推荐；0 为不检查"),
    )
    negative_years = IntegerField(
        _l("负面清单年限"), validators=[InputRequired(_l("请填写年限"))], description=_l("近几年内")
    )
    negative_list = TextAreaField(
        _l("负面清单"),
        validators=[Optional(), Length(max=5000)],
        render_kw={"rows": 6},
        description=_l("每行一项；推荐单位须对每一项作出声明"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.prerequisite_level.choices = [("", str(_l("不要求")))] + [
            (lv.value, str(label)) for lv, label in HONOR_LEVEL_LABELS.items()
        ]


class WaiveForm(CheckedForm):
    check = HiddenField()
    reason = TextAreaField(
        _l("豁免理由"),
        validators=[DataRequired(_l("请填写豁免理由")), Length(max=500)],
        render_kw={"rows": 2},
    )


def recipient_of(value: str | None) -> RecipientKind | None:
    try:
        return RecipientKind(value) if value else None
    except ValueError:
        return None
