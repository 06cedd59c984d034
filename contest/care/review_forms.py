"""The forms of the review rounds and the revocation cases, and how a service's refusal is shown
on them."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from contest.models import REVIEW_VERDICT_LABELS
from contest.services.care import reviews, revocations
from contest.services.nominations.conferral import GROUNDS
from contest.ui.forms import CheckedForm

__all__ = [
    "CaseForm",
    "DecideForm",
    "EvidenceForm",
    "NoteForm",
    "OutcomeForm",
    "RecoveryForm",
    "StartRoundForm",
    "ground_choices",
    "put_error",
]


def put_error(form: FlaskForm, error: Any) -> None:
    """Show a service's refusal (``message``, ``field``) on the field it names, else at the top."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


# ---------------------------------------------------------------- review rounds


class StartRoundForm(CheckedForm):
    organization_id = SelectField(_l("复核范围（工会）"), coerce=int, validate_choice=False)
    year = IntegerField(_l("复核年度"), validators=[Optional()])
    name = StringField(
        _l("名称"),
        render_kw={"maxlength": reviews.NAME_MAX, "placeholder": _l("如：2026年劳模动态管理复核")},
    )
    due_on = DateField(_l("完成期限"), validators=[Optional()])


class OutcomeForm(CheckedForm):
    """One file's verdict; each row of the round's table has its own (``prefix`` o<id>)."""

    verdict = RadioField(
        _l("结论"),
        choices=[SelectChoice(v.value, label) for v, label in REVIEW_VERDICT_LABELS.items()],
        validate_choice=False,
    )
    note = TextAreaField(
        _l("说明"),
        render_kw={"rows": 2, "maxlength": reviews.NOTE_MAX},
        description=_l("“需关注”和“建议撤销”须说明理由"),
    )


# ---------------------------------------------------------------- revocation cases


def ground_choices() -> list[SelectChoice]:
    return [SelectChoice("", _l("请选择"))] + [
        SelectChoice(key, label) for key, label in GROUNDS.items()
    ]


class CaseForm(CheckedForm):
    ground = SelectField(_l("撤销依据"), validate_choice=False)
    facts = TextAreaField(
        _l("事实和理由"),
        render_kw={"rows": 6, "maxlength": revocations.FACTS_MAX},
        description=_l("写明违法违纪或事迹失实的事实、处理机关和时间，最多 2000 字"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ground.choices = ground_choices()


class NoteForm(CheckedForm):
    """The note of a step's act (上报, 审核通过, 退回, 不予撤销)."""

    note = TextAreaField(
        _l("意见"),
        render_kw={"rows": 3, "maxlength": revocations.NOTE_MAX},
    )


class DecideForm(CheckedForm):
    document_number = StringField(
        _l("撤销文号"),
        render_kw={
            "maxlength": revocations.DOCUMENT_MAX,
            "placeholder": _l("如：江工发〔2026〕30号"),
        },
    )
    decided_on = DateField(_l("决定日期"), validators=[Optional()])
    note = TextAreaField(_l("决定说明"), render_kw={"rows": 2, "maxlength": revocations.NOTE_MAX})


class RecoveryForm(CheckedForm):
    medal_recovered_on = DateField(_l("奖章收回日期"), validators=[Optional()])
    certificate_recovered_on = DateField(_l("证书收回日期"), validators=[Optional()])
    benefits_stop_on = DateField(_l("待遇停止日期"), validators=[Optional()])


class EvidenceForm(CheckedForm):
    file = FileField(_l("选择文件"))
