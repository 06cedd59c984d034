"""Confirmation before an action that cannot be undone: the field every such POST must carry,
the sentence that names what will happen, and the page that asks when the field is missing.

Seven POSTs destroy or fix something for good — 抽取参赛号, 抽取赛位号, 删除评分项 (with its
aspects) and 删除评分要素, 移出评委, 停用账号, 签字确认, 公布成绩. Their buttons open a dialog
(``macros/confirm.html`` + ``static/js/app.js``) that names the consequence with the real
numbers; the dialog's confirm button sets :data:`FIELD`. A POST without it — no JavaScript, a
script, a stale page — does nothing and gets :func:`ask`'s page instead: the same sentence and a
form that sends the same fields again with the confirmation set. One sentence builder per action
serves both, so the dialog and the page never say different things.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, render_template, request
from flask_babel import gettext as _
from sqlalchemy import func, select

from contest.extensions import db
from contest.models import (
    Aspect,
    Assignment,
    Contest,
    EntryStatus,
    Event,
    Mark,
    RubricCriterion,
    ScoreSheet,
    SheetStatus,
    User,
)
from contest.services.skills.draws import status_counts
from contest.services.skills.turnout import field_size

__all__ = [
    "FIELD",
    "Consequence",
    "ask",
    "confirmed",
    "delete_aspect",
    "delete_criterion",
    "disable_user",
    "draw_entry_codes",
    "draw_seat_codes",
    "publish_results",
    "remove_judge",
    "sign_off",
]

FIELD = "confirmed"


@dataclass(frozen=True)
class Consequence:
    """What the dialog and the confirmation page show: a question, what will happen, and the
    label of the button that does it."""

    title: str
    text: str
    action: str


def confirmed() -> bool:
    """Whether this POST carries the confirmation (set by the dialog or the confirmation page)."""
    return request.form.get(FIELD) == "1"


def ask(consequence: Consequence, back: str) -> str:
    """The confirmation page for a POST that came without the field: it names the consequence
    and posts the same fields to the same URL again with the field set (fresh CSRF tokens under
    the names the original form used), or goes ``back`` without doing anything."""
    tokens = sorted({name for name in request.form if name.endswith("csrf_token")})
    carried = [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name != FIELD and not name.endswith("csrf_token")
    ]
    return render_template(
        "confirm.html",
        consequence=consequence,
        url=request.script_root + request.path,  # behind a prefix too
        tokens=tokens or ["csrf_token"],
        carried=carried,
        field=FIELD,
        back=back,
    )


# ------------------------------------------------------------------ the sentences


def _count(query: object) -> int:
    return int(db.session.scalar(query) or 0)  # type: ignore[call-overload]


def _per_event(kind: str, event_id: int, query: object) -> dict[int, int]:
    """Counts per id for one event, read once per request: a page with a button per criterion
    or per judge asks the database once, not once per button."""
    cache: dict[tuple[str, int], dict[int, int]] = g.setdefault("confirm_counts", {})
    if (kind, event_id) not in cache:
        cache[kind, event_id] = {k: int(n) for k, n in db.session.execute(query)}  # type: ignore[call-overload]
    return cache[kind, event_id]


def _marks(event_id: int, aspect_ids: list[int]) -> int:
    counts = _per_event(
        "marks",
        event_id,
        select(Mark.aspect_id, func.count(Mark.id))
        .join(Aspect, Aspect.id == Mark.aspect_id)
        .where(Aspect.event_id == event_id)
        .group_by(Mark.aspect_id),
    )
    return sum(counts.get(i, 0) for i in aspect_ids)


def draw_entry_codes(event: Event) -> Consequence:
    counts = status_counts(event)
    active = field_size(counts)
    return Consequence(
        title=_("抽取「%(event)s」的参赛号？", event=event.label),
        text=_(
            "将为 %(n)d 名选手随机抽取参赛号。抽取后参赛号不能重抽，随机种子记入审计日志。",
            n=active,
        ),
        action=_("抽取参赛号"),
    )


def draw_seat_codes(event: Event) -> Consequence:
    present = status_counts(event)[EntryStatus.CHECKED_IN]
    return Consequence(
        title=_("抽取「%(event)s」的赛位号？", event=event.label),
        text=_(
            "将为 %(n)d 名已检录选手随机抽取赛位号，未检录的选手没有赛位号。"
            "抽取后赛位号不能重抽，评委只看到赛位号。",
            n=present,
        ),
        action=_("抽取赛位号"),
    )


def delete_criterion(criterion: RubricCriterion) -> Consequence:
    aspects = list(criterion.aspects)
    marks = _marks(criterion.component.event_id, [a.id for a in aspects])
    if marks:
        text = _(
            "删除「%(name)s」及其 %(n)d 个评分要素，已录入的 %(marks)d 个分数一并删除，不能恢复。",
            name=criterion.name,
            n=len(aspects),
            marks=marks,
        )
    else:
        text = _(
            "删除「%(name)s」及其 %(n)d 个评分要素，不能恢复。",
            name=criterion.name,
            n=len(aspects),
        )
    return Consequence(title=_("删除评分项？"), text=text, action=_("删除评分项"))


def delete_aspect(aspect: Aspect) -> Consequence:
    marks = _marks(aspect.event_id, [aspect.id])
    if marks:
        text = _(
            "删除评分要素 %(key)s「%(name)s」，已录入的 %(marks)d 个分数一并删除，不能恢复。",
            key=aspect.key,
            name=aspect.name,
            marks=marks,
        )
    else:
        text = _("删除评分要素 %(key)s「%(name)s」，不能恢复。", key=aspect.key, name=aspect.name)
    return Consequence(title=_("删除评分要素？"), text=text, action=_("删除评分要素"))


def remove_judge(event: Event, user: User) -> Consequence:
    assigned = _per_event(
        "assignments",
        event.id,
        select(Assignment.user_id, func.count(Assignment.id))
        .where(Assignment.event_id == event.id)
        .group_by(Assignment.user_id),
    ).get(user.id, 0)
    return Consequence(
        title=_("将 %(name)s 移出评委组？", name=user.name),
        text=_(
            "%(name)s 将不再是「%(event)s」的评委，其已分配的 %(n)d 份评分任务一并取消；"
            "再加入时须重新分配。",
            name=user.name,
            event=event.label,
            n=assigned,
        ),
        action=_("移出评委组"),
    )


def disable_user(user: User) -> Consequence:
    return Consequence(
        title=_("停用账号 %(name)s？", name=user.username),
        text=_(
            "停用后 %(name)s 不能登录，已登录的会话立即结束，API 令牌全部作废；"
            "重新启用也不会恢复这些会话和令牌。",
            name=user.username,
        ),
        action=_("停用账号"),
    )


def sign_off(event: Event) -> Consequence:
    sheets = _count(
        select(func.count(ScoreSheet.id)).where(
            ScoreSheet.event_id == event.id, ScoreSheet.status == SheetStatus.SUBMITTED
        )
    )
    return Consequence(
        title=_("签字确认「%(event)s」？", event=event.label),
        text=_(
            "签字确认后 %(n)d 份评分表全部锁定，不能再修改，也不能撤回签字；"
            "选手姓名随即对评审组显示。",
            n=sheets,
        ),
        action=_("签字确认"),
    )


def publish_results(contest: Contest) -> Consequence:
    if contest.is_published:
        text = _("重新公布后新成绩立即对公众可见，不能撤回；原快照保留，原证书查验时提示已被更正。")
    else:
        text = _("公布后成绩对公众可见，不能撤回；获奖者的证书编号和称号随即生成并记入荣誉库。")
    return Consequence(
        title=_("公布「%(name)s」的成绩？", name=contest.name),
        text=text,
        action=_("公布成绩"),
    )
