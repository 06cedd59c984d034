"""会员评家 surveys and 入会率 of union ratings (issue 12 item 8; DOMAIN §2 rule 17).

The survey's promise is anonymity: the schema itself has no place to join a member, a code and
an answer (read from the SQLAlchemy metadata below), a code can be used once even by two phones
at the same moment, and the satisfaction figure counts only at the minimum response rate.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import re
import struct
import threading
import zlib
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import DateTime, Time, func, select

from contest.extensions import db as _db
from contest.models import (
    AuditEntry,
    CompetitionKind,
    OrgKind,
    Participant,
    Survey,
    SurveyCode,
    SurveyTally,
)
from contest.models.base import local_time
from contest.services.labor import survey_slips, surveys
from contest.services.labor.membership import membership_rate, participant_membership_rate
from contest.services.labor.rates import percent
from contest.services.labor.surveys import (
    BASIC,
    CODE_ALPHABET,
    CODE_LENGTH,
    SATISFIED,
    UNSATISFIED,
    AnswerRefused,
    SurveyError,
)
from tests.contest.labor_survey_support import build_rating

ADDRESS = "198.51.100.7"


@pytest.fixture
def rating(db: Any, make_org: Callable[..., Any], make_user: Callable[..., Any]) -> Any:
    """The rating, its union of 120 employees and 100 members counted on 2026-03-31."""
    return build_rating(
        make_org,
        lambda host: make_user("organizer", organization=host),
        headcount=120,
        member_count=100,
        counted_on=date(2026, 3, 31),
    )


@pytest.fixture
def rating_on() -> Callable[..., Any]:
    """The same rating with 5 members, built inside an app of the test's own (``make_app``)."""
    from contest.models import Role
    from contest.services.core.orgs import add_organization
    from contest.services.core.users import create_user

    def _make() -> Any:
        return build_rating(
            lambda **kw: add_organization(None, **kw),
            lambda host: create_user(None, "zuzhi", "correct-horse-9", Role.ORGANIZER, host),
            member_count=5,
            counted_on=date(2026, 3, 31),
        )

    return _make


def _open(db: Any, r: Any, **kwargs: Any) -> Survey:
    survey = surveys.open_survey(r.organizer, r.participant, **kwargs)
    db.session.commit()
    return survey


def _codes(survey: Survey) -> list[str]:
    return surveys.all_codes(survey)


def _answer(survey: Survey, code: str, *choices: str) -> None:
    answers = dict(enumerate(choices))
    surveys.submit(code, answers, surveys.questions_version(survey.questions), ADDRESS)
    _db.session.commit()


def _all(survey: Survey, choice: str) -> list[str]:
    return [choice] * len(survey.questions)


def _tallies(survey: Survey) -> dict[tuple[int, str], int]:
    """The survey's counters that are not zero, read from the table."""
    rows = _db.session.execute(
        select(SurveyTally.question, SurveyTally.choice, SurveyTally.count).where(
            SurveyTally.survey_id == survey.id, SurveyTally.count > 0
        )
    )
    return {(question, choice): count for question, choice, count in rows}


# ------------------------------------------------------------------ 入会率


def test_membership_rate_is_members_over_headcount_with_two_decimals_and_the_day(
    rating: Any,
) -> None:
    figure = participant_membership_rate(rating.participant)
    assert figure.value == Decimal("83.33") and figure.reason is None
    assert figure.counted_on == date(2026, 3, 31)


@pytest.mark.parametrize(
    ("headcount", "members", "value", "reason"),
    [
        (200, 190, Decimal("95.00"), None),
        (3, 2, Decimal("66.67"), None),  # half up at the second decimal
        (8, 8, Decimal("100.00"), None),
        (7, 0, Decimal("0.00"), None),  # no members is a figure, not a missing one
        (None, 10, None, "未填写职工人数"),
        (10, None, None, "未填写会员人数"),
        (None, None, None, "未填写职工人数和会员人数"),
        (0, 0, None, "职工人数为 0"),
        (10, 11, None, "会员人数（11）多于职工人数（10）"),
        (-1, 0, None, "为负数"),
    ],
)
def test_membership_rate_edges(
    db: Any,
    make_org: Callable[..., Any],
    headcount: int | None,
    members: int | None,
    value: Decimal | None,
    reason: str | None,
) -> None:
    org = make_org(name="某厂工会", kind=OrgKind.GRASSROOTS)
    org.headcount, org.member_count = headcount, members
    figure = membership_rate(org)
    assert figure.value == value
    if reason is None:
        assert figure.reason is None
    else:
        assert figure.reason is not None and reason in figure.reason and "某厂工会" in figure.reason


def test_membership_rate_without_an_organisation_says_so(db: Any) -> None:
    figure = membership_rate(None)
    assert figure.value is None and figure.reason == "未关联组织，无法计算入会率"


# ------------------------------------------------------------------ opening and codes


