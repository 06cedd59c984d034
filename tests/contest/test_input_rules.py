"""The input rules behind "no 500 from a bad value" (issue 11 item 9): ids within the database's
range, marks and decimals in plain ASCII, names and codes without control characters,
direction overrides or nothing but invisible characters, JSON bodies of bounded depth.

The unit tests need no app; the others run on both engines.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from contest.api.base import _nests_deeper_than
from contest.models import AuditEntry, Component, Honor, Mark, Organization
from contest.services.core.people import PersonData, PersonError, create_person
from contest.services.core.spreadsheets import SheetRefused
from contest.services.core.users import create_token
from contest.services.honors import roster
from contest.validation import (
    DB_INT_MAX,
    OutOfRange,
    check_text,
    db_int,
    normalise_id_number,
    parse_decimal,
)

BIDI_OVERRIDE = "A\u202e10-"  # displays as "A-01"
ZERO_WIDTH_ONLY = "\u200b\u200d"

# ---------------------------------------------------------------- the parsers, without an app


@pytest.mark.parametrize(
    ("raw", "value"),
    [("12", "12"), ("12.5", "12.5"), ("0", "0"), (" 12 ", "12"), (".5", "0.5"), (12, "12")],
)
def test_the_mark_parser_accepts_plain_ascii_decimals(raw: object, value: str) -> None:
    assert parse_decimal(raw, minimum=Decimal(0), maximum=Decimal(100)) == Decimal(value)


@pytest.mark.parametrize(
    "raw",
    [
        *("NaN", "Infinity", "-inf", "1e3", "１２", "٣", "1_0", "0x1", "", "+1", "1.2.3", "12 5"),
        *(float("nan"), float("inf"), True, None, [1], {"v": 1}),
    ],
)
def test_the_mark_parser_refuses_anything_else_as_not_a_number(raw: object) -> None:
    with pytest.raises(ValueError, match="请输入数字") as refused:
        parse_decimal(raw, minimum=Decimal(0), maximum=Decimal(100))
    assert not isinstance(refused.value, OutOfRange)


@pytest.mark.parametrize("raw", ["-0", "-1", "100.01", 10**30])
def test_the_mark_parser_refuses_values_outside_the_aspects_bounds(raw: object) -> None:
    with pytest.raises(OutOfRange):
        parse_decimal(raw, minimum=Decimal(0), maximum=Decimal(100))


def test_a_negative_number_is_read_when_the_minimum_allows_it() -> None:
    assert parse_decimal("-0.5", minimum=Decimal(-1)) == Decimal("-0.5")


@pytest.mark.parametrize("raw", ["0", "17", " 42 ", "-3", str(DB_INT_MAX)])
def test_an_id_in_ascii_digits_within_range_is_read(raw: str) -> None:
    assert db_int(raw) == int(raw)


@pytest.mark.parametrize("raw", [str(DB_INT_MAX + 1), str(2**63), "１２", "٣", "1_0", "1e3", ""])
def test_an_id_past_the_range_or_not_ascii_is_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        db_int(raw)


@pytest.mark.parametrize(
    "text", ["张伟", "A-01", "O'Brien", "Zoë", "江州市总工会\u3000", "👩\u200d🔧 技师", ""]
)
def test_ordinary_names_and_codes_pass_the_text_check(text: str) -> None:
    assert check_text(text) == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("张\x00伟", "控制字符"),
        ("张\x07伟", "控制字符"),
        ("张\x85伟", "控制字符"),  # C1 "next line"
        ("A-01\n", "控制字符"),
        (BIDI_OVERRIDE, "文字方向"),
        ("a\u2066b", "文字方向"),
        (ZERO_WIDTH_ONLY, "不可见"),
        (" \u200b ", "不可见"),
        ("\ufeff", "不可见"),
    ],
)
def test_names_and_codes_refuse_controls_overrides_and_invisible_text(
    text: str, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        check_text(text)


def test_multiline_text_may_hold_line_breaks_and_tabs_but_no_other_control() -> None:
    assert check_text("第一行\r\n\t第二行", multiline=True)
    with pytest.raises(ValueError, match="控制字符"):
        check_text("第一行\x0b第二行", multiline=True)


def test_an_id_number_in_full_width_digits_is_refused() -> None:
    with pytest.raises(ValueError, match="18 位"):
        normalise_id_number("１１０１０５１９９００３０７１２３４")


# ---------------------------------------------------------------- URLs and query strings


NOT_FOUND, CONTROL = (404, "页面不存在"), (400, "控制字符")


@pytest.mark.parametrize(
    ("path", "answer"),
    [
        ("/wall/99999999999999999999", NOT_FOUND),
        (f"/wall/{2**63}", NOT_FOUND),
        (f"/wall/{2**31}", NOT_FOUND),
        (f"/wall/{2**63}/qr.svg", NOT_FOUND),
        (f"/results/{2**63}", NOT_FOUND),
        ("/wall/١٢", NOT_FOUND),
        ("/wall/?q=%00", CONTROL),
        ("/verify/%00", CONTROL),
        ("/wall/?q=a%07b", CONTROL),
        ("/lang/%00", CONTROL),
    ],
)
def test_an_id_past_the_range_or_a_control_character_in_a_public_url_gets_a_message(
    client: FlaskClient, path: str, answer: tuple[int, str]
) -> None:
    response = client.get(path)
    assert response.status_code == answer[0]
    assert answer[1] in response.get_data(as_text=True)


def test_an_id_past_the_database_range_in_an_api_url_is_a_json_404(client: FlaskClient) -> None:
    response = client.get(f"/api/v1/contests/{2**63}/results")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found" and response.get_json()["message"]


@pytest.mark.parametrize("page", [str(2**63), "99999999999999999999", "-5", "１２"])
def test_a_page_number_past_the_range_shows_the_first_page(client: FlaskClient, page: str) -> None:
    assert client.get(f"/wall/?page={page}").status_code == 200
    assert client.get(f"/api/v1/honors?page={page}&org={page}").status_code == 200


def test_a_per_page_on_the_kiosk_is_not_passed_twice(client: FlaskClient) -> None:
    assert client.get("/wall/kiosk?per_page=5").status_code == 200


def test_a_contest_argument_past_the_range_is_a_json_400(
    client: FlaskClient, db: Any, make_contest: Any
) -> None:
    c = make_contest()
    token = create_token(None, c.judges[1])
    db.session.commit()
    response = client.get(
        f"/api/v1/judge/scores/A-01?contest={2**63}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 400 and "contest" in response.get_json()["message"]


def test_a_control_character_in_an_api_query_is_a_json_400(client: FlaskClient) -> None:
    response = client.get("/api/v1/honors?q=%00")
    assert response.status_code == 400
    assert "控制字符" in response.get_json()["message"]


# ---------------------------------------------------------------- forms


def _components(db: Any, event: Any) -> dict[str, Decimal]:
    db.session.expire_all()
    rows = db.session.scalars(select(Component).where(Component.event_id == event.id))
    return {c.key: Decimal(c.weight) for c in rows}


@pytest.mark.parametrize("weight", ["NaN", "Infinity", "1e999", "１２", "1_0", "3e1"])
def test_a_decimal_form_field_refuses_what_is_not_a_plain_number_and_changes_nothing(
    db: Any, make_contest: Any, client_for: Any, weight: str
) -> None:
    c = make_contest(status="draft")
    before = _components(db, c.event)
    response = client_for(c.organizer).post(
        f"/contests/{c.contest.id}/events/{c.event.id}/components",
        data={"theory_weight": weight, "practical_weight": "70"},
    )
    assert response.status_code == 200
    assert "请输入数字" in response.get_data(as_text=True)
    assert _components(db, c.event) == before


def test_an_integer_form_field_past_the_range_is_a_field_error(
    db: Any, make_contest: Any, client_for: Any
) -> None:
    c = make_contest(status="draft")
    response = client_for(c.organizer).post(
        f"/contests/{c.contest.id}/events/{c.event.id}/edit",
        data={"code": "A", "occupation": "数控车工", "group": "", "quota_per_unit": str(2**31)},
    )
    assert response.status_code == 200
    assert "请输入范围内的整数" in response.get_data(as_text=True)
    db.session.expire_all()
    assert c.event.quota_per_unit is None


@pytest.mark.parametrize(
    ("name", "message"),
    [(BIDI_OVERRIDE, "文字方向"), (ZERO_WIDTH_ONLY, "不可见"), ("工会\x1b[31m", "控制字符")],
)
def test_an_organisation_name_refuses_overrides_controls_and_invisible_text(
    db: Any, make_org: Any, make_user: Any, client_for: Any, name: str, message: str
) -> None:
    admin = make_user("admin")
    response = client_for(admin).post(
        "/orgs/new", data={"name": name, "kind": "grassroots", "parent_id": "0"}
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Organization)) == 0


def test_a_nul_byte_in_a_form_field_is_400_and_changes_nothing(
    db: Any, make_user: Any, client_for: Any
) -> None:
    admin = make_user("admin")
    response = client_for(admin).post(
        "/orgs/new", data={"name": "电机厂\x00工会", "kind": "grassroots", "parent_id": "0"}
    )
    assert response.status_code == 400
    assert "控制字符" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Organization)) == 0


# ---------------------------------------------------------------- services and imports


def test_a_person_named_with_only_invisible_characters_is_refused(db: Any, make_org: Any) -> None:
    with pytest.raises(PersonError) as refused:
        create_person(None, PersonData(name=ZERO_WIDTH_ONLY, organization=make_org()))
    assert refused.value.field == "name"


def test_a_roster_row_with_a_direction_override_is_reported_and_nothing_imported(
    db: Any,
) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["姓名", "荣誉称号", "级别", "年份", "授予机关", "文号", "事迹"])
    writer.writerow(
        ["王秀英", "劳动模范", "地市级", "2015", "江州市人民政府", "江政发8号", "多年\n扎根"]
    )
    writer.writerow(
        [BIDI_OVERRIDE, "劳动模范", "地市级", "2015", "江州市人民政府", "江政发8号", ""]
    )
    with pytest.raises(SheetRefused) as refused:
        roster.import_roster(None, out.getvalue().encode("utf-8-sig"), "roster.csv")
    db.session.rollback()
    assert [(e.row, e.column) for e in refused.value.errors] == [(3, "姓名")]
    assert "文字方向" in refused.value.errors[0].message
    assert db.session.scalar(select(func.count()).select_from(Honor)) == 0


# ---------------------------------------------------------------- the judges' API


@pytest.fixture
def put_scores(client: FlaskClient, db: Any, make_contest: Any) -> Any:
    """``put_scores(body: bytes)`` → the response to a judge's PUT of A-01's sheet."""
    c = make_contest()
    token = create_token(None, c.judges[1])
    db.session.commit()

    def _put(body: bytes) -> Any:
        return client.put(
            "/api/v1/judge/scores/A-01",
            data=body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )

    return _put


def _stored(db: Any) -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count()).select_from(Mark)) or 0,
        db.session.scalar(select(func.count()).select_from(AuditEntry)) or 0,
    )


def test_deeply_nested_json_is_422_with_a_message_and_stores_nothing(
    db: Any, put_scores: Any
) -> None:
    before = _stored(db)
    response = put_scores(b'{"scores": ' + b"[" * 20_000 + b"]" * 20_000 + b"}")
    assert response.status_code == 422
    assert "嵌套" in response.get_json()["message"]
    assert _stored(db) == before


def test_the_depth_scan_reads_an_unclosed_string_to_the_end_in_one_pass() -> None:
    """Its brackets are text, not nesting: the scan before tried every split of an unclosed
    string's characters (exponential backtracking) and then counted them."""
    assert not _nests_deeper_than(b'{"a": "' + b"[" * 20, 16)
    # An escaped backslash, then the closing quote: the brackets after it count.
    assert _nests_deeper_than(b'["\\\\"' + b"[" * 16, 16)


