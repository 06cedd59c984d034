"""The Flask application for union competitions, nominations and the honor wall."""

from __future__ import annotations

from typing import Any

from flask import Flask

from contest import config as settings
from contest.extensions import babel, cache, csrf, db, limiter, login_manager, migrate

MIGRATIONS_DIR = str(settings.PROJECT_ROOT / "contest" / "migrations")


def create_app(config: dict[str, Any] | None = None, **overrides: Any) -> Flask:
    """Build the application: settings, extensions, blueprints, CLI and error handlers.

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
    register_blueprints(app)
    register_hooks(app)
    register_cli(app)
    return app


def register_extensions(app: Flask) -> None:
    from contest import database, i18n

    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        default_domain="messages",
        default_translation_directories=str(settings.PROJECT_ROOT / "contest" / "translations"),
    )
    cache.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    from contest.auth import loaders

    loaders.init_app(app)


def register_blueprints(app: Flask) -> None:
    from contest.admin import bp as admin_bp
    from contest.api import bp as api_bp
    from contest.auth import bp as auth_bp
    from contest.contests import bp as contests_bp
    from contest.judging import bp as judging_bp
    from contest.main import bp as main_bp
    from contest.orgs import bp as orgs_bp
    from contest.results import bp as results_bp
    from contest.review import bp as review_bp
    from contest.wall import bp as wall_bp
    from contest.wall.nav import register_navigation as wall_navigation

    for bp in (
        main_bp,
        auth_bp,
        admin_bp,
        orgs_bp,
        contests_bp,
        judging_bp,
        review_bp,
        results_bp,
        wall_bp,
        api_bp,
    ):
        app.register_blueprint(bp)
    wall_navigation()
    csrf.exempt(api_bp)  # bearer tokens, no cookies: CSRF does not apply


def register_hooks(app: Flask) -> None:
    from contest import errors, templating
    from contest.security import headers

    errors.init_app(app)
    headers.init_app(app)
    templating.init_app(app)


def register_cli(app: Flask) -> None:
    from contest.cli import register_app_commands

    register_app_commands(app)
