"""会员评家: anonymous member surveys of a rated union, answered with one-time codes.

DOMAIN §2 rule 17 and seed 001: a 六好 基层工会 needs 会员对工会组织的满意率达 90% 以上. The
organizer of a rating opens a survey for a rated union (a participant of a rating), prints one
slip per member (``survey_slips``), and members answer on their phones at ``/s/<code>``.

Anonymity is built into the schema, not promised by the code: a code (:class:`SurveyCode`)
records only that it was used — no member, no time — and an answer only adds one to a counter
(:class:`SurveyTally`: survey, question, choice, count). There is no answer row, so nothing can
join a member, a code and what was answered; the tests read the metadata to prove it. Slips are
handed out at random and no page lists which codes were used. Counters read between two answers
would still show what the second person answered, so while a survey is open its organizer sees
only how many have answered; the answers per question and 满意率 appear once it is closed.

**What the logs and the database keep.** The code travels in the answer page's address
(``/s/<code>``), which access logs write beside the client's address: the logs mask it
(``contest.security.log_masking``). On PostgreSQL every row version also records the
transaction that wrote it (the hidden ``xmin`` column): the UPDATE that marks a code used and
the UPDATEs that add one to its counters are one transaction, so someone reading the tables
directly — before a later answer writes the same counter rows again, or from old row versions
until VACUUM removes them — could pair a code with the choices counted with it. SQLite keeps
nothing of the kind. Database administrators are trusted with that, as they are trusted with
the backups and the key of the encrypted personal numbers; no page, export or API shows it.
Batching answers — queueing them and adding them to the counters later, many at a time, in
another transaction — would cut the link, but the queue would be the very answer row this
design does without (code or not, a row per member's answers), answers could be lost or
counted after the survey closed, and the phone could no longer be told that its answer
counted; so it is not done.

Codes are :data:`CODE_LENGTH` characters of :data:`CODE_ALPHABET` (no 0/O/1/I, which people
misread on paper), drawn with :mod:`secrets`: 32¹⁰ ≈ 10¹⁵ codes, so guessing one of even
5,000 live codes takes ~2·10¹¹ tries, and the code box refuses an address after
``SURVEY_CODE_MAX_FAILURES`` unknown codes in ``SURVEY_CODE_LOCKOUT_MINUTES`` (the sign-in's
failure count, ``contest.services.core.login_limits``).

Formulas (also shown on the results page):

- 回收率 (response rate) = answered codes / issued codes × 100.
- 满意率 = (满意 + 基本满意) / all answers × 100, over every question of every response; per
  question the same over that question's answers.
- The satisfaction figure counts only when the survey is closed and the response rate reached
  the survey's minimum (``min_response_rate``, 60% by default), compared exactly
  (answered × 100 ≥ minimum × issued), not on the rounded rate.

**Too few answers.** A survey answered by one member shows that member's choices, whatever
the counters promise; a minimum response rate does not help (a survey of one code answered
once has a 100% rate). So no count per question, no rate and no 满意率 is shown or used
until at least ``SURVEY_MIN_ANSWERS`` members have answered (:func:`min_answers`: default 5,
never below 3 whatever the setting says) — the page says 「作答人数不足 5 人，为保护匿名不显示
结果」 and the rating's 满意率 item gets no figure — and a survey cannot be opened with fewer
codes than that.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import delete, func, insert, select, update

from contest.extensions import db
from contest.models import (
    AuditEntry,
    Competition,
    Participant,
    Survey,
    SurveyCode,
    SurveyTally,
    User,
)
from contest.models.base import local_time, utcnow
from contest.services.assessment.items import format_points
from contest.services.core import audit
from contest.services.core.login_limits import FailureCount, address_key
from contest.services.labor.base import LaborError
from contest.services.labor.rates import RateFigure, percent
from contest.validation import text_problem

__all__ = [
    "CHOICES",
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "MAX_CODES",
    "AnswerRefused",
    "QuestionResult",
    "SurveyError",
    "SurveyResults",
    "add_codes",
    "close_survey",
    "default_questions",
    "find_open",
    "format_code",
    "format_refusal",
    "min_answers",
    "normalise_code",
    "open_survey",
    "questions_version",
    "record_slips",
    "results",
    "satisfaction_rate",
    "slip_downloads",
    "submit",
    "survey_of",
    "too_few_answers",
    "update_survey",
]

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 10
MAX_CODES = 5000
MAX_QUESTIONS = 20
QUESTION_MAX = 200
DEFAULT_MIN_RESPONSE_RATE = Decimal(60)
# No count, rate or 满意率 is shown or used below this many answers (SURVEY_MIN_ANSWERS, never
# below the floor): with one or two answers the counters are those members' own choices.
DEFAULT_MIN_ANSWERS = 5
MIN_ANSWERS_FLOOR = 3
# DOMAIN §2 rule 17 (seed 001: 会员对工会组织的满意率达 90% 以上): shown beside the figure.
TARGET_SATISFACTION = Decimal(90)
SATISFIED, BASIC, UNSATISFIED = "satisfied", "basic", "unsatisfied"
CHOICES = (SATISFIED, BASIC, UNSATISFIED)
CHOICE_LABELS: dict[str, LazyString] = {
    SATISFIED: _l("满意"),
    BASIC: _l("基本满意"),
    UNSATISFIED: _l("不满意"),
}
# The failure count of the code box (per client address), in the sign-in's store.
FAILURE_NAMESPACE = "survey-code-failures"
SLIPS_ACTION = "survey.slips"
DEFAULT_MAX_FAILURES = 10
DEFAULT_LOCKOUT_MINUTES = 15
_SEPARATORS = re.compile(r"[\s\-_.·—–]+")


class SurveyError(LaborError):
    """A refused change, ``message`` in Chinese; ``field`` the form field it belongs to."""


class AnswerRefused(SurveyError):
    """A code or an answer the phone page refuses; ``reason`` says which, for the page:
    ``format``, ``unknown``, ``used``, ``closed``, ``locked``, ``incomplete`` or ``changed``."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def default_questions() -> list[str]:
    """The 会员评家 questions a 基层工会 is asked, after the 六好 of seed 001 and the 职工之家
    work they name; the organizer edits the list before opening."""
    return [
        _("您对本单位工会的组织建设（有牌子、有印章、有人员、有经费、有场地）满意吗？"),
        _("您对工会维护职工合法权益（职代会、厂务公开、集体合同）的工作满意吗？"),
        _("您对工会组织的劳动竞赛、技术比武和“安康杯”等活动满意吗？"),
        _("您对工会组织的文体活动和“职工之家”建设满意吗？"),
        _("您对工会帮扶困难职工、送温暖、为职工办实事的工作满意吗？"),
        _("您对工会经费的使用和公开情况满意吗？"),
        _("您对工会干部的工作作风和服务态度满意吗？"),
        _("总的来说，您对本单位工会的工作满意吗？"),
    ]