def test_codes_are_unique_typeable_and_drawn_from_an_alphabet_without_look_alikes(
    db: Any, rating: Any
) -> None:
    survey = _open(db, rating)
    codes = _codes(survey)
    assert len(codes) == 100  # the union's 会员人数
    assert len(set(codes)) == 100
    assert not set("01IO") & set(CODE_ALPHABET)
    assert all(len(c) == CODE_LENGTH and set(c) <= set(CODE_ALPHABET) for c in codes)
    # Unguessable: ≥ 50 bits per code, and no two surveys' codes follow one from another.
    assert CODE_LENGTH * math.log2(len(CODE_ALPHABET)) >= 50
    assert len({c[:3] for c in codes}) > 60  # not a counter or a shared prefix
    assert surveys.format_code(codes[0]) == f"{codes[0][:5]}-{codes[0][5:]}"


def test_codes_come_from_the_secrets_module(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[str] = []

    def choice(alphabet: str) -> str:
        drawn.append(alphabet)
        return alphabet[0]

    monkeypatch.setattr(surveys.secrets, "choice", choice)
    assert surveys._new_code() == CODE_ALPHABET[0] * CODE_LENGTH
    assert drawn == [CODE_ALPHABET] * CODE_LENGTH


def test_a_typed_code_is_read_as_people_type_it() -> None:
    assert surveys.normalise_code(" abcde-fghjk ") == "ABCDEFGHJK"
    assert surveys.normalise_code("ＡＢＣＤＥ　ＦＧＨＪＫ") == "ABCDEFGHJK"  # a Chinese keyboard
    assert surveys.normalise_code("ABCDE FGHJ") is None
    assert surveys.normalise_code("ABCDE-FGHJO") is None  # O is never in a code
    assert surveys.normalise_code(None) is None


def test_the_number_of_codes_is_checked(db: Any, rating: Any) -> None:
    for wrong in (0, surveys.MAX_CODES + 1):
        with pytest.raises(SurveyError) as refused:
            surveys.open_survey(rating.organizer, rating.participant, codes=wrong)
        assert refused.value.field == "codes" and "5000" in refused.value.message
    rating.unit.member_count = None
    with pytest.raises(SurveyError, match="未登记会员人数"):
        surveys.open_survey(rating.organizer, rating.participant)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Survey.id))) == 0


def test_questions_default_to_the_six_good_list_and_are_checked(db: Any, rating: Any) -> None:
    assert 1 <= len(surveys.default_questions()) <= 20
    for bad, message in (
        ([], "至少填写一个问题"),
        (["  ", ""], "至少填写一个问题"),
        ([f"问题{i}" for i in range(21)], "最多 20 个"),
        (["长" * 201], "超过 200 个字"),
        (["满意吗？", "满意吗？"], "重复"),
        (["满意\x07吗？"], "控制字符"),
    ):
        with pytest.raises(SurveyError, match=message):
            surveys.open_survey(rating.organizer, rating.participant, codes=5, questions=bad)
    with pytest.raises(SurveyError, match="0 到 100"):
        surveys.open_survey(rating.organizer, rating.participant, codes=5, min_response_rate="101")
    survey = _open(db, rating, codes=5, questions=["甲？", " 乙？ ", ""])
    assert survey.questions == ["甲？", "乙？"]
    assert survey.min_response_rate == Decimal(60)
    assert db.session.scalar(select(func.count(SurveyTally.id))) == 2 * 3


def test_only_a_rating_has_surveys_and_one_per_union(db: Any, rating: Any) -> None:
    _open(db, rating, codes=5)
    with pytest.raises(SurveyError, match="已经开展过"):
        surveys.open_survey(rating.organizer, rating.participant, codes=5)
    rating.competition.kind = CompetitionKind.PROJECT
    other = Participant(competition=rating.competition, name="二号标段")
    db.session.add(other)
    db.session.flush()
    with pytest.raises(SurveyError, match="只有工会评级"):
        surveys.open_survey(rating.organizer, other, codes=5)


def test_opening_closing_and_changes_are_audited_but_answers_are_not(db: Any, rating: Any) -> None:
    survey = _open(db, rating, codes=5)
    surveys.update_survey(
        rating.organizer, survey, questions=["甲？"], min_response_rate=Decimal(50)
    )
    surveys.add_codes(rating.organizer, survey, 2)
    db.session.commit()
    before = db.session.scalar(select(func.count(AuditEntry.id)))
    _answer(survey, _codes(survey)[0], SATISFIED)
    assert db.session.scalar(select(func.count(AuditEntry.id))) == before
    surveys.close_survey(rating.organizer, survey)
    db.session.commit()
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert [a for a in actions if a.startswith("survey.")] == [
        "survey.open",
        "survey.update",
        "survey.codes",
        "survey.close",
    ]


def test_questions_and_minimum_are_fixed_once_a_member_has_answered(db: Any, rating: Any) -> None:
    survey = _open(db, rating, codes=5)
    _answer(survey, _codes(survey)[0], *_all(survey, BASIC))
    with pytest.raises(SurveyError, match="已有会员作答"):
        surveys.update_survey(
            rating.organizer, survey, questions=["甲？"], min_response_rate=Decimal(10)
        )


