"""Forms of the registration, draw and panel pages (choices come from the contest's data)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from flask_wtf.i18n import translations as wtf_translations
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.utils import unset_value
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from contest.models import GENDER_LABELS, Component, Entry, Organization, PanelMember, User
from contest.services.skills import codes
from contest.ui.forms import CheckedForm, WriteOnlyInput, choice_value


def _gender_choices() -> list[tuple[str, object]]:
    """性别: taken from the 身份证号 unless chosen."""
    return [("", _l("按身份证号"))] + [(g.value, str(label)) for g, label in GENDER_LABELS.items()]


def _phone_field() -> StringField:
    """联系电话, optional; like the 身份证号 it is shown back only as typed in the request."""
    return StringField(
        _l("联系电话（选填）"),
        validators=[Optional(), Length(max=30)],
        widget=WriteOnlyInput(),
        render_kw={"autocomplete": "off", "inputmode": "tel"},
    )


def _post_field() -> StringField:
    return StringField(_l("岗位（选填）"), validators=[Optional(), Length(max=100)])


class RegisterForm(CheckedForm):
    """One entrant into the page's event. Personal numbers are never echoed back."""

    name = StringField(_l("姓名"), validators=[DataRequired(_l("请填写姓名")), Length(max=60)])
    id_number = StringField(
        _l("身份证号"),
        validators=[DataRequired(_l("请填写身份证号")), Length(max=30)],
        widget=WriteOnlyInput(),
        description=_l("用于匹配职工库中的人员；加密保存，不会公开"),
        render_kw={"autocomplete": "off"},
    )
    gender = SelectField(_l("性别"), validators=[Optional()], coerce=choice_value)
    organization_id = SelectField(_l("单位"), coerce=int)
    phone = _phone_field()
    post = _post_field()

    def __init__(self, units: list[Organization], *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.gender.choices = _gender_choices()
        self.organization_id.choices = [(u.id, "  " * u.depth + u.name) for u in units]


class MemberForm(Form):
    """One team member's row of :class:`TeamForm` (empty rows are left out of the team)."""

    class Meta:
        def get_translations(self, form: Form) -> Any:
            # A plain WTForms subform does not get Flask-WTF's catalogue, so its built-in
            # messages ("Not a valid choice.") came out in English on a Chinese page.
            return wtf_translations

    name = StringField(_l("姓名"), validators=[Optional(), Length(max=60)])
    id_number = StringField(
        _l("身份证号"),
        validators=[Optional(), Length(max=30)],
        widget=WriteOnlyInput(),
        render_kw={"autocomplete": "off"},
    )
    gender = SelectField(_l("性别"), validators=[Optional()], coerce=choice_value)
    phone = _phone_field()
    post = _post_field()

    @property
    def is_blank(self) -> bool:
        typed = (self.name.data, self.id_number.data, self.phone.data, self.post.data)
        return not any((value or "").strip() for value in typed)


# Member rows of a team form when the event sets no 每队最多人数.
TEAM_ROWS_DEFAULT = 5


class _Rows(FieldList):
    """A FieldList that remembers how many rows were posted before ``max_entries`` cut them,
    so a form with too many rows is refused rather than silently shortened."""

    posted = 0

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        if formdata:
            self.posted = len(set(self._extract_indices(self.name, formdata)))
        super().process(formdata, data, extra_filters)


class TeamForm(CheckedForm):
    """A team into the page's team event: its name, unit and up to ``size`` members, the first
    of them the captain (队长).  At most ``size`` rows are read (or :data:`TEAM_ROWS_DEFAULT`),
    so a post of hundreds of rows is refused without checking each."""

    team_name = StringField(_l("队名"), validators=[DataRequired(_l("请填写队名")), Length(max=60)])
    organization_id = SelectField(_l("单位"), coerce=int)
    members = _Rows(FormField(MemberForm))

    def __init__(
        self, units: list[Organization], size: int, *args: object, **kwargs: object
    ) -> None:
        self._rows_max = size or TEAM_ROWS_DEFAULT
        super().__init__(*args, **kwargs)
        self.organization_id.choices = [(u.id, "  " * u.depth + u.name) for u in units]
        while len(self.members) < size:
            self.members.append_entry()
        for member in self.members:
            member.form.gender.choices = _gender_choices()

    def process(self, *args: Any, **kwargs: Any) -> None:
        self.members.max_entries = self._rows_max  # set before the rows are read
        super().process(*args, **kwargs)

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if self.members.posted > self._rows_max:
            self.form_errors.append(
                _l(
                    "每队最多 %(n)s 人，表单提交了 %(rows)s 行，未保存；请刷新页面后重新填写。",
                    n=self._rows_max,
                    rows=self.members.posted,
                )
            )
            return False
        return valid


class ImportForm(CheckedForm):
    file = FileField(
        _l("报名表（.xlsx 或 .csv）"),
        validators=[FileRequired(_l("请选择要导入的文件"))],
        description=_l(
            "表头：姓名、身份证号、单位（必填）；赛项（工种）"
            "+组别 或 赛项代码；性别、联系电话、岗位（选填）"
        ),
    )


class WithdrawForm(CheckedForm):
    reason = TextAreaField(
        _l("退赛原因"),
        validators=[
            DataRequired(_l("退赛必须填写原因")),
            Length(max=1000, message=_l("原因不能超过 1000 个字符")),
        ],
        description=_l("例如：本人申请退赛、检录未到（记入审计日志）"),
    )


class DrawForm(CheckedForm):
    seed = StringField(
        _l("随机种子（选填）"),
        validators=[Optional(), Length(max=64, message=_l("随机种子不能超过 64 个字符"))],
        description=_l("留空由系统随机生成；种子与结果一并记录，可据此复核抽签"),
    )


class AddJudgeForm(CheckedForm):
    user_id = SelectField(_l("评委"), coerce=int)
    component_id = SelectField(_l("限评模块"), coerce=int)
    chief = BooleanField(_l("设为裁判长"))

    def __init__(
        self, judges: list[User], components: list[Component], *args: object, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user_id.choices = [
            (j.id, f"{j.name}({j.organization.name if j.organization else '—'})") for j in judges
        ]
        self.component_id.choices = [(0, _l("全部模块"))] + [(c.id, c.name) for c in components]


class ConflictForm(CheckedForm):
    user_id = SelectField(_l("评委"), coerce=int)
    entry_id = SelectField(_l("选手编号"), coerce=int)
    reason = StringField(
        _l("回避原因"),
        validators=[
            DataRequired(_l("申报回避必须填写原因")),
            Length(max=1000, message=_l("原因不能超过 1000 个字符")),
        ],
        description=_l("例如：师徒关系、亲属关系、曾共同参加培训"),
    )

    def __init__(
        self, members: list[PanelMember], entries: list[Entry], *args: object, **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user_id.choices = [(m.user_id, m.user.name) for m in members]
        self.entry_id.choices = [(e.id, codes.shown(e) if e.code else f"#{e.id}") for e in entries]


class AssignForm(CheckedForm):
    mode = SelectField(_l("分配方式"))
    k = IntegerField(
        _l("每位选手的评委人数 k"),
        validators=[Optional(), NumberRange(min=1, max=50, message=_l("k 应在 1 到 50 之间"))],
        description=_l("仅“均衡分配”时需要"),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Set after construction: WTForms 3.3 warns about tuple choices given to the field.
        self.mode.choices = [
            ("all", _l("全部评委评全部选手")),
            ("balanced", _l("均衡分配（每位选手 k 名评委）")),
        ]
