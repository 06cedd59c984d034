"""The ``main`` blueprint (landing page, homes, language, health check; no area guard)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("main", __name__)
