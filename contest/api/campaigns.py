"""``GET /api/v1/campaigns`` and ``GET /api/v1/campaigns/<id>/publicity`` (issue 13, a contract in
DESIGN.md).

Public, no token: the campaigns in 公示 or conferred, and while a campaign is in 公示 its list
— the same public fields as the 公示 page (DOMAIN §4: name, unit, post, title; ``is_female`` for
the (女) marker), from the same cache (``contest.caching.publicity_cache``, keyed by the
publicity content version and the day). ``publicity`` is the main notice's period and page while
the page is on the site, else null. A campaign not in 公示 (or unknown) is a 404 with a JSON
error; nothing personal beyond the published fields is ever read.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_babel import gettext as _

from contest.api import openapi
from contest.api.blueprint import bp
from contest.caching import publicity_cache
from contest.services.nominations import publicity as service
from contest.ui import links
from contest.ui.errors import render_error


def _campaign_item(head: service.PublicCampaign) -> dict[str, Any]:
    return {
        "id": head.id,
        "name": head.name,
        "kind": head.kind,
        "level": head.level,
        "year": head.year,
        "status": head.status,
        "publicity": (
            {
                "start": head.start.isoformat(),
                "end": head.end.isoformat() if head.end else None,
                "url": links.public_url("nominations.publicity_show", campaign_id=head.id),
            }
            if head.start is not None
            else None
        ),
    }


@bp.route("/campaigns")
@publicity_cache.page(max_age=10)
def campaigns():  # type: ignore[no-untyped-def]
    items = publicity_cache.data(
        "api.campaigns",
        lambda: [_campaign_item(c) for c in service.public_campaigns()],
        links.public_base(),  # the items' urls start with it
    )
    return jsonify(campaigns=items)


def _publicity_body(found: service.Publicity) -> dict[str, Any]:
    main = next((n for n in found.notices if not n.is_supplement), found.notices[0])
    return {
        "campaign": _campaign_item(found.campaign),
        "nominees": [
            {
                "name": n.name,
                "is_female": n.is_female,
                "unit": n.unit,
                "post": n.post,
                "skill_level": n.skill_level,
                "title": n.title,
                "is_alternate": n.is_alternate,
                "supplement": notice.is_supplement,
            }
            for notice in found.notices
            for n in notice.nominees
        ],
        "start": main.starts_on.isoformat(),
        "end": main.ends_on.isoformat(),
        "notices": [
            {
                "start": n.starts_on.isoformat(),
                "end": n.ends_on.isoformat(),
                "supplement": n.is_supplement,
                "open": n.running,
            }
            for n in found.notices
        ],
    }


@bp.route("/campaigns/<int:campaign_id>/publicity")
@publicity_cache.page(max_age=10)
def campaign_publicity(campaign_id: int):  # type: ignore[no-untyped-def]
    def build() -> dict[str, Any] | None:
        found = service.public_publicity(campaign_id)
        if not isinstance(found, service.Publicity) or found.campaign.status != "publicity":
            return None
        return _publicity_body(found)

    body = publicity_cache.data("api.campaign.publicity", build, campaign_id, links.public_base())
    if body is None:
        return render_error(404, _("该评选不在公示期或不存在"))
    return jsonify(body)


openapi.SCHEMAS["Campaign"] = {
    "type": "object",
    "required": ["id", "name", "kind", "level", "year", "status", "publicity"],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "kind": {
            "type": "string",
            "nullable": True,
            "description": "The kind of the campaign's first award (model_worker, "
            "advanced_worker, may_day_award, may_day_medal, pioneer, craftsman, model_home, "
            "custom)",
        },
        "level": {
            "type": "string",
            "enum": ["national", "provincial", "city", "district", "enterprise"],
        },
        "year": {"type": "integer"},
        "status": {"type": "string", "enum": ["publicity", "conferred"]},
        "publicity": {
            "type": "object",
            "nullable": True,
            "description": "The main publicity notice while its page is on the public site",
            "required": ["start", "end", "url"],
            "properties": {
                "start": {"type": "string", "format": "date"},
                "end": {"type": "string", "format": "date", "description": "Last day, included"},
                "url": {"type": "string", "description": "The public 公示 page"},
            },
        },
    },
}
openapi.SCHEMAS["PublicityNominee"] = {
    "type": "object",
    "required": ["name", "unit", "post", "title", "is_alternate"],
    "properties": {
        "name": {"type": "string"},
        "is_female": {"type": "boolean", "description": "Official lists mark women after the name"},
        "unit": {"type": "string", "nullable": True},
        "post": {"type": "string", "nullable": True, "description": "岗位/职务"},
        "skill_level": {"type": "string", "nullable": True, "description": "技能等级/职称"},
        "title": {"type": "string", "description": "The title the nominee is proposed for"},
        "is_alternate": {
            "type": "boolean",
            "description": "A ranked alternate, published with the list",
        },
        "supplement": {
            "type": "boolean",
            "description": "Published on a supplementary notice (an alternate promoted)",
        },
    },
}
openapi.register(
    "/api/v1/campaigns",
    "get",
    {
        "summary": "Nomination campaigns in their publicity period or conferred (no login)",
        "responses": {
            "200": {
                "description": "Campaigns, newest year first",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "campaigns": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Campaign"},
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
    "/api/v1/campaigns/{campaign_id}/publicity",
    "get",
    {
        "summary": "The publicity list of a campaign in its publicity period, public fields "
        "only (no login)",
        "parameters": [
            {"name": "campaign_id", "in": "path", "required": True, "schema": {"type": "integer"}}
        ],
        "responses": {
            "200": {
                "description": "The campaign, its nominees and the main notice's period",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "campaign": {"$ref": "#/components/schemas/Campaign"},
                                "nominees": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/PublicityNominee"},
                                },
                                "start": {"type": "string", "format": "date"},
                                "end": {"type": "string", "format": "date"},
                                "notices": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "start": {"type": "string", "format": "date"},
                                            "end": {"type": "string", "format": "date"},
                                            "supplement": {"type": "boolean"},
                                            "open": {
                                                "type": "boolean",
                                                "description": "Objections taken today",
                                            },
                                        },
                                    },
                                },
                            },
                        }
                    }
                },
            },
            "404": openapi.error_response("Unknown campaign, or not in its publicity period"),
        },
    },
)
