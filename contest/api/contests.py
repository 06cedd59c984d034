"""``GET /api/v1/contests`` and ``GET /api/v1/contests/<id>/results`` (DESIGN.md, a contract).

Public: published contests and their current result snapshot, for big screens and other
systems; a logged-in organizer (bearer token) also sees the contests they manage, with a
null ``url`` until published.  Results are served from the same caches as the results page.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from contest.api import openapi
from contest.api.blueprint import bp
from contest.caching import results_cache
from contest.models.base import as_utc
from contest.services.skills import results as results_service
from contest.ui import links, published
from contest.ui.errors import render_error
from contest.validation import db_int

MAX_PER_PAGE = 500


def _contest_item(contest: Any) -> dict[str, Any]:
    return {
        "id": contest.id,
        "name": contest.name,
        "level": contest.level.value,
        "year": contest.year,
        "status": contest.status.value,
        "url": links.public_url("results.show", contest_id=contest.id)
        if contest.is_published
        else None,
    }


@bp.route("/contests")
@results_cache.page(max_age=10)
def contests():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        items = [_contest_item(c) for c in results_service.published_contests(current_user)]
    else:
        items = results_cache.data(
            "api.contests",
            lambda: [_contest_item(c) for c in results_service.published_contests()],
            links.public_base(),  # the items' urls start with it
        )
    return jsonify(contests=items)


def _api_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "rank": row["rank"],
        "entry_code": row["entry_code"],
        "name": row["name"],
        "is_female": row["is_female"],
        "organization": row["organization"],
        "total": row["total"],
        "components": row["components"],
        "award": row["award"],
        "titles": row["titles"],
        "recommended": row.get("recommended", []),
        "standard_score": row.get("standard_score"),
        "event": row["event"],
        "team": row.get("team"),
        "member_total": row.get("member_total"),
    }


@bp.route("/contests/<int:contest_id>/results")
@results_cache.page(max_age=10)
def contest_results(contest_id: int):  # type: ignore[no-untyped-def]
    header = published.header(contest_id)
    if header is None:
        return render_error(404, _("该大赛不存在或成绩尚未公布"))
    code = request.args.get("event") or None
    page = request.args.get("page", type=db_int)
    per_page = request.args.get("per_page", type=db_int)
    # A value that is not a number is a bad value, not an absent one (which means "all rows").
    bad_page = "page" in request.args and (page is None or page < 1)
    bad_per_page = "per_page" in request.args and not 1 <= (per_page or 0) <= MAX_PER_PAGE
    if bad_page or bad_per_page:
        return render_error(
            400, _("page 应为正整数，per_page 应在 1 到 %(max)d 之间", max=MAX_PER_PAGE)
        )
    contest = {
        "id": header.id,
        "name": header.name,
        "level": header.level,
        "year": header.year,
        "status": header.status,
        "url": links.public_url("results.show", contest_id=header.id),
        "host": header.host,
        "published_at": as_utc(header.published_at).isoformat(),
        "digest": header.digest,
        "events": [
            {
                "code": e.code,
                "name": e.label,
                "count": e.count,
                # Registration closed below the minimum field: cancelled, or ranked only.
                "cancelled": e.cancelled,
                "no_awards": e.no_awards,
                "absent": list(e.absent),  # 参赛号 of the 缺考 entrants (rank null)
            }
            for e in header.events
        ],
    }
    if code is None and page is None and per_page is None:
        rows = results_cache.data(
            "api.results.all", lambda: published.rows(header, header.events), header.id
        )
        return jsonify(contest=contest, results=[_api_row(r) for r in rows], total=len(rows))
    if code is not None:
        event = header.event(code)
        if event is None:
            return render_error(404, _("没有项目代码为 %(code)s 的项目", code=code))
        events = [event]
    else:
        events = list(header.events)
    page, per_page = page or 1, per_page or 50
    total = sum(e.count for e in events)
    rows = results_cache.data(
        "api.results.page",
        lambda: published.rows(header, events, page, per_page),
        header.id,
        code,
        page,
        per_page,
    )
    return jsonify(
        contest=contest,
        results=[_api_row(r) for r in rows],
        total=total,
        page=page,
        per_page=per_page,
    )


# ------------------------------------------------------------------ OpenAPI

_CONTEST = {
    "type": "object",
    "required": ["id", "name", "level", "year", "status", "url"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "level": {
            "type": "string",
            "enum": ["national", "provincial", "city", "district", "enterprise"],
        },
        "year": {"type": "integer"},
        "status": {
            "type": "string",
            "enum": ["draft", "registration", "judging", "review", "published", "archived"],
        },
        "url": {
            "type": "string",
            "nullable": True,
            "description": "The public results page once published, else null",
        },
    },
}
_RESULT = {
    "type": "object",
    "required": ["rank", "entry_code", "name", "organization", "total", "award"],
    "properties": {
        "rank": {"type": "integer", "nullable": True, "description": "null: absent/withdrawn"},
        "entry_code": {"type": "string", "description": "参赛号"},
        "name": {"type": "string"},
        "is_female": {"type": "boolean", "description": "The official（女）marker"},
        "organization": {"type": "string"},
        "total": {
            "type": "string",
            "nullable": True,
            "description": "Decimal as a string, at the event's precision",
        },
        "components": {"type": "object", "additionalProperties": {"type": "string"}},
        "award": {"type": "string", "nullable": True},
        "titles": {"type": "array", "items": {"type": "string"}},
        "recommended": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Titles the entrant is put forward for（推荐，e.g. 五一劳动奖章）："
            "a recommendation for a nomination campaign, not a title held",
        },
        "standard_score": {
            "type": "string",
            "nullable": True,
            "description": "The standardised score (median 700) when the event shows it; "
            "ranks never follow it",
        },
        "event": {"type": "string", "description": "Event code"},
        "team": {
            "type": "string",
            "nullable": True,
            "description": "A team event's team name (one row per member); null: individual",
        },
        "member_total": {
            "type": "string",
            "nullable": True,
            "description": "A member-scored team event (team total = sum or mean of the "
            "members'): the member's own total; total, rank and award are the team's",
        },
    },
}
openapi.SCHEMAS["Contest"] = _CONTEST
openapi.SCHEMAS["ContestResult"] = _RESULT


openapi.register(
    "/api/v1/contests",
    "get",
    {
        "summary": "Published contests (no login); an organizer's token adds the contests "
        "they manage",
        "responses": {
            "200": {
                "description": "Contests, newest year first",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "contests": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Contest"},
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
    "/api/v1/contests/{contest_id}/results",
    "get",
    {
        "summary": "The published results of a contest (its current snapshot; no login). "
        "Without parameters: every row of every event.",
        "parameters": [
            {"name": "contest_id", "in": "path", "required": True, "schema": {"type": "integer"}},
            openapi.query_parameter("event", {"type": "string"}, "Event code: only this event"),
            openapi.query_parameter("page", {"type": "integer", "minimum": 1}, "Page (1-based)"),
            openapi.query_parameter(
                "per_page",
                {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
                "Rows per page (default 50 when paging)",
            ),
        ],
        "responses": {
            "200": {
                "description": "Contest header and result rows in page order",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "contest": {"$ref": "#/components/schemas/Contest"},
                                "results": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/ContestResult"},
                                },
                                "total": {"type": "integer"},
                                "page": {"type": "integer"},
                                "per_page": {"type": "integer"},
                            },
                        }
                    }
                },
            },
            "400": openapi.error_response("Bad page or per_page"),
            "404": openapi.error_response("Unknown contest or event, or not published"),
            "503": openapi.error_response(
                "error results_withheld: the stored rows do not match the published snapshot's "
                "digest, so none is served until the organizer repairs them"
            ),
        },
    },
)
