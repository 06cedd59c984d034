"""Forms of the review pages: re-check records, corrections, appeals, reopening, sign-off.

Choices (judges, aspects) are filled by the views from the event; the services do the real
validation (ranges, windows, reasons) and their messages are attached to the named field.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from contest.ui.forms import CheckedForm


class ReasonForm(CheckedForm):
    reason = TextAreaField(
        _l("原因"), validators=[DataRequired(_l("请填写原因")), Length(max=2000)]
    )


class ReopenForm(CheckedForm):
    """Give one judge's submitted sheet back as a draft (the chief judge's decision)."""

    entry_id = HiddenField(validators=[DataRequired()])
    judge_id = SelectField(_l("评委"), coerce=int)
    reason = StringField(
        _l("重新开放的原因"), validators=[DataRequired(_l("请填写原因")), Length(max=500)]
    )


class RecheckForm(CheckedForm):
    errors_found = IntegerField(
        _l("发现差错的评分表（份）"),
        default=0,
        validators=[
            InputRequired(_l("请填写发现差错的评分表份数")),
            NumberRange(min=0, message=_l("份数不能为负")),
        ],
    )
    note = StringField(_l("复核说明"), validators=[Optional(), Length(max=1000)])


class CorrectForm(CheckedForm):
    """Correct one mark of one judge's sheet (re-check or upheld appeal), with a reason."""

    entry_id = HiddenField(validators=[DataRequired()])
    judge_id = SelectField(_l("评委"), coerce=int)
    aspect_key = SelectField(_l("评分要素"))
    value = StringField(
        _l("更正后的分值"),
        validators=[DataRequired(_l("请填写更正后的分值")), Length(max=20)],
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    reason = StringField(
        _l("更正原因"), validators=[DataRequired(_l("请填写更正原因")), Length(max=500)]
    )
    next = HiddenField()


class AppealForm(CheckedForm):
    entry_code = StringField(
        _l("参赛号或赛位号"),
        validators=[DataRequired(_l("请填写参赛号或赛位号")), Length(max=20)],
        description=_l(
            "参赛号形如 A001，赛位号形如“工位 A-07”；"
            "A007 与工位 A-07 通常不是同一人，请照申诉书填写。"
        ),
        render_kw={"autocomplete": "off"},
    )
    appellant = StringField(
        _l("申诉人"), validators=[DataRequired(_l("请填写申诉人")), Length(max=100)]
    )
    content = TextAreaField(
        _l("书面申诉内容"), validators=[DataRequired(_l("请填写申诉内容")), Length(max=5000)]
    )
    received_at = DateTimeLocalField(
        _l("收到时间"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
        description=_l("留空则为现在；须在申诉期限内"),
    )


class DecideForm(CheckedForm):
    decision = RadioField(
        _l("仲裁结果"),
        choices=[SelectChoice("dismissed", _l("驳回")), SelectChoice("upheld", _l("申诉成立"))],
        validators=[InputRequired(_l("请选择仲裁结果"))],
    )
    reason = TextAreaField(
        _l("裁决理由"), validators=[DataRequired(_l("请填写裁决理由")), Length(max=2000)]
    )
