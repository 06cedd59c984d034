"""The settings page's form, built from the settings' definitions (one field per setting), so
a setting declared by a service appears on the page without a form class of its own."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from contest.services.core.settings import Definition
from contest.ui.forms import CheckedForm

__all__ = ["field_name", "settings_form"]


def field_name(definition: Definition) -> str:
    """A setting's form field name (its key, with the dots HTML ids do not like replaced)."""
    return definition.key.replace(".", "__")


def settings_form(
    definitions: Sequence[Definition],
    values: dict[str, str],
    choices: dict[str, list[SelectChoice]],
    **kwargs: Any,
) -> CheckedForm:
    """A form with one field per setting: a select when ``choices`` has the key, a text area
    for a list of words, else a line; pre-filled with ``values`` (the settings' shown text)."""

    class SettingsForm(CheckedForm):
        pass

    for definition in definitions:
        name = field_name(definition)
        common: dict[str, Any] = {"description": definition.help, "default": values[definition.key]}
        field: Any
        if definition.key in choices:
            field = SelectField(definition.label, choices=choices[definition.key], **common)
        elif isinstance(definition.default, list):
            field = TextAreaField(definition.label, render_kw={"rows": 2}, **common)
        else:
            field = StringField(definition.label, render_kw={"maxlength": 40}, **common)
        setattr(SettingsForm, name, field)
    return SettingsForm(**kwargs)
