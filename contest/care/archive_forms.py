"""Forms of the 劳模 archive pages: a file's particulars, its status, a care record.

They check shapes only (lengths, dates the browser can read); the rules — which kind needs a
place, an amount or a festival, dates not in the future, the caring union within scope — live in
:mod:`contest.services.care.archive` and :mod:`contest.services.care.records`, whose refusals
the views put beside the named field.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from contest.models import CARE_KIND_LABELS, LIFE_STATUS_LABELS, CareKind, Organization
from contest.services.care import archive, records
from contest.services.care.records import RecordData
from contest.ui.forms import CheckedForm

__all__ = ["FileForm", "RecordForm", "StatusForm", "put_error"]


def put_error(form: CheckedForm, field: str | None, message: str) -> None:
    """Show a service's refusal beside its field (above the form when it names none)."""
    target = getattr(form, field, None) if field else None
    if target is not None and hasattr(target, "errors"):
        target.errors = [*target.errors, message]
    else:
        form.form_errors.append(message)


class FileForm(CheckedForm):
    """The particulars a care worker keeps up to date: the unit, the contact details and the
    union that looks after the honoree."""

    current_unit = StringField(
        _l("现工作单位"), validators=[Length(max=archive.UNIT_MAX)], render_kw={"maxlength": 200}
    )
    contact = StringField(
        _l("联系方式"),
        validators=[Length(max=archive.CONTACT_MAX)],
        render_kw={"maxlength": 200, "autocomplete": "off"},
        description=_l("电话、住址等；加密保存，只在本页显示，不会出现在任何名单、导出或日志中"),
    )
    care_organization_id = SelectField(_l("服务工会"), coerce=int, validate_choice=False)

    def __init__(self, orgs: Sequence[Organization], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        top = min((org.depth for org in orgs), default=0)
        self.care_organization_id.choices = [
            SelectChoice(org.id, "\u3000" * (org.depth - top) + org.name) for org in orgs
        ]


class StatusForm(CheckedForm):
    status = SelectField(
        _l("状态"),
        choices=[SelectChoice(status.value, label) for status, label in LIFE_STATUS_LABELS.items()],
    )
    day = DateField(
        _l("日期"),
        validators=[Optional()],
        description=_l("退休填写退休日期，去世填写去世日期；改回在职时不用填写"),
    )


class RecordForm(CheckedForm):
    """One act of care; which fields a kind needs is said beside them and checked by the
    records service."""

    kind = SelectField(
        _l("关爱类型"),
        choices=[SelectChoice(kind.value, label) for kind, label in CARE_KIND_LABELS.items()],
    )
    on_date = DateField(_l("日期"), validators=[Optional()])
    place = StringField(
        _l("地点"),
        validators=[Length(max=records.PLACE_MAX)],
        render_kw={"maxlength": 200},
        description=_l("健康体检、疗休养必填（医院、疗休养地）"),
    )
    amount = StringField(
        _l("金额（元）"),
        validators=[Length(max=20)],
        render_kw={"inputmode": "decimal", "maxlength": 20},
        description=_l("困难帮扶、津贴补助必填，最多两位小数"),
    )
    # Checked by the records service (a festival since dropped from the settings is kept).
    festival = SelectField(_l("节日"), description=_l("走访慰问必选"), validate_choice=False)
    notes = TextAreaField(
        _l("备注"),
        validators=[Length(max=records.NOTES_MAX)],
        render_kw={"rows": 3, "maxlength": 2000},
        description=_l("可记录健康情况等；加密保存，只有劳模服务人员可见"),
    )

    def __init__(self, festivals: Iterable[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        choices = list(dict.fromkeys(festivals))
        current = self.festival.data
        if current and current not in choices:  # a record's festival since dropped
            choices.append(current)
        self.festival.choices = [SelectChoice("", _l("（不适用）"))] + [
            SelectChoice(f, f) for f in choices
        ]

    def data_for_service(self) -> RecordData:
        try:
            kind = CareKind(self.kind.data)
        except ValueError:
            kind = CareKind.VISIT
        return RecordData(
            kind=kind,
            on_date=self.on_date.data,
            place=self.place.data,
            amount=self.amount.data,
            festival=self.festival.data,
            notes=self.notes.data,
        )
