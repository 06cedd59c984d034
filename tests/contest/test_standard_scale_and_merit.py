"""#16 item 13: the 700 scale as its own column, 优胜奖 for the rest of the top half, and
recommended titles kept apart from conferred ones (DOMAIN §1.10, §1.11, §1.13)."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from openpyxl import load_workbook

from contest.models import Honor, HonorSource
from contest.services.skills import policies, publishing, result_exports, results
from tests.contest.results_fixtures import ready_contest_fixture  # noqa: F401

POLICY = {
    "awards": [
        {"name": "一等奖", "count": 1},
        {"name": "二等奖", "count": 1},
        policies.MERIT_BAND,
    ],
    "titles": [
        {"name": "五一劳动奖章", "best": 1, "worst": 1, "recommend": True},
        {"name": "江州市技术能手", "best": 1, "worst": 2},
    ],
    "scale": policies.STANDARD_SCALE,
}


def _checked(page: str, name: str) -> bool:
    tag = re.search(rf'<input[^>]*id="{name}"[^>]*>', page)
    return tag is not None and re.search(r"\bchecked\b", tag.group(0)) is not None


def test_policy_keeps_merit_band_recommendations_and_scale(db: Any, make_contest: Any) -> None:
    c = make_contest(entries=1, judges=1)
    saved = policies.save_policy(c.organizer, c.event, POLICY)
    assert saved["awards"][-1] == {"name": "优胜奖", "upto": 0.5}
    built = policies.policy_for(c.event)
    assert built.awards[-1].upto == 0.5 and built.scale is not None
    assert [t.recommend for t in built.titles] == [True, False]
    with pytest.raises(policies.PolicyInvalid) as caught:
        policies.validate({"titles": [{"name": "x", "best": 1, "worst": 1, "recommend": "yes"}]})
    assert caught.value.field == "titles"
    with pytest.raises(policies.PolicyInvalid) as caught:
        policies.validate({"awards": [{"name": "优胜奖", "upto": 2}]})
    assert caught.value.field == "awards"
    # a city union may not confer a 全国 title, but may put its champion forward for one
    national = {"name": "全国五一劳动奖章", "best": 1, "worst": 1}
    with pytest.raises(policies.PolicyInvalid, match="全国"):
        policies.validate({"titles": [national]}, c.event)
    policies.validate({"titles": [{**national, "recommend": True}]}, c.event)


def test_published_rows_carry_scale_merit_and_recommendations(
    db: Any, ready_contest: Any, client: Any
) -> None:
    ns = ready_contest()  # six entrants, ranked 1..6
    ns.event.policy = dict(POLICY)
    snapshot = publishing.publish(ns.organizer, ns.contest)
    db.session.commit()
    rows = snapshot.rows
    # 优胜奖: half of 6 is 3, after the 2 numbered prizes — one more
    assert [r.award for r in rows] == ["一等奖", "二等奖", "优胜奖", None, None, None]
    assert rows[0].recommended == ["五一劳动奖章"] and rows[1].recommended == []
    assert rows[0].titles == ["江州市技术能手"]
    # the median entrant is at 700 on the scale; the ranks do not follow it
    scores = sorted(float(r.standard_score) for r in rows)
    assert (scores[2] + scores[3]) / 2 == pytest.approx(700, abs=0.1)
    assert [r.rank for r in rows] == [1, 2, 3, 4, 5, 6]
    assert results.verify_digest(snapshot)
    document = json.loads(snapshot.document)
    first = document["events"][0]["rows"][0]
    assert first["recommended"] == ["五一劳动奖章"] and "standard_score" in first
    # the wall gets the conferred title only; a recommendation is not an honor
    honors = db.session.query(Honor).filter_by(source=HonorSource.CONTEST).all()
    assert {h.title for h in honors} == {"江州市技术能手"}
    page = client.get(f"/results/{ns.contest.id}").get_data(as_text=True)
    assert "标准分" in page and "推荐五一劳动奖章" in page and "优胜奖" in page
    assert str(rows[0].standard_score) in page
    api = client.get(f"/api/v1/contests/{ns.contest.id}/results").get_json()
    top = api["results"][0]
    assert top["recommended"] == ["五一劳动奖章"] and top["titles"] == ["江州市技术能手"]
    assert top["standard_score"] == str(rows[0].standard_score)
    assert api["results"][1]["recommended"] == []
    book = load_workbook(io.BytesIO(result_exports.results_workbook(ns.contest, snapshot)))
    sheet = book.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert "标准分" in headers and "推荐" in headers
    first_row = [cell.value for cell in sheet[2]]
    assert first_row[headers.index("推荐")] == "五一劳动奖章"
    assert first_row[headers.index("标准分")] == float(rows[0].standard_score)


def test_without_the_scale_there_is_no_column(db: Any, ready_contest: Any, client: Any) -> None:
    ns = ready_contest()
    snapshot = publishing.publish(ns.organizer, ns.contest)
    db.session.commit()
    assert all(r.standard_score is None and r.recommended == [] for r in snapshot.rows)
    assert "standard_score" not in snapshot.document and "recommended" not in snapshot.document
    page = client.get(f"/results/{ns.contest.id}").get_data(as_text=True)
    assert "标准分" not in page
    book = load_workbook(io.BytesIO(result_exports.results_workbook(ns.contest, snapshot)))
    assert "标准分" not in [cell.value for cell in book.worksheets[0][1]]


def test_policy_form_offers_domain_titles_and_saves_the_switches(
    db: Any, make_contest: Any, client_for: Any
) -> None:
    c = make_contest(status="registration", entries=1, judges=1)
    client = client_for(c.organizer)
    url = f"/contests/{c.contest.id}/events/{c.event.id}/policy"
    page = client.get(url).get_data(as_text=True)
    assert 'id="suggested-titles"' in page
    assert 'value="五一劳动奖章"' in page and 'value="技术能手"' in page
    form = {
        "method": "mean",
        "trim": "0",
        "normalize": "none",
        "precision": "2",
        "award_mode": "count",
        "award_rounding": "floor",
        "edge_ties": "include",
        "merit": "y",
        "standard_scale": "y",
        "award-0-name": "一等奖",
        "award-0-value": "1",
        "award-1-name": "二等奖",
        "award-1-value": "2",
        "title-0-name": "五一劳动奖章",
        "title-0-best": "1",
        "title-0-worst": "1",
        "title-0-recommend": "1",
        "title-1-name": "技术能手",
        "title-1-best": "1",
        "title-1-worst": "5",
        "recheck_top": "10",
        "recheck_share": "15",
        "recheck_error_limit": "5",
    }
    assert client.post(url, data=form).status_code == 302
    db.session.refresh(c.event)
    policy = c.event.policy
    assert policy["awards"] == [
        {"name": "一等奖", "count": 1},
        {"name": "二等奖", "count": 2},
        {"name": "优胜奖", "upto": 0.5},
    ]
    assert policy["titles"][0] == {"name": "五一劳动奖章", "best": 1, "worst": 1, "recommend": True}
    assert "recommend" not in policy["titles"][1]
    assert policy["scale"] == {"centre": 700, "width": 100}
    page = client.get(url).get_data(as_text=True)
    assert 'id="suggested-titles"' not in page
    assert _checked(page, "merit") and _checked(page, "standard_scale")
    # switched off again: no scale, no merit band
    form.pop("merit")
    form.pop("standard_scale")
    client.post(url, data=form)
    db.session.refresh(c.event)
    assert c.event.policy["scale"] is None
    assert all("upto" not in a for a in c.event.policy["awards"])


def test_nomination_campaigns_read_the_current_recommendations(db: Any, ready_contest: Any) -> None:
    from contest.services.skills import recommendations

    ns = ready_contest()
    ns.event.policy = dict(POLICY)
    snapshot = publishing.publish(ns.organizer, ns.contest)
    db.session.commit()
    champion = snapshot.rows[0]
    (found,) = recommendations.recommendations("五一劳动奖章")
    assert (found.person_id, found.rank, found.contest_id) == (champion.person_id, 1, ns.contest.id)
    assert found.name == champion.name and found.year == ns.contest.year
    assert recommendations.recommendations("江州市技术能手") == []  # a title held, not put forward
    assert recommendations.recommendations(year=ns.contest.year - 1) == []
