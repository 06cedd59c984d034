"""The ``contest`` command (DESIGN.md "Command line"); names and output shapes are a contract."""

from __future__ import annotations

import json
import sys

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

from contest.database import set_write_intent


def _create_app() -> Flask:
    from contest import create_app

    return create_app()


@click.group(
    cls=FlaskGroup,
    create_app=_create_app,
    add_default_commands=False,
    add_version_option=False,
    load_dotenv=False,
)
def main() -> None:
    """Skills competitions, nominations and the honor wall for trade unions."""
    # Commands write; on SQLite their transactions begin as writers (see contest.database).
    set_write_intent(True)


def register_app_commands(app: Flask) -> None:
    """Commands that need the application (and its database) hang off ``app.cli``."""
    for command in (
        init_command,
        demo_command,
        serve_command,
        user_group,
        token_group,
        audit_group,
    ):
        app.cli.add_command(command)
    for extra in EXTRA_COMMANDS:
        app.cli.add_command(extra)


# Areas add their own app commands here (e.g. ``contest honors``).
EXTRA_COMMANDS: list[click.Command] = []


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the database schema (Alembic upgrade to head)."""
    from flask_migrate import upgrade

    from contest.config import ensure_secret_key_file

    if "CONTEST_SECRET_KEY" not in __import__("os").environ:
        ensure_secret_key_file()
    upgrade()
    click.echo("数据库已就绪 (schema at head).")


@click.command("demo")
@click.option("--large", is_flag=True, help="Add the benchmark scale data.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has data.")
@with_appcontext
def demo_command(large: bool, if_empty: bool) -> None:
    """Fill an empty database with a realistic demo and print the demo logins."""
    from contest.demo import DemoError, load_demo

    try:
        summary = load_demo(large=large, if_empty=if_empty)
    except DemoError as error:
        raise click.ClickException(str(error)) from None
    if summary is None:
        click.echo("数据库中已有数据,跳过演示数据 (database not empty, demo skipped).")
        return
    click.echo(summary.describe())


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
def serve_command(host: str, port: int, workers: int) -> None:
    """Serve the application with gunicorn (the production server)."""
    from contest.server import run

    run(host=host, port=port, workers=workers)


@click.group("user")
def user_group() -> None:
    """Manage accounts."""


@user_group.command("create")
@click.argument("username")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["admin", "organizer", "judge", "recommender", "reviewer"]),
)
@click.option("--org", "org_id", type=int, help="Organization id (required except for admin).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--name", "display_name", help="Display name.")
@with_appcontext
def user_create(
    username: str, role: str, org_id: int | None, password_stdin: bool, display_name: str | None
) -> None:
    """Create an account."""
    from contest.extensions import db
    from contest.models import Organization, Role
    from contest.services.core.users import AccountError, create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    org = None
    if org_id is not None:
        org = db.session.get(Organization, org_id)
        if org is None:
            raise click.ClickException(f"组织 {org_id} 不存在 (no organization with id {org_id})")
    try:
        user = create_user(None, username, password, Role(role), org, display_name)
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"created {user.username} ({user.role.value})")


@user_group.command("list")
@click.option(
    "--role", type=click.Choice(["admin", "organizer", "judge", "recommender", "reviewer"])
)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def user_list(role: str | None, as_json: bool) -> None:
    """List accounts (``--json``: [{"username", "role", "organization"}])."""
    from contest.extensions import db
    from contest.models import Role, User

    query = select(User).order_by(User.username)
    if role:
        query = query.where(User.role == Role(role))
    rows = [
        {
            "username": u.username,
            "role": u.role.value,
            "organization": u.organization.name if u.organization else None,
        }
        for u in db.session.scalars(query)
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        click.echo(f"{row['username']:<24} {row['role']:<12} {row['organization'] or ''}")


@click.group("token")
def token_group() -> None:
    """API tokens."""


@token_group.command("create")
@click.argument("username")
@with_appcontext
def token_create(username: str) -> None:
    """Print a new API token for USERNAME (shown once; only its hash is stored)."""
    from contest.extensions import db
    from contest.models import User
    from contest.services.core.users import create_token

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"用户 {username} 不存在 (no such user)")
    token = create_token(None, user)
    db.session.commit()
    click.echo(token)


@click.group("audit")
def audit_group() -> None:
    """The audit trail."""


@audit_group.command("verify")
@with_appcontext
def audit_verify() -> None:
    """Check the hash chain; exit 1 with the first broken link when it was tampered with."""
    from contest.services.core.audit import verify_chain

    report = verify_chain()
    if report.ok:
        click.echo(f"OK: {report.checked} entries, chain intact")
        return
    where = f"entry {report.broken_at}" if report.broken_at is not None else "chain head"
    click.echo(f"BROKEN at {where}: {report.problem} ({report.checked} entries verified before it)")
    sys.exit(1)


def _register_offline_commands() -> None:
    """Commands that need no application or database (``contest rank``)."""
    from contest.commands.rank import rank_command

    main.add_command(rank_command)


_register_offline_commands()

import contest.honors_cli  # noqa: E402,F401  (registers `contest honors`)
