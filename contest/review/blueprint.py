"""The ``review`` blueprint and its area guard."""

from __future__ import annotations

from flask import Blueprint

from contest.models import Role
from contest.security.guards import guard_blueprint

bp = Blueprint("review", __name__, url_prefix="/review")

guard_blueprint(bp, Role.ADMIN, Role.ORGANIZER, Role.JUDGE)
