"""The signed-in user's own access: 我的登录设备 (sign-in sessions, 退出其他设备) and API 令牌.

Every page here shows only the user's own sessions and tokens; a row of someone else's is a
404. A new token is shown once, in the answer to the POST that made it (never flashed: the
flash travels in the session cookie), and only its digest is kept.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from contest.auth.blueprint import bp
from contest.auth.forms import TokenForm
from contest.extensions import db
from contest.models import ApiToken
from contest.services.core import sessions
from contest.services.core import users as user_service
from contest.ui.forms import ActionForm


def _require_button() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


@bp.route("/account/sessions")
@login_required
def devices():  # type: ignore[no-untyped-def]
    here = sessions.current_session(current_user)
    return render_template(
        "auth/sessions.html",
        rows=sessions.live_sessions(current_user),
        current_id=here.id if here else None,
        action_form=ActionForm(),
    )


@bp.route("/account/sessions/others/end", methods=["POST"])
@login_required
def end_other_sessions():  # type: ignore[no-untyped-def]
    _require_button()
    ended = sessions.end_other_sessions(current_user)
    db.session.commit()
    flash(_("已退出其他 %(n)d 台设备上的登录。", n=ended), "success")
    return redirect(url_for("auth.devices"))


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
@login_required
def end_session(session_id: int):  # type: ignore[no-untyped-def]
    _require_button()
    here = sessions.current_session(current_user)
    if here is not None and here.id == session_id:
        abort(400)  # this device signs out with 退出
    if not sessions.end_session(current_user, session_id):
        abort(404)
    db.session.commit()
    flash(_("已退出该设备上的登录。"), "success")
    return redirect(url_for("auth.devices"))


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def tokens():  # type: ignore[no-untyped-def]
    form = TokenForm()
    created = None
    if form.validate_on_submit():
        try:
            created = user_service.create_token(
                current_user,
                current_user,
                name=form.name.data or "",
                expires_in_days=form.expires_in_days,
            )
        except user_service.AccountError as error:
            db.session.rollback()
            form.name.errors = [*form.name.errors, str(error)]
        else:
            db.session.commit()
            form = TokenForm(formdata=None)
    return render_template(
        "auth/tokens.html",
        form=form,
        created=created,
        tokens=user_service.tokens_of(current_user),
        action_form=ActionForm(),
    )


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int):  # type: ignore[no-untyped-def]
    _require_button()
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    if user_service.revoke_token(current_user, token):
        db.session.commit()
        flash(_("已撤销令牌 %(prefix)s…", prefix=token.prefix), "success")
    return redirect(url_for("auth.tokens"))