def test_more_codes_can_be_issued_up_to_five_thousand_while_open(db: Any, rating: Any) -> None:
    survey = _open(db, rating, codes=4998)
    assert surveys.add_codes(rating.organizer, survey, 2) == 5000
    with pytest.raises(SurveyError, match="最多 5000"):
        surveys.add_codes(rating.organizer, survey, 1)
    db.session.commit()
    assert len(set(_codes(survey))) == 5000


# ------------------------------------------------------------------ answering


def test_a_code_answers_once_and_adds_one_to_each_chosen_counter(db: Any, rating: Any) -> None:
    survey = _open(db, rating, codes=5, questions=["甲？", "乙？"])
    code = _codes(survey)[0]
    _answer(survey, code, SATISFIED, UNSATISFIED)
    with pytest.raises(AnswerRefused) as refused:
        _answer(survey, code, BASIC, BASIC)
    assert refused.value.reason == "used" and "只能用一次" in refused.value.message
    db.session.rollback()
    found = surveys.results(survey)
    assert found.answered == 1 and found.issued == 5
    assert found.questions == []  # open, and one answer: nothing to read but the counts of codes
    assert _tallies(survey) == {(0, SATISFIED): 1, (1, UNSATISFIED): 1}
    with pytest.raises(AnswerRefused) as again:
        surveys.find_open(surveys.format_code(code).lower(), ADDRESS)
    assert again.value.reason == "used"


def test_an_incomplete_answer_changes_nothing(db: Any, rating: Any) -> None:
    survey = _open(db, rating, codes=5, questions=["甲？", "乙？", "丙？"])
    code = _codes(survey)[0]
    version = surveys.questions_version(survey.questions)
    with pytest.raises(AnswerRefused) as refused:
        surveys.submit(code, {0: SATISFIED, 2: "maybe"}, version, ADDRESS)
    assert refused.value.reason == "incomplete" and "第 2、3 题" in refused.value.message
    db.session.rollback()
    assert surveys.results(survey).answered == 0
    assert db.session.scalar(select(func.sum(SurveyTally.count))) == 0


def test_answers_to_an_older_question_list_are_refused(db: Any, rating: Any) -> None:
    survey = _open(db, rating, codes=5, questions=["甲？"])
    old = surveys.questions_version(survey.questions)
    surveys.update_survey(rating.organizer, survey, questions=["乙？"], min_response_rate=60)
    db.session.commit()
    with pytest.raises(AnswerRefused) as refused:
        surveys.submit(_codes(survey)[0], {0: SATISFIED}, old, ADDRESS)
    assert refused.value.reason == "changed"


def test_a_closed_survey_takes_no_answers(db: Any, rating: Any) -> None:
    survey = _open(db, rating, codes=5)
    surveys.close_survey(rating.organizer, survey)
    db.session.commit()
    with pytest.raises(AnswerRefused) as refused:
        _answer(survey, _codes(survey)[0], *_all(survey, SATISFIED))
    assert refused.value.reason == "closed"
    with pytest.raises(SurveyError, match="已经结束"):
        surveys.close_survey(rating.organizer, survey)


def test_unknown_codes_lock_the_address_out_after_the_limit(
    app: Flask, db: Any, rating: Any
) -> None:
    app.config["SURVEY_CODE_MAX_FAILURES"] = 3
    survey = _open(db, rating, codes=5)
    real = _codes(survey)[0]
    wrong = "".join(CODE_ALPHABET[(CODE_ALPHABET.index(c) + 1) % 32] for c in real)
    reasons = []
    for _ in range(3):
        with pytest.raises(AnswerRefused) as refused:
            surveys.find_open(wrong, ADDRESS)
        reasons.append(refused.value.reason)
    assert reasons == ["unknown", "unknown", "locked"]
    with pytest.raises(AnswerRefused) as locked:
        surveys.find_open(real, ADDRESS)  # even a real code, until the window ends
    assert locked.value.reason == "locked" and "15 分钟" in locked.value.message
    assert surveys.find_open(real, "203.0.113.9")[0] == real  # another address is not locked
    # Malformed text can never match and is not counted.
    for _ in range(5):
        with pytest.raises(AnswerRefused) as malformed:
            surveys.find_open("12345", "203.0.113.9")
        assert malformed.value.reason == "format"
    assert surveys.find_open(real, "203.0.113.9")[0] == real


