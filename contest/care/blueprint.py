"""The ``care`` blueprint (/care): the 劳模 archive, care records, due lists, reviews and
revocations (DOMAIN §3 rules 25–26).

Everything here is private: the blueprint admits admins and the 劳模服务 (care) role only, and
each view checks the file's scope through :mod:`contest.services.care.scope`. Settings are for
admins alone (their view says so).
"""

from __future__ import annotations

from flask import Blueprint

from contest.models import Role
from contest.security.guards import guard_blueprint

bp = Blueprint("care", __name__, url_prefix="/care")
guard_blueprint(bp, Role.ADMIN, Role.CARE)
