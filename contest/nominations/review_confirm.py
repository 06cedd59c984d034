"""What each review action that cannot simply be undone will do, in the words the dialog and
the no-JavaScript page show (``contest.ui.confirm``): one sentence builder per action, with the
real numbers, so both say the same."""

from __future__ import annotations

from flask_babel import gettext as _

from contest.models import Aspect, Nomination, StageMode
from contest.models.nomination import Campaign, ReviewStage, StageMember
from contest.services.nominations import expert, review
from contest.ui.confirm import Consequence


def open_stage(stage: ReviewStage) -> Consequence:
    count = len(review.entrants(stage))
    return Consequence(
        title=_("开始「%(name)s」？", name=stage.name),
        text=_(
            "%(n)d 份推荐进入本环节，评审成员即可开始工作；开始后评审方式不能再改。",
            n=count,
        ),
        action=_("开始本环节"),
    )


def close_stage(stage: ReviewStage) -> Consequence:
    check = review.close_problems(stage)
    parts = []
    if stage.mode is StageMode.SCORING:
        parts.append(_("%(n)d 份推荐以现有评分进入下一环节。", n=check.passing))
        if check.missing_sheets:
            parts.append(_("还有 %(n)d 份评分表未提交，将不计入成绩。", n=check.missing_sheets))
    if check.unballoted:
        parts.append(
            _(
                "评分未进入投票人选的 %(n)d 份推荐将作不通过处理。",
                n=len(check.unballoted),
            )
        )
    if check.returned:
        parts.append(
            _(
                "退回修改后尚未重新报送的 %(n)d 份推荐（%(names)s）将作不通过处理。",
                n=len(check.returned),
                names="、".join(n.name for n in check.returned[:5]),
            )
        )
    parts.append(_("结束后本环节的结论不能再修改（可在下一环节开始前重新开放）。"))
    return Consequence(
        title=_("结束「%(name)s」？", name=stage.name), text="".join(parts), action=_("结束本环节")
    )


def reopen_stage(stage: ReviewStage) -> Consequence:
    text = _("重新开放后可以修改本环节的结论，原因记入审计日志。")
    if stage.mode is StageMode.SCORING:
        text = _("重新开放后专家可以继续评分，结束时重新确定通过的推荐；原因记入审计日志。")
    return Consequence(
        title=_("重新开放「%(name)s」？", name=stage.name), text=text, action=_("重新开放")
    )


def delete_stage(stage: ReviewStage) -> Consequence:
    return Consequence(
        title=_("删除环节「%(name)s」？", name=stage.name),
        text=_("该环节及其成员设置、评分细则一并删除，不能恢复。"),
        action=_("删除环节"),
    )


def remove_member(stage: ReviewStage, member: StageMember) -> Consequence:
    return Consequence(
        title=_("将 %(name)s 移出「%(stage)s」？", name=member.user.name, stage=stage.name),
        text=_("%(name)s 将不再参加本环节的评审。", name=member.user.name),
        action=_("移出"),
    )


def apply_template(stage: ReviewStage) -> Consequence:
    count = len(expert.items_of(stage))
    return Consequence(
        title=_("套用评分细则模板？"),
        text=_("现有的 %(n)d 个评分要素将被模板整体替换，不能恢复。", n=count)
        if count
        else _("将按模板生成评分细则。"),
        action=_("套用模板"),
    )


def delete_item(aspect: Aspect) -> Consequence:
    return Consequence(
        title=_("删除评分要素？"),
        text=_("删除评分要素 %(key)s「%(name)s」，不能恢复。", key=aspect.key, name=aspect.name),
        action=_("删除评分要素"),
    )


def decide(stage: ReviewStage, nomination: Nomination, shown_name: str) -> Consequence:
    return Consequence(
        title=_("提交对 %(name)s 的审核结论？", name=shown_name),
        text=_(
            "退回修改将把推荐退回推荐单位修改后重新报送；不通过（含一票否决）将使其退出本次"
            "评选。结论在「%(stage)s」结束前可以更改。",
            stage=stage.name,
        ),
        action=_("提交结论"),
    )


def finalize(campaign: Campaign) -> Consequence:
    return Consequence(
        title=_("确定「%(name)s」的评审结果？", name=campaign.name),
        text=_(
            "按专家评分排名，在名额和构成比例内确定正选，其后按名次确定递补人选，其余为未入选；"
            "每份推荐的得分、名次和结果随即保存，推荐单位可以看到。公示开始前可以重新确定。"
        ),
        action=_("确定评审结果"),
    )