def test_two_phones_submitting_one_code_at_once_count_once(
    app: Flask, db: Any, rating: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    survey = _open(db, rating, codes=5, questions=["甲？"])
    code, survey_id = _codes(survey)[0], survey.id
    version = surveys.questions_version(survey.questions)
    db.session.remove()

    real = surveys._checked_answers
    checked = threading.Barrier(2)

    def paused(*args: Any, **kwargs: Any) -> Any:
        # Both writers checked the code before either claims it (on SQLite the second waits
        # for the lock instead, and the barrier gives up after a second).
        with contextlib.suppress(threading.BrokenBarrierError):
            checked.wait(timeout=1)
        return real(*args, **kwargs)

    monkeypatch.setattr(surveys, "_checked_answers", paused)
    start = threading.Barrier(2)
    outcomes = [""] * 2

    def work(index: int, choice: str) -> None:
        try:
            start.wait(timeout=10)
            with app.app_context():
                try:
                    surveys.submit(code, {0: choice}, version, ADDRESS)
                    _db.session.commit()
                    outcomes[index] = "ok"
                except AnswerRefused as error:
                    _db.session.rollback()
                    outcomes[index] = error.reason
                finally:
                    _db.session.remove()
        except Exception as error:  # reported through the outcome, never lost in the thread
            outcomes[index] = f"error: {error!r}"

    threads = [
        threading.Thread(target=work, args=(0, SATISFIED)),
        threading.Thread(target=work, args=(1, UNSATISFIED)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["ok", "used"], outcomes
    counts = db.session.scalar(
        select(func.sum(SurveyTally.count)).where(SurveyTally.survey_id == survey_id)
    )
    assert counts == 1
    assert db.session.scalar(select(func.count()).where(SurveyCode.used.is_(True))) == 1


# ------------------------------------------------------------------ results and rates


def _answered(db: Any, r: Any, issued: int, answers: list[list[str]], **kwargs: Any) -> Survey:
    survey = _open(db, r, codes=issued, **kwargs)
    for code, choices in zip(_codes(survey), answers, strict=False):
        _answer(survey, code, *choices)
    return survey


def test_satisfaction_counts_satisfied_and_basic_over_every_answer(db: Any, rating: Any) -> None:
    survey = _answered(
        db,
        rating,
        6,
        [
            [SATISFIED, SATISFIED],
            [BASIC, UNSATISFIED],
            [SATISFIED, BASIC],
            [UNSATISFIED, SATISFIED],
            [BASIC, BASIC],
        ],
        questions=["甲？", "乙？"],
    )
    figure = surveys.satisfaction_rate(survey)
    assert figure.value is None and figure.reason == "调查尚未结束，满意率在结束后计入"
    surveys.close_survey(rating.organizer, survey)
    db.session.commit()
    found = surveys.results(survey)
    assert found.response_rate == Decimal("83.33") and found.reached and found.shown
    assert [q.rate for q in found.questions] == [Decimal("80.00"), Decimal("80.00")]
    totals = found.totals
    assert (totals.satisfied, totals.basic, totals.unsatisfied, totals.answers) == (4, 4, 2, 10)
    figure = surveys.satisfaction_rate(survey)
    assert figure.value == Decimal("80.00") and figure.reason is None
    assert figure.counted_on == local_time(survey.closed_at).date()


@pytest.mark.parametrize(
    ("issued", "answered", "minimum", "counts"),
    [
        (10, 6, "60", True),  # exactly the minimum counts
        (10, 5, "60", False),
        (9, 6, "66.67", False),  # 66.666…% is below 66.67% although it prints as 66.67
        (9, 6, "66.66", True),
        (5, 0, "0", False),  # no answers: no figure even without a minimum
    ],
)
def test_the_figure_counts_only_at_the_minimum_response_rate(
    db: Any, rating: Any, issued: int, answered: int, minimum: str, counts: bool
) -> None:
    survey = _answered(
        db,
        rating,
        issued,
        [[SATISFIED]] * answered,
        questions=["甲？"],
        min_response_rate=Decimal(minimum),
    )
    surveys.close_survey(rating.organizer, survey)
    db.session.commit()
    found = surveys.results(survey)
    assert found.reached is (answered * 100 >= Decimal(minimum) * issued and issued > 0)
    figure = found.satisfaction
    if counts:
        assert figure.value == Decimal("100.00") and figure.reason is None
    elif answered == 0:
        assert figure.value is None and figure.reason == "没有会员作答，无法计算满意率"
    else:
        assert figure.value is None
        rate = percent(answered, issued)
        assert figure.reason == f"回收率 {rate}% 低于最低回收率 {minimum}%，满意率不计入"


@pytest.mark.parametrize(
    ("setting", "least"), [(None, 5), (4, 4), (3, 3), (2, 3), (0, 3), (-1, 3), ("x", 5)]
)
def test_the_minimum_of_answers_is_a_setting_never_below_three(
    app: Flask, setting: Any, least: int
) -> None:
    if setting is None:
        app.config.pop("SURVEY_MIN_ANSWERS", None)
    else:
        app.config["SURVEY_MIN_ANSWERS"] = setting
    with app.app_context():
        assert surveys.min_answers() == least


def test_a_survey_opens_with_no_fewer_codes_than_the_minimum_of_answers(
    app: Flask, db: Any, rating: Any
) -> None:
    with pytest.raises(SurveyError) as refused:
        surveys.open_survey(rating.organizer, rating.participant, codes=4)
    assert refused.value.field == "codes"
    assert refused.value.message.startswith("调查码数量应为 5 到 5000 之间的整数")
    rating.unit.member_count = 4  # the default: one code per member
    with pytest.raises(SurveyError, match="会员人数不足 5 人"):
        surveys.open_survey(rating.organizer, rating.participant)
    app.config["SURVEY_MIN_ANSWERS"] = 1  # the floor holds whatever the setting says
    with pytest.raises(SurveyError, match="3 到 5000"):
        surveys.open_survey(rating.organizer, rating.participant, codes=2)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Survey.id))) == 0
    assert surveys.issued(_open(db, rating, codes=3)) == 3


