"""The ``contests`` blueprint, its area guard, and the ``points`` filter its templates use."""

from __future__ import annotations

from flask import Blueprint

from contest.models import Role
from contest.security.guards import guard_blueprint
from contest.services.skills.rubrics import format_points

bp = Blueprint("contests", __name__, url_prefix="/contests")

guard_blueprint(bp, Role.ADMIN, Role.ORGANIZER)
bp.add_app_template_filter(format_points, "points")
