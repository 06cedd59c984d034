"""Score sheets of every judged thing: validating marks, saving them, refusing stale saves.

A sheet (``ScoreSheet``) is one assessor's marks for one subject — a skills entry, a labor
competition participant in a round, a rated union — and every journey saves it the same way;
each journey decides first *who* may mark *what* and *when* (``skills.judging``,
``labor.scoring``) and then calls :func:`write_sheet`.

Two writers never lose or mix a mark. Each sheet carries a version (SQLAlchemy's
``version_id_col``) and every save bumps it with an ``UPDATE … WHERE version = ?``:

- a form or API call that says which version it was built from (``expected_version``; 0 = "no
  sheet existed") is refused with :class:`StaleSheet` when the stored one differs;
- two saves racing past that check both issue the versioned UPDATE; the second matches no
  row (``StaleDataError``) and is refused the same way;
- two first saves of the same sheet both INSERT; the sheet's unique constraint refuses the
  second (``IntegrityError``), caught inside a SAVEPOINT so the session stays usable.

Marks are upserted under the sheet's row lock, so there is always at most one mark per (sheet,
item), which the database also enforces.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

import scoring
from contest.extensions import db
from contest.models import Aspect, AspectKind, Mark, ScoreSheet, SheetStatus, User
from contest.models.base import utcnow
from contest.services.core import audit
from contest.validation import OutOfRange, parse_decimal

EMPTY = "empty"  # the status of a sheet that does not exist yet
_CENT = Decimal("0.01")


# ---------------------------------------------------------------- errors


class SheetError(Exception):
    """A refused sheet operation; ``status`` is the HTTP status the API and pages answer."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(SheetError):
    """Not this judge's entry (unassigned, recused, not on the panel) or not the phase."""

    status = 403
    code = "forbidden"


class SheetLocked(SheetError):
    """The sheet is submitted or locked (or its event signed off): only a reopen changes it."""

    status = 409
    code = "locked"


class StaleSheet(SheetError):
    """Someone saved this sheet after the caller loaded it; nothing was overwritten."""

    status = 409
    code = "stale"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or _(
                "此评分表在您打开之后已被保存过（可能是另一个窗口或设备）。"
                "您的修改未保存，请核对当前内容后重新填写。"
            )
        )


class MarkErrors(SheetError):
    """Values that do not fit the rubric; ``problems`` maps aspect key (or field) → message."""

    status = 422
    code = "invalid"

    def __init__(self, problems: dict[str, str], message: str | None = None) -> None:
        super().__init__(message or _("评分内容有误，未保存，请按提示修改。"))
        self.problems = problems


# ---------------------------------------------------------------- reading


def marks_of(sheet: ScoreSheet | None) -> dict[str, Decimal]:
    """The stored marks of ``sheet`` keyed by aspect key."""
    return {key: Decimal(mark.value) for key, mark in stored_marks(sheet).items()}


def stored_marks(sheet: ScoreSheet | None) -> dict[str, Mark]:
    """The mark rows of ``sheet`` keyed by aspect key, fresh from the database (rows the
    session already holds are refreshed, so a save compares and updates what is stored)."""
    if sheet is None:
        return {}
    rows = db.session.execute(
        select(Aspect.key, Mark)
        .join(Aspect, Mark.aspect_id == Aspect.id)
        .where(Mark.sheet_id == sheet.id)
        .execution_options(populate_existing=True)
    )
    return {key: mark for key, mark in rows}


def number(value: Decimal) -> int | float:
    """A mark as a JSON number: an integer when whole (3, not 3.00)."""
    return int(value) if value == value.to_integral_value() else float(value)


def points_of(aspect: Aspect, mark: Decimal) -> Decimal:
    """What a valid mark is worth on the sheet, to the cent — by ``scoring``'s formula for the
    item's kind (``scoring.item_points``), the one place those formulas live: a judgement level
    ``level / scale × max``, a deduction ``max − deduction``, a measurement or bonus itself, a
    veto or mandatory flag nothing, a rate figure its points after the shortfall steps."""
    worth = scoring.item_points(scoring_item(aspect), float(mark))
    return Decimal(repr(worth)).quantize(_CENT, rounding=ROUND_HALF_EVEN)