def test_below_the_minimum_of_answers_no_count_rate_or_figure_is_shown_or_used(
    app: Flask, db: Any, rating: Any
) -> None:
    """Four answers of five codes reach a 0% (or 80%) minimum response rate, yet four
    members' counters are nearly their own choices: nothing is read from them."""
    survey = _answered(
        db, rating, 5, [[UNSATISFIED]] * 4, questions=["甲？"], min_response_rate=Decimal(0)
    )
    surveys.close_survey(rating.organizer, survey)
    db.session.commit()
    found = surveys.results(survey)
    assert found.answered == 4 and found.reached and not found.shown
    assert found.questions == [] and found.totals.answers == 0
    reason = "作答人数不足 5 人，为保护匿名不显示结果"
    assert found.hidden_reason == reason
    figure = surveys.satisfaction_rate(survey)
    assert figure.value is None and figure.reason == reason
    app.config["SURVEY_MIN_ANSWERS"] = 4
    shown = surveys.results(survey)
    assert shown.shown and shown.satisfaction.value == Decimal("0.00")


def test_the_survey_page_hides_the_results_of_too_few_answers(
    client: FlaskClient, db: Any, rating: Any, login_as: Callable[..., Any]
) -> None:
    survey = _answered(db, rating, 5, [[SATISFIED, BASIC]] * 4, questions=["甲？", "乙？"])
    surveys.close_survey(rating.organizer, survey)
    db.session.commit()
    login_as(user=rating.organizer)
    page = client.get(_survey_url(rating)).get_data(as_text=True)
    assert "作答人数不足 5 人，为保护匿名不显示结果" in page
    assert "survey-results" not in page and "100.00%" not in page
    listing = client.get(f"/labor/competitions/{rating.competition.id}/surveys")
    assert "100.00%" not in listing.get_data(as_text=True)


# ------------------------------------------------------------------ anonymity, from the schema


def _referring(table_name: str) -> list[str]:
    return [
        f"{table.name}.{fk.parent.name}"
        for table in _db.metadata.tables.values()
        for fk in table.foreign_keys
        if fk.column.table.name == table_name
    ]


def test_the_schema_has_no_way_to_link_a_member_a_code_and_an_answer() -> None:
    tables = _db.metadata.tables
    codes, tallies = tables["survey_codes"], tables["survey_tallies"]
    # A code knows its survey and whether it was used: no member, no time, no answer.
    assert set(codes.columns.keys()) == {"id", "survey_id", "code", "used"}
    # An answer is a counter per question and choice: no code, no member, no time.
    assert set(tallies.columns.keys()) == {"id", "survey_id", "question", "choice", "count"}
    for table in (codes, tallies):
        assert {fk.column.table.name for fk in table.foreign_keys} == {"surveys"}
        assert not [c for c in table.columns if isinstance(c.type, DateTime | Time)]
    # Nothing anywhere points at a code or a counter, so no other table can hold the link.
    assert _referring("survey_codes") == [] and _referring("survey_tallies") == []
    # No table of answers exists beside the counters.
    survey_tables = {name for name in tables if "survey" in name or "answer" in name}
    assert survey_tables == {"surveys", "survey_codes", "survey_tallies"}
    # The survey itself names the rated union, not a member.
    people = {"people", "users", "competition_members"}
    assert not {fk.column.table.name for fk in tables["surveys"].foreign_keys} & people


# ------------------------------------------------------------------ slips


def _tiff(width: int, height: int, data: bytes, black_is_one: bool) -> bytes:
    """A one-strip CCITT G4 TIFF around an image stream of the PDF, for Pillow to decode."""
    entries = [
        (256, 4, 1, width),
        (257, 4, 1, height),
        (258, 3, 1, 1),
        (259, 3, 1, 4),  # CCITT Group 4
        (262, 3, 1, 1 if black_is_one else 0),  # as fpdf2 writes its G4 streams
        (273, 4, 1, 0),  # strip offset, set below
        (277, 3, 1, 1),
        (278, 4, 1, height),
        (279, 4, 1, len(data)),
    ]
    header = 8
    ifd_size = 2 + 12 * len(entries) + 4
    offset = header + ifd_size
    out = bytearray(b"II*\x00" + struct.pack("<I", header))
    out += struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        if tag == 273:
            value = offset
        packed = struct.pack("<H", value) + b"\0\0" if kind == 3 else struct.pack("<I", value)
        out += struct.pack("<HHI", tag, kind, count) + packed
    out += struct.pack("<I", 0)
    return bytes(out) + data