# ------------------------------------------------------------------ codes


def format_code(code: str) -> str:
    """``ABCDEFGHJK`` → ``ABCDE-FGHJK``: the printed form, easier to read out and type."""
    half = CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


def normalise_code(raw: object) -> str | None:
    """A typed code as stored, or None when it cannot be one: full-width characters (a
    Chinese keyboard) read as ASCII, lower case as upper, spaces and dashes dropped."""
    if not isinstance(raw, str):
        return None
    value = _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw)).upper()
    if len(value) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in value):
        return None
    return value


def min_answers() -> int:
    """How many members must have answered before any figure of a survey is shown or used:
    the ``SURVEY_MIN_ANSWERS`` setting (default :data:`DEFAULT_MIN_ANSWERS`), never below
    :data:`MIN_ANSWERS_FLOOR` whatever it says."""
    raw = current_app.config.get("SURVEY_MIN_ANSWERS", DEFAULT_MIN_ANSWERS)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = DEFAULT_MIN_ANSWERS
    return max(value, MIN_ANSWERS_FLOOR)


def too_few_answers(least: int) -> str:
    """The reason shown instead of the results of a survey answered by fewer than ``least``."""
    return _("作答人数不足 %(n)d 人，为保护匿名不显示结果", n=least)


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _fresh_codes(count: int) -> list[str]:
    """``count`` new codes, none already stored (codes are unique across every survey)."""
    codes: set[str] = set()
    while len(codes) < count:
        wanted = {_new_code() for _ in range(count - len(codes))}
        taken: set[str] = set()
        pending = sorted(wanted)
        for start in range(0, len(pending), 500):
            chunk = pending[start : start + 500]
            taken |= set(
                db.session.scalars(select(SurveyCode.code).where(SurveyCode.code.in_(chunk)))
            )
        codes |= wanted - taken
    return sorted(codes)[:count]