def scoring_item(aspect: Aspect) -> scoring.Item:
    """The item as ``scoring.indicators`` reads it (labor rounds and ratings)."""

    def num(value: Decimal | None) -> float | None:
        return None if value is None else float(value)

    return scoring.Item(
        key=aspect.key,
        kind=aspect.kind.value,  # type: ignore[arg-type]
        max_points=float(aspect.max_points),
        scale=aspect.scale,
        threshold=num(aspect.threshold),
        per_step=num(aspect.per_step),
        step_deduction=num(aspect.step_deduction),
        veto_effect=None if aspect.veto_effect is None else aspect.veto_effect.value,  # type: ignore[arg-type]
    )


# ---------------------------------------------------------------- validation


def parse_value(aspect: Aspect, raw: object) -> tuple[Decimal | None, str | None]:
    """One entered value → (Decimal, None) or (None, message). None/"" clears the mark.

    The number is read by ``contest.validation.parse_decimal`` (plain ASCII decimals, finite):
    "NaN", "1e3", "１２" or "1_0" are not marks, whatever Python's ``Decimal`` makes of them.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    if aspect.kind.is_flag:
        if str(raw).strip() not in ("0", "1"):
            return None, _("请选择 是 或 否")
        return Decimal(str(raw).strip()), None
    top = aspect.mark_max
    judgement = aspect.kind is AspectKind.JUDGEMENT
    try:
        value = parse_decimal(raw, minimum=Decimal(0), maximum=top)
    except OutOfRange:
        value = None
    except ValueError as error:
        return None, str(error)
    if judgement:
        if value is None or value != value.to_integral_value():
            return None, _("请选择 0 到 %(max)s 之间的等级", max=number(top))
        return value.quantize(_CENT), None
    if value is None:
        return None, _("分值应在 0 到 %(max)s 之间", max=number(top))
    step = aspect.mark_step
    if step > 0 and (value / step) != (value / step).to_integral_value():
        return None, _("分值应为 %(step)s 的整数倍", step=number(step))
    if value != value.quantize(_CENT):
        return None, _("分值最多保留两位小数")
    return value.quantize(_CENT), None


def validate_values(
    aspects: Iterable[Aspect], values: Mapping[str, object], *, all_keys: Iterable[str] = ()
) -> tuple[dict[str, Decimal | None], dict[str, str]]:
    """Check entered values against the aspects the judge marks.

    Returns (parsed values keyed by aspect key, None meaning "clear"), problems keyed by aspect
    key. Keys of the event that the judge does not mark and unknown keys are both refused.
    """
    by_key = {a.key: a for a in aspects}
    event_keys = set(all_keys)
    parsed: dict[str, Decimal | None] = {}
    problems: dict[str, str] = {}
    for key, raw in values.items():
        aspect = by_key.get(str(key))
        if aspect is None:
            problems[str(key)] = (
                _("此评分项不由您评分") if key in event_keys else _("没有这个评分项")
            )
            continue
        value, problem = parse_value(aspect, raw)
        if problem:
            problems[aspect.key] = problem
        else:
            parsed[aspect.key] = value
    return parsed, problems


def snapshot(sheet_status_value: str, marks: Mapping[str, Decimal | None]) -> dict[str, Any]:
    return {
        "status": sheet_status_value,
        "marks": {k: str(v) for k, v in sorted(marks.items()) if v is not None},
    }


# ---------------------------------------------------------------- writing


def upsert_marks(
    sheet: ScoreSheet,
    parsed: Mapping[str, Decimal | None],
    stored: Mapping[str, Mark],
    ids: Mapping[str, int],
) -> None:
    """Write the sent marks of a sheet whose row this transaction has just locked (``stored``:
    its mark rows as read by :func:`stored_marks`)."""
    if not parsed:
        return
    new: list[dict[str, Any]] = []
    for key, value in parsed.items():
        mark = stored.get(key)
        if value is None:
            if mark is not None:
                db.session.delete(mark)
        elif mark is None:
            new.append({"sheet_id": sheet.id, "aspect_id": ids[key], "value": value})
        elif Decimal(mark.value) != value:
            mark.value = value
    db.session.flush()
    if new:
        # One INSERT for all new marks (the ORM sends one per row on SQLite: it would read
        # back each id, which nothing here needs).
        db.session.execute(insert(Mark), new)


def bump(sheet: ScoreSheet, **changes: Any) -> None:
    """Apply ``changes`` to ``sheet`` through one versioned UPDATE (StaleSheet if it raced).

    The changes are made inside the SAVEPOINT: ``begin_nested`` flushes pending changes
    first, and a change flushed there would escape the version check and bump it twice.
    """
    try:
        with db.session.begin_nested():
            for name, value in changes.items():
                setattr(sheet, name, value)
            sheet.updated_at = utcnow()
            db.session.flush()
    except StaleDataError as error:
        raise StaleSheet() from error


# ---------------------------------------------------------------- writing


def write_sheet(
    actor: User,
    sheet: ScoreSheet | None,
    new_sheet: Callable[[], ScoreSheet],
    aspects: Sequence[Aspect],
    values: Mapping[str, object],
    *,
    submit: bool,
    expected_version: int | None,
    all_keys: Iterable[str] = (),
) -> ScoreSheet:
    """Save ``values`` (keyed by item key) on ``sheet`` as a draft, or submit them.

    The caller has decided that ``actor`` may mark this subject now and read ``sheet`` fresh
    (None: there is none yet; ``new_sheet`` makes it, unsaved). ``aspects`` are the items the
    actor marks, ``all_keys`` every item key of the rubric (a key of someone else's is refused
    differently from an unknown one). Keys not sent keep their stored value, None or "" clears
    one. ``expected_version`` is the version the caller's form was built from (0: no sheet);
    None skips that check (the versioned UPDATE still guards racing writers). Submitting needs
    a mark for every item. Raises SheetLocked, StaleSheet or MarkErrors; nothing is stored then.
    """
    if sheet is not None and sheet.status is not SheetStatus.DRAFT:
        raise SheetLocked(
            _("此评分表已提交，不能再修改。如需更正，请联系裁判长重新开放。")
            if sheet.status is SheetStatus.SUBMITTED
            else _("此评分表已锁定，不能再修改。")
        )
    current_version = sheet.version if sheet is not None else 0
    if expected_version is not None and expected_version != current_version:
        raise StaleSheet()

    keys = list(all_keys) or [a.key for a in aspects]
    parsed, problems = validate_values(aspects, values, all_keys=keys)
    # Read before the versioned UPDATE below, yet current: every change to a sheet's marks
    # bumps its version, so had they changed since ``sheet`` was read, that UPDATE would fail.
    stored = stored_marks(sheet)
    before = {key: Decimal(mark.value) for key, mark in stored.items()}
    after: dict[str, Decimal | None] = {**before, **parsed}
    if submit:
        for aspect in aspects:
            if after.get(aspect.key) is None:
                problems.setdefault(aspect.key, _("提交前请填写此项"))
    if problems:
        raise MarkErrors(problems)

    before_status = sheet.status.value if sheet is not None else EMPTY
    ids = {a.key: a.id for a in aspects}
    try:
        with db.session.begin_nested():
            if sheet is None:
                sheet = new_sheet()
                db.session.add(sheet)
            else:
                # Touch the row even when only marks change: the versioned UPDATE is the lock.
                sheet.updated_at = utcnow()
            if submit:
                sheet.status = SheetStatus.SUBMITTED
                sheet.submitted_at = utcnow()
            db.session.flush()
            upsert_marks(sheet, parsed, stored, ids)
    except (IntegrityError, StaleDataError) as error:
        raise StaleSheet() from error
    db.session.expire(sheet, ["marks"])
    audit.record(
        actor,
        "sheet.submit" if submit else "sheet.save",
        "score_sheet",
        sheet.id,
        before=snapshot(before_status, before),
        after={**snapshot(sheet.status.value, after), "version": sheet.version},
    )
    return sheet
