"""A union rating to survey, shared by the survey tests and the phone journey."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from contest.extensions import db
from contest.models import Competition, CompetitionKind, HonorLevel, OrgKind, Participant


def build_rating(
    add_org: Callable[..., Any], add_organizer: Callable[[Any], Any], **unit: Any
) -> Any:
    """A district federation's 六好 rating with one rated grassroots union (``unit``: its
    figures) and the federation's organizer, committed. ``add_org(name=, kind=, parent=,
    **fields)`` and ``add_organizer(host)`` make the organisations and the account."""
    host = add_org(name="新华区总工会", kind=OrgKind.DISTRICT)
    unit_org = add_org(name="建设路机械厂工会", kind=OrgKind.GRASSROOTS, parent=host, **unit)
    organizer = add_organizer(host)
    competition = Competition(
        name="2026 年度六好基层工会评级",
        kind=CompetitionKind.SIX_GOOD,
        organization=host,
        year=2026,
        level=HonorLevel.DISTRICT,
    )
    db.session.add(competition)
    db.session.flush()
    participant = Participant(competition=competition, name=unit_org.name, organization=unit_org)
    db.session.add(participant)
    db.session.commit()
    return SimpleNamespace(
        host=host,
        unit=unit_org,
        organizer=organizer,
        competition=competition,
        participant=participant,
    )
