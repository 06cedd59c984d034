"""Public results pages, the API, verification, certificates and the organizer's exports."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

from contest.models import ContestStatus
from contest.services.skills import publishing, results
from tests.contest.results_fixtures import ID_NUMBER, PHONE, ready_contest_fixture  # noqa: F401

PRIVATE = (ID_NUMBER, PHONE, "1990-03-07", "19900307")


def _published(db: Any, ready_contest: Any, **kwargs: Any) -> Any:
    ns = ready_contest(**kwargs)
    ns.snapshot = publishing.publish(ns.organizer, ns.contest)
    db.session.commit()
    return ns


def _no_private(body: bytes) -> None:
    text = body.decode("utf-8")
    for value in PRIVATE:
        assert value not in text


def test_results_page_shows_published_rows_without_personal_numbers(
    db: Any, ready_contest: Any, client: Any
) -> None:
    ns = _published(db, ready_contest)
    first = ns.snapshot.rows[0]
    index = client.get("/results/")
    assert index.status_code == 200 and ns.contest.name in index.get_data(as_text=True)
    page = client.get(f"/results/{ns.contest.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for text in (
        first.name,
        "（女）",
        first.entry_code,
        first.organization,
        "一等奖",
        "江州市技术能手",
    ):
        assert text in html
    assert f"{first.total:.2f}" in html and ns.snapshot.digest in html
    _no_private(page.get_data())
    assert client.get(f"/results/{ns.contest.id}?event=A&page=2").status_code == 404
    assert client.get(f"/results/{ns.contest.id}?event=Z").status_code == 404


def test_unpublished_contest_is_404_on_page_and_api(
    db: Any, make_contest: Any, client: Any
) -> None:
    ns = make_contest(status=ContestStatus.REVIEW)
    assert client.get(f"/results/{ns.contest.id}").status_code == 404
    response = client.get(f"/api/v1/contests/{ns.contest.id}/results")
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"
    assert client.get("/api/v1/contests").get_json() == {"contests": []}
    assert client.get("/results/999999").status_code == 404


def test_api_shapes(db: Any, ready_contest: Any, client: Any) -> None:
    ns = _published(db, ready_contest)
    draft = ready_contest(private=False)  # another contest, still in review
    listing = client.get("/api/v1/contests").get_json()
    assert [c["id"] for c in listing["contests"]] == [ns.contest.id]
    item = listing["contests"][0]
    assert set(item) == {"id", "name", "level", "year", "status", "url"}
    assert item["status"] == "published" and item["url"].endswith(f"/results/{ns.contest.id}")
    from contest.services.core.users import create_token

    token = create_token(None, draft.organizer)
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    managed = client.get("/api/v1/contests", headers=headers).get_json()["contests"]
    by_id = {c["id"]: c for c in managed}
    assert by_id[draft.contest.id]["url"] is None and ns.contest.id in by_id

    response = client.get(f"/api/v1/contests/{ns.contest.id}/results")
    assert response.status_code == 200
    _no_private(response.get_data())
    payload = response.get_json()
    assert payload["contest"]["id"] == ns.contest.id
    assert len(payload["results"]) == 6
    first = payload["results"][0]
    assert {"rank", "entry_code", "name", "organization", "total", "award"} <= set(first)
    assert first["rank"] == 1 and first["award"] == "一等奖" and isinstance(first["total"], str)
    paged = client.get(f"/api/v1/contests/{ns.contest.id}/results?event=A&page=2&per_page=4")
    body = paged.get_json()
    assert [r["rank"] for r in body["results"]] == [5, 6] and body["total"] == 6
    assert client.get(f"/api/v1/contests/{ns.contest.id}/results?per_page=0").status_code == 400
    for bad in ("page=abc", "per_page=many", "page=", "page=0"):
        answer = client.get(f"/api/v1/contests/{ns.contest.id}/results?{bad}")
        assert answer.status_code == 400 and answer.get_json()["error"] == "bad_request", bad
    assert client.get(f"/api/v1/contests/{ns.contest.id}/results?event=Q").status_code == 404
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/api/v1/contests" in paths and "/api/v1/contests/{contest_id}/results" in paths


def test_a_page_across_events_is_cut_in_event_order(db: Any, ready_contest: Any) -> None:
    """``page_of`` over several events: event by event in the order given, then by position,
    and a page may straddle two events."""
    from dataclasses import replace

    ns = _published(db, ready_contest)
    header = results.public_contest(ns.contest.id)
    event_a = header.events[0]
    rows_a = results.sealed_rows(header.snapshot_id, event_a.id, event_a.seal)
    event_b = replace(event_a, id=event_a.id + 1, code="B", count=3)
    rows_b = [{"position": n, "entry_code": f"B00{n}"} for n in (1, 2, 3)]
    parts = [(event_b, rows_b), (event_a, rows_a)]
    codes = [r["entry_code"] for r in results.page_of(parts)]
    a_codes = [r.entry_code for r in ns.snapshot.rows if r.event_id == event_a.id]
    assert codes == ["B001", "B002", "B003", *a_codes]
    page = results.page_of(parts, page=2, per_page=2)
    assert [(r["event"], r["entry_code"]) for r in page] == [("B", "B003"), ("A", a_codes[0])]


def test_api_errors_are_documented_as_the_shared_error_body(client: Any) -> None:
    """The 400 and 404 answers are ``render_error``'s {error, message}: the document says so."""
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    responses = paths["/api/v1/contests/{contest_id}/results"]["get"]["responses"]
    for code in ("400", "404"):
        schema = responses[code]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/Error"}


