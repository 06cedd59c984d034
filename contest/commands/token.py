"""``contest token create USERNAME``: a new API token, printed once."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select


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
