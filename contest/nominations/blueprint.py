"""The ``nominations`` blueprint (/nominations): campaigns, recommenders, reviewers, 公示.

Kept small on purpose: each view module of the area registers its routes on ``bp`` and is
imported once by ``contest/nominations/__init__.py``. There is no blueprint-wide role guard:
the area serves organizers, recommending units, reviewers and experts, and the public (公示 and
objections), so each view says whom it admits.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("nominations", __name__, url_prefix="/nominations")
