"""What each destructive campaign set-up action will do, in the words the dialog and the no-JS
page show (``contest.ui.confirm``): one sentence builder per action, with the real numbers."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from contest.extensions import db
from contest.models import Campaign, CampaignQuota, SlateRule
from contest.services.nominations import slates
from contest.services.nominations.awards import Award
from contest.ui.confirm import Consequence


def delete_award(campaign: Campaign, award: Award) -> Consequence:
    shares = db.session.scalar(
        select(func.count(CampaignQuota.id)).where(
            CampaignQuota.campaign_id == campaign.id, CampaignQuota.award == award.key
        )
    )
    rules = db.session.scalar(
        select(func.count(SlateRule.id)).where(
            SlateRule.campaign_id == campaign.id, SlateRule.award == award.key
        )
    )
    return Consequence(
        title=_("删除奖项「%(title)s」？", title=award.title),
        text=_(
            "该奖项的 %(q)d 条名额分配和 %(r)d 条结构要求将一并删除，不能恢复。",
            q=int(shares or 0),
            r=int(rules or 0),
        ),
        action=_("删除奖项"),
    )


def remove_share(row: CampaignQuota) -> Consequence:
    return Consequence(
        title=_("收回“%(org)s”的名额？", org=row.organization.name),
        text=_("%(n)d 个名额将退回上级单位，由上级重新分配。", n=row.quota),
        action=_("收回名额"),
    )


def delete_rule(campaign: Campaign, rule: SlateRule) -> Consequence:
    return Consequence(
        title=_("删除结构要求？"),
        text=_("将删除「%(rule)s」，不能恢复。", rule=slates.rule_text(rule, campaign)),
        action=_("删除"),
    )
