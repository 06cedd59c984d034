"""A person's photo on their page: upload, remove, and a private view for the staff.

The public wall serves photos through its own route, and only with consent; the copy here is
for the people who manage the person's record (scoped like every orgs page) and is never
cached by a shared cache.
"""

from __future__ import annotations

from flask import abort, flash, redirect, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest.extensions import db
from contest.orgs.base import load_person
from contest.orgs.blueprint import bp
from contest.orgs.forms import PhotoForm
from contest.services.core import photos
from contest.ui.forms import ActionForm


def _back(person_id: int):  # type: ignore[no-untyped-def]
    return redirect(url_for("orgs.edit_person", person_id=person_id) + "#photo-card")


@bp.route("/people/<int:person_id>/photo", methods=["POST"])
def upload_photo(person_id: int):  # type: ignore[no-untyped-def]
    person = load_person(person_id)
    form = PhotoForm()
    if not form.validate_on_submit():
        for message in form.photo.errors or [_("上传失败，请重试")]:
            flash(str(message), "danger")
        return _back(person.id)
    try:
        previous = photos.replace(current_user, person, form.photo.data.read())
    except photos.PhotoRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "danger")
        return _back(person.id)
    db.session.commit()
    photos.discard(previous)
    flash(_("已更新 %(name)s 的照片。", name=person.name), "success")
    return _back(person.id)


@bp.route("/people/<int:person_id>/photo/remove", methods=["POST"])
def remove_photo(person_id: int):  # type: ignore[no-untyped-def]
    person = load_person(person_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    previous = photos.remove(current_user, person)
    db.session.commit()
    photos.discard(previous)
    flash(_("已删除 %(name)s 的照片。", name=person.name), "success")
    return _back(person.id)


@bp.route("/people/<int:person_id>/photo.jpg")
def person_photo(person_id: int):  # type: ignore[no-untyped-def]
    path = photos.path_of(load_person(person_id)) or abort(404)
    response = send_file(path, mimetype="image/jpeg", max_age=0, conditional=True)
    response.headers["Cache-Control"] = "private, no-store"
    return response
