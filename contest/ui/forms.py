"""Form pieces several areas use: the checked base form, the one-button form, the write-only
input, select values."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    DecimalField,
    Field,
    FloatField,
    IntegerField,
    PasswordField,
    StringField,
    TextAreaField,
)
from wtforms.widgets import TextInput

from contest.validation import check_text, db_int, parse_decimal

__all__ = ["ActionForm", "CheckedForm", "WriteOnlyInput", "choice_value"]


class CheckedForm(FlaskForm):
    """The base of every form: what people type is checked by the same rules everywhere
    (``contest.validation``) before the form's own validators run.

    Text fields refuse control characters, direction overrides and text made only of invisible
    characters (text areas may hold tabs and line breaks); passwords are left alone. Number
    fields take plain ASCII decimals only: WTForms would read "NaN", "Infinity", "1e999",
    "１２" and "1_0", and an integer past the database's range overflowed the INSERT. A refused
    value is an error on its field (and its data is cleared), like any other.
    """

    def validate(self, extra_validators: Any = None) -> bool:
        for field in self:
            problem = _typed_value_problem(field)
            if problem and problem not in field.process_errors:
                field.process_errors.append(problem)
                if not isinstance(field, StringField):
                    field.data = None
        return bool(super().validate(extra_validators))


def _typed_value_problem(field: Field) -> str | None:
    raw = field.raw_data[0] if field.raw_data else None
    typed = isinstance(raw, str) and raw.strip()
    try:
        if isinstance(field, IntegerField) and typed and not field.process_errors:
            db_int(raw)
        elif isinstance(field, DecimalField | FloatField) and typed:
            parse_decimal(raw)
        elif isinstance(field.data, str) and _is_text(field):
            check_text(field.data, multiline=isinstance(field, TextAreaField))
    except ValueError as error:
        return str(error)
    return None


def _is_text(field: Field) -> bool:
    return isinstance(field, StringField) and not isinstance(field, PasswordField)


class ActionForm(CheckedForm):
    """A button that changes something (delete, check in, draw the re-check list): only the
    CSRF token."""


class WriteOnlyInput(TextInput):
    """A text input for a personal number that never shows what is stored (an edit form says
    only whether a number is on file). After a refused submission it shows back exactly what
    the user typed in that same request, so a correction does not mean typing a 身份证号
    again (#16 item 6): the value comes from them, not from the database — a duplicate number
    is not revealed by showing it to the person who just entered it — and the messages beside
    it never quote it. Pages to signed-in users are no-store, so no copy stays behind."""

    def __call__(self, field: object, **kwargs: object) -> object:
        typed = getattr(field, "raw_data", None) or [""]
        kwargs["value"] = typed[0] if isinstance(typed[0], str) else ""
        return super().__call__(field, **kwargs)


def choice_value(value: object) -> str:
    """A select's value: an enum's value when the form is filled from a model, "" for None."""
    if value is None:
        return ""
    return str(getattr(value, "value", value))
