"""``contest user create`` and ``contest user list`` (``--json``: a contract, DESIGN.md)."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import select

# Role values (contest.models.Role), spelled out so the command loads no models to parse.
ROLES = ["admin", "organizer", "judge", "recommender", "reviewer", "care"]


@click.group("user")
def user_group() -> None:
    """Manage accounts."""


@user_group.command("create")
@click.argument("username")
@click.option(
    "--role",
    required=True,
    type=click.Choice(ROLES),
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
            raise click.ClickException(f"组织 {org_id} 不存在（no organization with id {org_id}）")
    try:
        user = create_user(None, username, password, Role(role), org, display_name)
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"created {user.username} ({user.role.value})")


@user_group.command("list")
@click.option("--role", type=click.Choice(ROLES))
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
