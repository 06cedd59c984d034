"""The printed 劳模名录 (issue #14 item 6): what it lists, in which order, what it never prints,
and the two ways to get it (``contest honors roll`` and the admin's download).

The hand-built roster (``roster``), union tree 江州市总工会 → 东湖区总工会 → 东湖机械厂工会 and
江州市总工会 → 西山区总工会 → 西山纺织厂工会, plus 临江市总工会 beside it:

=====  ==========  ==========  ==================  ===========================================
year   level       recipient   title               on the default roll of 江州市总工会?
=====  ==========  ==========  ==================  ===========================================
1956   national    王桂英 (女)  全国劳动模范          yes (东湖; ID number, phone, birth date set)
1960   city        周明         江州市劳动模范        only on the roll of all unions (no union)
1988   city        王桂英 (女)  江州市劳动模范        yes
1995   provincial  李建国       江南省先进工作者      yes (西山; ID number and phone set)
2001   city        安娜 (女)    临江市劳动模范        no: another union
2005   city        白云 … 程远  江州市劳动模范        yes: six rows with long units (two pages)
2010   city        孙立         江州市劳动模范        no: lapsed (valid until 2011)
2015   city        赵敏 (女)    江州市劳动模范        yes
2015   city        东湖班组      江州市劳动模范集体    no: not a person
2016   district    陈刚         西山区劳动模范        no: revoked
2019   city        赵敏 (女)    江州市五一劳动奖章    no: not a 劳模 title (yes with --title 奖章)
2020   city        李建国       江州市劳动模范        yes
=====  ==========  ==========  ==================  ===========================================
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from contest.models import AuditEntry, Gender, HonorLevel, OrgKind, RecipientKind

PHONE = "13912345678"
BIRTH = date(1930, 3, 7)
FILLERS = ["白云", "包青", "蔡文", "曹华", "常山", "程远"]  # bai bao cai cao chang cheng
LONG_UNIT = "东湖机械厂第一分厂精密加工车间" * 9  # wraps to many lines: six rows fill a page


@pytest.fixture
def roster(db: Any, make_org: Any, make_person: Any, make_id_number: Any) -> dict[str, Any]:
    from contest.services.honors.records import HonorData, add_honor, revoke_honor

    city = make_org(name="江州市总工会", kind=OrgKind.CITY)
    east = make_org(name="东湖区总工会", kind=OrgKind.DISTRICT, parent=city)
    west = make_org(name="西山区总工会", kind=OrgKind.DISTRICT, parent=city)
    east_factory = make_org(name="东湖机械厂工会", kind=OrgKind.GRASSROOTS, parent=east)
    west_factory = make_org(name="西山纺织厂工会", kind=OrgKind.GRASSROOTS, parent=west)
    other = make_org(name="临江市总工会", kind=OrgKind.CITY)
    wang = make_person(
        "王桂英",
        organization=east_factory,
        gender=Gender.FEMALE,
        birth_date=BIRTH,
        id_number=make_id_number("11010519300307", "002"),
        phone=PHONE,
    )
    li = make_person(
        "李建国",
        organization=west_factory,
        gender=Gender.MALE,
        id_number=make_id_number("51010219700101", "013"),
        phone="13800001111",
    )
    zhao = make_person("赵敏", organization=east_factory, gender=Gender.FEMALE)
    chen = make_person("陈刚", organization=west_factory)
    sun = make_person("孙立", organization=east_factory, gender=Gender.MALE)
    anna = make_person("安娜", organization=other, gender=Gender.FEMALE)

    def honor(name: Any, year: int, level: HonorLevel, title: str, **extra: Any) -> Any:
        person = None if isinstance(name, str) else name
        return add_honor(
            None,
            HonorData(
                recipient_name=name if isinstance(name, str) else name.name,
                title=title,
                level=level,
                year=year,
                person=person,
                unit_name=extra.pop("unit_name", "东湖机械厂"),
                post=extra.pop("post", "车工"),
                skill_level=extra.pop("skill_level", "高级技师"),
                conferring_body="江州市人民政府",
                document_number=f"江政发〔{year}〕8号",
                **extra,
            ),
        )

    honor(wang, 1956, HonorLevel.NATIONAL, "全国劳动模范")
    honor("周明", 1960, HonorLevel.CITY, "江州市劳动模范")
    honor(wang, 1988, HonorLevel.CITY, "江州市劳动模范")
    honor(li, 1995, HonorLevel.PROVINCIAL, "江南省先进工作者", unit_name="西山纺织厂")
    honor(anna, 2001, HonorLevel.CITY, "临江市劳动模范", unit_name="临江造船厂")
    for name in FILLERS:
        honor(name, 2005, HonorLevel.CITY, "江州市劳动模范", unit_name=LONG_UNIT,
              organization=east_factory)  # fmt: skip
    honor(sun, 2010, HonorLevel.CITY, "江州市劳动模范", valid_until=date(2011, 12, 31))
    honor(zhao, 2015, HonorLevel.CITY, "江州市劳动模范")
    honor("东湖班组", 2015, HonorLevel.CITY, "江州市劳动模范集体",
          recipient_kind=RecipientKind.TEAM, organization=east_factory)  # fmt: skip
    revoke_honor(None, honor(chen, 2016, HonorLevel.DISTRICT, "西山区劳动模范"), "材料造假")
    honor(zhao, 2019, HonorLevel.CITY, "江州市五一劳动奖章")
    honor(li, 2020, HonorLevel.CITY, "江州市劳动模范", unit_name="西山纺织厂")
    db.session.commit()
    return {
        "city": city,
        "east": east,
        "private": [
            wang.reveal_id_number(),
            li.reveal_id_number(),
            PHONE,
            "13800001111",
            BIRTH.isoformat(),
            "19300307",
        ],
    }


def pages_of(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def print_roll(**options: Any) -> tuple[list[str], Any]:
    from contest.services.honors import roll

    buffer = io.BytesIO()
    summary = roll.write_roll(None, roll.make_filter(**options), buffer, day=date(2026, 5, 1))
    return pages_of(buffer.getvalue()), summary


def index_pages(pages: list[str]) -> list[str]:
    first = next(i for i, text in enumerate(pages) if "按姓名汉语拼音排序" in text)
    return pages[first:]


def index_entries(pages: list[str]) -> dict[str, list[int]]:
    """{name as printed: its pages} from the index, in the index's order."""
    entries: dict[str, list[int]] = {}
    for text in index_pages(pages):
        for line in text.splitlines():
            match = re.fullmatch(r"(\S+?)\s+(\d+(?:, \d+)*)", line.strip())
            if match and not match.group(1).isdigit():
                entries[match.group(1)] = [int(n) for n in match.group(2).split(", ")]
    return entries


