"""The public landing page, each role's home, language switching and the health check."""

from __future__ import annotations

from flask import (
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import text

from contest.extensions import db
from contest.main.blueprint import bp
from contest.services.core import dashboards
from contest.ui import links
from contest.ui.areas import home_sections_for, public_entries


@bp.route("/")
def index():  # type: ignore[no-untyped-def]
    return render_template(
        "main/index.html", stats=dashboards.public_stats(), entries=public_entries()
    )


@bp.route("/home")
@login_required
def home():  # type: ignore[no-untyped-def]
    panel = dashboards.home_panel(current_user)
    for section in home_sections_for(current_user):
        content = section.build(current_user)
        if content is not None:
            panel.sections[section.key] = {"template": section.template, **content}
    return render_template(f"main/home_{current_user.role.value}.html", panel=panel)


@bp.route("/lang/<code>")
def set_language(code: str):  # type: ignore[no-untyped-def]
    """Remember the interface language. A plain link (not a form) so public pages carry no
    CSRF token or session cookie and stay cacheable."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(links.safe_next(request.args.get("next")) or url_for("main.index"))


@bp.route("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any driver error means "not healthy", never a stack trace
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")
