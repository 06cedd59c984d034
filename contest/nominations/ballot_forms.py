"""Forms of the secret-ballot pages (issue 15). They check shapes; the rules (who may, when,
how many) live in ``contest.services.nominations.ballots``, whose refusals the views show on
the named field. The member's paper and a teller's counts are read from the posted fields by
:func:`posted_choices` and :func:`posted_counts` — one field per nominee — under the CSRF token
of an ``ActionForm``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from contest.services.nominations.ballots import (
    CHOICES,
    MAX_REASON,
    PASS_RULE_LABELS,
    QUORUM_RULE_LABELS,
)
from contest.ui.forms import CheckedForm
from contest.validation import db_int

__all__ = [
    "BallotRulesForm",
    "PrepareBallotForm",
    "PresentForm",
    "ReasonForm",
    "ResolveForm",
    "posted_choices",
    "posted_counts",
]


class BallotRulesForm(CheckedForm):
    pass_rule = RadioField(
        _l("通过规则"),
        choices=[SelectChoice(key, label) for key, label in PASS_RULE_LABELS.items()],
        default="half_members",
        validators=[InputRequired(_l("请选择通过规则"))],
    )
    quorum_rule = RadioField(
        _l("法定人数"),
        choices=[SelectChoice(key, label) for key, label in QUORUM_RULE_LABELS.items()],
        default="two_thirds",
        validators=[InputRequired(_l("请选择法定人数规则"))],
    )
    ballot_top = IntegerField(
        _l("参加投票的人数"),
        validators=[Optional(), NumberRange(1, 1000, _l("请输入 1 到 1000 之间的整数"))],
        description=_l("评分后投票：按专家评分排名取前几名参加投票；与最后一名同分的一并参加。"),
    )
    runoff = BooleanField(_l("名额边界上得票并列时，在并列者中再次投票"), default=True)


class PrepareBallotForm(CheckedForm):
    award = SelectField(_l("奖项"), validators=[InputRequired(_l("请选择奖项"))])
    places = IntegerField(
        _l("名额"),
        validators=[Optional(), NumberRange(1, 10_000, _l("名额应为正整数，不限名额请留空"))],
        description=_l("该奖项尚余的名额；通过者多于名额时按赞成票多少确定，不限名额请留空。"),
    )
    paper = BooleanField(_l("使用纸质选票（由两名计票人录入计票结果）"))

    def __init__(self, awards: Sequence[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.award.choices = [SelectChoice(key, title) for key, title in awards]


class PresentForm(CheckedForm):
    present = IntegerField(
        _l("到会人数"),
        validators=[
            InputRequired(_l("请填写到会人数")),
            NumberRange(0, 10_000, _l("请填写到会人数")),
        ],
        description=_l("实际到会并领取选票的委员人数。"),
    )


class ReasonForm(CheckedForm):
    reason = TextAreaField(
        _l("作废原因"),
        validators=[InputRequired(_l("请说明作废的原因"))],
        render_kw={"rows": 3, "maxlength": MAX_REASON},
    )


class ResolveForm(CheckedForm):
    reason = TextAreaField(
        _l("决定理由"),
        validators=[InputRequired(_l("请说明决定的理由"))],
        render_kw={"rows": 3, "maxlength": MAX_REASON},
    )


def posted_choices(form: Mapping[str, str], nomination_ids: Sequence[int]) -> dict[int, str]:
    """Nomination id → 赞成 / 反对 / 弃权 from the fields ``c<id>`` (anything else dropped)."""
    found = {}
    for nid in nomination_ids:
        value = form.get(f"c{nid}")
        if value in CHOICES:
            found[nid] = value
    return found


def posted_counts(
    form: Mapping[str, str], nomination_ids: Sequence[int]
) -> tuple[dict[int, tuple[int, int, int]], list[int]]:
    """A teller's counts from ``yes<id>`` / ``no<id>`` / ``abstain<id>``; second, the ids whose
    line is missing or not whole numbers (the service names them)."""
    counts: dict[int, tuple[int, int, int]] = {}
    bad: list[int] = []
    for nid in nomination_ids:
        try:
            line = tuple(db_int(form.get(f"{choice}{nid}", "")) for choice in CHOICES)
        except ValueError:
            bad.append(nid)
            continue
        counts[nid] = (line[0], line[1], line[2])
    return counts, bad
