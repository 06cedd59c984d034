"""The person form of the orgs area (personal numbers are write-only)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from contest.models import GENDER_LABELS, WORKER_CATEGORY_LABELS, Organization
from contest.ui.forms import WriteOnlyInput, choice_value


class PersonForm(FlaskForm):
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
        description=_l("加密保存,登记后不再显示;留空则保留原值"),
        render_kw={"autocomplete": "off", "inputmode": "text"},
    )
    phone = StringField(
        _l("联系电话"),
        validators=[Optional(), Length(max=20)],
        widget=WriteOnlyInput(),
        description=_l("加密保存,登记后不再显示;留空则保留原值"),
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
