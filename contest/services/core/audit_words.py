"""What the audit trail's machine words mean in plain Chinese (English through the catalogue).

The trail stores actions as ``sheet.submit`` and objects as ``score_sheet`` 12 so that the hash
chain never depends on a translation. This module is the one dictionary from those words to
what an office worker reads: a phrase per action (``%(object)s`` marks where the object goes),
a noun per target type, a label per field of the before/after snapshots and per enumeration
value. ``tests/contest/test_audit_page.py`` scans every ``audit.record(`` call of the code base
and fails when an action is missing here, so a new action cannot reach the page undescribed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from contest.models import (
    APPEAL_STATUS_LABELS,
    CARE_KIND_LABELS,
    CONTEST_STATUS_LABELS,
    ENTRY_STATUS_LABELS,
    EVENT_GROUP_LABELS,
    GENDER_LABELS,
    HONOR_LEVEL_LABELS,
    LIFE_STATUS_LABELS,
    NOMINATION_STATUS_LABELS,
    ORG_KIND_LABELS,
    OWNERSHIP_LABELS,
    ROLE_LABELS,
    SHEET_STATUS_LABELS,
    WORKER_CATEGORY_LABELS,
    HonorStatus,
)

__all__ = [
    "ACTION_GROUPS",
    "FIELD_LABELS",
    "REFERENCE_FIELDS",
    "TARGET_NOUNS",
    "ActionGroup",
    "action_label",
    "action_phrase",
    "field_label",
    "noun",
    "sentence_part",
    "value_label",
]


@dataclass(frozen=True)
class ActionGroup:
    """One entry of the 操作 filter: a label and its actions, each with the kind of object
    it records (the ``target_type`` of its ``audit.record`` call) and its phrase."""

    label: LazyString
    actions: Mapping[str, tuple[str, LazyString]]


# Grouped as an office thinks of the work; every action is in exactly one group.
ACTION_GROUPS: dict[str, ActionGroup] = {
    "scoring": ActionGroup(
        _l("评分"),
        {
            "sheet.save": ("score_sheet", _l("暂存了%(object)s")),
            "sheet.submit": ("score_sheet", _l("提交了%(object)s")),
            "sheet.reopen": ("score_sheet", _l("将%(object)s退回重评")),
            "mark.correct": ("score_sheet", _l("更正了%(object)s的分数")),
        },
    ),
    "review": ActionGroup(
        _l("评审复核"),
        {
            "recheck.build": ("event", _l("生成了%(object)s的复核名单")),
            "recheck.record": ("recheck_item", _l("记录了%(object)s的复核结果")),
            "recheck.remark_all": ("event", _l("要求%(object)s全部重新评分")),
            "appeal.record": ("appeal", _l("登记了%(object)s")),
            "appeal.decide": ("appeal", _l("裁决了%(object)s")),
            "arbitration.add": ("contest", _l("向%(object)s的仲裁组添加了成员")),
            "arbitration.remove": ("contest", _l("从%(object)s的仲裁组移除了成员")),
            "event.sign_off": ("event", _l("签字确认了%(object)s的成绩")),
        },
    ),
    "registration": ActionGroup(
        _l("报名与抽签"),
        {
            "entry.create": ("entry", _l("登记了%(object)s的报名")),
            "entries.import": ("contest", _l("从 Excel 导入了%(object)s的报名")),
            "entry.withdraw": ("entry", _l("为%(object)s办理了退赛")),
            "entry.check_in": ("entry", _l("为%(object)s办理了检录")),
            "event.draw_entry_codes": ("event", _l("为%(object)s抽取了参赛号")),
            "event.draw_seat_codes": ("event", _l("为%(object)s抽取了赛位号")),
        },
    ),
    "panels": ActionGroup(
        _l("评委与回避"),
        {
            "panel.add": ("event", _l("向%(object)s的评委组添加了评委")),
            "panel.remove": ("event", _l("从%(object)s的评委组移除了评委")),
            "panel.set_chief": ("event", _l("指定了%(object)s的裁判长")),
            "panel.declare_conflict": ("event", _l("在%(object)s登记了评委回避")),
            "panel.remove_conflict": ("event", _l("在%(object)s撤销了评委回避")),
            "panel.assign": ("event", _l("为%(object)s分配了评分任务")),
        },
    ),
    "setup": ActionGroup(
        _l("大赛筹备"),
        {
            "contest.create": ("contest", _l("创建了%(object)s")),
            "contest.update": ("contest", _l("修改了%(object)s的信息")),
            "event.create": ("event", _l("创建了%(object)s")),
            "event.update": ("event", _l("修改了%(object)s")),
            "event.delete": ("event", _l("删除了%(object)s")),
            "event.components": ("event", _l("设置了%(object)s的考核模块")),
            "event.policy": ("event", _l("修改了%(object)s的排名规则")),
            "rubric.criterion.create": ("event", _l("为%(object)s添加了评分项")),
            "rubric.criterion.update": ("event", _l("修改了%(object)s的评分项")),
            "rubric.criterion.delete": ("event", _l("删除了%(object)s的评分项")),
            "rubric.aspect.create": ("event", _l("为%(object)s添加了评分要素")),
            "rubric.aspect.update": ("event", _l("修改了%(object)s的评分要素")),
            "rubric.aspect.delete": ("event", _l("删除了%(object)s的评分要素")),
            "rubric.replace": ("event", _l("替换了%(object)s的评分细则")),
            "rubric.import": ("event", _l("从 Excel 导入了%(object)s的评分细则")),
            "rubric.template.apply": ("event", _l("为%(object)s套用了评分细则模板")),
            "rubric.template.save": ("rubric_template", _l("保存了%(object)s")),
            "rubric.template.delete": ("rubric_template", _l("删除了%(object)s")),
        },
    ),
    "results": ActionGroup(
        _l("大赛进程与成绩公布"),
        {
            "contest.status": ("contest", _l("变更了%(object)s的进程")),
            "results.publish": ("contest", _l("公布了%(object)s的成绩")),
            "contest.no_shows": ("contest", _l("处理了%(object)s未检录的选手")),
            "event.short_field": ("event", _l("决定了参赛人数不足的%(object)s如何处理")),
            "contest.turnout_undone": (
                "contest",
                _l("退回报名时撤销了%(object)s的缺考标记与人数不足处理"),
            ),
        },
    ),
    "calendar": ActionGroup(
        _l("工作日历"),
        {
            "calendar.day.set": ("calendar_day", _l("修改了工作日历的%(object)s")),
            "calendar.day.delete": ("calendar_day", _l("撤销了工作日历对%(object)s的修改")),
            "calendar.year.enter": (
                "calendar_year",
                _l("按国务院通知录入了%(object)s的放假和补班安排"),
            ),
            "calendar.year.clear": ("calendar_year", _l("清除了%(object)s工作日历的全部手工修改")),
        },
    ),
    "honors": ActionGroup(
        _l("荣誉"),
        {
            "honor.create": ("honor", _l("登记了%(object)s")),
            "honor.update": ("honor", _l("修改了%(object)s")),
            "honor.revoke": ("honor", _l("撤销了%(object)s")),
            "honor.valid_until": ("honor", _l("缩短了%(object)s的有效期")),
            "honors.import": ("honor", _l("从 Excel 导入了荣誉名录")),
            "honors.export": ("honor", _l("导出了荣誉名录")),
            "honors.roll": ("honor", _l("打印了劳模名录")),
        },
    ),
    "care": ActionGroup(
        _l("劳模服务"),
        {
            "care.files.sync": ("honoree_file", _l("从荣誉库建立了劳模档案")),
            "care.file.create": ("honoree_file", _l("建立了%(object)s")),
            "care.file.view": ("honoree_file", _l("查看了%(object)s")),
            "care.file.update": ("honoree_file", _l("修改了%(object)s")),
            "care.file.status": ("honoree_file", _l("变更了%(object)s的在职状态")),
            "care.record.create": ("honoree_file", _l("在%(object)s中登记了关爱记录")),
            "care.record.update": ("honoree_file", _l("修改了%(object)s中的关爱记录")),
            "care.record.delete": ("honoree_file", _l("删除了%(object)s中的关爱记录")),
            "care.records.export": ("honoree_file", _l("导出了%(object)s的关爱记录")),
            "care.due.export": ("honoree_file", _l("导出了到期名单")),
            "care.review.create": ("care_review", _l("发起了%(object)s")),
            "care.review.outcome": ("care_review", _l("登记了%(object)s中的复核结论")),
            "care.review.close": ("care_review", _l("结束了%(object)s")),
            "revocation.create": ("revocation", _l("提出了%(object)s")),
            "revocation.update": ("revocation", _l("修改了%(object)s")),
            "revocation.submit": ("revocation", _l("上报了%(object)s")),
            "revocation.forward": ("revocation", _l("审核通过并转报了%(object)s")),
            "revocation.return": ("revocation", _l("退回了%(object)s")),
            "revocation.reject": ("revocation", _l("决定对%(object)s不予撤销")),
            "revocation.decide": ("revocation", _l("决定撤销，办结了%(object)s")),
            "revocation.recovery": ("revocation", _l("登记了%(object)s的收回与待遇停止情况")),
            "revocation.evidence.add": ("revocation", _l("为%(object)s上传了证据材料")),
            "revocation.evidence.remove": ("revocation", _l("删除了%(object)s的证据材料")),
            "revocation.evidence.view": ("revocation", _l("查看了%(object)s的证据材料")),
            "setting.change": ("setting", _l("修改了设置%(object)s")),
        },
    ),
    "labor_setup": ActionGroup(
        _l("劳动竞赛设置"),
        {
            "competition.create": ("competition", _l("创建了%(object)s")),
            "competition.update": ("competition", _l("修改了%(object)s的基本信息")),
            "competition.status": ("competition", _l("变更了%(object)s的进程")),
            "competition.track.create": ("competition", _l("为%(object)s添加了赛道（分组）")),
            "competition.track.update": ("competition", _l("修改了%(object)s的赛道（分组）")),
            "competition.track.delete": ("competition", _l("删除了%(object)s的赛道（分组）")),
            "competition.indicators.template": (
                "competition",
                _l("为%(object)s套用了考核指标模板"),
            ),
            "competition.indicators.import": (
                "competition",
                _l("从 Excel 导入了%(object)s的考核指标"),
            ),
            "competition.indicators.rules": ("competition", _l("修改了%(object)s的加分上限与等级")),
            "competition.indicators.criterion.create": (
                "competition",
                _l("为%(object)s添加了考评项目"),
            ),
            "competition.indicators.criterion.update": (
                "competition",
                _l("修改了%(object)s的考评项目"),
            ),
            "competition.indicators.criterion.delete": (
                "competition",
                _l("删除了%(object)s的考评项目"),
            ),
            "competition.indicators.item.create": ("competition", _l("为%(object)s添加了考核内容")),
            "competition.indicators.item.update": ("competition", _l("修改了%(object)s的考核内容")),
            "competition.indicators.item.delete": ("competition", _l("删除了%(object)s的考核内容")),
            "competition.participant.create": (
                "competition",
                _l("将参赛单位列入%(object)s的参赛名录"),
            ),
            "competition.participant.update": (
                "competition",
                _l("修改了%(object)s参赛名录中的参赛单位"),
            ),
            "competition.participant.withdraw": (
                "competition",
                _l("为%(object)s的参赛单位办理了退出"),
            ),
            "competition.participant.reinstate": (
                "competition",
                _l("恢复了%(object)s参赛单位的参赛资格"),
            ),
            "competition.participant.delete": (
                "competition",
                _l("从%(object)s的参赛名录中删除了参赛单位"),
            ),
            "competition.participants.import": (
                "competition",
                _l("从 Excel 导入了%(object)s的参赛名录"),
            ),
            "competition.participants.subtree": (
                "competition",
                _l("将下级工会批量列入%(object)s的参赛名录"),
            ),
            "competition.member.create": ("competition", _l("为%(object)s添加了参赛人员")),
            "competition.member.update": (
                "competition",
                _l("修改了%(object)s参赛人员的岗位或进场日期"),
            ),
            "competition.member.delete": ("competition", _l("移除了%(object)s的参赛人员")),
            "competition.round.create": ("competition", _l("为%(object)s添加了轮次")),
            "competition.round.update": ("competition", _l("修改了%(object)s的轮次")),
            "competition.round.delete": ("competition", _l("删除了%(object)s的轮次")),
            "competition.round.schedule": ("competition", _l("为%(object)s生成了考评轮次")),
            "competition.assessor.add": ("competition", _l("向%(object)s的考评组添加了成员")),
            "competition.assessor.update": ("competition", _l("修改了%(object)s考评组成员的设置")),
            "competition.assessor.remove": ("competition", _l("从%(object)s的考评组移除了成员")),
        },
    ),
    "labor_rounds": ActionGroup(
        _l("劳动竞赛考评"),
        {
            "competition.round.open_scoring": (
                "competition",
                _l("结束了%(object)s本轮自评，开始考评"),
            ),
            "competition.round.confirm": ("competition", _l("确认了%(object)s一轮的考评成绩")),
            "competition.round.publish": (
                "competition",
                _l("公布了%(object)s一轮的成绩与流动红旗"),
            ),
            "competition.round.reopen": (
                "competition",
                _l("重新开放了%(object)s一轮考评并撤回其成绩"),
            ),
            "competition.round.import": (
                "competition",
                _l("从 Excel 导入了%(object)s一轮的考评分"),
            ),
            "labor.self.evidence": ("score_sheet", _l("修改了%(object)s的佐证材料或说明")),
            "sheet.return": ("score_sheet", _l("将%(object)s退回考评人员修改")),
        },
    ),
    "surveys": ActionGroup(
        _l("会员评家"),
        {
            "survey.open": ("competition", _l("在%(object)s中开展了一项会员评家调查")),
            "survey.update": ("competition", _l("修改了%(object)s中一项会员评家调查的问题")),
            "survey.codes": ("competition", _l("为%(object)s中的一项会员评家调查增发了调查码")),
            "survey.close": ("competition", _l("结束了%(object)s中的一项会员评家调查")),
            "survey.slips": (
                "competition",
                _l("下载了%(object)s中一项会员评家调查的调查码纸条"),
            ),
        },
    ),
    "titles": ActionGroup(
        _l("竞赛称号与评级结果"),
        {
            "competition.titles.rules": ("competition", _l("修改了%(object)s的称号规则")),
            "competition.titles.propose": ("competition", _l("生成了%(object)s的称号建议名单")),
            "competition.award.add": ("competition", _l("将一名职工列入%(object)s的称号建议名单")),
            "competition.award.remove": (
                "competition",
                _l("将一名职工移出%(object)s的称号建议名单"),
            ),
            "competition.titles.confer": ("competition", _l("授予了%(object)s的称号")),
        },
    ),
    "organizations": ActionGroup(
        _l("组织"),
        {
            "organization.create": ("organization", _l("创建了%(object)s")),
            "organization.update": ("organization", _l("修改了%(object)s的信息")),
            "organization.move": ("organization", _l("调整了%(object)s的上级工会")),
            "organization.close": ("organization", _l("撤销了%(object)s")),
            "organization.reopen": ("organization", _l("恢复了%(object)s")),
            "organization.import": ("organization", _l("从 Excel 导入了组织")),
            "organization.export": ("organization", _l("导出了组织")),
        },
    ),
    "people": ActionGroup(
        _l("职工"),
        {
            "person.create": ("person", _l("登记了%(object)s")),
            "person.update": ("person", _l("修改了%(object)s的信息")),
            "person.consent": ("person", _l("修改了%(object)s的公开授权")),
            "person.photo": ("person", _l("上传了%(object)s的照片")),
            "person.photo_remove": ("person", _l("删除了%(object)s的照片")),
            "person.reveal": ("person", _l("查看了%(object)s的身份证号和联系电话")),
            "person.import": ("person", _l("从 Excel 导入了职工")),
            "person.export": ("person", _l("导出了职工名册")),
        },
    ),
    "accounts": ActionGroup(
        _l("账号"),
        {
            "user.create": ("user", _l("创建了%(object)s")),
            "user.import": ("user", _l("从 Excel 批量创建了评委账号")),
            "user.password": ("user", _l("重置了%(object)s的密码")),
            "user.enable": ("user", _l("启用了%(object)s")),
            "user.disable": ("user", _l("停用了%(object)s")),
            "user.lock": ("user", _l("锁定了%(object)s")),
            "token.create": ("user", _l("为%(object)s创建了 API 令牌")),
            "token.revoke": ("user", _l("撤销了%(object)s的一个 API 令牌")),
            "user.sessions_end": ("user", _l("让%(object)s在其他设备上退出了登录")),
        },
    ),
    "nomination_setup": ActionGroup(
        _l("评选表彰筹备"),
        {
            "campaign.create": ("campaign", _l("创建了%(object)s")),
            "campaign.update": ("campaign", _l("修改了%(object)s的基本信息")),
            "campaign.status": ("campaign", _l("变更了%(object)s的进程")),
            "campaign.award.create": ("campaign", _l("为%(object)s添加了奖项")),
            "campaign.award.update": ("campaign", _l("修改了%(object)s的奖项")),
            "campaign.award.delete": ("campaign", _l("删除了%(object)s的奖项")),
            "campaign.materials": ("campaign", _l("修改了%(object)s的申报材料要求")),
            "campaign.eligibility": ("campaign", _l("修改了%(object)s的资格条件")),
            "campaign.quota.total": ("campaign", _l("设置了%(object)s的总名额")),
            "campaign.quota.hand_down": ("campaign", _l("向下级分配了%(object)s的名额")),
            "campaign.quota.delete": ("campaign", _l("收回了%(object)s分配给下级的名额")),
            "campaign.quotas.import": ("campaign", _l("从 Excel 导入了%(object)s的名额分配")),
            "campaign.slate.create": ("campaign", _l("为%(object)s添加了结构要求")),
            "campaign.slate.update": ("campaign", _l("修改了%(object)s的结构要求")),
            "campaign.slate.delete": ("campaign", _l("删除了%(object)s的结构要求")),
            "campaign.slate.defaults": ("campaign", _l("为%(object)s套用了默认结构要求")),
            "nomination.waive": ("nomination", _l("豁免了%(object)s的一项资格条件")),
        },
    ),
    "nomination_recommend": ActionGroup(
        _l("推荐申报"),
        {
            "nomination.create": ("nomination", _l("建立了%(object)s的推荐")),
            "nomination.update": ("nomination", _l("修改了%(object)s的推荐表")),
            "nomination.submit": ("nomination", _l("报送了%(object)s")),
            "nomination.resubmit": ("nomination", _l("修改后重新报送了%(object)s")),
            "nomination.withdraw": ("nomination", _l("撤回了%(object)s")),
            "nomination.return": ("nomination", _l("将%(object)s退回推荐单位修改")),
            "nomination.attachment.add": ("nomination", _l("为%(object)s上传了推荐材料")),
            "nomination.attachment.remove": ("nomination", _l("删除了%(object)s的一份推荐材料")),
        },
    ),
    "nomination_review": ActionGroup(
        _l("评选表彰评审"),
        {
            "nomination.stage.default": ("campaign", _l("为%(object)s套用了默认评审流程")),
            "nomination.stage.create": ("campaign", _l("为%(object)s添加了评审环节")),
            "nomination.stage.update": ("campaign", _l("修改了%(object)s的评审环节")),
            "nomination.stage.delete": ("campaign", _l("删除了%(object)s的评审环节")),
            "nomination.stage.move": ("campaign", _l("调整了%(object)s评审环节的顺序")),
            "nomination.stage.member.add": ("campaign", _l("为%(object)s的评审环节添加了成员")),
            "nomination.stage.member.remove": ("campaign", _l("移出了%(object)s评审环节的成员")),
            "nomination.stage.member.chair": ("campaign", _l("指定了%(object)s评审环节的组长")),
            "nomination.stage.open": ("campaign", _l("开始了%(object)s的评审环节")),
            "nomination.stage.close": ("campaign", _l("结束了%(object)s的评审环节")),
            "nomination.stage.reopen": ("campaign", _l("重新开放了%(object)s的评审环节")),
            "nomination.rubric.template": (
                "campaign",
                _l("为%(object)s的专家评审套用了评分细则模板"),
            ),
            "nomination.rubric.item.create": (
                "campaign",
                _l("为%(object)s的专家评审添加了评分要素"),
            ),
            "nomination.rubric.item.delete": ("campaign", _l("删除了%(object)s专家评审的评分要素")),
            "nomination.review.decide": ("nomination", _l("对%(object)s作出了审核结论")),
            "nomination.consultation": ("nomination", _l("记录了%(object)s的征求意见结果")),
            "nomination.finalize": ("campaign", _l("确定了%(object)s的评审结果（正选与递补）")),
        },
    ),
    "nomination_ballots": ActionGroup(
        _l("评选表彰投票"),
        {
            "nomination.ballot.rules": ("campaign", _l("修改了%(object)s投票环节的投票规则")),
            "nomination.ballot.prepare": ("campaign", _l("为%(object)s安排了一次无记名投票")),
            "nomination.ballot.discard": ("campaign", _l("删除了%(object)s一次未开始的投票")),
            "nomination.ballot.open": ("campaign", _l("开启了%(object)s的一次无记名投票")),
            "nomination.ballot.present": ("campaign", _l("录入了%(object)s纸质投票的到会人数")),
            "nomination.ballot.count": ("campaign", _l("录入了%(object)s纸质投票的计票结果")),
            "nomination.ballot.close": ("campaign", _l("结束了%(object)s的一次投票并计票")),
            "nomination.ballot.runoff": ("campaign", _l("为%(object)s得票并列者安排了再次投票")),
            "nomination.ballot.resolve": ("campaign", _l("由主持人决定了%(object)s投票中的并列")),
            "nomination.ballot.void": ("campaign", _l("作废了%(object)s的一次投票")),
        },
    ),
    "nomination_publicity": ActionGroup(
        _l("评选公示、异议与表彰"),
        {
            "campaign.publicity.start": ("campaign", _l("开始了%(object)s的公示")),
            "campaign.publicity.supplement": ("campaign", _l("发布了%(object)s的递补公示")),
            "objection.receive": ("objection", _l("收到了公众提出的%(object)s")),
            "objection.identity.view": ("objection", _l("查看了%(object)s的反映人信息")),
            "objection.seal.view": ("objection", _l("查看了%(object)s的单位公章")),
            "objection.file.view": ("objection", _l("下载了%(object)s的附件")),
            "objection.investigate": ("objection", _l("开始调查核实%(object)s")),
            "objection.decide": ("objection", _l("处理了%(object)s")),
            "nomination.objection_removed": (
                "nomination",
                _l("因异议成立取消了%(object)s的拟表彰资格"),
            ),
            "nomination.promote": ("nomination", _l("将%(object)s递补为拟表彰人选")),
            "campaign.confer": ("campaign", _l("表彰了%(object)s的拟表彰人选")),
            "campaign.honor_revoke": ("campaign", _l("撤销了%(object)s授予的一项荣誉")),
            "campaign.export": ("campaign", _l("导出了%(object)s的名单或审计日志")),
        },
    ),
    "system": ActionGroup(
        _l("系统"),
        {
            "demo.load": ("demo", _l("加载了演示数据")),
            "audit.export": ("audit", _l("导出了审计日志")),
            "import.undone": ("import", _l("撤回了一次未完成的导入，已写入的部分已删除")),
        },
    ),
}

_ACTIONS = {
    action: spec for group in ACTION_GROUPS.values() for action, spec in group.actions.items()
}

TARGET_NOUNS: dict[str, LazyString] = {
    "contest": _l("大赛"),
    "event": _l("赛项"),
    "entry": _l("选手"),
    "score_sheet": _l("评分表"),
    "appeal": _l("申诉"),
    "recheck_item": _l("复核项"),
    "rubric_template": _l("评分细则模板"),
    "competition": _l("劳动竞赛"),
    "honor": _l("荣誉"),
    "organization": _l("组织"),
    "person": _l("职工"),
    "user": _l("账号"),
    "calendar_day": _l("日期"),
    "calendar_year": _l("年度"),
    "demo": _l("演示数据"),
    "audit": _l("审计日志"),
    "import": _l("导入"),
    "campaign": _l("评选表彰"),
    "nomination": _l("推荐对象"),
    "objection": _l("异议"),
    "honoree_file": _l("劳模档案"),
    "care_review": _l("复核"),
    "revocation": _l("撤销案"),
    "setting": _l("设置"),
}

# Snapshot keys holding the id of another object, and which kind of object (see audit_log).
REFERENCE_FIELDS: dict[str, str] = {
    "contest_id": "contest",
    "event_id": "event",
    "event": "event",  # appeal.record writes the event's id under "event"
    "entry_id": "entry",
    "person_id": "person",
    "organization_id": "organization",
    "parent_id": "organization",
    "unit_id": "organization",  # a nomination's recommending unit
    "user_id": "user",
    "chief_user_id": "user",
    "nomination_id": "nomination",
    "campaign_id": "campaign",
    "honor_id": "honor",
    "care_organization_id": "organization",
}

FIELD_LABELS: dict[str, LazyString] = {
    # labor competitions: set-up and rounds
    "round_id": _l("轮次"),
    "participant": _l("参赛单位"),
    "track": _l("赛道（分组）"),
    "parent": _l("所属单位"),
    "registered_on": _l("备案日期"),
    "contact": _l("自评联系人"),
    "withdrawn": _l("已退出"),
    "participants": _l("参赛单位"),
    "teams": _l("班组"),
    "round": _l("轮次"),
    "weight": _l("权重"),
    "is_public": _l("公开"),
    "criterion": _l("考评项目"),
    "aspects": _l("考核内容"),
    "bonus_cap": _l("加分上限"),
    "grades": _l("等级"),
    "template": _l("模板"),
    "aggregation": _l("评分汇总"),
    "cumulation": _l("各轮累计"),
    "flag_count": _l("流动红旗面数"),
    "flag_keep_after": _l("连续获得永久保留"),
    "valid_months": _l("有效期（月）"),
    "on_site_since": _l("进场日期"),
    "assessors": _l("考评组成员"),
    "tie_break": _l("总分并列时依次比较"),
    "missing_self": _l("未自评的参赛单位"),
    "missing_sheets": _l("未提交的考评表"),
    "results": _l("成绩条数"),
    "flags": _l("流动红旗"),
    "streak": _l("连续获得次数"),
    "results_removed": _l("撤回的成绩条数"),
    "notes": _l("说明"),
    "item": _l("考核内容"),
    "file": _l("文件"),
    "type": _l("文件类型"),
    "kinds": _l("工会类型"),
    "with_figures": _l("只含已填会员人数和职工人数的工会"),
    "skipped_existing": _l("跳过：已在参赛名录中"),
    "skipped_closed": _l("跳过：已撤销"),
    "skipped_no_figures": _l("跳过：未填会员人数或职工人数"),
    "skipped_same_name": _l("跳过：参赛名录中已有同名单位"),
    # nomination campaigns: set-up, quotas, slate rules, eligibility
    "submission_deadline": _l("推荐截止时间"),
    "surplus_percent": _l("差额比例（%）"),
    "recipient": _l("授予对象"),
    "tier": _l("工匠层级"),
    "key": _l("代码"),
    "quotas": _l("名额分配"),
    "rules": _l("结构要求"),
    "quota": _l("名额"),
    "slots": _l("专项名额"),
    "op": _l("要求"),
    "unit": _l("计算方式"),
    "denominator": _l("计算比例的范围"),
    "form_fields": _l("推荐表项目"),
    "deeds_short_max": _l("事迹简介字数上限"),
    "deeds_full_max": _l("事迹全文字数上限"),
    "attachments": _l("附件"),
    "consultations": _l("征求意见"),
    "prerequisite_level": _l("前置荣誉级别"),
    "craftsman_ladder": _l("工匠逐级申报"),
    "repeat_years": _l("不重复授予年限"),
    "negative_years": _l("负面清单年限"),
    "negative_list": _l("负面清单"),
    "waivers": _l("资格豁免"),
    # nomination campaigns: 公示, objections, conferral
    "notice": _l("公示编号"),
    "is_supplement": _l("递补公示"),
    "hidden_after": _l("公示页面公开至"),
    "nominations": _l("公示人选"),
    "by_unit": _l("以单位名义反映"),
    "files": _l("附件数"),
    "replaces": _l("递补的原人选"),
    "list": _l("导出的名单"),
    "ground": _l("撤销依据"),
    "revoked_on": _l("撤销日期"),
    "honor_id": _l("荣誉"),
    "nomination_id": _l("推荐对象"),
    "campaign_id": _l("评选表彰"),
    # contests, events, entries
    "name": _l("名称"),
    "level": _l("级别"),
    "year": _l("年份"),
    "starts_on": _l("开始日期"),
    "ends_on": _l("结束日期"),
    "appeal_window_hours": _l("申诉时限（小时）"),
    "conferring_body": _l("授予机关"),
    "description": _l("说明"),
    "status": _l("状态"),
    "code": _l("代码"),
    "occupation": _l("工种"),
    "group": _l("组别"),
    "quota_per_unit": _l("每单位名额"),
    "min_age": _l("最低年龄"),
    "max_age": _l("最高年龄"),
    "team_min": _l("每队最少人数"),
    "team_max": _l("每队最多人数"),
    "team_name": _l("队名"),
    "members": _l("队员"),
    "ended_at": _l("结束时间"),
    "position": _l("排序"),
    "contest_id": _l("大赛"),
    "event_id": _l("赛项"),
    "event": _l("赛项"),
    "entry_id": _l("选手"),
    "entry": _l("参赛号"),
    "entry_code": _l("参赛号"),
    "seat_code": _l("赛位号"),
    "entries": _l("选手"),
    "codes": _l("抽签结果"),
    "seed": _l("随机种子"),
    # scoring and review
    "marks": _l("分数"),
    "version": _l("版本"),
    "aspect": _l("评分要素"),
    "value": _l("分值"),
    "component": _l("考核模块"),
    "component_id": _l("考核模块"),
    "criteria": _l("评分项"),
    "is_chief": _l("裁判长"),
    "chief_user_id": _l("裁判长"),
    "user_id": _l("账号"),
    "appellant": _l("申诉人"),
    "content": _l("内容"),
    "received_at": _l("收到时间"),
    "checked": _l("已复核"),
    "errors_found": _l("发现错误"),
    "note": _l("备注"),
    "sheets": _l("评分表"),
    "locked": _l("锁定评分表"),
    "signed_off_at": _l("签字时间"),
    "snapshot": _l("成绩快照"),
    "digest": _l("哈希"),
    "certificates": _l("证书"),
    "honors_created": _l("新增荣誉"),
    "rows": _l("行数"),
    "people_created": _l("新增职工"),
    "people_matched": _l("匹配到的职工"),
    "file_sha256": _l("文件哈希"),
    "filename": _l("文件名"),
    "created": _l("新增"),
    "removed": _l("删除"),
    "imported": _l("导入的数据"),
    "kept": _l("保留"),
    "mode": _l("分配方式"),
    "k": _l("每位选手的评委数"),
    "short": _l("评委不足的选手"),
    "skipped_recused": _l("因回避跳过"),
    "assignments_removed": _l("删除的评分任务"),
    "assignment_removed": _l("删除的评分任务"),
    "top": _l("复核前几名"),
    "share": _l("抽查比例"),
    "ranked": _l("参加排名人数"),
    "outcome": _l("结论"),
    "items": _l("复核名单"),
    # the ranking policy (labels as on its form)
    "method": _l("汇总方法"),
    "trim": _l("去掉最高、最低分各几个"),
    "normalize": _l("评委打分标准化"),
    "precision": _l("保留小数位数"),
    "tie_breaks": _l("并列时依次比较"),
    "awards": _l("奖项"),
    "award_rounding": _l("按比例计算名额时"),
    "edge_ties": _l("奖项分界处并列时"),
    "titles": _l("称号"),
    "min_field": _l("最低参赛人数"),
    "short_field": _l("人数不足时"),
    "choice": _l("处理方式"),
    "entrants": _l("参赛人数"),
    "events": _l("赛项"),
    "max_spread": _l("允许的评委评分差"),
    "recheck_top": _l("复核前几名"),
    "recheck_share": _l("其余选手抽查比例"),
    "recheck_error_limit": _l("差错率上限"),
    "scale": _l("分数换算"),
    "reason": _l("原因"),
    # the 劳模 archive and care records (never a contact or a note: only that one changed)
    "current_unit": _l("现工作单位"),
    "care_organization_id": _l("服务工会"),
    "contact_changed": _l("联系方式已修改"),
    "retired_on": _l("退休日期"),
    "died_on": _l("去世日期"),
    "record_id": _l("关爱记录编号"),
    "care_kind": _l("关爱类型"),
    "on_date": _l("日期"),
    "place": _l("地点"),
    "amount": _l("金额（元）"),
    "festival": _l("节日"),
    "has_notes": _l("有备注"),
    "notes_changed": _l("备注已修改"),
    # honors, people, organisations, accounts
    "recipient_name": _l("获得者"),
    "title": _l("荣誉称号"),
    "unit_name": _l("单位"),
    "document_number": _l("文号"),
    # 会员评家 surveys
    "union": _l("参评工会"),
    "survey_codes": _l("调查码数量"),
    "survey_answered": _l("作答人数"),
    "survey_questions": _l("调查问题"),
    "survey_id": _l("调查编号"),
    "survey_slips_file": _l("纸条文件"),
    "survey_slips": _l("纸条张数"),
    "min_response_rate": _l("最低回收率（%）"),
    "deeds_summary": _l("事迹摘要"),
    "deeds_full_chars": _l("事迹全文字数"),
    "valid_until": _l("有效期至"),
    "title_rules": _l("称号规则"),
    "basis": _l("依据"),
    "conferred_on": _l("授予日期"),
    "honors": _l("授予的荣誉数"),
    "honor_ids": _l("荣誉编号"),
    "ended": _l("截止的此前评级"),
    "added": _l("新增"),
    "dropped": _l("移除"),
    "source": _l("来源"),
    "person_id": _l("职工"),
    "organization_id": _l("单位"),
    "gender": _l("性别"),
    "post": _l("岗位"),
    "skill_level": _l("技能等级"),
    "category": _l("人员类别"),
    "consent_photo": _l("同意公开照片"),
    "consent_deeds": _l("同意公开事迹"),
    "has_id_number": _l("已登记身份证号"),
    "has_phone": _l("已登记联系电话"),
    "include_private": _l("包含身份证号和联系电话"),
    "valid_only": _l("只含有效荣誉"),
    "format": _l("格式"),
    "subtree": _l("含下级组织"),
    "path": _l("路径"),
    "large": _l("大规模数据"),
    "kind": _l("类型"),
    "parent_id": _l("上级工会"),
    "short_name": _l("简称"),
    "employer": _l("所属单位"),
    "credit_code": _l("统一社会信用代码"),
    "ownership": _l("所有制"),
    "industry": _l("行业"),
    "is_key_industry": _l("重点产业"),
    "region": _l("地区"),
    "headcount": _l("职工人数"),
    "member_count": _l("会员人数"),
    "counted_on": _l("统计日期"),
    "closed": _l("已撤销"),
    "username": _l("用户名"),
    "role": _l("角色"),
    "is_enabled": _l("启用"),
    "prefix": _l("令牌前缀"),
    "expires_at": _l("到期时间"),
    "sessions_ended": _l("结束的登录会话"),
    "must_change_password": _l("首次登录须改密码"),
    "people_linked": _l("关联到的职工"),
    "photo": _l("照片"),
    "bytes": _l("文件大小（字节）"),
    # the working-day calendar
    "day": _l("日期"),
    "is_workday": _l("上班"),
    "holidays": _l("放假日期"),
    "makeup_days": _l("补班日期"),
    "overrides": _l("手工修改的天数"),
    # nomination review: stages, decisions, 征求意见, the result
    "stage": _l("评审环节"),
    "stages": _l("评审环节"),
    "opens_on": _l("开始日期"),
    "closes_on": _l("结束日期"),
    "blind": _l("匿名评审"),
    "passed": _l("通过的推荐"),
    "lapsed": _l("逾期未重新报送的推荐"),
    "veto": _l("一票否决"),
    "nomination_status": _l("推荐状态"),
    "is_chair": _l("组长"),
    "department": _l("征求意见部门"),
    "cleared": _l("无异议"),
    "selected": _l("正选"),
    "alternates": _l("递补人选"),
    "not_selected": _l("未入选"),
    "skipped": _l("因构成比例让出名额"),
    # nomination ballots: counts only, never a voter beside a choice
    "ballot": _l("投票编号"),
    "award": _l("奖项"),
    # nominations: the recommending unit's side
    "unit_id": _l("推荐单位"),
    "categories": _l("申报的类别"),
    "deeds_short_chars": _l("事迹简介字数"),
    "form": _l("推荐表"),
    "consent_publicity": _l("同意公示"),
    "democratic_on": _l("民主推荐（职代会）日期"),
    "unit_publicity_start": _l("单位公示开始日期"),
    "unit_publicity_end": _l("单位公示结束日期"),
    "declarations": _l("负面清单声明"),
    "slot": _l("材料项目"),
    "nominees": _l("被推荐人数"),
    "places": _l("名额"),
    "paper": _l("纸质选票"),
    "committee": _l("委员人数"),
    "present": _l("到会人数"),
    "voted": _l("已投票人数"),
    "quorum": _l("法定人数"),
    "needed": _l("通过所需赞成票"),
    "tally": _l("计票结果"),
    "counts": _l("计票人录入的票数"),
    "chosen": _l("决定当选"),
    "tied": _l("得票并列"),
    "runoff_of": _l("再次投票所属的投票"),
    "pass_rule": _l("通过规则"),
    "quorum_rule": _l("法定人数规则"),
    "ballot_top": _l("参加投票人数"),
    "runoff": _l("并列时再次投票"),
}


def _by_value(labels: Mapping[Any, LazyString]) -> dict[str, LazyString]:
    return {str(getattr(member, "value", member)): label for member, label in labels.items()}


_STATUS_LABELS: dict[str, dict[str, LazyString]] = {
    "contest": _by_value(CONTEST_STATUS_LABELS),
    "entry": _by_value(ENTRY_STATUS_LABELS),
    "score_sheet": {"empty": _l("未评分"), **_by_value(SHEET_STATUS_LABELS)},
    "appeal": _by_value(APPEAL_STATUS_LABELS),
    "nomination": _by_value(NOMINATION_STATUS_LABELS),
    "honor": {HonorStatus.VALID.value: _l("有效"), HonorStatus.REVOKED.value: _l("已撤销")},
    "honoree_file": _by_value(LIFE_STATUS_LABELS),
}
_VALUE_LABELS: dict[str, dict[str, LazyString]] = {
    "role": _by_value(ROLE_LABELS),
    "level": _by_value(HONOR_LEVEL_LABELS),
    "group": _by_value(EVENT_GROUP_LABELS),
    "kind": _by_value(ORG_KIND_LABELS),
    "ownership": _by_value(OWNERSHIP_LABELS),
    "gender": _by_value(GENDER_LABELS),
    "category": _by_value(WORKER_CATEGORY_LABELS),
    "care_kind": _by_value(CARE_KIND_LABELS),
    "choice": {
        "absent": _l("标记缺考"),
        "keep": _l("保留，仍可检录"),
        "cancel": _l("取消赛项"),
        "no_awards": _l("只排名、不评奖"),
    },
    "short_field": {"cancel": _l("取消赛项"), "no_awards": _l("只排名、不评奖")},
    "imported": {
        "honors": _l("荣誉"),
        "organizations": _l("组织"),
        "people": _l("职工"),
        "entries": _l("报名"),
    },
}


def action_phrase(action: str) -> LazyString | None:
    """The phrase of a known action (``None`` for a name this dictionary does not know)."""
    spec = _ACTIONS.get(action)
    return spec[1] if spec else None


def noun(target_type: str) -> str:
    """The kind of object in words; an unknown kind as it is stored."""
    word = TARGET_NOUNS.get(target_type)
    return target_type if word is None else str(word)


def sentence_part(action: str, obj: str) -> str:
    """The action with its object put in ("提交了评分表 A-07"); an unknown action as stored.

    Runs of spaces are folded: ``obj`` ends with one ("评分表 A-07 ") so that a code or name
    stands apart from the words after it ("更正了评分表 A-07 的分数").
    """
    phrase = action_phrase(action)
    text = f"{action} {obj}" if phrase is None else str(phrase) % {"object": obj}
    return " ".join(text.split())


def action_label(action: str) -> str:
    """The action with the kind of object it records, for lists: "提交了评分表"."""
    spec = _ACTIONS.get(action)
    return sentence_part(action, noun(spec[0])) if spec else action


def field_label(key: str) -> str:
    """``marks.P1`` reads "分数 P1": the first part is labelled, the rest kept as written."""
    head, _, rest = key.partition(".")
    label = str(FIELD_LABELS[head]) if head in FIELD_LABELS else head
    return f"{label} {rest}" if rest else label


def value_label(target_type: str, key: str, value: str) -> str | None:
    """The label of an enumeration value (``registered`` → 已报名), or ``None``."""
    table = _STATUS_LABELS.get(target_type, {}) if key == "status" else _VALUE_LABELS.get(key, {})
    label = table.get(value)
    return None if label is None else str(label)