def _issue(survey: Survey, count: int) -> None:
    rows = [{"survey_id": survey.id, "code": code, "used": False} for code in _fresh_codes(count)]
    db.session.execute(insert(SurveyCode), rows)


# ------------------------------------------------------------------ reading


def survey_of(participant: Participant) -> Survey | None:
    return db.session.scalar(
        select(Survey).where(
            Survey.competition_id == participant.competition_id,
            Survey.participant_id == participant.id,
        )
    )


def is_open(survey: Survey) -> bool:
    return survey.opened_at is not None and survey.closed_at is None


def issued(survey: Survey) -> int:
    return int(
        db.session.scalar(
            select(func.count(SurveyCode.id)).where(SurveyCode.survey_id == survey.id)
        )
        or 0
    )


def answered(survey: Survey) -> int:
    return int(
        db.session.scalar(
            select(func.count(SurveyCode.id)).where(
                SurveyCode.survey_id == survey.id, SurveyCode.used.is_(True)
            )
        )
        or 0
    )


def all_codes(survey: Survey) -> list[str]:
    """Every code of the survey, in a fixed order that says nothing about use (for the slips)."""
    return list(
        db.session.scalars(
            select(SurveyCode.code).where(SurveyCode.survey_id == survey.id).order_by(SurveyCode.id)
        )
    )


def questions_version(questions: Sequence[str]) -> str:
    """A short digest of the question list: a phone page answering an older list is refused
    instead of counting its answers under other questions."""
    raw = json.dumps(list(questions), ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:12]


# ------------------------------------------------------------------ checks of typed values


def check_questions(raw: Sequence[str]) -> list[str]:
    """1–20 distinct questions of at most 200 characters each, blank lines dropped."""
    questions = [q.strip() for q in raw if q and q.strip()]
    if not questions:
        raise SurveyError(_("请至少填写一个问题"), "questions")
    if len(questions) > MAX_QUESTIONS:
        raise SurveyError(_("问题最多 %(n)d 个", n=MAX_QUESTIONS), "questions")
    for number, question in enumerate(questions, start=1):
        if len(question) > QUESTION_MAX:
            raise SurveyError(
                _("第 %(n)d 个问题超过 %(max)d 个字", n=number, max=QUESTION_MAX), "questions"
            )
        problem = text_problem(question)
        if problem:
            raise SurveyError(
                _("第 %(n)d 个问题：%(problem)s", n=number, problem=problem), "questions"
            )
    if len(set(questions)) != len(questions):
        raise SurveyError(_("问题有重复，请删去重复的一个"), "questions")
    return questions


def check_min_rate(value: object) -> Decimal:
    """A minimum response rate of 0–100 percent (2 decimals)."""
    try:
        rate = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise SurveyError(_("最低回收率应为 0 到 100 之间的数"), "min_response_rate") from None
    if not rate.is_finite() or rate < 0 or rate > 100 or rate != rate.quantize(Decimal("0.01")):
        raise SurveyError(_("最低回收率应为 0 到 100 之间的数"), "min_response_rate")
    return rate


