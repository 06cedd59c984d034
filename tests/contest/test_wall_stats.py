"""The wall's statistics page: SQL aggregates, pure chart builders, and the public page.

The hand-built roster (``roster`` fixture) has, among valid honors:

=====  ==========  ========  =======  =========  ===========
year   recipient   level     title    industry   person
=====  ==========  ========  =======  =========  ===========
1956   王桂英       national  劳动模范  制造业      woman, 一线职工
1988   王桂英       city      劳动模范  制造业      (same person)
1995   李建国       province  五一奖章  建筑业      man, 农民工
2015   赵敏         city      技术能手  —          woman, 专业技术人员
2016   陈刚         district  五一奖章  建筑业      gender and category unknown
2019   东湖班组      city      工人先锋号 制造业      a team (no person)
=====  ==========  ========  =======  =========  ===========

plus one revoked 2020 honor of a man (全国劳动模范, 交通运输业) that must count nowhere.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
import pytest

from contest.models import Gender, HonorLevel, HonorStatus, RecipientKind
from contest.models.person import WorkerCategory
from contest.wall import charts

PHONE = "13912345678"


@pytest.fixture
def roster(db: Any, make_org: Any, make_person: Any, make_id_number: Any) -> dict[str, Any]:
    from contest.services.honors.records import HonorData, add_honor, revoke_honor

    org = make_org(name="江州重型机械有限公司工会")
    wang = make_person(
        "王桂英",
        organization=org,
        gender=Gender.FEMALE,
        category=WorkerCategory.FRONTLINE,
        id_number=make_id_number("11010519300307", "002"),
        phone=PHONE,
    )
    li = make_person(
        "李建国",
        organization=org,
        gender=Gender.MALE,
        category=WorkerCategory.MIGRANT,
        id_number=make_id_number("51010219700101", "013"),
        phone="13800001111",
    )
    zhao = make_person(
        "赵敏", organization=org, gender=Gender.FEMALE, category=WorkerCategory.TECHNICAL
    )
    chen = make_person("陈刚", organization=org)
    sun = make_person(
        "孙立", organization=org, gender=Gender.MALE, category=WorkerCategory.OFFICIAL
    )

    def honor(
        person: Any, year: int, level: HonorLevel, title: str, industry: str | None, **extra: Any
    ) -> Any:
        return add_honor(
            None,
            HonorData(
                recipient_name=person.name if person else extra.pop("name"),
                title=title,
                level=level,
                year=year,
                person=person,
                industry=industry,
                unit_name=org.name,
                conferring_body=extra.pop("conferring_body", "江州市人民政府"),
                document_number=extra.pop("document_number", f"江政发〔{year}〕8号"),
                **extra,
            ),
        )

    honor(wang, 1956, HonorLevel.NATIONAL, "劳动模范", "制造业")
    honor(wang, 1988, HonorLevel.CITY, "劳动模范", "制造业")
    honor(li, 1995, HonorLevel.PROVINCIAL, "五一劳动奖章", "建筑业")
    honor(zhao, 2015, HonorLevel.CITY, "技术能手", None)
    honor(chen, 2016, HonorLevel.DISTRICT, "五一劳动奖章", "建筑业")
    honor(
        None,
        2019,
        HonorLevel.CITY,
        "工人先锋号",
        "制造业",
        name="东湖班组",
        recipient_kind=RecipientKind.TEAM,
    )
    revoked = honor(sun, 2020, HonorLevel.NATIONAL, "全国劳动模范", "交通运输业")
    revoke_honor(None, revoked, "材料造假")
    db.session.commit()
    return {
        "id_numbers": [wang.reveal_id_number(), li.reveal_id_number()],
        "phones": [PHONE, "13800001111"],
        "revoked": revoked,
    }


# ---------------------------------------------------------------- aggregates (both engines)


def _rows(df: pd.DataFrame) -> dict[Any, int]:
    """{key: count} of a two-column frame, a missing key (NaN in a string column) as None."""
    return {(None if pd.isna(k) else k): int(n) for k, n in df.itertuples(index=False)}


def test_year_level_counts_group_valid_honors_only(roster: dict[str, Any]) -> None:
    from contest.services.honors import wall_stats

    df = wall_stats.honors_by_year_level()
    assert list(df.columns) == [charts.YEAR, charts.LEVEL, charts.COUNT]
    assert df.to_records(index=False).tolist() == [
        (1956, "national", 1),
        (1988, "city", 1),
        (1995, "provincial", 1),
        (2015, "city", 1),
        (2016, "district", 1),
        (2019, "city", 1),
    ]
    assert roster["revoked"].status is HonorStatus.REVOKED


def test_level_counts_are_ordered_from_the_highest_level(roster: dict[str, Any]) -> None:
    from contest.services.honors import wall_stats

    df = wall_stats.honors_by_level()
    assert df.to_records(index=False).tolist() == [
        ("national", 1),
        ("provincial", 1),
        ("city", 3),
        ("district", 1),
    ]


def test_titles_are_most_frequent_first_and_limited(roster: dict[str, Any]) -> None:
    from contest.services.honors import wall_stats

    df = wall_stats.honors_by_title()
    # Ties are broken by title in the database's collation, so compare the order of counts.
    assert list(df[charts.COUNT]) == [2, 2, 1, 1]
    assert dict(df.to_records(index=False).tolist()) == {
        "五一劳动奖章": 2,
        "劳动模范": 2,
        "工人先锋号": 1,
        "技术能手": 1,
    }
    assert len(wall_stats.honors_by_title(limit=1)) == 1
    assert "全国劳动模范" not in set(df[charts.TITLE])  # revoked


def test_industries_count_missing_ones_as_not_recorded(roster: dict[str, Any]) -> None:
    from contest.services.honors import wall_stats

    rows = _rows(wall_stats.honors_by_industry())
    assert rows == {"制造业": 3, "建筑业": 2, None: 1}


def test_women_by_decade_counts_person_honors_with_known_gender(roster: dict[str, Any]) -> None:
    from contest.services.honors import wall_stats

    df = wall_stats.women_by_decade()
    assert df.to_records(index=False).tolist() == [
        (1950, 1, 1),
        (1980, 1, 1),
        (1990, 0, 1),
        (2010, 1, 1),  # 赵敏 (woman) and 陈刚 (unknown): the team's 2019 honor is not a person's
    ]


def test_categories_cover_person_honors_only(roster: dict[str, Any]) -> None:
    from contest.services.honors import wall_stats

    rows = _rows(wall_stats.worker_categories())
    assert rows == {"frontline": 2, "technical": 1, "migrant": 1, None: 1}


def test_headline_counts_people_and_shares(roster: dict[str, Any]) -> None:
    from contest.services.honors import wall_stats

    head = wall_stats.collect().headline
    assert (head.honors, head.people) == (6, 4)  # 王, 李, 赵, 陈; the team has no person
    assert (head.first_year, head.last_year) == (1956, 2019)
    assert (head.women, head.gender_known, head.gender_unknown) == (3, 4, 1)
    assert head.women_share == pytest.approx(0.75)
    # 一线职工 ×2 and 农民工 count as front-line; 专业技术人员 does not; 陈刚 is not recorded.
    assert (head.frontline, head.category_known) == (3, 4)
    assert head.frontline_share == pytest.approx(0.75)


def test_an_empty_wall_has_no_shares(db: Any) -> None:
    from contest.services.honors import wall_stats

    stats = wall_stats.collect()
    assert stats.headline.honors == 0
    assert stats.headline.women_share is None and stats.headline.frontline_share is None
    assert stats.by_year_level.empty and stats.women_by_decade.empty


# ---------------------------------------------------------------- chart builders (pure)

LEVELS = {"national": "全国", "provincial": "省部级", "city": "地市级"}


def test_year_chart_stacks_one_trace_per_level_present() -> None:
    df = pd.DataFrame(
        {"year": [1956, 1988, 1988], "level": ["national", "city", "national"], "count": [1, 4, 2]}
    )
    fig = charts.honors_by_year(df, level_names=LEVELS, x_title="年份", y_title="数量")
    assert [t.name for t in fig.data] == ["全国", "地市级"]
    assert list(fig.data[0].x) == [1956, 1988] and list(fig.data[0].y) == [1, 2]
    assert list(fig.data[1].x) == [1988] and list(fig.data[1].y) == [4]
    assert fig.layout.barmode == "stack"
    assert fig.layout.xaxis.title.text == "年份"


def test_level_chart_follows_level_order_and_skips_empty_levels() -> None:
    df = pd.DataFrame({"level": ["city", "national"], "count": [3, 1]})
    fig = charts.honors_by_level(df, level_names=LEVELS, x_title="数量")
    (bar,) = fig.data
    assert list(bar.y) == ["全国", "地市级"] and list(bar.x) == [1, 3]
    assert bar.orientation == "h"


def test_industry_chart_labels_missing_industry() -> None:
    df = pd.DataFrame({"industry": ["制造业", None], "count": [3, 1]})
    fig = charts.honors_by_industry(df, x_title="数量", unknown_label="未填写")
    assert list(fig.data[0].y) == ["制造业", "未填写"]


def test_women_chart_shows_shares_and_the_overall_line() -> None:
    df = pd.DataFrame({"decade": [1950, 1960, 1990], "women": [1, 0, 1], "known": [4, 0, 2]})
    fig = charts.women_by_decade(
        df, overall=1 / 3, decade_format="{}年代", x_title="女性比例", overall_label="总体"
    )
    bars, line = fig.data
    assert list(bars.y) == ["1950年代", "1990年代"]  # no known gender in the 1960s: no bar
    assert list(bars.x) == [0.25, 0.5]
    assert list(bars.text) == ["25%", "50%"]
    assert line.type == "scatter" and list(line.x) == [0.3333, 0.3333]
    assert line.name == "总体 33%"


def test_category_donut_puts_front_line_first() -> None:
    df = pd.DataFrame(
        {"category": ["frontline", "technical", "migrant", None], "count": [2, 1, 1, 5]}
    )
    names = {"frontline": "一线职工", "technical": "专业技术人员", "migrant": "农民工"}
    fig = charts.worker_categories(
        df,
        category_names=names,
        frontline=frozenset({"frontline", "migrant"}),
        unknown_label="未填写",
    )
    (pie,) = fig.data
    assert list(pie.labels) == ["一线职工", "农民工", "专业技术人员"]
    assert list(pie.values) == [2, 1, 1]
    assert pie.marker.colors[0] == charts.RED


def test_figure_payload_is_lean_and_cannot_close_its_script_block() -> None:
    df = pd.DataFrame({"title": ["</script><b>称号&"], "count": [1]})
    payload = charts.figure_payload(charts.honors_by_title(df, x_title="数量"))
    assert "</script" not in payload and "<b>" not in payload and "&" not in payload
    assert '"displayModeBar":false' in payload and '"responsive":true' in payload
    assert '"template":{"data":{"scatter":[{"type":"scatter"}]}}' in payload  # plotly.py's "none"
    assert len(payload) < 2_000


# ---------------------------------------------------------------- the page


def test_stats_page_is_public_with_chart_data_and_no_inline_code(
    roster: dict[str, Any], client: Any
) -> None:
    response = client.get("/wall/stats")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    blocks = re.findall(r'<script type="application/json" data-chart="([\w-]+)">', html)
    assert blocks == [
        "chart-by-year",
        "chart-by-level",
        "chart-women",
        "chart-by-title",
        "chart-by-industry",
        "chart-categories",
        "chart-craftsmen",
        "chart-status",
    ]
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "style=" not in html
    assert "plotly-basic.min.js" in html and "cdn" not in html.lower()
    assert "75.0%" in html  # women and front-line shares
    assert "全国劳动模范" not in html  # the revoked honor


def test_stats_page_shows_no_personal_numbers(roster: dict[str, Any], client: Any) -> None:
    html = client.get("/wall/stats").get_data(as_text=True)
    for secret in [*roster["id_numbers"], *roster["phones"]]:
        assert secret and secret not in html


def test_stats_page_on_an_empty_wall(db: Any, client: Any) -> None:
    response = client.get("/wall/stats")
    assert response.status_code == 200
    assert "data-chart" not in response.get_data(as_text=True)


def test_plotly_is_served_from_static(client: Any) -> None:
    response = client.get("/static/vendor/plotly/plotly-basic.min.js")
    assert response.status_code == 200
    assert b"plotly.js (basic - minified)" in response.data[:200]
    response.close()