def test_a_json_body_with_an_unclosed_string_is_422_at_once(db: Any, put_scores: Any) -> None:
    """The reproduction: this 85-byte body kept a worker busy for longer than anyone waits."""
    before = _stored(db)
    response = put_scores(b'{"scores": {"T1": "' + b"1" * 64 + b"}}")
    assert response.status_code == 422
    assert response.get_json()["message"] == "请求体应为 JSON 对象。"
    assert _stored(db) == before


@pytest.mark.parametrize(
    "value",
    [
        *(b"NaN", b"Infinity", b"1e999", b'"NaN"', b'"\\uff11\\uff12"', b'"\\u0663"'),
        *(b'"1_0"', b'"0x10"', b'"1e1"', b'"-0"', b"99999999999999999999", b"[[[1]]]"),
    ],
)
def test_a_mark_that_is_not_a_plain_decimal_is_422_for_that_criterion(
    db: Any, put_scores: Any, value: bytes
) -> None:
    before = _stored(db)
    response = put_scores(b'{"scores": {"T1": ' + value + b"}}")
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"T1"}
    assert _stored(db) == before


def test_a_mark_with_spaces_around_it_is_read(db: Any, put_scores: Any) -> None:
    response = put_scores(b'{"scores": {"T1": " 12 "}}')
    assert response.status_code == 200
    assert response.get_json()["scores"] == {"T1": 12}
