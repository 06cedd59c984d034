"""The ``wall`` blueprint (public, no guard)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("wall", __name__, url_prefix="/wall")
