"""``contest demo``: a realistic, reproducible demo union in an empty database.

The demo is a list of steps run in order on one :class:`DemoContext` (a seeded random
generator, what earlier steps created, the summary to print). Areas extend it by appending
to :data:`STEPS` — contests after the people exist, honors after the contests — so the demo
grows with the platform without one module knowing every area. ``ctx.large`` asks a step for
its benchmark-scale data (``contest demo --large``).

The load is one transaction: it commits at the end or leaves the database untouched, and it
refuses a database that already holds data, so the demo can never be loaded twice.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError, ProgrammingError

from contest.demo.base import add_accounts, add_workers, build_union_tree
from contest.demo.care import add_care
from contest.demo.contests import add_contests
from contest.demo.context import DemoContext, DemoError, DemoLogin, DemoStep, DemoSummary
from contest.demo.honors import add_honors
from contest.demo.labor import add_labor
from contest.demo.nominations import add_nominations
from contest.extensions import db
from contest.models import Organization, Person, User
from contest.services.core import audit

__all__ = [
    "STEPS",
    "DemoContext",
    "DemoError",
    "DemoLogin",
    "DemoStep",
    "DemoSummary",
    "database_has_data",
    "load_demo",
]

STEPS: list[DemoStep] = [
    build_union_tree,
    add_workers,
    add_accounts,
    add_honors,
    add_contests,
    add_labor,
    add_nominations,
    add_care,
]

# Tables whose rows mean "someone is using this database"; areas may append theirs.
DATA_MODELS: list[type] = [Organization, Person, User]


def database_has_data() -> bool:
    """True when any organisation, person or account exists (the demo would mix with it)."""
    try:
        return any(
            db.session.scalar(select(func.count()).select_from(model)) for model in DATA_MODELS
        )
    except (OperationalError, ProgrammingError):  # no schema yet
        db.session.rollback()
        raise DemoError(
            "数据库尚未初始化，请先运行 contest init (the database has no schema yet；"
            "run `contest init` first)."
        ) from None


def load_demo(large: bool = False, if_empty: bool = False) -> DemoSummary | None:
    """Run every step in :data:`STEPS` and commit; ``None`` when ``if_empty`` and data exists.

    Raises :class:`DemoError` when the database already holds data (and ``if_empty`` is not
    set): loading the demo over real records would mix fictional people with real ones.
    """
    if database_has_data():
        if if_empty:
            return None
        raise DemoError(
            "数据库中已有数据，演示数据只能载入空数据库；如需跳过请使用 --if-empty "
            "(the database already contains data; the demo loads only into an empty database, "
            "use --if-empty to skip)."
        )
    ctx = DemoContext(large=large)
    try:
        for step in STEPS:
            step(ctx)
        audit.record(
            None,
            "demo.load",
            "demo",
            after={"large": large, **ctx.summary.counts},
            reason="contest demo",
        )
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return ctx.summary
