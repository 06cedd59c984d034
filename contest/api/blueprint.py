"""The ``api`` blueprint (``/api/v1``; each endpoint that needs a login checks its token)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
