"""/wall/stats, issue #14 item 7: the 工匠 pyramid against the scaled 2035 targets, and honorees
by the status their 劳模 file records.

The hand-built roster (``craftsmen``):

=======  ==========  ==========  ==============  =========================
person   level       title       honor           劳模 file
=======  ==========  ==========  ==============  =========================
甲       national    大国工匠     valid           —
乙       provincial  江南省工匠   valid           退休
丙       provincial  江南省工匠   valid           去世
丁       city        江州市工匠   valid           在职
戊       city        江州市工匠   revoked         去世 (no valid honor: not counted)
己       city        江州市工匠   lapsed (2011)   —    (no valid honor: not counted)
庚       district    东湖区工匠   valid           —
辛, 壬   enterprise  企业工匠     valid           —
癸       city        江州市劳动模范 valid          —    (counts in the statuses only)
—        city        工匠创新工作室 a team's        —    (not a craftsman)
=======  ==========  ==========  ==============  =========================
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import event

from contest.models import HonoreeFile, HonorLevel, LifeStatus, RecipientKind
from contest.wall import charts


@pytest.fixture
def craftsmen(db: Any, make_org: Any, make_person: Any) -> dict[str, Any]:
    from contest.services.honors.records import HonorData, add_honor, revoke_honor

    org = make_org(name="江州重型机械有限公司工会")
    people: dict[str, Any] = {}

    def honor(name: str | None, level: HonorLevel, title: str, **extra: Any) -> Any:
        person = None
        if name is not None:
            person = people.get(name) or make_person(name, organization=org)
            people[name] = person
        return add_honor(
            None,
            HonorData(
                recipient_name=name or "东湖班组",
                title=title,
                level=level,
                year=2021,
                person=person,
                conferring_body="江州市总工会",
                document_number="江工发〔2021〕8号",
                **extra,
            ),
        )

    honor("甲", HonorLevel.NATIONAL, "大国工匠")
    honor("乙", HonorLevel.PROVINCIAL, "江南省工匠")
    honor("丙", HonorLevel.PROVINCIAL, "江南省工匠")
    honor("丁", HonorLevel.CITY, "江州市工匠")
    revoke_honor(None, honor("戊", HonorLevel.CITY, "江州市工匠"), "材料造假")
    honor("己", HonorLevel.CITY, "江州市工匠", valid_until=date(2011, 12, 31))
    honor("庚", HonorLevel.DISTRICT, "东湖区工匠")
    honor("辛", HonorLevel.ENTERPRISE, "企业工匠")
    honor("壬", HonorLevel.ENTERPRISE, "企业工匠")
    honor("癸", HonorLevel.CITY, "江州市劳动模范")
    honor(None, HonorLevel.CITY, "工匠创新工作室", recipient_kind=RecipientKind.TEAM)
    for name, status in [
        ("乙", LifeStatus.RETIRED),
        ("丙", LifeStatus.DECEASED),
        ("丁", LifeStatus.IN_SERVICE),
        ("戊", LifeStatus.DECEASED),
    ]:
        db.session.add(
            HonoreeFile(person_id=people[name].id, status=status, care_organization_id=org.id)
        )
    db.session.commit()
    return people


def _records(df: pd.DataFrame) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in df.itertuples(index=False)]


@contextmanager
def selects(db: Any) -> Iterator[list[str]]:
    """The SELECT statements run inside the block."""
    seen: list[str] = []

    def watch(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", watch)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", watch)


def test_the_pyramid_counts_valid_person_craftsman_honors_against_scaled_targets(
    craftsmen: dict[str, Any], db: Any
) -> None:
    from contest.services.honors import wall_stats

    assert _records(wall_stats.craftsmen_by_level(0.5)) == [
        ("national", 1, 10),
        ("provincial", 2, 50),
        ("city", 1, 250),
        ("district", 1, None),
        ("enterprise", 2, None),
    ]
    assert wall_stats.craftsman_target(HonorLevel.NATIONAL, 0.001) == 1  # never a target of 0


def test_the_targets_follow_the_share_setting(
    craftsmen: dict[str, Any], db: Any, make_user: Any
) -> None:
    from contest.services.core import settings
    from contest.services.honors import craftsmen as setting
    from contest.services.honors import wall_stats

    assert wall_stats.collect().craftsman_share == 0.5  # the default
    settings.store(make_user("admin"), setting.SHARE, "2")
    db.session.commit()
    stats = wall_stats.collect()
    assert stats.craftsman_share == 2
    assert list(stats.craftsmen[charts.TARGET][:3]) == [40, 200, 1000]


def test_honorees_are_counted_once_by_file_status_and_the_unfiled_as_in_service(
    craftsmen: dict[str, Any], db: Any
) -> None:
    from contest.services.honors import wall_stats

    assert _records(wall_stats.honorees_by_status()) == [
        ("in_service", 6, 5),  # 甲 庚 辛 壬 癸 without a file, 丁 filed
        ("retired", 1, 0),
        ("deceased", 1, 0),  # 丙; 戊's only honor was revoked
    ]


def test_each_new_figure_is_one_query(craftsmen: dict[str, Any], db: Any) -> None:
    from contest.services.honors import wall_stats

    with selects(db) as seen:
        wall_stats.craftsmen_by_level(0.5)
    assert len(seen) == 1 and "GROUP BY" in seen[0]
    with selects(db) as seen:
        wall_stats.honorees_by_status()
    assert len(seen) == 1 and "GROUP BY" in seen[0]


def test_the_stats_page_shows_the_pyramid_and_the_statuses(
    craftsmen: dict[str, Any], client: Any
) -> None:
    html = client.get("/wall/stats").get_data(as_text=True)
    assert 'data-chart="chart-craftsmen"' in html and 'data-chart="chart-status"' in html
    assert "工匠梯队" in html and "获奖者现状" in html
    for cells in (
        ["大国工匠", "1", "10", "10.0%"],
        ["市级工匠", "1", "250", "0.4%"],
        ["企业级工匠", "2", "—", "—"],
        ["退休", "1"],
    ):
        row = "".join(f'<td class="num">{c}</td>' for c in cells[1:])
        assert f'<th scope="row">{cells[0]}</th>{row}' in html.replace("\n", "")
    assert "未建劳模档案的 5 人按在职计" in html
    assert "按本会职工占全国的 0.5％ 折算" in html


def test_the_pyramid_draws_targets_as_outlines_behind_the_tiers_in_order() -> None:
    frame = pd.DataFrame(
        {
            charts.LEVEL: ["national", "provincial", "city", "district", "enterprise"],
            charts.COUNT: [3, 12, 40, 90, 300],
            charts.TARGET: pd.Series([10, 50, 250, None, None], dtype=object),
        }
    )
    names = ["大国工匠", "省级", "市级", "区县级", "企业级"]
    tiers = dict(zip(frame[charts.LEVEL], names, strict=True))
    fig = charts.craftsmen_pyramid(frame, tier_names=tiers, count_label="数量", target_label="目标")
    target, count = fig.data
    assert list(target.y) == ["大国工匠", "省级", "市级"] and list(target.x) == [10, 50, 250]
    assert list(target.base) == [-5, -25, -125]  # centred: a pyramid, not a bar chart
    assert list(count.y) == list(tiers.values()) and list(count.x) == [3, 12, 40, 90, 300]
    assert fig.layout.yaxis.autorange == "reversed"  # 大国工匠 on top
