"""What each destructive set-up action will do, in the words the dialog and the no-JS page show
(``contest.ui.confirm``): one sentence builder per action, with the real numbers, so both say
the same. Templates reach them as ``labor_confirm`` (a context processor of the blueprint).
"""

from __future__ import annotations

from flask_babel import gettext as _

from contest.models import (
    Aspect,
    Assessor,
    Competition,
    Participant,
    Round,
    RubricCriterion,
    Track,
)
from contest.services.labor import competitions, indicators
from contest.services.labor.participants import SubtreePlan, teams_of
from contest.ui.confirm import Consequence


def delete_track(track: Track) -> Consequence:
    participants, assessors = competitions.track_usage(track)
    return Consequence(
        title=_("删除赛道（分组）「%(name)s」？", name=track.name),
        text=_(
            "其中 %(p)d 个参赛单位和 %(a)d 名限于该赛道的考评组成员将不再属于任何赛道，不能恢复。",
            p=participants,
            a=assessors,
        ),
        action=_("删除赛道"),
    )


def apply_template(competition: Competition) -> Consequence:
    count = len(indicators.items_of(indicators.sheet_of(competition)))
    return Consequence(
        title=_("套用模板？"),
        text=_("现有的 %(n)d 项考核内容将被模板整体替换，不能恢复。", n=count)
        if count
        else _("将按模板生成考核指标。"),
        action=_("套用模板"),
    )


def delete_criterion(criterion: RubricCriterion) -> Consequence:
    return Consequence(
        title=_("删除考评项目？"),
        text=_(
            "删除「%(name)s」及其 %(n)d 项考核内容，不能恢复。",
            name=criterion.name,
            n=len(criterion.aspects),
        ),
        action=_("删除考评项目"),
    )


def delete_item(aspect: Aspect) -> Consequence:
    return Consequence(
        title=_("删除考核内容？"),
        text=_("删除考核内容 %(key)s「%(name)s」，不能恢复。", key=aspect.key, name=aspect.name),
        action=_("删除考核内容"),
    )


def withdraw_participant(participant: Participant) -> Consequence:
    teams = [t for t in teams_of(participant) if t.withdrawn_at is None]
    text = _(
        "“%(name)s”退出后不再参加考评和排名，已有的成绩保留；可以恢复。", name=participant.name
    )
    if teams:
        text = _(
            "“%(name)s”及其 %(n)d 个班组退出后不再参加考评和排名，已有的成绩保留；可以恢复。",
            name=participant.name,
            n=len(teams),
        )
    return Consequence(title=_("办理退出？"), text=text, action=_("办理退出"))


def delete_participant(participant: Participant) -> Consequence:
    teams = teams_of(participant)
    text = _(
        "从参赛名录中删除“%(name)s”及其 %(m)d 名参赛人员，不能恢复。",
        name=participant.name,
        m=len(participant.members),
    )
    if teams:
        text = _(
            "从参赛名录中删除“%(name)s”、其 %(n)d 个班组和参赛人员，不能恢复。",
            name=participant.name,
            n=len(teams),
        )
    return Consequence(title=_("删除参赛单位？"), text=text, action=_("删除"))


def remove_member(name: str) -> Consequence:
    return Consequence(
        title=_("移除参赛人员？"),
        text=_("%(name)s 将不再是本竞赛的参赛人员，不能参评个人称号。", name=name),
        action=_("移除"),
    )


def remove_assessor(assessor: Assessor) -> Consequence:
    text = _("%(name)s 将不再参加本竞赛的考评。", name=assessor.user.name)
    if assessor.is_chief:
        text = _(
            "%(name)s 是考评组组长；移出后须另行指定组长才能开始竞赛和确认轮次。",
            name=assessor.user.name,
        )
    return Consequence(title=_("移出考评组？"), text=text, action=_("移出考评组"))


def delete_round(round_: Round) -> Consequence:
    return Consequence(
        title=_("删除轮次「%(name)s」？", name=round_.name),
        text=_("删除后不能恢复；尚未有人填写该轮次的评分表。"),
        action=_("删除轮次"),
    )


def replace_schedule(competition: Competition) -> Consequence:
    return Consequence(
        title=_("替换全部轮次？"),
        text=_(
            "现有的 %(n)d 个轮次将全部删除，按新的周期重新生成。",
            n=len(competition.rounds),
        ),
        action=_("替换并生成"),
    )


def add_subtree(plan: SubtreePlan) -> Consequence:
    n = len(plan.adding)
    text = _(
        "将把“%(root)s”及其下级的 %(n)d 个工会列入参赛名录，类型为单位，备案日期为今天。",
        root=plan.choice.root.name,
        n=n,
    )
    if plan.skipped:
        text = _(
            "将把“%(root)s”及其下级的 %(n)d 个工会列入参赛名录，类型为单位，备案日期为今天；"
            "另有 %(s)d 个已在名录中、已撤销或不符合条件，不会添加。",
            root=plan.choice.root.name,
            n=n,
            s=plan.skipped,
        )
    return Consequence(
        title=_("将 %(n)d 个工会列入参赛名录？", n=n),
        text=text,
        action=_("列入 %(n)d 个工会", n=n),
    )
