"""Locale selection and the translated labels of enumerations.

Message ids are Simplified Chinese, the platform's first language; ``translations/en`` holds
the English catalogue. A string without an English translation falls back to Chinese, never to
an empty label.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_babel import lazy_gettext as _l

from contest.models.contest import AspectKind, ContestStatus, EntryStatus, EventGroup
from contest.models.honor import HonorLevel
from contest.models.judging import AppealStatus, SheetStatus
from contest.models.org import OrgKind
from contest.models.person import Gender, WorkerCategory
from contest.models.user import Role

ROLE_LABELS = {
    Role.ADMIN: _l("系统管理员"),
    Role.ORGANIZER: _l("组织者"),
    Role.JUDGE: _l("评委"),
    Role.RECOMMENDER: _l("推荐单位"),
    Role.REVIEWER: _l("评审专家"),
}

ORG_KIND_LABELS = {
    OrgKind.NATIONAL: _l("全国总工会"),
    OrgKind.PROVINCIAL: _l("省总工会"),
    OrgKind.CITY: _l("市总工会"),
    OrgKind.DISTRICT: _l("区县总工会"),
    OrgKind.TOWNSHIP: _l("乡镇(街道)工会"),
    OrgKind.INDUSTRY: _l("产业工会"),
    OrgKind.GRASSROOTS: _l("基层工会"),
    OrgKind.JOINT: _l("联合工会"),
}

HONOR_LEVEL_LABELS = {
    HonorLevel.NATIONAL: _l("全国"),
    HonorLevel.PROVINCIAL: _l("省部级"),
    HonorLevel.CITY: _l("地市级"),
    HonorLevel.DISTRICT: _l("区县级"),
    HonorLevel.ENTERPRISE: _l("企业级"),
}

GENDER_LABELS = {Gender.MALE: _l("男"), Gender.FEMALE: _l("女")}

WORKER_CATEGORY_LABELS = {
    WorkerCategory.INDUSTRIAL: _l("产业工人"),
    WorkerCategory.FRONTLINE: _l("一线职工"),
    WorkerCategory.TECHNICAL: _l("专业技术人员"),
    WorkerCategory.SCIENCE_EDUCATION: _l("科教人员"),
    WorkerCategory.MIGRANT: _l("农民工"),
    WorkerCategory.ENTERPRISE_HEAD: _l("企业负责人"),
    WorkerCategory.OFFICIAL: _l("机关干部"),
}


CONTEST_STATUS_LABELS = {
    ContestStatus.DRAFT: _l("筹备中"),
    ContestStatus.REGISTRATION: _l("报名中"),
    ContestStatus.JUDGING: _l("比赛评分中"),
    ContestStatus.REVIEW: _l("复核与申诉"),
    ContestStatus.PUBLISHED: _l("已公布"),
    ContestStatus.ARCHIVED: _l("已归档"),
}

EVENT_GROUP_LABELS = {EventGroup.WORKER: _l("职工组"), EventGroup.STUDENT: _l("学生组")}

ASPECT_KIND_LABELS = {
    AspectKind.MEASUREMENT: _l("测量"),
    AspectKind.JUDGEMENT: _l("评价"),
    AspectKind.DEDUCTION: _l("扣分"),
}

ENTRY_STATUS_LABELS = {
    EntryStatus.REGISTERED: _l("已报名"),
    EntryStatus.CHECKED_IN: _l("已检录"),
    EntryStatus.WITHDRAWN: _l("已退赛"),
}

SHEET_STATUS_LABELS = {
    SheetStatus.DRAFT: _l("草稿"),
    SheetStatus.SUBMITTED: _l("已提交"),
    SheetStatus.LOCKED: _l("已锁定"),
}

APPEAL_STATUS_LABELS = {
    AppealStatus.PENDING: _l("待裁决"),
    AppealStatus.UPHELD: _l("申诉成立"),
    AppealStatus.DISMISSED: _l("驳回"),
}


def select_locale() -> str:
    """``?lang=`` on this request, else the language chosen in the session, else zh_CN.

    The browser's Accept-Language is deliberately ignored: union offices often run
    English-language browsers, and the platform is Chinese first.
    """
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # the CLI and services called outside a request
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    for chosen in (request.args.get("lang"), session.get("lang")):
        if chosen in languages:
            return str(chosen)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])
