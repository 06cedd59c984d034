"""``GET /api/v1/honors``: the wall's data for integrations and big screens (public fields)."""

from __future__ import annotations

from flask import jsonify, request

from contest.api import openapi
from contest.api.blueprint import bp
from contest.caching import honors_cache
from contest.services.honors import wall as wall_service
from contest.ui import links


@bp.route("/honors")
@honors_cache.page(max_age=10)
def honors():  # type: ignore[no-untyped-def]
    query = wall_service.WallQuery.from_args(request.args, per_page_default=20)
    page = honors_cache.data("wall.search", lambda: wall_service.search(query), query.cache_key())
    items = []
    for item in page.items:
        data = item.to_api()
        data["url"] = links.absolute(item.url)
        if item.photo_url:
            data["photo_url"] = links.absolute(item.photo_url)
        items.append(data)
    return jsonify(items=items, total=page.total, page=query.page, per_page=query.per_page)


_HONOR_SCHEMA = {
    "type": "object",
    "required": ["id", "name", "title", "level", "year", "organization", "url"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "is_female": {"type": "boolean"},
        "recipient_kind": {"type": "string", "enum": ["person", "unit", "team"]},
        "title": {"type": "string"},
        "level": {
            "type": "string",
            "enum": ["national", "provincial", "city", "district", "enterprise"],
        },
        "year": {"type": "integer"},
        "organization": {"type": "string", "nullable": True},
        "post": {"type": "string", "nullable": True},
        "skill_level": {"type": "string", "nullable": True},
        "industry": {"type": "string", "nullable": True},
        "conferring_body": {"type": "string", "nullable": True},
        "document_number": {"type": "string", "nullable": True},
        "photo_url": {"type": "string", "nullable": True},
        "deeds_summary": {"type": "string", "nullable": True},
        "url": {"type": "string", "description": "The honoree's public profile page"},
        "trade": {
            "type": "string",
            "nullable": True,
            "description": "工种 a contest title was won in; shown as title（工种）",
        },
    },
}
openapi.SCHEMAS["Honor"] = _HONOR_SCHEMA


openapi.register(
    "/api/v1/honors",
    "get",
    {
        "summary": "Honors on the public wall (public fields only; no login)",
        "parameters": [
            openapi.query_parameter(
                "q", {"type": "string"}, "Substring of a name, unit or title (Chinese included)"
            ),
            openapi.query_parameter("title", {"type": "string"}, "Substring of the title"),
            openapi.query_parameter(
                "level",
                {
                    "type": "string",
                    "enum": ["national", "provincial", "city", "district", "enterprise"],
                },
                "Level",
            ),
            openapi.query_parameter("year", {"type": "integer"}, "Exact year"),
            openapi.query_parameter("year_from", {"type": "integer"}, "From year"),
            openapi.query_parameter("year_to", {"type": "integer"}, "To year"),
            openapi.query_parameter(
                "org", {"type": "integer"}, "Organization id: this union and all below it"
            ),
            openapi.query_parameter("industry", {"type": "string"}, "Industry"),
            openapi.query_parameter("page", {"type": "integer", "minimum": 1}, "Page (1-based)"),
            openapi.query_parameter(
                "per_page", {"type": "integer", "minimum": 1, "maximum": 100}, "Items per page"
            ),
        ],
        "responses": {
            "200": {
                "description": "A page of honors, highest level first, newest year, pinyin order",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "items": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Honor"},
                                },
                                "total": {"type": "integer"},
                                "page": {"type": "integer"},
                                "per_page": {"type": "integer"},
                            },
                        }
                    }
                },
            }
        },
    },
)
