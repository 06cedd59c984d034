"""Admin pages: accounts and the only place personal numbers are shown (the audit trail is in
``audit.py``)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from contest.admin.blueprint import bp
from contest.admin.forms import ResetPasswordForm, UserForm
from contest.extensions import db
from contest.models import ApiToken, Organization, Person, Role, User
from contest.services.core import audit as audit_service
from contest.services.core import users as user_service
from contest.services.core.people import record_of
from contest.ui import confirm


def _all_orgs() -> list[Organization]:
    return list(db.session.scalars(select(Organization).order_by(Organization.path)))


@bp.route("/users", methods=["GET", "POST"])
def users():  # type: ignore[no-untyped-def]
    form = UserForm(_all_orgs())
    if form.validate_on_submit():
        org = (
            db.session.get(Organization, form.organization_id.data)
            if form.organization_id.data
            else None
        )
        try:
            user = user_service.create_user(
                current_user,
                form.username.data or "",
                form.password.data or "",
                Role(form.role.data),
                org,
                form.display_name.data or None,
            )
        except user_service.AccountError as error:
            db.session.rollback()
            form.form_errors.append(str(error))
        else:
            db.session.commit()
            flash(_("已创建账号 %(name)s。", name=user.username), "success")
            return redirect(url_for("admin.users"))
    role_filter = request.args.get("role")
    query = select(User).order_by(User.role, User.username)
    if role_filter in {r.value for r in Role}:
        query = query.where(User.role == Role(role_filter))
    return render_template(
        "admin/users.html",
        users=db.session.scalars(query).all(),
        form=form,
        role_filter=role_filter,
        action_form=FlaskForm(),
    )


@bp.route("/users/<int:user_id>/toggle", methods=["POST"])
def toggle_user(user_id: int):  # type: ignore[no-untyped-def]
    """Put an account in the state the form names (``enabled=0`` or ``1``), not the opposite of
    its current one: a second confirmed 停用 (double click, resubmit, two admins) leaves it
    disabled and says so. Disabling needs the confirmation field; enabling does not."""
    user = db.session.get(User, user_id) or abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    wanted = request.form.get("enabled")
    if wanted not in ("0", "1"):
        flash(_("请求无效：未指明启用还是停用账号。"), "danger")
        return redirect(url_for("admin.users"))
    enable = wanted == "1"
    if user.id == current_user.id:
        flash(_("不能停用自己的账号。"), "danger")
        return redirect(url_for("admin.users"))
    if not enable and user.is_enabled and not confirm.confirmed():
        return confirm.ask(confirm.disable_user(user), url_for("admin.users"))
    if not user_service.set_enabled(current_user, user, enable):
        if enable:
            flash(_("账号 %(name)s 已是启用状态，未作更改。", name=user.username), "info")
        else:
            flash(_("账号 %(name)s 已是停用状态，未作更改。", name=user.username), "info")
        return redirect(url_for("admin.users"))
    db.session.commit()
    if enable:
        flash(_("已启用账号 %(name)s。", name=user.username), "success")
    else:
        flash(_("已停用账号 %(name)s。", name=user.username), "success")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
def reset_password(user_id: int):  # type: ignore[no-untyped-def]
    user = db.session.get(User, user_id) or abort(404)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user_service.set_password(
            current_user, user, form.password.data or "", must_change=bool(form.must_change.data)
        )
        db.session.commit()
        flash(_("已重置 %(name)s 的密码并解除锁定。", name=user.username), "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/reset_password.html", form=form, user=user)


@bp.route("/users/<int:user_id>/tokens")
def user_tokens(user_id: int):  # type: ignore[no-untyped-def]
    """An account's API tokens (made by its owner or ``contest token create``), to revoke."""
    user = db.session.get(User, user_id) or abort(404)
    return render_template(
        "admin/user_tokens.html",
        user=user,
        tokens=user_service.tokens_of(user),
        action_form=FlaskForm(),
    )


@bp.route("/users/<int:user_id>/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_user_token(user_id: int, token_id: int):  # type: ignore[no-untyped-def]
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id:
        abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if user_service.revoke_token(current_user, token):
        db.session.commit()
        flash(_("已撤销令牌 %(prefix)s…", prefix=token.prefix), "success")
    return redirect(url_for("admin.user_tokens", user_id=user_id))


@bp.route("/people/<int:person_id>", methods=["GET", "POST"])
def person(person_id: int):  # type: ignore[no-untyped-def]
    """A person's full record. Personal numbers show masked; revealing them is a POST, audited."""
    record = db.session.get(Person, person_id) or abort(404)
    form = FlaskForm()
    reveal = form.validate_on_submit()
    if reveal:
        audit_service.record(current_user, "person.reveal", "person", record.id)
        db.session.commit()
    honors, entries = record_of(record)
    return render_template(
        "admin/person.html",
        person=record,
        reveal=reveal,
        form=form,
        honors=honors,
        entries=entries,
    )