def _qr_matrices(pdf: bytes) -> list[list[list[bool]]]:
    """The module grid of every QR image in the PDF, read from its CCITT or Flate stream."""
    from PIL import Image

    grids = []
    pattern = re.compile(rb"<<\n(/BitsPerComponent 1\n.*?/Subtype /Image.*?)>>\nstream\n", re.S)
    for match in pattern.finditer(pdf):
        head = match.group(1)
        length = int(re.search(rb"/Length (\d+)", head).group(1))  # type: ignore[union-attr]
        width = int(re.search(rb"/Width (\d+)", head).group(1))  # type: ignore[union-attr]
        height = int(re.search(rb"/Height (\d+)", head).group(1))  # type: ignore[union-attr]
        data = pdf[match.end() : match.end() + length]
        if b"/CCITTFaxDecode" in head:
            black_is_one = b"/BlackIs1 true" in head
            image = Image.open(io.BytesIO(_tiff(width, height, data, black_is_one))).convert("L")
        else:
            raw = zlib.decompress(data)
            image = Image.frombytes("1", (width, height), raw).convert("L")
        grids.append(_modules(image))
    return grids


def _modules(image: Any) -> list[list[bool]]:
    """Sample the centre of every module (8 px each, a 1-module border as qr_png draws)."""
    size = image.size[0] // 8
    return [
        [image.getpixel((x * 8 + 4, y * 8 + 4)) < 128 for x in range(size)] for y in range(size)
    ]


def _expected(target: str) -> list[list[bool]]:
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(
        error_correction=ERROR_CORRECT_M,
        box_size=8,
        border=1,
        mask_pattern=survey_slips.QR_MASK,
    )
    code.add_data(target)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def _decoded(pdf: bytes) -> list[str] | None:
    """The QR codes' texts through a real decoder, when one is installed (none is required)."""
    with contextlib.suppress(ImportError):
        import zxingcpp  # type: ignore[import-not-found]
        from PIL import Image

        texts = []
        for grid in _qr_matrices(pdf):
            size = len(grid)
            image = Image.new("L", (size * 8, size * 8), 255)
            for y, row in enumerate(grid):
                for x, dark in enumerate(row):
                    if dark:
                        image.paste(0, (x * 8, y * 8, x * 8 + 8, y * 8 + 8))
            texts += [found.text for found in zxingcpp.read_barcodes(image)]
        return texts
    return None


def test_slips_put_ten_codes_on_a_page_each_with_its_qr_code_and_address(
    app: Flask, db: Any, rating: Any
) -> None:
    survey = _open(db, rating, codes=23)
    codes = _codes(survey)
    base = "https://honors.example.org/"
    with app.test_request_context():
        pdf = survey_slips.slips_pdf(survey, base_url=base, heading=rating.competition.name)
    assert pdf.startswith(b"%PDF") and b"FontFile2" in pdf
    pages = math.ceil(len(codes) / survey_slips.SLIPS_PER_PAGE)
    assert survey_slips.SLIPS_PER_PAGE >= 8 and pages == 3
    assert re.search(rb"/Count (\d+)", pdf).group(1) == str(pages).encode()  # type: ignore[union-attr]
    # Each slip's QR code is also a link to the code's page: the address as printed.
    links = [u.decode() for u in re.findall(rb"/URI \((https?://[^)]*)\)", pdf)]
    assert sorted(links) == sorted(f"{base}s/{code}" for code in codes)
    # The QR images hold exactly those addresses (a decoder when installed, else the module
    # grid compared with the one qrcode draws for the address).
    decoded = _decoded(pdf)
    if decoded is not None:
        assert decoded == links
    else:
        assert _qr_matrices(pdf) == [_expected(link) for link in links]