def printed_names(pages: list[str]) -> set[str]:
    names = set()
    for text in pages[1 : len(pages) - len(index_pages(pages))]:
        for line in text.splitlines():
            names.add(line.split(" ")[0].removesuffix("（女）"))
    return names


# ---------------------------------------------------------------- the book


def test_sections_run_from_the_highest_level_with_year_headings(roster: dict[str, Any]) -> None:
    pages, summary = print_roll(organization=roster["city"])
    cover = pages[0]
    assert "江州市总工会" in cover and "劳动模范名录" in cover
    assert "级别：全国至企业级" in cover and "年份：1949—2026年" in cover
    assert "2026年5月1日编印" in cover and "共 11 人次" in cover
    body = "\n".join(pages[1 : len(pages) - len(index_pages(pages))])
    headings = re.findall(r"^(?:[一二三四五]、\S+|\d{4}年(?:（续）)?)$", body, re.M)
    assert headings == [
        "一、全国", "1956年",
        "二、省部级", "1995年",
        "三、地市级", "1988年", "2005年", "2005年（续）", "2015年", "2020年",
    ]  # fmt: skip
    assert "王桂英（女） 东湖机械厂 车工 高级技师 全国劳动模范" in body
    assert "李建国 西山纺织厂 车工 高级技师 江南省先进工作者" in body
    assert "李建国（女）" not in body
    assert summary.honors == 11 and summary.pages == len(pages)


