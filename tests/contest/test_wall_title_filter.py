"""The wall's title filter (#16 item 15): grouped by level, highest first, each title once."""

from __future__ import annotations

import re
from typing import Any

from contest.models import HonorLevel
from contest.services.honors import wall
from contest.services.honors.records import add_honor
from tests.contest.test_kiosk_pages import honor_data

HONORS = [
    ("江州市劳动模范", HonorLevel.CITY, 3),
    ("江州市先进工作者", HonorLevel.CITY, 1),
    ("技术能手", HonorLevel.CITY, 4),
    ("技术能手", HonorLevel.PROVINCIAL, 1),
    ("省劳动模范", HonorLevel.PROVINCIAL, 2),
    ("全国劳动模范", HonorLevel.NATIONAL, 1),
    ("企业工匠", HonorLevel.ENTERPRISE, 2),
]


def _add(db: Any) -> None:
    n = 0
    for title, level, count in HONORS:
        for _ in range(count):
            n += 1
            add_honor(None, honor_data(f"职工{n:02d}", title=title, level=level))
    db.session.commit()


def test_titles_are_grouped_by_their_highest_level(db: Any, app: Any) -> None:
    _add(db)
    with app.test_request_context():
        groups = wall.facets().title_groups
    assert groups == [
        ("national", ["全国劳动模范"]),
        ("provincial", ["技术能手", "省劳动模范"]),  # 技术能手: 5 held, under its highest level
        ("city", ["江州市劳动模范", "江州市先进工作者"]),
        ("enterprise", ["企业工匠"]),
    ]


def test_the_wall_shows_the_title_filter_in_optgroups(client: Any, db: Any) -> None:
    _add(db)
    html = client.get("/wall/?title=省劳动模范").get_data(as_text=True)
    select = re.search(r'<select id="title" name="title">(.*?)</select>', html, re.S)
    assert select is not None
    labels = re.findall(r'<optgroup label="([^"]+)">', select.group(1))
    assert labels == ["全国", "省部级", "地市级", "企业级"]
    assert select.group(1).count(">技术能手</option>") == 1
    assert '<option value="省劳动模范" selected>' in select.group(1)
