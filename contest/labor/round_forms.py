"""Forms of a round's sheets and steps, and reading a sheet's post.

A sheet page posts one field per item (``m_<item id>``), a note per item (``note_<item id>``)
and files per item (``ev_<item id>``) besides the form's version and confirmation; they are
read here by item so the views stay thin. The values are checked by the service (the engine's
``validate_values``), never here.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import request
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from contest.models import Aspect
from contest.services.labor.scoring import MAX_EVIDENCE_BYTES, Upload
from contest.ui.forms import CheckedForm
from contest.validation import db_int


class SheetPostForm(CheckedForm):
    """The parts of a sheet's post the form itself checks: the CSRF token, the version the page
    was built from, and whether the submission was confirmed in the browser."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    confirmed = HiddenField()


class ReasonForm(CheckedForm):
    reason = StringField(
        _l("原因"),
        validators=[InputRequired(_l("请填写原因")), Length(max=200, message=_l("最长 200 个字"))],
    )


class ReturnSheetForm(ReasonForm):
    sheet_id = IntegerField(_l("评分表"), validators=[InputRequired(_l("请选择要退回的评分表"))])


class ConfirmRoundForm(CheckedForm):
    # The number of missing sheets the chief was shown (the service checks it is still true).
    accept_missing = IntegerField(widget=HiddenInput(), validators=[Optional()])


def field_name(aspect: Aspect) -> str:
    return f"m_{aspect.id}"


def posted_marks(items: Sequence[Aspect]) -> dict[str, object]:
    """Every item's posted value by key (absent: None, which clears a mark, as an unchosen
    是/否 does)."""
    return {a.key: request.form.get(field_name(a)) for a in items}


def posted_notes(items: Sequence[Aspect]) -> dict[int, str]:
    return {a.id: request.form[f"note_{a.id}"] for a in items if f"note_{a.id}" in request.form}


def posted_files(items: Sequence[Aspect]) -> dict[int, list[Upload]]:
    """The chosen files per item, each read to one byte past the limit (the service refuses
    it by its size without this holding more)."""
    found: dict[int, list[Upload]] = {}
    for aspect in items:
        for storage in request.files.getlist(f"ev_{aspect.id}"):
            if not storage or not storage.filename:
                continue
            data = storage.stream.read(MAX_EVIDENCE_BYTES + 1)
            found.setdefault(aspect.id, []).append(Upload(storage.filename, data))
    return found


def posted_removals() -> list[int]:
    ids = []
    for raw in request.form.getlist("remove_evidence"):
        try:
            ids.append(db_int(raw))
        except ValueError:
            continue
    return ids
