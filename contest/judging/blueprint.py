"""The ``judging`` blueprint and its area guard."""

from __future__ import annotations

from flask import Blueprint

from contest.models import Role
from contest.security.guards import guard_blueprint

bp = Blueprint("judging", __name__, url_prefix="/judging")

guard_blueprint(bp, Role.JUDGE)
