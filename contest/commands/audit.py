"""``contest audit verify``: check the audit trail's hash chain (exit 1 when broken)."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext


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
