"""``GET /api/v1/competitions`` and ``GET /api/v1/competitions/<id>/standings`` (issue 12, a
contract in DESIGN.md).

Public, no token: the public labor competitions and the cumulative standings of one, over its
published public rounds — the same numbers as its public page, from the same cache
(``contest.caching.labor_cache``, keyed by the labor content version). Totals are JSON numbers;
a round a participant was not scored in is null, a round vetoed counts 0 (its id is listed in
``vetoed_rounds``). A hidden, unknown or not yet started competition is a 404. A rating is not
a race: its rows carry each union's ``grade`` (or ``grade_note``) instead of a rank, and no
flags or "why".
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import jsonify
from flask_babel import gettext as _

from contest.api import openapi
from contest.api.blueprint import bp
from contest.caching import labor_cache
from contest.services.labor import standings as service
from contest.ui import links
from contest.ui.errors import render_error


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _competition_item(head: service.CompetitionHead) -> dict[str, Any]:
    return {
        "id": head.id,
        "name": head.name,
        "kind": head.kind,
        "status": head.status,
        "url": links.public_url("labor.public_show", competition_id=head.id),
    }


@bp.route("/competitions")
@labor_cache.page(max_age=10)
def competitions():  # type: ignore[no-untyped-def]
    items = labor_cache.data(
        "api.competitions",
        lambda: [_competition_item(c) for c in service.public_competitions()],
        links.public_base(),  # the items' urls start with it
    )
    return jsonify(competitions=items)


def _standings_body(competition: Any) -> dict[str, Any]:
    table = service.standings(competition, public=True)
    return {
        "competition": _competition_item(service.head(competition)),
        "rounds": [
            {
                "id": r.id,
                "name": r.name,
                "period": r.period,
                "published": True,
                "flag": list(r.flags),
            }
            for r in table.rounds
        ],
        "standings": [_standing(row, competition.is_rating) for row in table.rows],
    }


def _standing(row: service.Row, rating: bool) -> dict[str, Any]:
    """A participant's row. A rating is not a race: ``rank`` is null and ``grade`` (with
    ``grade_note`` saying why a union has none) takes its place; no flags or "why"."""
    out: dict[str, Any] = {
        "rank": None if rating else row.rank,
        "participant": row.name,
        "kind": row.kind,
        "track": row.track or None,
        "rounds": {str(rid): _number(value) for rid, value in row.rounds.items()},
        "total": float(row.total),
        "vetoed": row.vetoed,
        "vetoed_rounds": list(row.vetoed_rounds),
    }
    if rating:
        out["grade"] = row.grade
        out["grade_note"] = row.grade_note
    else:
        out["flags"] = row.flags
        out["why"] = row.why
    return out


@bp.route("/competitions/<int:competition_id>/standings")
@labor_cache.page(max_age=10)
def competition_standings(competition_id: int):  # type: ignore[no-untyped-def]
    competition = service.public_competition(competition_id)
    if competition is None:
        return render_error(404, _("该劳动竞赛不存在或未公开"))
    body = labor_cache.data(
        "api.competition.standings",
        lambda: _standings_body(competition),
        competition.id,
        links.public_base(),
    )
    return jsonify(body)


openapi.SCHEMAS["Competition"] = {
    "type": "object",
    "required": ["id", "name", "kind", "status", "url"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "kind": {
            "type": "string",
            "enum": ["project", "ankang", "leading", "custom", "six_good", "workers_home", "star"],
        },
        "status": {"type": "string", "enum": ["running", "finished"]},
        "url": {"type": "string", "description": "The competition's public page"},
    },
}
openapi.SCHEMAS["CompetitionRound"] = {
    "type": "object",
    "required": ["id", "name", "period", "published", "flag"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "period": {"type": "string", "description": "2026-03-01 – 2026-03-31, or empty"},
        "published": {"type": "boolean"},
        "flag": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Names of the participants holding the red flag after it",
        },
    },
}
openapi.SCHEMAS["CompetitionStanding"] = {
    "type": "object",
    "required": ["rank", "participant", "kind", "rounds", "total", "vetoed"],
    "properties": {
        "rank": {
            "type": "integer",
            "nullable": True,
            "description": "Within the participant's track; null when vetoed for the competition, "
            "and always null for a union rating, which is not a race (see grade)",
        },
        "participant": {"type": "string"},
        "kind": {"type": "string", "enum": ["unit", "team", "project"]},
        "track": {"type": "string", "nullable": True},
        "rounds": {
            "type": "object",
            "additionalProperties": {"type": "number", "nullable": True},
            "description": "Round id → what counted there (0 when vetoed, null when not scored)",
        },
        "total": {"type": "number"},
        "vetoed": {"type": "boolean", "description": "一票否决 for the whole competition"},
        "vetoed_rounds": {"type": "array", "items": {"type": "integer"}},
        "flags": {
            "type": "integer",
            "description": "Red flags held in the counted rounds (not for a rating)",
        },
        "why": {
            "type": "string",
            "description": "Why this rank, when the total alone did not decide (not for a rating)",
        },
        "grade": {
            "type": "string",
            "nullable": True,
            "description": "A rating's rows only: the name of the union's grade band in the "
            "latest counted round, null when it has none",
        },
        "grade_note": {
            "type": "string",
            "description": "A rating's rows only: why the union has no grade, in Chinese "
            "(a required item not met, vetoed, or below every grade line); empty when graded",
        },
    },
}
openapi.register(
    "/api/v1/competitions",
    "get",
    {
        "summary": "Public labor competitions that have started (no login)",
        "responses": {
            "200": {
                "description": "Competitions, newest year first",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "competitions": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Competition"},
                                }
                            },
                        }
                    }
                },
            }
        },
    },
)
openapi.register(
    "/api/v1/competitions/{competition_id}/standings",
    "get",
    {
        "summary": "Cumulative standings of a public competition over its published public "
        "rounds (no login); rows per track, in standing order",
        "parameters": [
            {
                "name": "competition_id",
                "in": "path",
                "required": True,
                "schema": {"type": "integer"},
            }
        ],
        "responses": {
            "200": {
                "description": "The competition, its counted rounds and the standings",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "competition": {"$ref": "#/components/schemas/Competition"},
                                "rounds": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/CompetitionRound"},
                                },
                                "standings": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/CompetitionStanding"},
                                },
                            },
                        }
                    }
                },
            },
            "404": openapi.error_response("Unknown competition, or not public"),
        },
    },
)
