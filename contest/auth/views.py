"""Login, logout and the user's own password."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from contest.auth.blueprint import bp
from contest.auth.forms import ChangePasswordForm, LoginForm
from contest.extensions import db, limiter
from contest.models import User
from contest.services.core import sessions
from contest.services.core import users as user_service
from contest.ui.links import safe_next

# What an account that must change its password may still reach (the API is apart: below).
OPEN_WHILE_CHANGE_DUE = frozenset(
    {"auth.change_password", "auth.logout", "main.set_language", "static"}
)


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _sign_in(user: User, remember: bool) -> None:
    """Open a server-side session for ``user`` on this device and put its secret in the
    cookies (``services.core.sessions``)."""
    sessions.start(
        user, remember=remember, user_agent=request.user_agent.string, address=request.remote_addr
    )
    db.session.commit()
    login_user(user, remember=remember)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        result = user_service.authenticate(
            form.username.data or "", form.password.data or "", request.remote_addr
        )
        db.session.commit()
        if result.user is not None:
            _sign_in(result.user, bool(form.remember.data))
            flash(_("欢迎，%(name)s", name=result.user.name), "success")
            target = safe_next(request.args.get("next"))
            if result.user.must_change_password:
                return redirect(url_for("auth.change_password", next=target))
            return redirect(target or url_for("main.home"))
        if result.locked:
            form.form_errors.append(
                _(
                    "登录失败次数过多，账号已暂时锁定。请 %(m)d 分钟后再试或联系管理员。",
                    m=current_app.config["LOGIN_LOCKOUT_MINUTES"],
                )
            )
        else:
            form.form_errors.append(_("用户名或密码不正确"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():  # type: ignore[no-untyped-def]
    """End this session on the server too: a copy of its cookies stops working."""
    if current_user.is_authenticated:
        sessions.end(current_user.login_key)
        db.session.commit()
    logout_user()
    flash(_("您已安全退出。"), "info")
    return redirect(url_for("main.index"))


@bp.before_app_request
def _require_own_password():  # type: ignore[no-untyped-def]
    """An account holding a password someone else handed over (a printed slip, an admin's
    reset) is sent to choose its own before anything else, from every page and form.

    The API is left alone: it accepts only bearer tokens (never the session), and a token is
    a separate secret made with ``contest token create``, not derived from the password, so
    knowing the one-time password gives no way into the API.
    """
    if request.path.startswith("/api/") or request.endpoint in OPEN_WHILE_CHANGE_DUE:
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("auth.change_password", next=safe_next(target)))
    return None


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():  # type: ignore[no-untyped-def]
    form = ChangePasswordForm(current_user)
    if form.validate_on_submit():
        # The change ends every session, this one too; this device signs in again at once.
        user = current_user._get_current_object()
        here = sessions.current_session(user)
        user_service.set_password(user, user, form.new.data or "")
        _sign_in(user, remember=bool(here and here.remember))
        flash(_("密码已修改，其他设备上的登录和 API 令牌已失效。"), "success")
        return redirect(safe_next(request.args.get("next")) or url_for("main.home"))
    return render_template("auth/change_password.html", form=form)
