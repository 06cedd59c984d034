"""劳模服务 → 设置 (admins only): the care settings (titles that count for the archive, the
lowest level, the intervals, the festivals) and the wall's 工匠 share, on one page.

The form is built from the services' setting definitions, so each setting's label, help and
parser live with the code that reads it. All fields are checked before any is stored: one bad
value keeps every setting as it was, with the message beside that field. Each change is
audited by :func:`contest.services.core.settings.store`.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from contest.care.archive_forms import put_error
from contest.care.blueprint import bp
from contest.care.settings_forms import field_name, settings_form
from contest.extensions import db
from contest.models import Role
from contest.security.guards import roles_required
from contest.services.care import settings as care_settings
from contest.services.core import settings as store
from contest.services.core.settings import Definition, SettingError
from contest.services.honors import craftsmen

DEFINITIONS: tuple[Definition, ...] = care_settings.DEFINITIONS + craftsmen.DEFINITIONS
CHOICES: dict[str, list[SelectChoice]] = {
    care_settings.LOWEST_LEVEL.key: [
        SelectChoice(value, label) for value, label in care_settings.LEVEL_CHOICES
    ],
}


def _page(form: Any, status: int = 200) -> tuple[str, int]:
    return render_template(
        "care/settings.html",
        form=form,
        fields=[form[field_name(d)] for d in DEFINITIONS],
    ), status


@bp.route("/settings", methods=["GET", "POST"], endpoint="settings")
@roles_required(Role.ADMIN)
def settings_page() -> Response | tuple[str, int]:
    current = store.read_many(DEFINITIONS)
    shown = {d.key: d.show(current[d.key]) for d in DEFINITIONS}
    form = settings_form(DEFINITIONS, shown, CHOICES)
    if request.method == "GET":
        return _page(form)
    if not form.validate():
        return _page(form, 400)
    texts = {d.key: form[field_name(d)].data or "" for d in DEFINITIONS}
    refused = False
    for definition in DEFINITIONS:
        try:
            definition.parse(texts[definition.key])
        except SettingError as error:
            put_error(form, field_name(definition), error.message)
            refused = True
    if refused:
        return _page(form, 400)
    changed = sum(store.store(current_user, d, texts[d.key]) != current[d.key] for d in DEFINITIONS)
    db.session.commit()
    if changed:
        flash(_("已保存 %(n)d 项设置。", n=changed), "success")
    else:
        flash(_("没有修改。"), "info")
    return redirect(url_for("care.settings"))
