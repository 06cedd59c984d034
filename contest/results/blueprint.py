"""The ``results`` blueprint and its area guard."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("results", __name__)
