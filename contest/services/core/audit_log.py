"""Reading the audit trail as a person does: who did what to which object, filtered, paged and
exported, each change shown field by field.

The trail itself (``contest.services.core.audit``) stays as it is: this module only reads it
and never changes a stored entry, so the hash chain verifies the same before and after. Objects
are named in bulk, one query per kind of object on a page (never one per entry), and a name
is looked up now, so a renamed union shows its current name; an object that is gone shows as
"#id". Personal numbers never reach this module's output: the trail stores them as "***".
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import IO, Any

import pandas as pd
from flask_babel import gettext as _
from flask_babel import to_utc
from sqlalchemy import ColumnElement, Select, String, and_, cast, func, or_, select
from sqlalchemy.orm import joinedload

from contest.extensions import db
from contest.models import (
    Appeal,
    AuditEntry,
    Campaign,
    Contest,
    Entry,
    Event,
    Honor,
    Nomination,
    Organization,
    Person,
    RecheckItem,
    RubricTemplate,
    ScoreSheet,
    User,
)
from contest.models.base import local_text
from contest.services.core import audit
from contest.services.core.audit_words import (
    ACTION_GROUPS,
    REFERENCE_FIELDS,
    field_label,
    noun,
    sentence_part,
    value_label,
)
from contest.services.core.spreadsheets import write_xlsx

__all__ = [
    "EXPORT_HEADERS",
    "GROUP_PREFIX",
    "AuditFilter",
    "AuditPage",
    "DiffRow",
    "EntryView",
    "describe",
    "export_xlsx",
    "matching",
    "read_page",
    "write_entries",
]

GROUP_PREFIX = "group:"
EXPORT_HEADERS = ("序号", "时间", "操作人", "操作", "对象", "原因", "变更前", "变更后", "哈希")
EXPORT_WIDTHS = {"时间": 18, "操作人": 16, "操作": 22, "对象": 36, "原因": 24, "变更前": 48}
EXPORT_WIDTHS |= {"变更后": 48, "哈希": 66}
# Entries described per round trip when exporting (each round is a handful of queries).
EXPORT_CHUNK = 500
# A nested object with more keys than this (a draw of 10,000 codes) stays one row of JSON.
FLATTEN_LIMIT = 50
# Excel refuses longer cells.
CELL_LIMIT = 32_000
# Kinds of target that hang off one entrant: named by the entrant's code.
_VIA_ENTRY: dict[str, Any] = {
    "score_sheet": ScoreSheet,
    "appeal": Appeal,
    "recheck_item": RecheckItem,
}


# ---------------------------------------------------------------- filters


@dataclass(frozen=True)
class AuditFilter:
    """What the admin asked for; empty fields do not filter.

    ``what`` is an action (``sheet.submit``) or a group of them (``group:scoring``, see
    ``audit_words.ACTION_GROUPS``). ``date_from``/``date_to`` are days in the app's time zone
    (``BABEL_DEFAULT_TIMEZONE``, as pages show times), both included.
    """

    who: str = ""
    what: str = ""
    contest_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    def as_args(self) -> dict[str, str]:
        """The filter as query arguments (for links and the export's own audit entry)."""
        return {k: str(v) for k, v in asdict(self).items() if v not in (None, "")}


def _by_actor(text: str) -> ColumnElement[bool]:
    """The stored user name, or the display name of that same account, contains ``text``.

    An entry names its account twice (id and user name): both must agree before the account's
    display name counts, since SQLite may give a deleted account's id to a new one.
    """
    display = (
        select(User.id)
        .where(
            User.id == AuditEntry.actor_id,
            User.username == AuditEntry.actor_name,
            User.display_name.icontains(text, autoescape=True),
        )
        .exists()
    )
    condition = or_(AuditEntry.actor_name.icontains(text, autoescape=True), display)
    if text.casefold() in _("系统").casefold():
        condition = or_(condition, AuditEntry.actor_id.is_(None))
    return condition


def _by_action(what: str) -> ColumnElement[bool]:
    if what.startswith(GROUP_PREFIX):
        group = ACTION_GROUPS.get(what.removeprefix(GROUP_PREFIX))
        return AuditEntry.action.in_(list(group.actions) if group else [])
    return AuditEntry.action == what


def _in_contest(contest_id: int) -> ColumnElement[bool]:
    """Entries whose object is the contest or belongs to it: its events, entrants, score
    sheets, appeals and re-check items.

    Found by resolving each target to its contest through the tables, not by reading the
    snapshots: only some snapshots carry a ``contest_id`` (an entrant's does, a score sheet's
    or a draw's does not), while every one of those targets has a row that leads to its
    contest. The price: an event deleted during set-up has no row left, so its entries drop
    out of this filter (they stay under the other filters). Rubric templates belong to a
    union, not a contest, and are not included.
    """

    def ids(column: Any, *joins: tuple[Any, Any], where: ColumnElement[bool]) -> Select[Any]:
        query = select(cast(column, String(40)))
        for target, on in joins:
            query = query.join(target, on)
        return query.where(where)

    by_entry = Entry.contest_id == contest_id
    by_event = Event.contest_id == contest_id
    kinds = {
        "event": ids(Event.id, where=by_event),
        "entry": ids(Entry.id, where=by_entry),
        "score_sheet": ids(ScoreSheet.id, (Entry, Entry.id == ScoreSheet.entry_id), where=by_entry),
        "appeal": ids(Appeal.id, (Event, Event.id == Appeal.event_id), where=by_event),
        "recheck_item": ids(
            RecheckItem.id, (Event, Event.id == RecheckItem.event_id), where=by_event
        ),
    }
    return or_(
        and_(AuditEntry.target_type == "contest", AuditEntry.target_id == str(contest_id)),
        *(
            and_(AuditEntry.target_type == kind, AuditEntry.target_id.in_(query))
            for kind, query in kinds.items()
        ),
    )


def _utc_midnight(day: date) -> datetime:
    """The first instant of ``day`` in the app's time zone, in UTC."""
    return to_utc(datetime.combine(day, time.min)).replace(tzinfo=UTC)


def matching(filters: AuditFilter) -> Select[AuditEntry]:
    """The entries ``filters`` selects, newest first."""
    query = select(AuditEntry)
    if filters.who.strip():
        query = query.where(_by_actor(filters.who.strip()))
    if filters.what:
        query = query.where(_by_action(filters.what))
    if filters.contest_id:
        query = query.where(_in_contest(filters.contest_id))
    if filters.date_from:
        query = query.where(AuditEntry.created_at >= _utc_midnight(filters.date_from))
    if filters.date_to:
        next_day = filters.date_to + timedelta(days=1)
        query = query.where(AuditEntry.created_at < _utc_midnight(next_day))
    return query.order_by(AuditEntry.id.desc())


# ---------------------------------------------------------------- naming objects


@dataclass(frozen=True)
class _Name:
    label: str
    context: str = ""


@dataclass
class _Names:
    """Names of the objects a batch of entries mentions, looked up one kind at a time."""

    users: dict[int, User] = field(default_factory=dict)
    found: dict[tuple[str, int], _Name] = field(default_factory=dict)

    def get(self, kind: str, key: object) -> _Name | None:
        number = _number(key)
        return None if number is None else self.found.get((kind, number))

    def of(self, kind: str, key: object) -> str:
        name = self.get(kind, key)
        return name.label if name else f"#{key}"


def _number(key: object) -> int | None:
    if isinstance(key, int) and not isinstance(key, bool):
        return key
    if isinstance(key, str) and key.isdigit():
        return int(key)
    return None


def _name_entries(wanted: dict[str, set[int]]) -> dict[tuple[str, int], _Name]:
    """Entrants (code and name), and the score sheets, appeals and re-check items named by
    their entrant's code; each with its contest and event as context."""
    entry_of: dict[tuple[str, int], int] = {}
    for kind, model in _VIA_ENTRY.items():
        if wanted.get(kind):
            query = select(model.id, model.entry_id).where(model.id.in_(wanted[kind]))
            entry_of.update({(kind, oid): eid for oid, eid in db.session.execute(query)})
    ids = wanted.get("entry", set()) | set(entry_of.values())
    if not ids:
        return {}
    query = (
        select(Entry)
        .where(Entry.id.in_(ids))
        .options(
            joinedload(Entry.person).load_only(Person.name),
            joinedload(Entry.event).joinedload(Event.contest).load_only(Contest.name),
        )
    )
    entries = {e.id: e for e in db.session.scalars(query)}

    def name(entry: Entry, label: str) -> _Name:
        return _Name(label, f"{entry.event.contest.name} · {entry.event.label}")

    found = {
        ("entry", eid): name(e, " ".join(p for p in (e.code, e.person.name) if p))
        for eid in wanted.get("entry", set())
        if (e := entries.get(eid)) is not None
    }
    found.update(
        {
            key: name(e, e.code or f"#{eid}")
            for key, eid in entry_of.items()
            if (e := entries.get(eid)) is not None
        }
    )
    return found


def _name_events(ids: set[int]) -> dict[int, _Name]:
    query = (
        select(Event)
        .where(Event.id.in_(ids))
        .options(joinedload(Event.contest).load_only(Contest.name))
    )
    return {e.id: _Name(e.label, e.contest.name) for e in db.session.scalars(query)}


def _name_honors(ids: set[int]) -> dict[int, _Name]:
    query = select(Honor.id, Honor.recipient_name, Honor.title).where(Honor.id.in_(ids))
    return {oid: _Name(f"{who}「{title}」") for oid, who, title in db.session.execute(query)}


def _named_by(column: Any) -> Callable[[set[int]], dict[int, _Name]]:
    """A finder for a table whose rows are named by one column."""
    model = column.class_

    def find(ids: set[int]) -> dict[int, _Name]:
        query = select(model.id, column).where(model.id.in_(ids))
        return {oid: _Name(name) for oid, name in db.session.execute(query)}

    return find


_FINDERS: dict[str, Callable[[set[int]], dict[int, _Name]]] = {
    "event": _name_events,
    "honor": _name_honors,
    "contest": _named_by(Contest.name),
    "campaign": _named_by(Campaign.name),
    "nomination": _named_by(Nomination.name),
    "organization": _named_by(Organization.name),
    "person": _named_by(Person.name),
    "rubric_template": _named_by(RubricTemplate.name),
}


def _resolve(wanted: dict[str, set[int]]) -> _Names:
    """One query per kind of object mentioned (two for those named through an entrant)."""
    names = _Names()
    if wanted.get("user"):
        accounts = db.session.scalars(select(User).where(User.id.in_(wanted["user"])))
        names.users = {u.id: u for u in accounts}
        names.found.update({("user", uid): _Name(u.name) for uid, u in names.users.items()})
    names.found.update(_name_entries(wanted))
    for kind, find in _FINDERS.items():
        if wanted.get(kind):
            names.found.update({(kind, oid): n for oid, n in find(wanted[kind]).items()})
    return names


# ---------------------------------------------------------------- before and after


@dataclass(frozen=True)
class DiffRow:
    """One field: its value before and after (``None``: the field is not on that side)."""

    key: str
    label: str
    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _parse(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _flatten(snapshot: Any) -> dict[str, Any]:
    """Top-level fields, with small nested objects (a sheet's marks) spread one per row."""
    if snapshot is None:
        return {}
    if not isinstance(snapshot, dict):
        return {"content": snapshot}
    flat: dict[str, Any] = {}
    for key, value in snapshot.items():
        if isinstance(value, dict) and len(value) <= FLATTEN_LIMIT:
            flat.update({f"{key}.{sub}": inner for sub, inner in value.items()})
        else:
            flat[key] = value
    return flat


def _references(snapshot: dict[str, Any]) -> Iterator[tuple[str, int]]:
    for key, value in snapshot.items():
        kind = REFERENCE_FIELDS.get(key)
        number = _number(value)
        if kind and number is not None:
            yield kind, number


def _show(target_type: str, key: str, value: Any, names: _Names) -> str:
    head = key.partition(".")[0]
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if head in REFERENCE_FIELDS and _number(value) is not None:
        return names.of(REFERENCE_FIELDS[head], value)
    if isinstance(value, str):
        return value_label(target_type, head, value) or value
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _diff(
    target_type: str, before: dict[str, Any], after: dict[str, Any], names: _Names
) -> list[DiffRow]:
    keys = list(before) + [k for k in after if k not in before]
    return [
        DiffRow(
            key,
            field_label(key),
            _show(target_type, key, before[key], names) if key in before else None,
            _show(target_type, key, after[key], names) if key in after else None,
        )
        for key in keys
    ]


# ---------------------------------------------------------------- describing entries


@dataclass(frozen=True)
class EntryView:
    """One entry as the page and the export show it."""

    entry: AuditEntry
    actor: str  # "评委 李国栋", or the stored user name, or 系统
    action: str  # "提交了评分表": the action with its kind of object
    target: str  # "评分表 A-07"
    context: str  # "2026年…大赛 · 数控车工(职工组)", or ""
    sentence: str
    diff: list[DiffRow]
    has_before: bool
    has_after: bool

    @property
    def is_edit(self) -> bool:
        """Both sides recorded: a change whose changed fields are worth marking."""
        return self.has_before and self.has_after


def _actor(entry: AuditEntry, names: _Names) -> str:
    if entry.actor_id is None:
        return _("系统")
    user = names.users.get(entry.actor_id)
    if user is None or user.username != entry.actor_name:  # gone, or its id given to another
        return entry.actor_name
    return f"{user.role.label} {user.name}"


def describe(entries: Sequence[AuditEntry]) -> list[EntryView]:
    """Sentences and diffs for ``entries``, naming every object in a few queries in all."""
    parsed = [(_flatten(_parse(e.before)), _flatten(_parse(e.after))) for e in entries]
    wanted: dict[str, set[int]] = defaultdict(set)
    for entry, (before, after) in zip(entries, parsed, strict=True):
        if entry.actor_id is not None:
            wanted["user"].add(entry.actor_id)
        number = _number(entry.target_id)
        if number is not None:
            wanted[entry.target_type].add(number)
        for kind, ref in (*_references(before), *_references(after)):
            wanted[kind].add(ref)
    names = _resolve(wanted)
    views = []
    for entry, (before, after) in zip(entries, parsed, strict=True):
        kind = noun(entry.target_type)
        label = names.of(entry.target_type, entry.target_id) if entry.target_id else ""
        target = f"{kind} {label} " if label else kind
        actor = _actor(entry, names)
        name = names.get(entry.target_type, entry.target_id)
        views.append(
            EntryView(
                entry=entry,
                actor=actor,
                action=sentence_part(entry.action, kind),
                target=target.strip(),
                context=name.context if name else "",
                sentence=f"{actor} {sentence_part(entry.action, target)}",
                diff=_diff(entry.target_type, before, after, names),
                has_before=entry.before is not None,
                has_after=entry.after is not None,
            )
        )
    return views


@dataclass(frozen=True)
class AuditPage:
    rows: list[EntryView]
    total: int
    page: int
    per_page: int


def read_page(filters: AuditFilter, page: int, per_page: int) -> AuditPage:
    """One page of the filtered trail, newest first, described."""
    query = matching(filters)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    entries = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    return AuditPage(describe(entries), total or 0, page, per_page)


# ---------------------------------------------------------------- export


def _chunks(selected: Select[AuditEntry]) -> Iterator[list[AuditEntry]]:
    """Every entry ``selected`` finds (newest first), ``EXPORT_CHUNK`` at a time (keyset on
    the id)."""
    last: int | None = None
    while True:
        query = selected
        if last is not None:
            query = query.where(AuditEntry.id < last)
        chunk = list(db.session.scalars(query.limit(EXPORT_CHUNK)))
        if not chunk:
            return
        yield chunk
        last = chunk[-1].id


def _cell(text: str) -> str:
    return text if len(text) <= CELL_LIMIT else text[:CELL_LIMIT] + "…"


def _side(view: EntryView, before: bool) -> str:
    lines = []
    for row in view.diff:
        value = row.before if before else row.after
        if value is not None:
            lines.append(f"{row.label}：{value}")
    return _cell("\n".join(lines))


def _local(value: datetime) -> str:
    return local_text(value, seconds=True)


def _export_row(view: EntryView) -> tuple[object, ...]:
    target = f"{view.target}（{view.context}）" if view.context else view.target
    return (
        view.entry.id,
        _local(view.entry.created_at),
        view.actor,
        view.action,
        target,
        view.entry.reason or "",
        _side(view, before=True),
        _side(view, before=False),
        view.entry.hash,
    )


def write_entries(selected: Select[AuditEntry], out: IO[bytes]) -> int:
    """Write every entry of ``selected`` (an ``AuditEntry`` query ordered newest first by id)
    as .xlsx with the columns :data:`EXPORT_HEADERS`; text that Excel would run as a formula
    is written as text by ``spreadsheets.write_xlsx``. Returns the number of rows. The caller
    audits the export (a campaign's trail is exported from its own pages)."""
    rows = [_export_row(view) for chunk in _chunks(selected) for view in describe(chunk)]
    frame = pd.DataFrame(rows, columns=list(EXPORT_HEADERS))
    write_xlsx(frame, out, sheet_title="审计日志", widths=EXPORT_WIDTHS)
    return len(rows)


def export_xlsx(actor: User | None, filters: AuditFilter, out: IO[bytes]) -> int:
    """Write every entry ``filters`` selects (all pages) as .xlsx; the export is audited."""
    count = write_entries(matching(filters), out)
    audit.record(actor, "audit.export", "audit", after={"rows": count, **filters.as_args()})
    return count
