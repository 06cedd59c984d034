"""The ``contest`` command (DESIGN.md "Command line"); names and output shapes are a contract.

This module only wires the command: the subcommands live in :mod:`contest.commands`, one
module per command group. Every subcommand hangs off :func:`main`, so ``contest --help`` and
``contest <group> --help`` answer without building the application (which imports every area
and service); the commands that need the application push its context themselves
(``with_appcontext``). ``create_app`` also adds them to ``app.cli`` (:func:`register_app_commands`)
for ``flask --app contest`` and the test runner.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup

from contest.commands import audit, backup, calendar, honors, orgs, rank, setup, token, user
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
    calendar.calendar_group,
    backup.backup_command,
    backup.restore_command,
)


def _create_app() -> Flask:
    from contest import create_app

    return create_app()


class ContestGroup(FlaskGroup):
    """A FlaskGroup that lists its own commands without building the application.

    FlaskGroup builds the app to list ``app.cli``'s commands too. Commands that only the app or
    a plugin adds (Flask-Migrate's ``db``, Flask-Limiter's ``limiter``) are still found by name
    (``contest db --help``) but not listed.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self.commands)


@click.group(
    cls=ContestGroup,
    commands=(*APP_COMMANDS, rank.rank_command),
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
    """Add the commands that need the application to ``app.cli`` (``flask --app contest``)."""
    for command in APP_COMMANDS:
        app.cli.add_command(command)
