"""Forms of the recommending unit's pages. They check shapes (lengths the browser can count,
dates); the rules — characters counted as people count them, the quota, the calendar — live
in ``contest.services.nominations.nominations``, whose refusals the views put on the named
field.

The 推荐表 form is built from the campaign (its fields per recipient kind, the negative list)
and the nomination (a person has consents and a 身份证号, a unit or team does not).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from contest.models import Nomination, Organization, RecipientKind
from contest.services.nominations import campaigns, groups
from contest.services.nominations.nominations import NominationData, NomineeData
from contest.ui.forms import CheckedForm, WriteOnlyInput

# Declarations are posted by position (their labels are sentences): d_0, d_1 …
NO, YES = "no", "yes"


class StartForm(CheckedForm):
    """Whom a new nomination names; which fields show depends on the award's recipient."""

    name = StringField(_l("姓名"), validators=[Optional(), Length(max=60)])
    id_number = StringField(
        _l("身份证号"),
        widget=WriteOnlyInput(),
        validators=[Optional(), Length(max=30)],
        description=_l("用于核对职工库中的同一人；加密保存，页面上只显示前六位和后四位"),
    )
    organization_id = SelectField(_l("所在单位"), coerce=int, validate_choice=False)
    team_name = StringField(_l("集体（班组）名称"), validators=[Optional(), Length(max=200)])

    def __init__(self, recipient: RecipientKind, orgs: Sequence[Organization], **kwargs: Any):
        super().__init__(**kwargs)
        self.organization_id.choices = [SelectChoice(org.id, org.name) for org in orgs]
        if recipient is RecipientKind.UNIT:
            self.organization_id.label.text = str(_l("推荐的单位"))
        elif recipient is RecipientKind.TEAM:
            self.organization_id.label.text = str(_l("班组所在单位"))

    def nominee(self) -> NomineeData:
        return NomineeData(
            name=self.name.data or "",
            id_number=self.id_number.data or "",
            organization_id=self.organization_id.data,
            team_name=self.team_name.data or "",
        )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class NominationFormBase(CheckedForm):
    unit_name = StringField(_l("工作单位"), validators=[Optional(), Length(max=200)])
    post = StringField(_l("岗位/职务"), validators=[Optional(), Length(max=100)])
    skill_level = StringField(_l("技能等级/职称"), validators=[Optional(), Length(max=60)])
    categories = MultiCheckboxField(_l("另行申报的类别"), validate_choice=False)
    deeds_short = TextAreaField(_l("事迹简介"))
    deeds_full = TextAreaField(_l("主要事迹"))
    consent_publicity = BooleanField(
        _l("本人同意在公示名单中公开姓名、性别、工作单位、岗位/职务、技能等级/职称和拟授称号")
    )
    consent_photo = BooleanField(_l("本人同意当选后在劳模墙上展示照片"))
    consent_deeds = BooleanField(_l("本人同意当选后在劳模墙上展示事迹简介"))
    democratic_on = DateField(_l("民主推荐（职代会）日期"), validators=[Optional()])
    unit_publicity_start = DateField(_l("单位公示开始日期"), validators=[Optional()])
    unit_publicity_end = DateField(
        _l("单位公示结束日期"),
        validators=[Optional()],
        description=_l("不少于 5 个工作日，开始当天算第 1 天；节假日不计，调休上班日计入"),
    )

    # Set by :func:`nomination_form`.
    form_keys: list[tuple[str, str]]
    declaration_items: list[str]

    def data_for_service(self) -> NominationData:
        declarations: dict[str, bool | None] = {}
        for index, item in enumerate(self.declaration_items):
            answer = self[f"d_{index}"].data
            declarations[item] = None if answer not in (NO, YES) else answer == YES
        return NominationData(
            unit_name=self.unit_name.data,
            post=self.post.data,
            skill_level=self.skill_level.data,
            categories=list(self.categories.data or []),
            deeds_short=self.deeds_short.data,
            deeds_full=self.deeds_full.data,
            form={key: self[name].data for key, name in self.form_keys},
            consent_publicity=bool(self.consent_publicity.data),
            consent_photo=bool(self.consent_photo.data),
            consent_deeds=bool(self.consent_deeds.data),
            democratic_on=self.democratic_on.data,
            unit_publicity_start=self.unit_publicity_start.data,
            unit_publicity_end=self.unit_publicity_end.data,
            declarations=declarations,
        )


def nomination_form(nomination: Nomination, derived: set[str], **kwargs: Any) -> Any:
    """The 推荐表 form of ``nomination``: its campaign's fields for the recipient kind, the
    declarable groups not already derived from the records, the negative list."""
    campaign = nomination.campaign
    specs = campaigns.form_fields(campaign, nomination.recipient_kind)
    items = campaigns.negative_items(campaign)

    class NominationForm(NominationFormBase):
        pass

    keys = []
    for index, spec in enumerate(specs):
        name = f"f_{index}"
        keys.append((spec.key, name))
        setattr(
            NominationForm,
            name,
            StringField(spec.label, validators=[Optional(), Length(max=500)]),
        )
    for index, item in enumerate(items):
        setattr(
            NominationForm,
            f"d_{index}",
            RadioField(
                item,
                choices=[SelectChoice(NO, _l("无")), SelectChoice(YES, _l("有"))],
                validate_choice=False,
            ),
        )
    if not kwargs.get("formdata") and "obj" not in kwargs:
        kwargs.update(_stored(nomination, keys, items))
    form = NominationForm(**kwargs)
    form.form_keys = keys
    form.declaration_items = items
    form.categories.choices = [
        SelectChoice(key, groups.group_label(key))
        for key in groups.DECLARABLE
        if key not in derived
    ]
    return form


def _stored(
    nomination: Nomination, keys: list[tuple[str, str]], items: list[str]
) -> dict[str, Any]:
    """The form's values from the nomination (for the page as first shown)."""
    answers = nomination.declarations or {}
    stored: dict[str, Any] = {
        "unit_name": nomination.unit_name,
        "post": nomination.post,
        "skill_level": nomination.skill_level,
        "categories": list(nomination.categories or []),
        "deeds_short": nomination.deeds_short,
        "deeds_full": nomination.deeds_full,
        "consent_publicity": nomination.consent_publicity,
        "consent_photo": nomination.consent_photo,
        "consent_deeds": nomination.consent_deeds,
        "democratic_on": nomination.democratic_on,
        "unit_publicity_start": nomination.unit_publicity_start,
        "unit_publicity_end": nomination.unit_publicity_end,
    }
    form = nomination.form or {}
    for key, name in keys:
        stored[name] = form.get(key)
    for index, item in enumerate(items):
        if item in answers:
            stored[f"d_{index}"] = YES if answers[item] else NO
    return stored


class ReasonForm(CheckedForm):
    reason = StringField(
        _l("原因"),
        validators=[InputRequired(_l("请填写原因")), Length(max=500, message=_l("最长 500 个字"))],
    )


class AttachmentForm(CheckedForm):
    slot = HiddenField()
    file = FileField(_l("选择文件"))