def test_slips_print_in_a_random_order_from_the_system_s_source(
    app: Flask, db: Any, rating: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not in the order the codes are stored, and shuffled by secrets.SystemRandom (the
    operating system's randomness), never a seeded generator."""
    survey = _open(db, rating, codes=40)
    codes = _codes(survey)
    base = "https://honors.example.org/"
    used: list[int] = []
    real = survey_slips.secrets.SystemRandom.shuffle

    def shuffle(self: Any, items: list[Any]) -> None:
        used.append(len(items))
        real(self, items)

    monkeypatch.setattr(survey_slips.secrets.SystemRandom, "shuffle", shuffle)
    orders = []
    with app.test_request_context():
        for _ in range(2):
            pdf = survey_slips.slips_pdf(survey, base_url=base, heading="评级", codes=codes)
            links = [u.decode() for u in re.findall(rb"/URI \((https?://[^)]*)\)", pdf)]
            orders.append([link.removeprefix(f"{base}s/") for link in links])
    assert used == [40, 40]
    assert all(sorted(order) == sorted(codes) for order in orders)
    assert orders[0] != codes and orders[1] != codes and orders[0] != orders[1]  # 1 in 40!


# ------------------------------------------------------------------ the phone page (public)


def _version(page: str) -> str:
    found = re.search(r'name="version" value="([^"]+)"', page)
    assert found, "no question-list version on the page"
    return found.group(1)


def test_the_phone_page_needs_no_login_and_a_code_answers_once(
    client: FlaskClient, db: Any, rating: Any
) -> None:
    survey = _open(db, rating, codes=5, questions=["甲满意吗？", "乙满意吗？"])
    code = _codes(survey)[0]
    page = client.get(f"/s/{code}")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    text = page.get_data(as_text=True)
    assert "甲满意吗？" in text and "建设路机械厂工会" in text and "第 1 题 / 共 2 题" in text
    assert 'name="robots" content="noindex' in text
    answered = client.post(
        f"/s/{code}", data={"version": _version(text), "q1": SATISFIED, "q2": UNSATISFIED}
    )
    assert answered.status_code == 302 and answered.headers["Location"].endswith("/s/thanks")
    assert "感谢您的参与" in client.get("/s/thanks").get_data(as_text=True)
    again = client.get(f"/s/{code}")
    assert again.status_code == 409 and "只能用一次" in again.get_data(as_text=True)
    resent = client.post(f"/s/{code}", data={"version": _version(text), "q1": BASIC, "q2": BASIC})
    assert resent.status_code == 409
    assert surveys.results(survey).answered == 1
    assert _tallies(survey) == {(0, SATISFIED): 1, (1, UNSATISFIED): 1}


def test_the_phone_page_refuses_unknown_and_malformed_codes_in_chinese(
    client: FlaskClient, db: Any, rating: Any
) -> None:
    survey = _open(db, rating, codes=5)
    code = _codes(survey)[0]
    typed = client.get("/s", query_string={"code": surveys.format_code(code).lower()})
    assert typed.status_code == 302 and typed.headers["Location"].endswith(f"/s/{code}")
    assert client.get(f"/s/{code.lower()}").headers["Location"].endswith(f"/s/{code}")
    unknown = client.get("/s/ZZZZZZZZZZ" if code != "ZZZZZZZZZZ" else "/s/YYYYYYYYYY")
    assert unknown.status_code == 404 and "没有找到这个调查码" in unknown.get_data(as_text=True)
    malformed = client.get("/s", query_string={"code": "12345"})
    assert malformed.status_code == 400 and "没有 0、1、I、O" in malformed.get_data(as_text=True)
    box = client.get("/s")
    assert box.status_code == 200 and 'name="code"' in box.get_data(as_text=True)


def test_an_incomplete_answer_comes_back_with_the_choices_kept(
    client: FlaskClient, db: Any, rating: Any
) -> None:
    survey = _open(db, rating, codes=5, questions=["甲？", "乙？"])
    code = _codes(survey)[0]
    version = _version(client.get(f"/s/{code}").get_data(as_text=True))
    page = client.post(f"/s/{code}", data={"version": version, "q1": BASIC})
    text = page.get_data(as_text=True)
    assert page.status_code == 400 and "还有第 2 题没有选择" in text
    assert re.search(r'name="q1" value="basic" required\s+checked', text)
    assert surveys.results(survey).answered == 0


def test_the_answer_form_carries_and_needs_the_csrf_token(
    make_app: Callable[..., Flask], rating_on: Callable[..., Any]
) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        r = rating_on()
        survey = surveys.open_survey(r.organizer, r.participant, codes=5, questions=["甲？"])
        _db.session.commit()
        code = _codes(survey)[0]
    client = app.test_client()
    page = client.get(f"/s/{code}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "the answer form has no CSRF token"
    data = {"version": _version(page), "q1": SATISFIED}
    refused = client.post(f"/s/{code}", data=data)
    assert refused.status_code == 400 and "CSRF" in refused.get_data(as_text=True)
    done = client.post(f"/s/{code}", data={**data, "csrf_token": token.group(1)})
    assert done.status_code == 302
    with app.app_context():
        assert _db.session.scalar(select(func.sum(SurveyTally.count))) == 1


# ------------------------------------------------------------------ the organizer's pages


def _survey_url(r: Any, tail: str = "") -> str:
    return f"/labor/competitions/{r.competition.id}/participants/{r.participant.id}/survey{tail}"


def test_survey_pages_are_for_the_rating_s_organizers(
    client: FlaskClient,
    db: Any,
    rating: Any,
    login_as: Callable[..., Any],
    make_user: Callable[..., Any],
    make_org: Callable[..., Any],
) -> None:
    list_url = f"/labor/competitions/{rating.competition.id}/surveys"
    assert client.get(list_url).status_code == 302  # to the sign-in
    assert client.get(_survey_url(rating)).status_code == 302
    login_as(user=make_user("organizer", organization=make_org(name="别的区总工会")))
    assert client.get(list_url).status_code == 403
    assert client.get(_survey_url(rating)).status_code == 403
    assert client.post(_survey_url(rating, "/open"), data={}).status_code == 403
    client.post("/logout")
    login_as(user=rating.organizer)
    assert client.get(list_url).status_code == 200
    rating.competition.kind = CompetitionKind.PROJECT
    db.session.commit()
    assert client.get(list_url).status_code == 404


def test_an_organizer_opens_prints_and_closes_a_survey(
    client: FlaskClient, db: Any, rating: Any, login_as: Callable[..., Any]
) -> None:
    login_as(user=rating.organizer)
    page = client.get(_survey_url(rating)).get_data(as_text=True)
    assert "开展会员评家调查" in page and "83.33%" in page
    assert "您对本单位工会的组织建设" in page  # the default questions, editable
    refused = client.post(
        _survey_url(rating, "/open"),
        data={"codes": "6000", "questions": "甲？", "min_response_rate": "60"},
    )
    assert refused.status_code == 400 and "1 到 5000" in refused.get_data(as_text=True)
    opened = client.post(
        _survey_url(rating, "/open"),
        data={"codes": "", "questions": "甲？\n\n乙？", "min_response_rate": "50"},
    )
    assert opened.status_code == 302
    survey = surveys.survey_of(rating.participant)
    assert survey is not None and surveys.issued(survey) == 100
    assert survey.questions == ["甲？", "乙？"]

    slips = client.get(_survey_url(rating, "/slips.pdf"))
    assert slips.status_code == 200 and slips.mimetype == "application/pdf"
    assert slips.headers["Cache-Control"] == "private, no-store"
    assert f"/s/{_codes(survey)[0]}".encode() in slips.data
    assert client.get(_survey_url(rating, "/slips.pdf?part=2")).status_code == 404

    _answer(survey, _codes(survey)[0], SATISFIED, BASIC)
    running = client.get(_survey_url(rating)).get_data(as_text=True)
    assert "调查结束前只显示作答人数" in running
    assert 'class="table table-cards survey-results"' not in running  # no counts while open
    asked = client.post(_survey_url(rating, "/close"), data={})
    assert asked.status_code == 200 and "结束后不再接受作答" in asked.get_data(as_text=True)
    assert surveys.is_open(survey)
    closed = client.post(_survey_url(rating, "/close"), data={"confirmed": "1"})
    assert closed.status_code == 302
    done = client.get(_survey_url(rating)).get_data(as_text=True)
    assert "满意率 =（满意 + 基本满意）÷ 全部作答 × 100%" in done
    # one answer: neither its counts nor a rate are shown (they would be that member's own)
    assert "survey-results" not in done and "作答人数不足 5 人，为保护匿名不显示结果" in done
    listing = client.get(f"/labor/competitions/{rating.competition.id}/surveys")
    assert "1 / 100" in listing.get_data(as_text=True)


def test_every_download_of_the_slips_is_audited_and_counted_on_the_page(
    client: FlaskClient, db: Any, rating: Any, login_as: Callable[..., Any]
) -> None:
    """Slips may be printed again (a lost file, unused codes), also after the first answer;
    each download is an audit entry with the answers so far, and the page counts them."""
    survey = _open(db, rating, codes=1001)
    login_as(user=rating.organizer)
    page = client.get(_survey_url(rating)).get_data(as_text=True)
    assert page.count("已打印 0 次") == 2
    assert client.get(_survey_url(rating, "/slips.pdf")).status_code == 200
    _answer(survey, _codes(survey)[0], *_all(survey, SATISFIED))
    assert client.get(_survey_url(rating, "/slips.pdf?part=1")).status_code == 200
    assert client.get(_survey_url(rating, "/slips.pdf?part=2")).status_code == 200
    assert client.get(_survey_url(rating, "/slips.pdf?part=3")).status_code == 404
    assert surveys.slip_downloads(survey) == {1: 2, 2: 1}
    page = client.get(_survey_url(rating)).get_data(as_text=True)
    assert re.search(r'data-slips-printed="1">已打印 2 次<', page)
    assert re.search(r'data-slips-printed="2">已打印 1 次<', page)
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "survey.slips").order_by(AuditEntry.id)
    ).all()
    assert [e.actor_id for e in entries] == [rating.organizer.id] * 3
    afters = [json.loads(e.after) for e in entries]
    assert [(a["survey_slips_file"], a["survey_slips"], a["survey_answered"]) for a in afters] == [
        (1, 1000, 0),
        (1, 1000, 1),
        (2, 1, 1),
    ]
    assert all(a["survey_id"] == survey.id and a["union"] == "建设路机械厂工会" for a in afters)


def test_a_large_survey_prints_in_files_of_a_thousand_slips(
    client: FlaskClient, db: Any, rating: Any, login_as: Callable[..., Any]
) -> None:
    assert survey_slips.parts(2500) == [(1, 1, 1000), (2, 1001, 2000), (3, 2001, 2500)]
    assert survey_slips.parts(1000) == [(1, 1, 1000)]
    survey = _open(db, rating, codes=1001)
    codes = _codes(survey)
    assert survey_slips.part_codes(survey, 1) == codes[:1000]
    assert survey_slips.part_codes(survey, 2) == codes[1000:]
    assert survey_slips.part_codes(survey, 3) is None
    assert survey_slips.part_codes(survey, 0) is None
    login_as(user=rating.organizer)
    page = client.get(_survey_url(rating)).get_data(as_text=True)
    assert "第 1–1000 张" in page and "第 1001–1001 张" in page
    second = client.get(_survey_url(rating, "/slips.pdf?part=2"))
    assert second.status_code == 200 and f"/s/{codes[1000]}".encode() in second.data
