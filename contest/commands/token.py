"""``contest token create | list | revoke``: API tokens from the command line.

``create USERNAME`` prints the new token alone on its line (a contract, DESIGN.md); it is shown
once and only its hash is stored. ``list`` and ``revoke`` name a token by the prefix lists show
(``ct_`` and seven characters), or by the whole token.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click
from flask.cli import with_appcontext
from sqlalchemy import select


@click.group("token")
def token_group() -> None:
    """API tokens."""


@token_group.command("create")
@click.argument("username")
@click.option("--name", default="", help="A name to recognise the token by.")
@click.option(
    "--expires",
    "expires_days",
    type=int,
    default=None,
    help="Days until the token expires (default: never).",
)
@with_appcontext
def token_create(username: str, name: str, expires_days: int | None) -> None:
    """Print a new API token for USERNAME (shown once; only its hash is stored)."""
    from contest.extensions import db
    from contest.models import User
    from contest.services.core.users import AccountError, create_token

    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"用户 {username} 不存在（no such user）")
    try:
        token = create_token(None, user, name=name, expires_in_days=expires_days)
    except AccountError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(token)


@token_group.command("list")
@click.argument("username", required=False)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def token_list(username: str | None, as_json: bool) -> None:
    """List API tokens (of USERNAME, or everyone's): prefix, user, name, dates, state.

    ``--json``: [{"prefix", "username", "name", "created_at", "expires_at", "last_used_at",
    "state": "active|expired|revoked"}].
    """
    from contest.extensions import db
    from contest.models import ApiToken, User

    query = select(ApiToken).join(User).order_by(User.username, ApiToken.id)
    if username:
        query = query.where(User.username == username)
    rows = []
    for token in db.session.scalars(query):
        state = "revoked" if token.revoked_at else "expired" if token.is_expired() else "active"
        rows.append(
            {
                "prefix": token.prefix,
                "username": token.user.username,
                "name": token.name,
                "created_at": _iso(token.created_at),
                "expires_at": _iso(token.expires_at),
                "last_used_at": _iso(token.last_used_at),
                "state": state,
            }
        )
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        click.echo(
            f"{row['prefix']:<12} {row['username']:<20} {row['state']:<8} "
            f"expires {row['expires_at'] or 'never':<25} used {row['last_used_at'] or 'never':<25} "
            f"{row['name']}"
        )


@token_group.command("revoke")
@click.argument("prefix")
@with_appcontext
def token_revoke(prefix: str) -> None:
    """Revoke the API token whose prefix (as ``list`` shows it) or whole value is PREFIX."""
    from contest.extensions import db
    from contest.services.core.users import revoke_token, tokens_matching

    found = tokens_matching(prefix)
    if not found:
        raise click.ClickException(f"没有以 {prefix} 开头的令牌（no such token）")
    if len(found) > 1:
        names = ", ".join(f"{t.prefix} ({t.user.username})" for t in found)
        raise click.ClickException(
            f"{prefix} 对应多个令牌，请写得更长一些（matches several tokens：{names}）"
        )
    token = found[0]
    if not revoke_token(None, token):
        click.echo(f"{token.prefix} was already revoked")
        return
    db.session.commit()
    click.echo(f"revoked {token.prefix} ({token.user.username})")


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:  # SQLite gives back naive UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat(timespec="seconds")
