"""Forms of the organizer's 会员评家 pages. They check shapes (a number, a length); the rules
(SURVEY_MIN_ANSWERS to 5,000 codes, 1–20 questions of ≤ 200 characters, a minimum of 0–100%) live in
``contest.services.labor.surveys``, whose refusals the views put on the named field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DecimalField, IntegerField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional

from contest.services.labor.surveys import DEFAULT_MIN_RESPONSE_RATE, MAX_CODES
from contest.ui.forms import CheckedForm

CODES_MESSAGE = _l("调查码数量应为 1 到 5000 之间的整数")
RATE_MESSAGE = _l("最低回收率应为 0 到 100 之间的数")


def question_lines(text: str | None) -> list[str]:
    """The questions typed one per line (blank lines dropped by the service)."""
    return (text or "").splitlines()


class _QuestionsForm(CheckedForm):
    questions = TextAreaField(
        _l("调查问题"),
        validators=[DataRequired(_l("请至少填写一个问题"))],
        description=_l(
            "每行一个问题，最多 20 个，每个不超过 200 字；每题的选项都是：满意、基本满意、不满意。"
        ),
        render_kw={"rows": 10},
    )
    min_response_rate = DecimalField(
        _l("最低回收率（%）"),
        places=None,
        default=DEFAULT_MIN_RESPONSE_RATE,
        validators=[InputRequired(RATE_MESSAGE), NumberRange(0, 100, RATE_MESSAGE)],
        description=_l("作答人数占发放调查码数量的比例低于此值时，满意率不计入评级。"),
    )


class OpenSurveyForm(_QuestionsForm):
    codes = IntegerField(
        _l("发放调查码数量"),
        validators=[Optional(), NumberRange(1, MAX_CODES, CODES_MESSAGE)],
        description=_l("每位会员一张纸条；不填则按该工会登记的会员人数发放，最多 5000 张。"),
    )


class EditSurveyForm(_QuestionsForm):
    """The questions and the minimum, changeable until the first member answers."""


class AddCodesForm(CheckedForm):
    count = IntegerField(
        _l("增发数量"),
        validators=[InputRequired(CODES_MESSAGE), NumberRange(1, MAX_CODES, CODES_MESSAGE)],
        description=_l("新入会的会员或遗失的纸条；增发后回收率按新的发放总数计算。"),
    )
