"""The ``orgs`` blueprint and its area guard."""

from __future__ import annotations

from flask import Blueprint

from contest.models import Role
from contest.security.guards import guard_blueprint

bp = Blueprint("orgs", __name__, url_prefix="/orgs")

guard_blueprint(bp, Role.ADMIN, Role.ORGANIZER)
