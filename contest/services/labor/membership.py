"""入会率 (membership rate) of a rated union, from the organisation tree's own figures.

DOMAIN §2 rule 17: a union's standard asks for 入会率 ≥ 95% (≥ 90% for some titles), with
deductions per shortfall. The figure is 会员人数 / 职工人数 × 100 of the union's organisation
(``Organization.member_count`` / ``headcount``, counted on ``counted_on``), kept on the
organisation page, so the rating reads it instead of someone typing it into a score sheet.

A figure that cannot be computed is no figure at all (None and a reason), never 0%: an empty
headcount is missing data for the organizer to fill in, not a union with no members.
"""

from __future__ import annotations

from flask_babel import gettext as _

from contest.models import Organization, Participant
from contest.services.labor.rates import RateFigure, percent

__all__ = ["membership_rate", "participant_membership_rate"]


def membership_rate(org: Organization | None) -> RateFigure:
    """入会率 = 会员人数 / 职工人数 × 100 (2 decimals, halves up), with the day it was counted.

    None with a reason when the organisation or either figure is missing, the headcount is 0,
    or the figures contradict each other (more members than employees, a negative count).
    """
    if org is None:
        return RateFigure(None, _("未关联组织，无法计算入会率"))
    on = org.counted_on
    headcount, members = org.headcount, org.member_count
    if headcount is None and members is None:
        reason = _("「%(org)s」未填写职工人数和会员人数，无法计算入会率", org=org.name)
    elif headcount is None:
        reason = _("「%(org)s」未填写职工人数，无法计算入会率", org=org.name)
    elif members is None:
        reason = _("「%(org)s」未填写会员人数，无法计算入会率", org=org.name)
    elif headcount < 0 or members < 0:
        reason = _("「%(org)s」的职工人数或会员人数为负数，请核对", org=org.name)
    elif headcount == 0:
        reason = _("「%(org)s」的职工人数为 0，无法计算入会率", org=org.name)
    elif members > headcount:
        reason = _(
            "「%(org)s」的会员人数（%(members)d）多于职工人数（%(headcount)d），请核对",
            org=org.name,
            members=members,
            headcount=headcount,
        )
    else:
        return RateFigure(percent(members, headcount), None, on)
    return RateFigure(None, reason, on)


def participant_membership_rate(participant: Participant) -> RateFigure:
    """The 入会率 of a rated union (a rating's participant) from its organisation."""
    return membership_rate(participant.organization)
