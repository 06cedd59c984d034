"""The statistics page draws its plotly charts under our strict CSP, at laptop and phone sizes."""

from __future__ import annotations

import random
from typing import Any

import pytest

from contest.models import Gender, HonorLevel, RecipientKind
from contest.models.person import WorkerCategory

pytestmark = pytest.mark.browser

TITLES = [
    ("劳动模范", HonorLevel.PROVINCIAL),
    ("全国劳动模范", HonorLevel.NATIONAL),
    ("先进工作者", HonorLevel.CITY),
    ("五一劳动奖章", HonorLevel.CITY),
    ("全国五一劳动奖章", HonorLevel.NATIONAL),
    ("技术能手", HonorLevel.DISTRICT),
    ("金牌工人", HonorLevel.ENTERPRISE),
    ("工匠", HonorLevel.CITY),
]
INDUSTRIES = ["制造业", "建筑业", "交通运输业", "教育", "卫生", "能源", None]
CATEGORIES = [*WorkerCategory, None]


@pytest.fixture
def history(db: Any, make_org: Any) -> None:
    """About 120 honors from 1952 to 2024, seeded so the screenshots are stable."""
    from contest.services.core.people import PersonData, create_person
    from contest.services.honors.records import HonorData, add_honor

    rng = random.Random(5)
    org = make_org(name="江州市总工会")
    for index in range(120):
        year = 1952 + int(72 * rng.random() ** 0.6)
        title, level = rng.choice(TITLES)
        if index % 15 == 0:
            add_honor(
                None,
                HonorData(
                    recipient_name=f"第{index}班组",
                    title="工人先锋号",
                    level=HonorLevel.CITY,
                    year=year,
                    recipient_kind=RecipientKind.TEAM,
                    industry=rng.choice(INDUSTRIES),
                    conferring_body="江州市总工会",
                    document_number=f"江总发〔{year}〕3号",
                ),
            )
            continue
        female_share = 0.1 if year < 1980 else 0.3
        person = create_person(
            None,
            PersonData(
                name=f"职工{index}",
                organization=org,
                gender=Gender.FEMALE if rng.random() < female_share else Gender.MALE,
                category=rng.choice(CATEGORIES),
            ),
        )
        add_honor(
            None,
            HonorData(
                recipient_name=person.name,
                person=person,
                title=title,
                level=level,
                year=year,
                industry=rng.choice(INDUSTRIES),
                conferring_body="江州市人民政府",
                document_number=f"江政发〔{year}〕8号",
            ),
        )
    db.session.commit()


@pytest.mark.parametrize("viewport", ["laptop", "phone"])
def test_stats_page_draws_every_chart_without_console_errors(
    viewport: str, history: None, live_server: Any, new_page: Any, screenshot: Any
) -> None:
    page = new_page(viewport)
    problems: list[str] = []
    page.on(
        "console",
        lambda msg: problems.append(msg.text) if msg.type in ("error", "warning") else None,
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(live_server.url + "/wall/stats")
    page.wait_for_function(
        "document.querySelectorAll('.chart .main-svg').length >= "
        "document.querySelectorAll('script[data-chart]').length"
    )
    charts = page.locator(".chart.chart-drawn")
    assert charts.count() == 8
    for index in range(charts.count()):
        box = charts.nth(index).bounding_box()
        assert box is not None and box["width"] > 200 and box["height"] > 200
    # plotly.js found our static copy of its rules and injected no <style> (CSP).
    assert page.locator("style").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    page.get_by_text("查看数据表").first.click()
    assert page.locator("details[open] table tbody tr").count() > 10
    screenshot(page, f"wall-stats-{viewport}")
    assert problems == []
