"""The ``labor`` blueprint (/labor): labor competitions and union ratings.

Kept small on purpose: each view module of the area (set-up, round scoring, public pages,
ratings and surveys, titles) registers its routes on ``bp`` and is imported once by
``contest/labor/__init__.py``. There is no blueprint-wide role guard, because the area serves
organizers, assessors, participants' contacts and the public: each view says who it admits
(the set-up pages through ``contest.labor.base.organizer_view`` and ``load_competition``).
"""

from __future__ import annotations

from flask import Blueprint

from contest.services.assessment.items import format_points

bp = Blueprint("labor", __name__, url_prefix="/labor")

bp.add_app_template_filter(format_points, "points")
