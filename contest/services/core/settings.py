"""Settings an admin changes in the browser, kept in the ``settings`` table.

Some rules of the field are local choices rather than constants (how often a 劳模 is due a
health check, which titles the 劳模 archive keeps): each such setting is a :class:`Definition`
declared by the service that reads it — its key, label, default and parser — and stored here
as one JSON value per key. Reading a setting that was never stored gives its default, so a
fresh install behaves sensibly with an empty table. Every change is audited.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from contest.extensions import db
from contest.models import Setting, User
from contest.models.base import utcnow
from contest.services.core import audit
from contest.services.core.versions import bump_version

__all__ = ["Definition", "SettingError", "read", "read_many", "store"]


class SettingError(ValueError):
    """A value a setting refuses; the message says why, in the user's language."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


@dataclass(frozen=True)
class Definition:
    """One setting: ``parse`` turns what a form sent into the stored value (raising
    :class:`SettingError`), ``show`` turns the stored value back into the form's text."""

    key: str
    label: object  # a lazy string
    default: Any
    parse: Callable[[str], Any]
    show: Callable[[Any], str] = str
    help: object = ""  # a lazy string: what the setting changes, shown beside the field
    # The public content whose cached pages show this setting (a content version name of
    # ``contest.services.core.versions``): a change bumps it so those pages follow at once.
    content: str | None = None


def read(definition: Definition) -> Any:
    """The stored value of ``definition``, or its default when none is stored (or the stored
    text no longer parses: a setting never takes a page down)."""
    row = db.session.get(Setting, definition.key)
    if row is None:
        return definition.default
    try:
        return json.loads(row.value)
    except ValueError:
        return definition.default


def read_many(definitions: Iterable[Definition]) -> dict[str, Any]:
    """Every value of ``definitions`` by key, in one query."""
    wanted = {d.key: d for d in definitions}
    rows = db.session.scalars(select(Setting).where(Setting.key.in_(wanted))).all()
    stored = {row.key: row.value for row in rows}
    values: dict[str, Any] = {}
    for key, definition in wanted.items():
        try:
            values[key] = json.loads(stored[key]) if key in stored else definition.default
        except ValueError:
            values[key] = definition.default
    return values


def store(actor: User, definition: Definition, text: str) -> Any:
    """Parse ``text`` and keep it as the setting's value; returns the value. Refused with a
    :class:`SettingError` (nothing changes); a value equal to the current one writes nothing."""
    value = definition.parse(text)
    before = read(definition)
    if value == before:
        return value
    row = db.session.get(Setting, definition.key)
    encoded = json.dumps(value, ensure_ascii=False)
    if row is None:
        row = Setting(key=definition.key, value=encoded)
        db.session.add(row)
    row.value = encoded
    row.updated_at = utcnow()
    row.updated_by_id = actor.id
    db.session.flush()
    audit.record(actor, "setting.change", "setting", definition.key, before=before, after=value)
    if definition.content:
        bump_version(definition.content)
    return value
