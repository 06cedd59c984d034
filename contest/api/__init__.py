"""The JSON API under ``/api/v1`` (DESIGN.md "HTTP API"), documented at ``/api/v1/openapi.json``."""

from contest.api import (  # noqa: F401  (their routes register on bp)
    campaigns,
    competitions,
    contests,
    honors,
    judging,
    views,
)
from contest.api.blueprint import bp
from contest.ui.areas import Area

AREA = Area(bp)

__all__ = ["AREA", "bp"]
