"""How Flask-Login finds the current user: the session cookie (or the remember-me cookie) for
pages, a bearer token for the API (cookies are not accepted on ``/api/`` so CSRF cannot reach it).

Both cookies carry a sign-in session's secret, not the user id (``User.get_id``): the user is
loaded only while that session is live on the server (``services.core.sessions``).
"""

from __future__ import annotations

from flask import Flask, Request, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l

from contest.extensions import login_manager
from contest.models import User
from contest.services.core.sessions import user_for_key
from contest.services.core.users import user_for_token
from contest.ui.errors import render_error


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("请先登录。")
    login_manager.login_message_category = "warning"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def _load_user(session_key: str) -> User | None:
        if request.path.startswith("/api/"):
            return None
        return user_for_key(session_key)

    @login_manager.request_loader
    def _load_from_token(req: Request) -> User | None:
        if not req.path.startswith("/api/"):
            return None
        header = req.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        return user_for_token(token.strip())

    @login_manager.unauthorized_handler
    def _unauthorized():  # type: ignore[no-untyped-def]
        if request.path.startswith("/api/"):
            return render_error(401)
        flash(str(login_manager.login_message), "warning")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
