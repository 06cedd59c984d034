"""Forms of the admin area: accounts, passwords, and 荣誉管理 (roster upload, revoke, export)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from contest.models import HONOR_LEVEL_LABELS, ROLE_LABELS, Organization, Role
from contest.services.core.audit_log import GROUP_PREFIX, AuditFilter
from contest.services.core.audit_words import ACTION_GROUPS, action_label
from contest.ui.forms import CheckedForm


class UserForm(CheckedForm):
    username = StringField(
        _l("用户名"), validators=[DataRequired(_l("请填写用户名")), Length(max=64)]
    )
    display_name = StringField(_l("显示名称"), validators=[Optional(), Length(max=60)])
    # A new account starts as the least privileged role: a slip of the hand must not make an
    # administrator (the admin picks 系统管理员 on purpose).
    role = SelectField(_l("角色"), default=Role.JUDGE.value)
    organization_id = SelectField(_l("所属组织"), coerce=int)
    password = PasswordField(
        _l("初始密码"),
        validators=[
            DataRequired(_l("请设置初始密码")),
            Length(min=8, message=_l("密码至少需要 8 个字符")),
        ],
    )

    def __init__(self, organizations: list[Organization], *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = [(r.value, str(label)) for r, label in ROLE_LABELS.items()]
        self.organization_id.choices = [(0, _l("（无，仅系统管理员）"))] + [
            (o.id, "  " * o.depth + o.name) for o in organizations
        ]


class ResetPasswordForm(CheckedForm):
    password = PasswordField(
        _l("新密码"),
        validators=[
            DataRequired(_l("请输入新密码")),
            Length(min=8, message=_l("密码至少需要 8 个字符")),
        ],
    )
    # The admin chose this password, so by default its owner must replace it at next login.
    must_change = BooleanField(_l("下次登录时须修改密码"), default=True)


class JudgeSheetForm(CheckedForm):
    file = FileField(
        _l("评委名单（.xlsx 或 .csv）"),
        validators=[FileRequired(_l("请选择要导入的文件"))],
        description=_l("表头：用户名、姓名、单位（组织名称或组织代码）、联系电话，均为必填"),
    )


class RosterUploadForm(CheckedForm):
    file = FileField(
        _l("名录文件（.xlsx 或 .csv）"),
        validators=[FileRequired(_l("请选择要导入的文件"))],
        description=_l(
            "表头：姓名、荣誉称号、级别、年份（必填）；性别、单位、岗位、技能等级、授予机关、文号、事迹、身份证号、联系电话（选填）"
        ),
    )


class RevokeForm(CheckedForm):
    reason = TextAreaField(
        _l("撤销原因"),
        validators=[
            DataRequired(_l("撤销荣誉必须填写原因")),
            Length(max=1000, message=_l("撤销原因不能超过 1000 个字符")),
        ],
        description=_l("例如：受到刑事处罚、事迹严重失实、弄虚作假（记入审计日志）"),
    )


class ExportForm(CheckedForm):
    # A plain <select> in the template: WTForms 3.3 deprecates tuple choices, 3.2 lacks the new.
    format = StringField(_l("格式"), default="xlsx", validators=[AnyOf(["xlsx", "csv"])])
    valid_only = BooleanField(_l("只导出有效荣誉（不含已撤销）"))
    include_private = BooleanField(_l("包含身份证号和联系电话（仅限内部使用，将记入审计日志）"))


RECIPIENT_KIND_LABELS = (
    ("person", _l("个人")),
    ("unit", _l("单位（奖状、先进集体）")),
    ("team", _l("班组（先锋号）")),
)


class HonorForm(CheckedForm):
    """One honor by hand. The rules (授予机关, 文号, 全国 titles) are the service's; the form
    only shapes the input, so a refusal lands on the field the service names."""

    recipient_kind = SelectField(_l("获得者类型"), default="person")
    recipient_name = StringField(
        _l("姓名或名称"), validators=[DataRequired(_l("请填写获得者姓名或名称")), Length(max=200)]
    )
    unit_name = StringField(
        _l("单位"),
        validators=[Optional(), Length(max=200)],
        description=_l("获奖时的单位全称；与组织树中的名称一致时自动关联"),
    )
    post = StringField(_l("岗位/职务"), validators=[Optional(), Length(max=100)])
    skill_level = StringField(_l("技能等级或职称"), validators=[Optional(), Length(max=60)])
    title = StringField(
        _l("荣誉称号"), validators=[DataRequired(_l("请填写荣誉称号")), Length(max=100)]
    )
    trade = StringField(
        _l("工种"),
        validators=[Optional(), Length(max=60)],
        description=_l("技能竞赛类称号填写，劳模墙显示为“称号（工种）”"),
    )
    level = SelectField(_l("级别"), default="city")
    year = IntegerField(
        _l("年份"),
        validators=[
            DataRequired(_l("请填写年份")),
            NumberRange(min=1949, max=2100, message=_l("年份应在 1949 年到明年之间")),
        ],
    )
    conferring_body = StringField(
        _l("授予机关"),
        validators=[Optional(), Length(max=200)],
        description=_l("例如：江州市人民政府、江南省总工会"),
    )
    document_number = StringField(
        _l("文号"),
        validators=[Optional(), Length(max=100)],
        description=_l("表彰决定的文号，例如：江政发〔2015〕12号"),
    )
    conferred_on = DateField(_l("授予日期"), validators=[Optional()])
    industry = StringField(_l("行业"), validators=[Optional(), Length(max=60)])
    deeds_summary = TextAreaField(
        _l("事迹摘要"),
        validators=[Optional(), Length(max=500, message=_l("事迹摘要不能超过 500 字"))],
        description=_l("不超过 500 字；个人事迹须本人同意后才在劳模墙展示"),
    )
    deeds_full = TextAreaField(
        _l("详细事迹"),
        validators=[Optional(), Length(max=20000, message=_l("详细事迹不能超过 20000 字"))],
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.recipient_kind.choices = [
            (value, str(label)) for value, label in RECIPIENT_KIND_LABELS
        ]
        self.level.choices = [
            (level.value, str(label)) for level, label in HONOR_LEVEL_LABELS.items()
        ]


class DayField(DateField):
    """A day, picked or typed as 年-月-日; anything else gets a message that says so (WTForms'
    own names no format) and a day outside 1900–2999 is refused before it reaches a query."""

    first, last = date(1900, 1, 1), date(2999, 12, 31)

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("请按“年-月-日”填写日期，例如 2026-05-01")) from None
        if self.data is not None and not self.first <= self.data <= self.last:
            self.data = None
            raise ValueError(_l("日期应在 1900 年至 2999 年之间"))


def _id_or_zero(value: object) -> int:
    """A select's id; an empty value (a hand-made link) means "all", as 0 does."""
    return int(str(value)) if value not in (None, "") else 0