def test_the_index_lists_each_person_once_in_pinyin_order_with_their_pages(
    roster: dict[str, Any],
) -> None:
    pages, summary = print_roll(organization=roster["city"])
    entries = index_entries(pages)
    assert list(entries) == [*FILLERS, "李建国", "王桂英（女）", "赵敏（女）"]
    assert summary.people == len(entries)
    for name, numbers in entries.items():
        bare = name.removesuffix("（女）")
        printed_on = [n + 1 for n, text in enumerate(pages) if bare in text]
        assert numbers == [n for n in printed_on if n <= len(pages) - len(index_pages(pages))]
    assert len(entries["王桂英（女）"]) == 2  # 1956 (全国) and 1988 (地市级): two sections
    assert entries["程远"][0] > entries["白云"][0]  # the six long rows ran onto a second page


def test_no_private_field_of_the_people_is_printed(roster: dict[str, Any]) -> None:
    pages, _ = print_roll()
    text = "\n".join(pages)
    assert "王桂英" in text  # the scan really read the roll
    for value in roster["private"]:
        assert value not in text


def test_revoked_lapsed_non_person_and_other_titles_are_left_out(roster: dict[str, Any]) -> None:
    pages, _ = print_roll()
    names = printed_names(pages)
    assert {"王桂英", "李建国", "赵敏", "周明", "安娜", *FILLERS} <= names
    assert not names & {"陈刚", "孙立", "东湖班组"}
    assert "五一劳动奖章" not in "\n".join(pages)
    assert "江州市五一劳动奖章" in "\n".join(print_roll(titles=["奖章"])[0])


def test_the_union_level_and_year_filters_narrow_the_roll(roster: dict[str, Any]) -> None:
    from contest.services.honors import roll

    pages, _ = print_roll(
        organization=roster["east"], levels="全国：地市级", first_year=1950, last_year=2010
    )
    assert printed_names(pages) >= {"王桂英", *FILLERS}
    assert not printed_names(pages) & {"李建国", "赵敏", "周明", "安娜"}
    assert "级别：全国至地市级" in pages[0] and "年份：1950—2010年" in pages[0]

    def count(**options: Any) -> int:
        return roll.count_honors(roll.make_filter(**options))

    assert count() == 13  # with 周明 (no union) and 安娜 (临江)
    assert count(organization=roster["city"]) == 11
    assert count(levels="省级") == 1 and count(levels="市级:") == 11
    assert count(first_year=2015, last_year=2020) == 2
    assert count(titles=["先进工作者"]) == 1 and count(titles=["奖章", "先进"]) == 2


def test_bad_options_are_refused_with_a_message(db: Any) -> None:
    from contest.services.honors import roll

    cases = [
        ({"levels": "市级:全国"}, "level"),
        ({"levels": "火星"}, "level"),
        ({"levels": "全国:市级:区县级"}, "level"),
        ({"first_year": 1900}, "from"),
        ({"first_year": 2020, "last_year": 2010}, "from"),
        ({"titles": ["劳" * 30]}, "title"),
    ]
    for options, field in cases:
        with pytest.raises(roll.RollError) as refused:
            roll.make_filter(**options)
        assert refused.value.field == field and refused.value.message
    with pytest.raises(roll.RollError):
        roll.write_roll(None, roll.make_filter(), io.BytesIO())  # nothing to print


# ---------------------------------------------------------------- the command


