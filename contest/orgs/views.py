"""An organisation's page with its people, and the person form (scoped to the user's subtree)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from contest.extensions import db
from contest.models import Gender, Organization, Person, WorkerCategory
from contest.orgs.base import load_org, load_person, orgs_in_scope
from contest.orgs.blueprint import bp
from contest.orgs.forms import PersonForm, PhotoForm
from contest.services.core.orgs import can_restructure
from contest.services.core.people import (
    PersonData,
    PersonError,
    create_person,
    record_of,
    update_person,
)
from contest.ui.params import page_number

PER_PAGE = 50


@bp.route("/<int:org_id>")
def show(org_id: int):  # type: ignore[no-untyped-def]
    org = load_org(org_id)
    q = (request.args.get("q") or "").strip()
    page = page_number()
    query = select(Person).where(Person.organization_id.in_(org.subtree_ids_query()))
    if q:
        like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(Person.name.like(like, escape="\\"), Person.occupation.like(like, escape="\\"))
        )
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    people = db.session.scalars(
        query.order_by(Person.name, Person.id).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    return render_template(
        "orgs/show.html",
        org=org,
        people=people,
        total=total,
        page=page,
        per_page=PER_PAGE,
        q=q,
        can_restructure=can_restructure(current_user, org),
    )


def _data_from(form: PersonForm, org: Organization) -> PersonData:
    return PersonData(
        name=form.name.data or "",
        organization=org,
        gender=Gender(form.gender.data) if form.gender.data else None,
        ethnicity=form.ethnicity.data,
        birth_date=form.birth_date.data,
        id_number=form.id_number.data or None,
        phone=form.phone.data or None,
        occupation=form.occupation.data,
        post=form.post.data,
        skill_level=form.skill_level.data,
        category=WorkerCategory(form.category.data) if form.category.data else None,
        consent_photo=bool(form.consent_photo.data),
        consent_deeds=bool(form.consent_deeds.data),
    )


def _save_person(form: PersonForm, person: Person | None):  # type: ignore[no-untyped-def]
    org = load_org(form.organization_id.data)
    try:
        data = _data_from(form, org)
        if person is None:
            person = create_person(current_user, data)
        else:
            update_person(current_user, person, data)
    except PersonError as error:
        db.session.rollback()
        getattr(form, error.field).errors.append(str(error))
        return None
    db.session.commit()
    flash(_("已保存 %(name)s 的信息。", name=person.name), "success")
    return redirect(url_for("orgs.show", org_id=org.id))


@bp.route("/people/new", methods=["GET", "POST"])
def new_person():  # type: ignore[no-untyped-def]
    form = PersonForm(orgs_in_scope(open_only=True))
    if request.method == "GET" and request.args.get("org", type=int):
        form.organization_id.data = request.args.get("org", type=int)
    if form.validate_on_submit():
        response = _save_person(form, None)
        if response is not None:
            return response
    return render_template("orgs/person_form.html", form=form, person=None)


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
def edit_person(person_id: int):  # type: ignore[no-untyped-def]
    person = load_person(person_id)
    form = PersonForm(orgs_in_scope(open_only=True), obj=person)
    if request.method == "GET":
        form.gender.data = person.gender.value if person.gender else ""
        form.category.data = person.category.value if person.category else ""
        form.id_number.data = ""
        form.phone.data = ""
    if form.validate_on_submit():
        response = _save_person(form, person)
        if response is not None:
            return response
    honors, entries = record_of(person)
    return render_template(
        "orgs/person_form.html",
        form=form,
        person=person,
        honors=honors,
        entries=entries,
        photo_form=PhotoForm(),
    )
