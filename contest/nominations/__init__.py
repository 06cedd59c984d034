"""Nomination campaigns (评选表彰): DOMAIN §3.

Each view module registers its routes on ``bp`` (``contest.nominations.blueprint``); importing
it here is all a new module needs, and its menu entries go in ``AREA`` below.
"""

from contest.nominations.blueprint import bp
from contest.ui.areas import Area

AREA = Area(bp, nav=())

__all__ = ["AREA", "bp"]