def test_the_command_prints_progress_and_a_summary(
    roster: dict[str, Any], runner: Any, tmp_path: Path, db: Any
) -> None:
    out = tmp_path / "名录.pdf"
    result = runner.invoke(
        args=["honors", "roll", str(out), "--org", "江州市总工会", "--level", "全国:地市级"]
    )
    assert result.exit_code == 0, result.output
    assert "名录正文（sections）：11/11 条 rows" in result.output
    assert "姓名索引（index）：11/11 条 rows" in result.output
    assert "已生成劳模名录（roll written）：11 人次 honors，9 人 people" in result.output
    assert "王桂英（女）" in "\n".join(pages_of(out.read_bytes()))
    assert not (tmp_path / "名录.pdf.part").exists()
    db.session.rollback()
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "honors.roll"))


def test_the_command_refuses_bad_options_without_a_traceback(
    make_org: Callable[..., Any], runner: Any, tmp_path: Path
) -> None:
    make_org(name="东湖区总工会")
    make_org(name="东湖区总工会", kind=OrgKind.DISTRICT)
    out = tmp_path / "roll.pdf"
    cases = [
        (["--level", "市级:全国"], "级别范围应从高到低"),
        (["--org", "无此工会"], "找不到工会“无此工会”"),
        (["--org", "东湖区总工会"], "有多个工会名为“东湖区总工会”"),
        (["--from", "2020", "--to", "2010"], "起始年份不能晚于截止年份（--from）"),
        (["--title", "奖状"], "没有符合条件的荣誉"),
    ]
    for options, message in cases:
        result = runner.invoke(args=["honors", "roll", str(out), *options])
        assert result.exit_code == 1, (options, result.output)
        assert message in result.output and "Traceback" not in result.output
    assert not out.exists() and not list(tmp_path.glob("*.part"))


# ---------------------------------------------------------------- the admin's download


def test_the_admin_downloads_the_roll_of_a_union(
    roster: dict[str, Any], login_as: Callable[..., Any], client: Any
) -> None:
    login_as("admin")
    page = client.get("/admin/honors/roll")
    assert page.status_code == 200 and "江州市总工会" in page.get_data(as_text=True)
    response = client.post(
        "/admin/honors/roll",
        data={
            "organization_id": roster["city"].id,
            "highest": "national",
            "lowest": "city",
            "first_year": "1949",
            "last_year": "",
            "titles": "劳动模范、先进工作者",
        },
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert "共 11 人次" in pages_of(response.data)[0]


def test_the_admin_is_sent_to_the_command_above_the_limit_and_told_of_bad_ranges(
    roster: dict[str, Any],
    login_as: Callable[..., Any],
    client: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import contest.admin.honors as views

    monkeypatch.setattr(views, "ROLL_BROWSER_LIMIT", 10)
    login_as("admin")
    form = {"organization_id": "0", "highest": "national", "lowest": "enterprise"}
    refused = client.post("/admin/honors/roll", data={**form, "titles": "劳动模范"})
    html = refused.get_data(as_text=True)
    assert refused.mimetype == "text/html"
    assert "符合条件的荣誉有 12 条，超过网页生成的上限 10 条" in html
    assert "contest honors roll" in html
    for changed, message in [
        ({"highest": "city", "lowest": "national"}, "级别范围应从高到低"),
        ({"first_year": "2020", "last_year": "1990"}, "起始年份不能晚于截止年份"),
        ({"organization_id": "999999"}, "请从列表中选择工会"),
    ]:
        page = client.post("/admin/honors/roll", data={**form, **changed})
        assert message in page.get_data(as_text=True)


@pytest.mark.parametrize("role", ["organizer", "care"])
def test_only_admins_print_the_roll_in_the_browser(
    login_as: Callable[..., Any], client: Any, role: str
) -> None:
    login_as(role)
    assert client.get("/admin/honors/roll").status_code == 403
    assert client.post("/admin/honors/roll").status_code == 403
