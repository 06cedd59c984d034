"""Form pieces several areas use: the one-button form, the write-only input, select values."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.widgets import TextInput

__all__ = ["ActionForm", "WriteOnlyInput", "choice_value"]


class ActionForm(FlaskForm):
    """A button that changes something (delete, check in, draw the re-check list): only the
    CSRF token."""


class WriteOnlyInput(TextInput):
    """A text input that never renders a value: after a failed save the page must not echo
    a personal number back (it could be another person's, e.g. a duplicate 身份证号)."""

    def __call__(self, field: object, **kwargs: object) -> object:
        kwargs["value"] = ""
        return super().__call__(field, **kwargs)


def choice_value(value: object) -> str:
    """A select's value: an enum's value when the form is filled from a model, "" for None."""
    if value is None:
        return ""
    return str(getattr(value, "value", value))
