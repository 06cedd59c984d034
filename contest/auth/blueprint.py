"""The ``auth`` blueprint (login, logout, the user's own password; no guard)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("auth", __name__)
