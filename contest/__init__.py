"""The Flask application for union competitions, nominations and the honor wall."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from contest import config as settings
from contest.extensions import babel, cache, csrf, db, limiter, login_manager

MIGRATIONS_DIR = str(settings.PROJECT_ROOT / "contest" / "migrations")


def create_app(config: dict[str, Any] | None = None, **overrides: Any) -> Flask:
    """Build the application: settings, extensions, areas, CLI and error handlers.

    Nothing here touches the database schema or the network; ``contest init`` migrates.
    """
    app = Flask(
        __name__,
        template_folder=str(settings.PROJECT_ROOT / "templates"),
        static_folder=str(settings.PROJECT_ROOT / "static"),
        instance_path=str(settings.instance_path()),
    )
    app.config.from_mapping(settings.from_environment())
    app.config.from_mapping(config or {})
    app.config.from_mapping(overrides)

    register_extensions(app)
    register_areas(app)
    register_hooks(app)
    register_cli(app)
    register_proxies(app)
    return app


def register_proxies(app: Flask) -> None:
    """Behind ``PROXY_COUNT`` trusted proxies, the client's address and scheme are theirs to
    tell (X-Forwarded-For/-Proto): one balancer's address would otherwise be every client's, and
    one stranger's failed logins would lock everyone out."""
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)


def register_extensions(app: Flask) -> None:
    from flask_migrate import Migrate  # imports Alembic: kept out of `import contest`

    from contest import database, i18n

    db.init_app(app)
    database.init_app(app)
    Migrate(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_domain="messages",
        default_translation_directories=i18n.catalogue_directories(
            settings.PROJECT_ROOT / "contest" / "translations",
            Path(app.instance_path) / "translations",
        ),
    )
    cache.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    from contest.auth import loaders

    loaders.init_app(app)


def register_areas(app: Flask) -> None:
    """Each area's blueprint, menu entries and home sections (``contest.ui.areas``).

    The menu lists the areas' entries in the order of this tuple, which is also the order in
    which home sections appear.
    """
    from contest import (
        admin,
        api,
        auth,
        care,
        contests,
        judging,
        labor,
        main,
        nominations,
        orgs,
        results,
        review,
        wall,
    )
    from contest.ui import params
    from contest.ui.areas import register_area

    params.init_app(app)  # the bounded <int:…> converter, before any rule is added
    for area in (
        judging,
        wall,
        main,
        contests,
        labor,
        nominations,
        care,
        orgs,
        admin,
        results,
        review,
        auth,
        api,
    ):
        register_area(app, area.AREA)
    app.register_blueprint(labor.survey_answer.bp)  # /s: 会员评家 on phones, public, no login
    csrf.exempt(api.bp)  # bearer tokens, no cookies: CSRF does not apply


def register_hooks(app: Flask) -> None:
    from contest.security import headers
    from contest.ui import assets, bodies, errors, links, templating

    assets.init_app(app)
    errors.init_app(app)
    bodies.init_app(app)
    headers.init_app(app)
    templating.init_app(app)
    links.init_app(app)


def register_cli(app: Flask) -> None:
    from contest.cli import register_app_commands

    register_app_commands(app)