def check_code_count(value: int | None, participant: Participant) -> int:
    """How many codes to issue: the typed number, else the union's 会员人数; at least
    :func:`min_answers` (fewer could never show a result without exposing someone), at most
    5,000."""
    least = min_answers()
    if value is None:
        org = participant.organization
        value = org.member_count if org is not None else None
        if not value:
            raise SurveyError(_("该工会未登记会员人数，请填写要发放的调查码数量"), "codes")
        if value < least:
            raise SurveyError(
                _(
                    "该工会会员人数不足 %(n)d 人，调查结果无法保护作答者匿名，不能开展会员评家调查",
                    n=least,
                ),
                "codes",
            )
    if value < least or value > MAX_CODES:
        raise SurveyError(
            _(
                "调查码数量应为 %(min)d 到 %(max)d 之间的整数（少于 %(min)d 人作答无法保护匿名）",
                min=least,
                max=MAX_CODES,
            ),
            "codes",
        )
    return value


# ------------------------------------------------------------------ the organizer's writes


def _locked(survey: Survey) -> Survey:
    """The survey row re-read and locked until the commit (answers take a shared lock)."""
    found = db.session.scalar(
        select(Survey)
        .where(Survey.id == survey.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert isinstance(found, Survey)
    return found


def _set_tallies(survey: Survey) -> None:
    db.session.execute(delete(SurveyTally).where(SurveyTally.survey_id == survey.id))
    db.session.execute(
        insert(SurveyTally),
        [
            {"survey_id": survey.id, "question": index, "choice": choice, "count": 0}
            for index in range(len(survey.questions))
            for choice in CHOICES
        ],
    )


def open_survey(
    actor: User,
    participant: Participant,
    *,
    codes: int | None = None,
    questions: Sequence[str] | None = None,
    min_response_rate: object = DEFAULT_MIN_RESPONSE_RATE,
) -> Survey:
    """Open the 会员评家 survey of a rated union with ``codes`` one-time codes (default: its
    会员人数), ``questions`` (default: :func:`default_questions`) and a minimum response rate.

    One survey per rated union and rating; only a rating (``Competition.is_rating``) has one.
    """
    competition: Competition = participant.competition
    if not competition.is_rating:
        raise SurveyError(_("只有工会评级才开展会员评家调查"))
    if participant.withdrawn_at is not None:
        raise SurveyError(_("该工会已退出评级，不能开展调查"))
    if survey_of(participant) is not None:
        raise SurveyError(_("该工会的会员评家调查已经开展过了"))
    count = check_code_count(codes, participant)
    texts = check_questions(default_questions() if questions is None else questions)
    rate = check_min_rate(min_response_rate)
    survey = Survey(
        competition_id=competition.id,
        participant_id=participant.id,
        questions=texts,
        min_response_rate=rate,
        opened_at=utcnow(),
    )
    db.session.add(survey)
    db.session.flush()
    _set_tallies(survey)
    _issue(survey, count)
    audit.record(
        actor,
        "survey.open",
        "competition",
        competition.id,
        after={
            "union": participant.name,
            "survey_codes": count,
            "survey_questions": texts,
            "min_response_rate": str(rate),
        },
    )
    return survey


def update_survey(
    actor: User, survey: Survey, *, questions: Sequence[str], min_response_rate: object
) -> Survey:
    """Change the questions and the minimum response rate, only before the first answer
    (answers are counted per question, and a minimum changed after the fact would choose
    the result)."""
    survey = _locked(survey)
    if not is_open(survey):
        raise SurveyError(_("调查已结束，不能再修改"))
    if answered(survey):
        raise SurveyError(_("已有会员作答，问题和最低回收率不能再修改"))
    texts = check_questions(questions)
    rate = check_min_rate(min_response_rate)
    before = {
        "union": survey.participant.name,
        "survey_questions": list(survey.questions),
        "min_response_rate": str(survey.min_response_rate),
    }
    survey.questions = texts
    survey.min_response_rate = rate
    db.session.flush()
    _set_tallies(survey)
    audit.record(
        actor,
        "survey.update",
        "competition",
        survey.competition_id,
        before=before,
        after={
            "union": survey.participant.name,
            "survey_questions": texts,
            "min_response_rate": str(rate),
        },
    )
    return survey


def add_codes(actor: User, survey: Survey, count: int) -> int:
    """Issue ``count`` more codes (new members, lost slips), up to 5,000 in all."""
    survey = _locked(survey)
    if not is_open(survey):
        raise SurveyError(_("调查已结束，不能再增发调查码"))
    have = issued(survey)
    if count < 1 or have + count > MAX_CODES:
        raise SurveyError(
            _(
                "增发数量应为 1 到 %(n)d 之间的整数（每次调查最多 %(max)d 个调查码）",
                n=max(MAX_CODES - have, 1),
                max=MAX_CODES,
            ),
            "count",
        )
    _issue(survey, count)
    audit.record(
        actor,
        "survey.codes",
        "competition",
        survey.competition_id,
        before={"union": survey.participant.name, "survey_codes": have},
        after={"union": survey.participant.name, "survey_codes": have + count},
    )
    return have + count


def record_slips(actor: User, survey: Survey, part: int, slips: int) -> None:
    """Record a download of the survey's slips (file ``part`` holding ``slips`` slips).

    Slips can be downloaded again at any time, also once members have answered: a lost file,
    a printer jam or a workshop that was missed are ordinary, and only the unused codes of a
    reprint can still be answered. What is not ordinary — printing the codes again to answer
    them oneself — shows here instead: each download is an audit entry with the number of
    answers at that moment, and the survey page says how often each file was printed
    (:func:`slip_downloads`)."""
    audit.record(
        actor,
        SLIPS_ACTION,
        "competition",
        survey.competition_id,
        after={
            "union": survey.participant.name,
            "survey_id": survey.id,
            "survey_slips_file": part,
            "survey_slips": slips,
            "survey_answered": answered(survey),
        },
    )


def slip_downloads(survey: Survey) -> dict[int, int]:
    """How many times each file of the survey's slips was downloaded (file number → count),
    read from the audit trail (:func:`record_slips`)."""
    counts: dict[int, int] = {}
    for raw in db.session.scalars(
        select(AuditEntry.after).where(
            AuditEntry.action == SLIPS_ACTION,
            AuditEntry.target_type == "competition",
            AuditEntry.target_id == str(survey.competition_id),
        )
    ):
        data = json.loads(raw) if raw else {}
        if isinstance(data, dict) and data.get("survey_id") == survey.id:
            part = int(data.get("survey_slips_file") or 1)
            counts[part] = counts.get(part, 0) + 1
    return counts


def close_survey(actor: User, survey: Survey) -> Survey:
    """End the survey: no more answers; the results and the satisfaction figure are final."""
    survey = _locked(survey)
    if survey.closed_at is not None:
        raise SurveyError(_("调查已经结束了"))
    survey.closed_at = utcnow()
    audit.record(
        actor,
        "survey.close",
        "competition",
        survey.competition_id,
        after={
            "union": survey.participant.name,
            "survey_codes": issued(survey),
            "survey_answered": answered(survey),
        },
    )
    return survey


# ------------------------------------------------------------------ answering (public)


def _failures(address: str | None) -> FailureCount:
    config = current_app.config
    return FailureCount(
        FAILURE_NAMESPACE,
        address_key(address, FAILURE_NAMESPACE),
        int(config.get("SURVEY_CODE_MAX_FAILURES", DEFAULT_MAX_FAILURES)),
        int(config.get("SURVEY_CODE_LOCKOUT_MINUTES", DEFAULT_LOCKOUT_MINUTES)),
    )


def _locked_out() -> AnswerRefused:
    minutes = int(current_app.config.get("SURVEY_CODE_LOCKOUT_MINUTES", DEFAULT_LOCKOUT_MINUTES))
    return AnswerRefused(
        "locked",
        _("输错调查码的次数太多，请 %(n)d 分钟后再试，或向工会核对纸条上的调查码。", n=minutes),
    )


def format_refusal() -> AnswerRefused:
    """The refusal of typed text that cannot be a code (too short, a 0 or an O…)."""
    return AnswerRefused(
        "format",
        _(
            "调查码是 %(n)d 位，由数字 2–9 和大写字母组成（没有 0、1、I、O），请对照纸条重新输入。",
            n=CODE_LENGTH,
        ),
    )


def _find(raw_code: object, address: str | None) -> tuple[str, SurveyCode]:
    failures = _failures(address)
    if failures.is_locked():
        raise _locked_out()
    code = normalise_code(raw_code)
    if code is None:
        raise format_refusal()  # a shape that can never match: not counted as a guess
    row = db.session.scalar(select(SurveyCode).where(SurveyCode.code == code))
    if row is None:
        if failures.fail():
            raise _locked_out()
        raise AnswerRefused("unknown", _("没有找到这个调查码，请对照纸条逐位核对后重新输入。"))
    return code, row


def _refuse_used() -> AnswerRefused:
    return AnswerRefused(
        "used",
        _("这个调查码已经提交过了，每个调查码只能用一次。感谢您的参与！"),
    )


def _refuse_closed() -> AnswerRefused:
    return AnswerRefused("closed", _("本次调查已经结束，不再接受作答。感谢您的关注！"))


def find_open(raw_code: object, address: str | None) -> tuple[str, Survey]:
    """The stored code and its survey, for the answer page; AnswerRefused for a code that is
    malformed, unknown (counted against ``address``), used, or of a closed survey."""
    code, row = _find(raw_code, address)
    survey = db.session.get(Survey, row.survey_id)
    assert survey is not None
    if not is_open(survey):
        raise _refuse_closed()
    if row.used:
        raise _refuse_used()
    return code, survey


def _checked_answers(survey: Survey, answers: Mapping[int, str]) -> dict[int, str]:
    missing = [
        str(index + 1)
        for index in range(len(survey.questions))
        if answers.get(index) not in CHOICES
    ]
    if missing:
        raise AnswerRefused(
            "incomplete",
            _("还有第 %(numbers)s 题没有选择，请每题选一项后再提交。", numbers="、".join(missing)),
        )
    return {index: answers[index] for index in range(len(survey.questions))}


def submit(raw_code: object, answers: Mapping[int, str], version: str, address: str | None) -> None:
    """Count one member's answers (question index → choice) and use up the code, in the
    caller's one transaction: the caller commits, or rolls back on AnswerRefused.

    The code is claimed by a conditional UPDATE (``used`` false → true), so of two submits of
    one code, however close, exactly one changes the row and the other is refused; the survey
    row is share-locked so that a close waits for answers in flight and none lands after it.
    Nothing about the member, the time or the code is written beside the counters.
    """
    _code, row = _find(raw_code, address)
    survey = db.session.scalar(
        select(Survey)
        .where(Survey.id == row.survey_id)
        .with_for_update(read=True)
        .execution_options(populate_existing=True)
    )
    assert survey is not None
    if not is_open(survey):
        raise _refuse_closed()
    if version != questions_version(survey.questions):
        raise AnswerRefused("changed", _("问卷内容刚刚有了更新，请重新打开调查页面作答。"))
    chosen = _checked_answers(survey, answers)
    claimed = db.session.execute(
        update(SurveyCode)
        .where(SurveyCode.id == row.id, SurveyCode.used.is_(False))
        .values(used=True)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise _refuse_used()
    for index, choice in sorted(chosen.items()):
        counted = db.session.execute(
            update(SurveyTally)
            .where(
                SurveyTally.survey_id == survey.id,
                SurveyTally.question == index,
                SurveyTally.choice == choice,
            )
            .values(count=SurveyTally.count + 1)
            .execution_options(synchronize_session=False)
        )
        if counted.rowcount != 1:  # type: ignore[attr-defined]
            raise SurveyError(_("调查数据不完整，请联系工会。"))


# ------------------------------------------------------------------ results


@dataclass(frozen=True)
class QuestionResult:
    number: int
    text: str
    satisfied: int
    basic: int
    unsatisfied: int

    @property
    def answers(self) -> int:
        return self.satisfied + self.basic + self.unsatisfied

    @property
    def rate(self) -> Decimal | None:
        """(满意 + 基本满意) / answers × 100, None without answers."""
        return percent(self.satisfied + self.basic, self.answers) if self.answers else None


@dataclass(frozen=True)
class SurveyResults:
    """A survey's figures. ``questions`` holds the counts only when they may be shown (closed,
    and at least ``min_answers`` answered), else nothing: no caller can use them by mistake."""

    issued: int
    answered: int
    min_response_rate: Decimal
    is_closed: bool
    questions: list[QuestionResult]
    satisfaction: RateFigure
    min_answers: int = DEFAULT_MIN_ANSWERS

    @property
    def shown(self) -> bool:
        """Whether the per-question counts and rates may be shown."""
        return self.is_closed and self.answered >= self.min_answers

    @property
    def hidden_reason(self) -> str:
        return too_few_answers(self.min_answers)

    @property
    def response_rate(self) -> Decimal | None:
        """回收率 = answered / issued × 100."""
        return percent(self.answered, self.issued) if self.issued else None

    @property
    def reached(self) -> bool:
        """Whether the minimum response rate is reached, compared exactly."""
        return self.issued > 0 and self.answered * 100 >= self.min_response_rate * self.issued

    @property
    def totals(self) -> QuestionResult:
        return _totals(self.questions)


def _totals(questions: Sequence[QuestionResult]) -> QuestionResult:
    """Every answer of every question added up (number 0, no text)."""
    return QuestionResult(
        0,
        "",
        sum(q.satisfied for q in questions),
        sum(q.basic for q in questions),
        sum(q.unsatisfied for q in questions),
    )


def _question_results(survey: Survey) -> list[QuestionResult]:
    counts = {
        (question, choice): count
        for question, choice, count in db.session.execute(
            select(SurveyTally.question, SurveyTally.choice, SurveyTally.count).where(
                SurveyTally.survey_id == survey.id
            )
        )
    }
    return [
        QuestionResult(
            index + 1,
            text,
            counts.get((index, SATISFIED), 0),
            counts.get((index, BASIC), 0),
            counts.get((index, UNSATISFIED), 0),
        )
        for index, text in enumerate(survey.questions)
    ]


def _figure(
    survey: Survey, issued_: int, answered_: int, least: int, totals: QuestionResult | None
) -> RateFigure:
    closed_on = local_time(survey.closed_at).date() if survey.closed_at else None
    if survey.closed_at is None:
        return RateFigure(None, _("调查尚未结束，满意率在结束后计入"))
    if not answered_:
        return RateFigure(None, _("没有会员作答，无法计算满意率"), closed_on)
    if answered_ < least or totals is None:
        return RateFigure(None, too_few_answers(least), closed_on)
    if not totals.answers:
        return RateFigure(None, _("没有会员作答，无法计算满意率"), closed_on)
    if answered_ * 100 < survey.min_response_rate * issued_:
        return RateFigure(
            None,
            _(
                "回收率 %(rate)s%% 低于最低回收率 %(min)s%%，满意率不计入",
                rate=percent(answered_, issued_),
                min=format_points(survey.min_response_rate),
            ),
            closed_on,
        )
    return RateFigure(percent(totals.satisfied + totals.basic, totals.answers), None, closed_on)


def results(survey: Survey) -> SurveyResults:
    """The survey's figures. The counters are read only once the survey is closed with at
    least :func:`min_answers` answers (see the module docstring); before that only the counts
    of codes issued and used are known here."""
    issued_, answered_ = issued(survey), answered(survey)
    least = min_answers()
    closed = survey.closed_at is not None
    questions = _question_results(survey) if closed and answered_ >= least else []
    figure = _figure(survey, issued_, answered_, least, _totals(questions) if questions else None)
    return SurveyResults(
        issued_, answered_, survey.min_response_rate, closed, questions, figure, least
    )


def satisfaction_rate(survey: Survey) -> RateFigure:
    """满意率 = (满意 + 基本满意) / all answers × 100 (2 decimals), counted on the day the survey
    closed; None with a reason while it is open, without answers, with fewer answers than
    :func:`min_answers`, or when the response rate is below the survey's minimum (DOMAIN §2
    rule 17: the standard asks for ≥ 90%)."""
    return results(survey).satisfaction
