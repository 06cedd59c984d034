"""The 累计排名 tab (issue 12 review item 5): the organizers' cumulative standings of their own
competition, public or not — every published round counted, internal ones included (marked
内部), per track, with each round's total, 一票否决 (the round named), red flags and scoring's
"why" sentence; for a rating each union's grade instead of the rank. Published rounds whose
stored results no longer match their seal are named above the table.

The public pages show only public competitions and rounds; this page is where an organizer
sees the race as it stands, before or without publishing it. Thin view over
``contest.services.labor.standings`` (``public=False``) and ``labor.seals``; never cached.
"""

from __future__ import annotations

from flask import abort, render_template, request

from contest.labor.base import load_competition, organizer_view
from contest.labor.blueprint import bp
from contest.labor.public_views import rule_text
from contest.labor.views import header_counts
from contest.models import Round, RoundStatus
from contest.services.labor import seals
from contest.services.labor import standings as service
from contest.validation import db_int


def _broken_seals(rounds: list[Round]) -> list[tuple[Round, str]]:
    """The published rounds whose results do not match the seal of their publication."""
    out = []
    for round_ in rounds:
        warning = seals.warning(seals.check(round_))
        if warning:
            out.append((round_, warning))
    return out


@bp.route("/<int:competition_id>/standings", endpoint="standings")
@organizer_view
def organizer_standings(competition_id: int) -> str:
    competition = load_competition(competition_id)
    table = service.standings(competition, public=False)
    track = None
    if table.tracks:
        wanted = request.args.get("track", type=db_int)
        track = table.track(wanted) if "track" in request.args else table.tracks[0]
        if track is None:
            abort(404)
    published = [r for r in competition.rounds if r.status is RoundStatus.PUBLISHED]
    return render_template(
        "labor/standings.html",
        competition=competition,
        tab="standings",
        counts=header_counts(competition),
        head=service.head(competition),
        table=table,
        track=track,
        rule=rule_text(table, rating=competition.is_rating),
        broken=_broken_seals(published),
        internal=sum(1 for r in table.rounds if not r.is_public),
    )
