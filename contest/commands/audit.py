"""``contest audit head`` and ``contest audit verify [--head COUNT:HASH]``.

``verify`` checks the audit trail's hash chain (keyed with the audit key), then that the stored
marks and published results say what the trail and the snapshots say; exit 1 and what does not
hold when anything was tampered with. ``head`` prints the end of a verified chain as one line to
record outside the database (a printout, another machine, a message to the union's office): a
later ``verify --head`` with it detects entries cut from the end even when the database's own
head row was rewritten with them, which nothing inside the database can show.
"""

from __future__ import annotations

import sys
from datetime import UTC
from typing import Any

import click
from flask.cli import with_appcontext

# Findings printed per check; the rest are counted.
SHOWN_FINDINGS = 20


@click.group("audit")
def audit_group() -> None:
    """The audit trail."""


def _chain_or_exit(recorded: Any = None) -> Any:
    from contest.services.core.audit import verify_chain

    report = verify_chain(recorded)
    if not report.ok:
        where = f"entry {report.broken_at}" if report.broken_at is not None else "chain head"
        click.echo(
            f"BROKEN at {where}: {report.problem} ({report.checked} entries verified before it)"
        )
        sys.exit(1)
    return report


@audit_group.command("head")
@with_appcontext
def audit_head() -> None:
    """Verify the chain and print its head, COUNT:HASH and the last entry's time (UTC), to
    record outside the database for a later `contest audit verify --head COUNT:HASH`."""
    report = _chain_or_exit()
    when = report.last_at
    if when is not None and when.tzinfo is not None:
        when = when.astimezone(UTC)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ") if when is not None else "-"
    click.echo(f"{report.head} {stamp}")


def _parse_head(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    from contest.services.core.audit import ChainHead

    try:
        return ChainHead.parse(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@audit_group.command("verify")
@click.option(
    "--head",
    "recorded",
    callback=_parse_head,
    metavar="COUNT:HASH",
    help="A head printed earlier by `contest audit head`: the chain must still hold it.",
)
@with_appcontext
def audit_verify(recorded: Any) -> None:
    """Check the hash chain, the stored marks and the published results; exit 1 with what does
    not hold when anything was tampered with."""
    from contest.services.skills import integrity

    report = _chain_or_exit(recorded)
    notes = []
    if recorded is not None:
        notes.append(f"holds the recorded head {recorded.count}")
    if report.unkeyed:
        notes.append(f"the first {report.unkeyed} written before the audit key, unkeyed")
    click.echo(
        f"OK: {report.checked} entries, chain intact" + (f" ({'; '.join(notes)})" if notes else "")
    )
    failed = False
    for checked, what in (
        (integrity.check_marks(), "counted score sheets hold the marks the audit trail recorded"),
        (integrity.check_results(), "result snapshots match their digests and the audit trail"),
    ):
        if checked.ok:
            click.echo(f"OK: {checked.count} {what}")
            continue
        failed = True
        for finding in checked.findings[:SHOWN_FINDINGS]:
            click.echo(f"MISMATCH {finding}")
        more = len(checked.findings) - SHOWN_FINDINGS
        click.echo(
            f"FAILED: {len(checked.findings)} of {checked.count} checked do not match"
            + (f" ({more} not shown)" if more > 0 else "")
        )
    if failed:
        sys.exit(1)
