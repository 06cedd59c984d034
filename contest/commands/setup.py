"""``contest init``, ``contest demo`` and ``contest serve``: set up a database and serve it."""

from __future__ import annotations

import os

import click
from flask.cli import with_appcontext


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create or upgrade the database schema (Alembic upgrade to head)."""
    from flask_migrate import upgrade

    from contest.config import ensure_secret_key_file

    if "CONTEST_SECRET_KEY" not in os.environ:
        ensure_secret_key_file()
    upgrade()
    click.echo("数据库已就绪（schema at head）.")


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
        click.echo("数据库中已有数据，跳过演示数据（database not empty, demo skipped）.")
        return
    click.echo(summary.describe())


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
def serve_command(host: str, port: int, workers: int) -> None:
    """Serve the application with gunicorn (the production server)."""
    from contest.server import run

    store = os.environ.get("CONTEST_RATELIMIT_STORAGE_URI") or "memory://"
    if workers > 1 and store.startswith("memory://"):
        click.echo(
            f"注意：登录限制按进程计数，{workers} 个进程各算各的；多进程或多台服务器请设置 "
            "CONTEST_RATELIMIT_STORAGE_URI=redis://… (login limits are counted per worker "
            "with memory://: set a Redis URL to share them)",
            err=True,
        )
    run(host=host, port=port, workers=workers)
