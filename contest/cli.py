"""The ``contest`` command (DESIGN.md "Command line"); names and output shapes are a contract.

This module only wires the command: the subcommands live in :mod:`contest.commands`, one
module per command group. Commands that need the application (and its database) hang off
``app.cli`` (``create_app`` calls :func:`register_app_commands`); ``contest rank`` needs
neither and hangs off :func:`main` directly.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from contest.commands import audit, backup, honors, orgs, rank, setup, token, user
from contest.database import set_write_intent

APP_COMMANDS: tuple[click.Command, ...] = (
    setup.init_command,
    setup.demo_command,
    setup.serve_command,
    user.user_group,
    token.token_group,
    audit.audit_group,
    honors.honors_group,
    orgs.orgs_group,
    backup.backup_command,
    backup.restore_command,
)


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


main.add_command(rank.rank_command)


def register_app_commands(app: Flask) -> None:
    """Commands that need the application (and its database) hang off ``app.cli``."""
    for command in APP_COMMANDS:
        app.cli.add_command(command)
