"""The ``admin`` blueprint and its area guard (admins only)."""

from __future__ import annotations

from flask import Blueprint

from contest.models import Role
from contest.security.guards import guard_blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

guard_blueprint(bp, Role.ADMIN)