class AuditFilterForm(CheckedForm):
    """The 审计日志 filters, read from the query string (a GET form: no CSRF token); the field
    names are those of :class:`AuditFilter`, so ``AuditFilter.as_args`` rebuilds the query."""

    class Meta:
        csrf = False

    who = StringField(
        _l("操作人"),
        validators=[Optional(), Length(max=64, message=_l("操作人不能超过 64 个字符"))],
        render_kw={"placeholder": _l("用户名或姓名")},
    )
    what = SelectField(_l("操作"), default="", invalid_choice_message=_l("请从列表中选择操作"))
    contest_id = SelectField(
        _l("大赛"),
        coerce=_id_or_zero,
        default=0,
        invalid_value_message=_l("请从列表中选择大赛"),
        invalid_choice_message=_l("请从列表中选择大赛"),
    )
    date_from = DayField(_l("起始日期"), validators=[Optional()])
    date_to = DayField(_l("截止日期"), validators=[Optional()])

    def __init__(self, contests: Sequence[tuple[int, str]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups = {f"{GROUP_PREFIX}{key}": str(g.label) for key, g in ACTION_GROUPS.items()}
        self.what.choices = {
            "": str(_l("全部操作")),
            str(_l("按类别")): groups,
            **{
                str(g.label): {action: action_label(action) for action in g.actions}
                for g in ACTION_GROUPS.values()
            },
        }
        self.contest_id.choices = [(0, str(_l("全部大赛"))), *contests]

    def validate_date_to(self, field: DayField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("截止日期不能早于起始日期"))

    def filters(self) -> AuditFilter:
        return AuditFilter(
            who=(self.who.data or "").strip(),
            what=self.what.data or "",
            contest_id=self.contest_id.data or None,
            date_from=self.date_from.data,
            date_to=self.date_to.data,
        )


class RollForm(CheckedForm):
    """The printed 劳模名录: which union, levels, years and title words. The combination is
    checked by ``contest.services.honors.roll.make_filter``, whose refusal names the field."""

    organization_id = SelectField(
        _l("工会"),
        coerce=_id_or_zero,
        default=0,
        invalid_value_message=_l("请从列表中选择工会"),
        invalid_choice_message=_l("请从列表中选择工会"),
        description=_l("含其下属各级工会的职工和单位"),
    )
    highest = SelectField(
        _l("最高级别"), default="national", invalid_choice_message=_l("请选择一个荣誉级别")
    )
    lowest = SelectField(
        _l("最低级别"), default="enterprise", invalid_choice_message=_l("请选择一个荣誉级别")
    )
    first_year = IntegerField(
        _l("起始年份"), default=1949, validators=[Optional()], render_kw={"inputmode": "numeric"}
    )
    last_year = IntegerField(
        _l("截止年份"),
        validators=[Optional()],
        render_kw={"inputmode": "numeric"},
        description=_l("不填为今年"),
    )
    titles = StringField(
        _l("称号包含"),
        default="劳动模范、先进工作者",
        validators=[Length(max=200)],
        description=_l("称号含其中任一词即列入；多个词用顿号或空格分隔"),
    )

    def __init__(self, organizations: Sequence[Organization], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization_id.choices = [(0, str(_l("全部工会")))] + [
            (o.id, "  " * o.depth + o.name) for o in organizations
        ]
        levels = [(level.value, str(label)) for level, label in HONOR_LEVEL_LABELS.items()]
        self.highest.choices = levels
        self.lowest.choices = levels
