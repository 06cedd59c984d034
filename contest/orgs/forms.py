"""The orgs area's forms: organisations (profile, move, close), people, and sheet uploads."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange, Optional

from contest.models import (
    GENDER_LABELS,
    ORG_KIND_LABELS,
    OWNERSHIP_LABELS,
    WORKER_CATEGORY_LABELS,
    Organization,
)
from contest.ui.forms import CheckedForm, WriteOnlyInput, choice_value


class PersonForm(CheckedForm):
    """A person's record. Personal numbers are write-only here: the form never shows them."""

    name = StringField(_l("姓名"), validators=[DataRequired(_l("请填写姓名")), Length(max=60)])
    gender = SelectField(_l("性别"), validators=[Optional()], coerce=choice_value)
    ethnicity = StringField(_l("民族"), validators=[Optional(), Length(max=20)])
    birth_date = DateField(_l("出生日期"), validators=[Optional()])
    organization_id = SelectField(_l("所在单位"), coerce=int)
    occupation = StringField(_l("工种"), validators=[Optional(), Length(max=60)])
    post = StringField(_l("岗位/职务"), validators=[Optional(), Length(max=100)])
    skill_level = StringField(_l("技能等级/职称"), validators=[Optional(), Length(max=60)])
    category = SelectField(_l("人员类别"), validators=[Optional()], coerce=choice_value)
    id_number = StringField(
        _l("身份证号"),
        validators=[Optional(), Length(max=18)],
        widget=WriteOnlyInput(),
        description=_l("加密保存，登记后不再显示；留空则保留原值"),
        render_kw={"autocomplete": "off", "inputmode": "text"},
    )
    phone = StringField(
        _l("联系电话"),
        validators=[Optional(), Length(max=20)],
        widget=WriteOnlyInput(),
        description=_l("加密保存，登记后不再显示；留空则保留原值"),
        render_kw={"autocomplete": "off", "inputmode": "tel"},
    )
    consent_photo = BooleanField(_l("本人同意公开照片"))
    consent_deeds = BooleanField(_l("本人同意公开事迹"))

    def __init__(self, organizations: list[Organization], *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.organization_id.choices = [(o.id, "  " * o.depth + o.name) for o in organizations]
        self.gender.choices = [("", "—")] + [
            (g.value, str(lbl)) for g, lbl in GENDER_LABELS.items()
        ]
        self.category.choices = [("", "—")] + [
            (c.value, str(lbl)) for c, lbl in WORKER_CATEGORY_LABELS.items()
        ]


class OrganizationForm(CheckedForm):
    """An organisation's profile; the parent is chosen only when creating (moving is its own
    form, so an edit can never move a subtree by accident)."""

    parent_id = SelectField(_l("上级工会"), coerce=int)
    name = StringField(
        _l("组织名称"), validators=[DataRequired(_l("请填写组织名称")), Length(max=200)]
    )
    short_name = StringField(_l("简称"), validators=[Optional(), Length(max=60)])
    kind = SelectField(_l("类型"), coerce=choice_value)
    code = StringField(
        _l("组织代码"),
        validators=[Optional(), Length(max=40)],
        description=_l("本会内部编码，导入时可用它指定上级工会"),
    )
    employer = StringField(
        _l("所属单位"),
        validators=[Optional(), Length(max=200)],
        description=_l("企业或单位的全称，成绩和证书上显示"),
    )
    credit_code = StringField(
        _l("统一社会信用代码"),
        validators=[Optional(), Length(max=24)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    ownership = SelectField(_l("所有制"), validators=[Optional()], coerce=choice_value)
    industry = StringField(_l("行业"), validators=[Optional(), Length(max=60)])
    is_key_industry = BooleanField(_l("重点产业"))
    region = StringField(_l("地区"), validators=[Optional(), Length(max=60)])
    headcount = IntegerField(
        _l("职工人数"),
        validators=[Optional(), NumberRange(min=0, max=10_000_000)],
        render_kw={"inputmode": "numeric"},
    )
    member_count = IntegerField(
        _l("会员人数"),
        validators=[Optional(), NumberRange(min=0, max=10_000_000)],
        render_kw={"inputmode": "numeric"},
    )
    counted_on = DateField(_l("统计日期"), validators=[Optional()])

    def __init__(self, parents: list[Organization], *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.parent_id.choices = [(o.id, "  " * o.depth + o.name) for o in parents]
        self.kind.choices = [(k.value, str(label)) for k, label in ORG_KIND_LABELS.items()]
        self.ownership.choices = [("", "—")] + [
            (o.value, str(label)) for o, label in OWNERSHIP_LABELS.items()
        ]


class MoveForm(CheckedForm):
    parent_id = SelectField(_l("移到此上级工会之下"), coerce=int)
    reason = StringField(
        _l("原因"),
        validators=[Optional(), Length(max=200)],
        description=_l("例如：行政区划调整、企业划转（记入审计日志）"),
    )

    def __init__(self, parents: list[Organization], *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.parent_id.choices = [(o.id, "  " * o.depth + o.name) for o in parents]


class CloseForm(CheckedForm):
    reason = StringField(
        _l("撤销原因"),
        validators=[DataRequired(_l("请填写撤销原因")), Length(max=200)],
        description=_l("例如：企业注销、并入其他工会（记入审计日志）"),
    )
    confirm = BooleanField(
        _l("我确认撤销该组织"), validators=[DataRequired(_l("请勾选确认后再撤销"))]
    )


class SheetUploadForm(CheckedForm):
    file = FileField(
        _l("文件（.xlsx 或 .csv）"),
        validators=[FileRequired(_l("请选择要导入的文件"))],
    )


class TreeExportForm(CheckedForm):
    # A plain <select> in the template, as the honors export does.
    format = StringField(_l("格式"), default="xlsx", validators=[AnyOf(["xlsx", "csv"])])


class PeopleExportForm(TreeExportForm):
    include_private = BooleanField(_l("包含身份证号和联系电话（仅限系统管理员，将记入审计日志）"))


class PhotoForm(CheckedForm):
    # No extension filter: the service checks what the bytes are, whatever the file is called.
    photo = FileField(
        _l("照片（JPEG 或 PNG，不超过 10 MB）"),
        validators=[FileRequired(_l("请选择照片文件"))],
        description=_l("上传后自动转正、缩小并去除拍摄地点等隐藏信息；本人同意后才在劳模墙展示"),
    )