def test_verify_confirms_known_numbers_and_refuses_others(
    db: Any, ready_contest: Any, client: Any
) -> None:
    ns = _published(db, ready_contest)
    number = ns.snapshot.rows[0].certificate_no
    page = client.get(f"/verify/{number}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "证书有效" in html
    for text in (ns.snapshot.rows[0].name, ns.contest.name, "一等奖", ns.snapshot.digest):
        assert text in html
    _no_private(page.get_data())
    assert client.get(f"/verify?number={number}").status_code == 302
    forged = number[:-4] + ("AAAA" if not number.endswith("AAAA") else "BBBB")
    for bad in (forged, "2026-0001-A-0099-ZZZZ", "nonsense"):
        missing = client.get(f"/verify/{bad}")
        assert missing.status_code == 404 and "未找到该证书" in missing.get_data(as_text=True)
    assert client.get("/verify").status_code == 200


def test_verify_is_rate_limited(db: Any, make_app: Any) -> None:
    app = make_app(RATELIMIT_ENABLED=True, VERIFY_RATE_LIMIT="3 per minute")
    client = app.test_client()
    codes = [client.get("/verify/2026-0001-A-0001-ABCD").status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]


def test_certificate_pdf_embeds_the_font_and_numbers_are_unique(
    db: Any, ready_contest: Any, client: Any
) -> None:
    ns = _published(db, ready_contest)
    numbers = [r.certificate_no for r in ns.snapshot.rows if r.certificate_no]
    assert len(numbers) == len(set(numbers)) == 3
    response = client.get(f"/results/{ns.contest.id}/certificates/{numbers[0]}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    data = response.get_data()
    assert data.startswith(b"%PDF") and b"WenQuanYiMicroHei" in data and b"FontFile2" in data
    assert (
        client.get(f"/results/{ns.contest.id}/certificates/{numbers[0][:-1]}X.pdf").status_code
        == 404
    )
    assert (
        client.get(f"/results/{ns.contest.id + 1}/certificates/{numbers[0]}.pdf").status_code == 404
    )


def test_certificate_text_never_starts_a_line_with_a_comma() -> None:
    """The body wraps where fpdf2 would put "，" first on the second line (demo --large names);
    the comma hangs at the end of the first line instead and no character is lost."""
    from fpdf import FPDF

    from contest.services.skills import certificates

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.add_font(certificates.FONT, fname=str(certificates.FONT_FILE))
    pdf.add_page()
    pdf.set_font(certificates.FONT, size=18)
    text = (
        # Built with half-width brackets so that "，" falls exactly where the line breaks.
        "在2025年江州市百万职工技能大比武数控车工(职工组)比赛中，成绩优异，"
        "荣获一等奖，并获得“江州市技术能手”称号。"
    )
    lines = certificates._lines(pdf, 297 - 76 - 12, text)
    pdf.output()  # writes the font subset and closes the font file
    assert len(lines) == 2 and "".join(lines) == text
    assert lines[0].endswith("成绩优异，") and lines[1].startswith("荣获")


def test_exports_need_the_contest_organizer(
    db: Any, ready_contest: Any, client: Any, client_for: Any, make_user: Any
) -> None:
    ns = _published(db, ready_contest)
    urls = [
        f"/results/{ns.contest.id}/export.xlsx",
        f"/results/{ns.contest.id}/sheets.xlsx",
        f"/results/{ns.contest.id}/certificates/event/A.pdf",
        f"/results/{ns.contest.id}/publish",
    ]
    other = client_for(make_user("organizer"))
    for url in urls:
        assert client.get(url).status_code == 302  # anonymous → login
        assert other.get(url).status_code == 403  # organizer of another union
    owner = client_for(ns.organizer)
    book = load_workbook(io.BytesIO(owner.get(urls[0]).get_data()))
    sheet = book[book.sheetnames[0]]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:5] == ["名次", "参赛号", "姓名", "性别标注", "单位"]
    assert values[1][0] == 1 and values[1][2] == ns.snapshot.rows[0].name
    sheets = load_workbook(io.BytesIO(owner.get(urls[1]).get_data()))
    rows = list(sheets[sheets.sheetnames[0]].iter_rows(values_only=True))
    assert rows[0][0] == "参赛号" and len(rows) == 1 + 6 * 3 * 4
    for raw in (owner.get(urls[0]).get_data(), owner.get(urls[1]).get_data()):
        assert ID_NUMBER.encode() not in raw and PHONE.encode() not in raw
    bulk = owner.get(urls[2])
    assert bulk.status_code == 200 and bulk.get_data().startswith(b"%PDF")
    assert owner.get(urls[3]).status_code == 200


def test_publish_view(db: Any, ready_contest: Any, client_for: Any) -> None:
    ns = ready_contest()
    owner = client_for(ns.organizer)
    page = owner.get(f"/results/{ns.contest.id}/publish")
    assert page.status_code == 200 and "公布成绩" in page.get_data(as_text=True)
    response = owner.post(f"/results/{ns.contest.id}/publish", data={"confirmed": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert results.current_snapshot(ns.contest.id) is not None
    assert client_for(None).get(f"/results/{ns.contest.id}").status_code == 200


def test_public_header_comes_from_the_snapshot_not_the_live_contest(
    db: Any, ready_contest: Any, client: Any
) -> None:
    from datetime import date

    from contest.models import HonorLevel

    ns = _published(db, ready_contest)
    published_name, published_start = ns.contest.name, ns.contest.starts_on
    ns.contest.name = "改过的大赛名称"
    ns.contest.level = HonorLevel.ENTERPRISE
    ns.contest.starts_on = date(2030, 1, 2)
    db.session.commit()

    header = results.public_contest(ns.contest.id)
    assert header is not None
    assert header.name == published_name and header.starts_on == published_start
    assert header.level == HonorLevel.CITY.value
    html = client.get(f"/results/{ns.contest.id}").get_data(as_text=True)
    assert published_name in html and "改过的大赛名称" not in html and "2030" not in html
