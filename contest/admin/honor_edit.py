"""荣誉管理: add one honor by hand, or correct one (its particulars, its 事迹).

Historical honors mostly arrive by roster import; this is for the single late record, the typo
and the 事迹 written after the fact. The service (``records.add_honor`` / ``update_honor``)
holds every rule; a refusal comes back naming its field and is shown there.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from contest.admin.blueprint import bp
from contest.admin.forms import HonorForm
from contest.extensions import db
from contest.models import Honor, HonorLevel, HonorSource, Organization, Person, RecipientKind
from contest.services.honors.records import (
    COMMON_TITLES,
    CONTEST_FIXED_FIELDS,
    HonorData,
    HonorError,
    add_honor,
    data_of,
    update_honor,
)
from contest.validation import db_int


def _unit_org(name: str | None) -> Organization | None:
    """The organisation a typed unit name stands for, when exactly one has that name."""
    if not name:
        return None
    found = db.session.scalars(select(Organization).where(Organization.name == name).limit(2))
    matches = list(found)
    return matches[0] if len(matches) == 1 else None


def _data_from(form: HonorForm, person: Person | None, current: HonorData | None) -> HonorData:
    unit = (form.unit_name.data or "").strip() or None
    organization = person.organization if person is not None else _unit_org(unit)
    if current is not None and current.organization is not None and organization is None:
        organization = current.organization
    return HonorData(
        recipient_name=form.recipient_name.data or "",
        title=form.title.data or "",
        level=HonorLevel(form.level.data),
        year=form.year.data or 0,
        person=person,
        organization=organization,
        recipient_kind=RecipientKind(form.recipient_kind.data),
        unit_name=unit,
        post=form.post.data,
        skill_level=form.skill_level.data,
        trade=form.trade.data,
        industry=form.industry.data or (organization.industry if organization else None),
        conferring_body=form.conferring_body.data,
        document_number=form.document_number.data,
        conferred_on=form.conferred_on.data,
        source=HonorSource.MANUAL,
        deeds_summary=form.deeds_summary.data,
        deeds_full=form.deeds_full.data,
    )


def _fill(form: HonorForm, data: HonorData) -> None:
    for name in (
        "recipient_name",
        "unit_name",
        "post",
        "skill_level",
        "title",
        "trade",
        "year",
        "conferring_body",
        "document_number",
        "conferred_on",
        "industry",
        "deeds_summary",
        "deeds_full",
    ):
        getattr(form, name).data = getattr(data, name)
    form.level.data = data.level.value
    form.recipient_kind.data = data.recipient_kind.value


def _refused(form: HonorForm, error: HonorError) -> None:
    db.session.rollback()
    target = getattr(form, error.field, None)
    if target is None:
        form.form_errors.append(str(error))
    else:
        target.errors = [*target.errors, str(error)]


def _render(form: HonorForm, honor: Honor | None, person: Person | None):  # type: ignore[no-untyped-def]
    fixed = (
        set(CONTEST_FIXED_FIELDS)
        if honor is not None and honor.source is HonorSource.CONTEST
        else set()
    )
    return render_template(
        "admin/honor_form.html",
        form=form,
        honor=honor,
        person=person,
        fixed=fixed,
        common_titles=COMMON_TITLES,
    )


@bp.route("/honors/new", methods=["GET", "POST"])
def new_honor():  # type: ignore[no-untyped-def]
    """A new honor; ``?person_id=`` links it to a person's record and fills in their unit."""
    person_id = request.args.get("person_id", type=db_int)
    person = (db.session.get(Person, person_id) or abort(404)) if person_id else None
    form = HonorForm()
    if request.method == "GET" and person is not None:
        form.recipient_name.data = person.name
        form.unit_name.data = person.organization.name if person.organization else None
        form.post.data, form.skill_level.data = person.post, person.skill_level
    if form.validate_on_submit():
        try:
            honor = add_honor(current_user, _data_from(form, person, None))
        except HonorError as error:
            _refused(form, error)
        else:
            db.session.commit()
            flash(
                _("已添加 %(name)s 的“%(title)s”。", name=honor.recipient_name, title=honor.title),
                "success",
            )
            if person is not None:
                return redirect(url_for("admin.person", person_id=person.id))
            return redirect(url_for("admin.honors", q=honor.recipient_name))
    return _render(form, None, person)


@bp.route("/honors/<int:honor_id>/edit", methods=["GET", "POST"])
def edit_honor(honor_id: int):  # type: ignore[no-untyped-def]
    honor = db.session.get(Honor, honor_id) or abort(404)
    if honor.is_revoked:
        flash(_("已撤销的荣誉不能修改"), "info")
        return redirect(url_for("admin.honors"))
    current = data_of(honor)
    form = HonorForm()
    if request.method == "GET":
        _fill(form, current)
    if honor.source is HonorSource.CONTEST:
        # What the results decided is shown, not posted: the form's copy of it is ignored.
        _fill_fixed(form, current)
    if form.validate_on_submit():
        try:
            update_honor(current_user, honor, _data_from(form, honor.person, current))
        except HonorError as error:
            _refused(form, error)
        else:
            db.session.commit()
            flash(_("已保存“%(title)s”的修改。", title=honor.title), "success")
            if honor.person_id is not None:
                return redirect(url_for("admin.person", person_id=honor.person_id))
            return redirect(url_for("admin.honors", q=honor.recipient_name))
    return _render(form, honor, honor.person)


def _fill_fixed(form: HonorForm, current: HonorData) -> None:
    for name in CONTEST_FIXED_FIELDS:
        value = getattr(current, name)
        getattr(form, name).data = value.value if name == "level" else value
