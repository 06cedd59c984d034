"""The whole skills contest in a browser, as its people would run it (issue 4's journey).

Only the accounts and the union tree are made beforehand (an administrator's job, not this
journey's); everything else is clicked through the pages: the organizer sets the contest up
(rubric by template and by hand, ranking policy), imports entrants from Excel (a refused file
first), draws codes, builds the panel with a recused judge, checks entrants in; two judges
score on phones and the chief judge on a tablet; the chief judge reviews, re-checks and signs
off; the organizer publishes; the public reads the results, opens a certificate and verifies
its number.  Screenshots of every step land in tests/artifacts/screenshots/<engine>/journey-*.
"""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from contest.validation import id_check_digit
from tests.browser.conftest import ARTIFACTS
from tests.browser.support import confirm
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
CONTEST_NAME = "2026年江州市职工职业技能大赛"
ENTRANTS = [  # name, unit (0 = 机床厂, 1 = 汽车厂), birth date in the ID number
    ("陈建国", 0, "19880512"),
    ("刘洋", 1, "19910308"),
    ("张丽", 0, "19930721"),
    ("王磊", 1, "19870130"),
    ("李娜", 0, "19950916"),
    ("赵刚", 1, "19890224"),
]


def _id_number(birth: str, sequence: int) -> str:
    first17 = f"320102{birth}{sequence:03d}"
    return first17 + id_check_digit(first17)


def _xlsx(headers: list[str], rows: list[dict[str, str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h, "") for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _login(page: Any, base: str, user: Any) -> None:
    page.goto(base + "/login")
    page.fill("#username", user.username)
    page.fill("#password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/home")


def _flash(page: Any, text: str) -> None:
    expect(page.locator(".flashes")).to_contain_text(text)


def _on_step(value: Decimal, step: Decimal) -> str:
    snapped = (value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step
    return format(snapped.normalize(), "f")


def _score_sheet(page: Any, seat: int, judge: int) -> None:
    """Fill every aspect of the open sheet: better seats score higher, judge 2 is harsher."""
    numbers = page.locator(".sheet-aspect-number")
    for n in range(numbers.count()):
        block = numbers.nth(n)
        field = block.locator("input.mark-input")
        top = Decimal(field.get_attribute("max"))
        step = Decimal(field.get_attribute("step") or "1")
        if block.locator(".sheet-aspect-meta").inner_text().startswith("扣分"):
            value = step * ((seat + judge) % 3)
        else:
            share = Decimal("0.95") - Decimal("0.06") * seat - Decimal("0.03") * judge
            value = top * share
        field.fill(_on_step(value, step))
    levels = page.locator(".sheet-aspect-levels")
    for n in range(levels.count()):
        labels = levels.nth(n).locator("label.level")
        level = max(0, labels.count() - 1 - (seat + judge) // 3)
        if seat == 1 and judge == 2:
            level = 0  # one clear disagreement for the chief judge's panel view
        labels.nth(level).click()


def _no_sideways_scroll(page: Any, tag: str) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{tag}: {page.url} scrolls sideways by {overflow}px"


def _score_all(page: Any, base: str, judge: int, shots: Any, tag: str) -> int:
    """A judge scores every task on the list: the first one saved as a draft, then submitted."""
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("link", name="去评分").click()  # from the judge's home page
    page.wait_for_url("**/judging/")
    tiles = page.locator("a.code-tile")
    links = [tiles.nth(i).get_attribute("href") for i in range(tiles.count())]
    codes = [tiles.nth(i).locator(".code").inner_text() for i in range(tiles.count())]
    shots(page, f"journey-10-{tag}-tasks")
    for n, (link, code) in enumerate(zip(links, codes, strict=True)):
        page.goto(base + link)
        seat = int(code.rsplit("-", 1)[-1]) - 1
        _score_sheet(page, seat, judge)
        if n == 0:
            page.click("button[value=save]")
            _flash(page, "草稿已保存")
            body = page.content()
            assert not [name for name, *_ in ENTRANTS if name in body], "names before sign-off"
            _no_sideways_scroll(page, tag)
            shots(page, f"journey-11-{tag}-draft")
        page.click("button[value=submit]")
        _flash(page, f"评分表 {code} 已提交")
    page.goto(base + "/judging/")
    expect(page.locator(".progress-text")).to_have_text(f"已提交 {len(links)} / {len(links)}")
    _no_sideways_scroll(page, tag)
    shots(page, f"journey-12-{tag}-done")
    return len(links)


def test_contest_journey(
    make_org: Any,
    make_user: Any,
    db: Any,
    live_server: Any,
    new_page: Any,
    playwright_browser: Any,
    screenshot: Any,
    engine_name: str,
) -> None:
    from contest.models import OrgKind

    # ---- beforehand (administrator): the union tree and the accounts
    host = make_org(name="江州市总工会", kind=OrgKind.CITY)
    units = [
        make_org(name="江州机床厂工会", kind=OrgKind.GRASSROOTS, parent=host),
        make_org(name="江州汽车厂工会", kind=OrgKind.GRASSROOTS, parent=host),
    ]
    school = make_org(name="江州技师学院工会", kind=OrgKind.GRASSROOTS, parent=host)
    organizer = make_user("organizer", username="zuzhi", organization=host)
    insider = make_user("judge", username="pingwei-wang", organization=units[0])
    outsider = make_user("judge", username="pingwei-li", organization=school)
    chief = make_user("judge", username="caipanzhang", organization=school)
    for user, name in ((insider, "王志刚"), (outsider, "李红梅"), (chief, "陈国栋")):
        user.display_name = name
    db.session.commit()
    base = live_server.url

    # ---- 1. the organizer sets the contest up (laptop)
    problems: list[str] = []  # console errors (a CSP violation shows up here)
    org_page = new_page("laptop")
    org_page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    _login(org_page, base, organizer)
    org_page.goto(base + "/contests/")
    org_page.get_by_role("link", name="创建大赛").first.click()
    org_page.fill("#name", CONTEST_NAME)
    org_page.select_option("#level", "city")
    org_page.fill("#year", "2026")
    org_page.select_option("#organization_id", label="江州市总工会")
    org_page.fill("#starts_on", "2026-10-20")
    org_page.fill("#ends_on", "2026-10-21")
    org_page.get_by_role("button", name="保存").click()
    _flash(org_page, "已创建大赛")
    contest_id = int(re.search(r"/contests/(\d+)$", org_page.url).group(1))
    contest_url = f"{base}/contests/{contest_id}"

    org_page.get_by_role("link", name="添加赛项").first.click()
    org_page.fill("#code", "A")
    org_page.fill("#occupation", "数控车工")
    org_page.select_option("#group", label="职工组")
    org_page.get_by_role("button", name="保存").click()
    _flash(org_page, "已添加赛项 A")
    href = org_page.get_by_role("link", name="考核模块").first.get_attribute("href")
    event_id = int(re.search(r"/events/(\d+)/", href).group(1))
    event_url = f"{contest_url}/events/{event_id}"

    org_page.goto(event_url + "/components")
    org_page.fill("#theory_weight", "30")
    org_page.fill("#practical_weight", "70")
    org_page.get_by_role("button", name="保存").click()
    _flash(org_page, "考核模块与权重")
    expect(org_page.locator(".events-table")).to_contain_text("理论 30% · 实操 70%")

    # The practical rubric from the built-in 100-point template ...
    org_page.goto(event_url + "/rubric")
    practical = org_page.locator(
        ".rubric-component", has=org_page.get_by_role("heading", name="实操")
    )
    practical.get_by_label("套用模板").select_option("builtin:cn100")
    practical.get_by_role("button", name="套用（替换本模块细则）").click()
    _flash(org_page, "已将模板应用到「实操」模块")
    expect(practical.locator(".rubric-total")).to_contain_text("合计 100 / 100 分")

    # ... and the theory rubric by hand: a measurement aspect and a judgement aspect.
    theory = org_page.locator(".rubric-component", has=org_page.get_by_role("heading", name="理论"))
    for criterion, aspect in (
        ("理论知识", ("measurement", "理论试卷（客观题）", "80", "按标准答案逐题计分")),
        ("工艺论述", ("judgement", "零件加工工艺方案论述", "20", None)),
    ):
        theory.get_by_label("添加评分项").fill(criterion)
        theory.get_by_role("button", name="添加", exact=True).click()
        _flash(org_page, f"已添加评分项“{criterion}”")
        block = org_page.locator(".rubric-criterion", has_text=criterion)
        block.get_by_role("link", name="+ 添加评分要素").click()
        kind, name, points, standard = aspect
        org_page.select_option("#kind", kind)
        org_page.fill("#name", name)
        org_page.fill("#max_points", points)
        if kind == "judgement":
            expect(org_page.locator("#descriptors")).to_be_visible()
            org_page.fill("#scale", "3")
            org_page.fill(
                "#descriptors",
                "0：方案不可行，工序混乱\n1：方案基本可行，个别工序不合理\n"
                "2：方案合理，工序与参数正确\n3：方案优化，兼顾效率与质量",
            )
            screenshot(org_page, "journey-01-judgement-aspect")
        else:
            org_page.fill("#step", "0.5")
            org_page.fill("#standard", standard)
        org_page.get_by_role("button", name="保存").click()
        _flash(org_page, "已添加评分要素")
    expect(theory.locator(".rubric-total")).to_contain_text("合计 100 / 100 分")
    expect(theory.locator("ol.descriptors li")).to_have_count(4)
    screenshot(org_page, "journey-02-rubric")

    # The ranking policy: award counts, 技术能手 for places 1–3, a smaller re-check.
    org_page.goto(event_url + "/policy")
    org_page.select_option("#award_mode", "count")
    for i, (name, count) in enumerate((("一等奖", "1"), ("二等奖", "1"), ("三等奖", "2"))):
        org_page.fill(f"input[name=award-{i}-name]", name)
        org_page.fill(f"input[name=award-{i}-value]", count)
    org_page.fill("input[name=award-3-value]", "")
    # DOMAIN's defaults are offered (1st recommended for 五一劳动奖章, top 5 技术能手):
    # keep the recommendation, narrow 技术能手 to places 1–3.
    expect(org_page.locator("input[name=title-0-name]")).to_have_value("五一劳动奖章")
    expect(org_page.locator("input[name=title-1-name]")).to_have_value("技术能手")
    org_page.fill("input[name=title-1-best]", "1")
    org_page.fill("input[name=title-1-worst]", "3")
    org_page.fill("#recheck_top", "3")
    org_page.fill("#recheck_share", "34")
    screenshot(org_page, "journey-03-policy")
    org_page.get_by_role("button", name="保存规则").click()
    _flash(org_page, "已保存赛项 A 的排名与奖项规则")

    org_page.get_by_role("button", name="进入「报名中」").click()
    _flash(org_page, "大赛状态已改为「报名中」")
    screenshot(org_page, "journey-04-dashboard-registration")

    # ---- 2. entrants from Excel: the template's headers, a refused file, then a clean one
    org_page.goto(f"{contest_url}/entries/import")
    template_link = org_page.get_by_role("link", name="下载报名表模板").get_attribute("href")
    template = org_page.request.get(base + template_link)
    assert template.ok
    headers = [c.value for c in next(load_workbook(io.BytesIO(template.body())).active.rows)]
    assert {"姓名", "身份证号", "单位"} <= set(headers)

    def row(name: str, unit: int, id_number: str) -> dict[str, str]:
        return {
            "姓名": name,
            "身份证号": id_number,
            "性别": "",
            "单位": units[unit].name,
            "赛项（工种）": "数控车工",
            "组别": "职工组",
            "赛项代码": "A",
            "岗位": "车工",
        }

    good = [row(n, u, _id_number(b, 11 + 2 * i)) for i, (n, u, b) in enumerate(ENTRANTS)]
    broken = good[4]["身份证号"]
    broken = broken[:-1] + ("0" if broken[-1] != "0" else "1")
    bad = [*good[:4], {**good[4], "身份证号": broken}, good[5]]
    upload = {"name": "报名表.xlsx", "mimeType": "application/octet-stream"}
    org_page.set_input_files("input[type=file]", {**upload, "buffer": _xlsx(headers, bad)})
    org_page.click("main form button[type=submit]")
    report = org_page.locator("#import-errors")
    expect(report).to_contain_text("未写入任何数据")
    expect(report.locator("tbody tr")).to_have_count(1)
    expect(report.locator("tbody td").first).to_have_text("6")  # 李娜's row (header = row 1)
    expect(report).to_contain_text("校验位不正确")
    assert broken not in org_page.content()  # an ID number is never echoed back
    screenshot(org_page, "journey-05-import-refused")

    org_page.set_input_files("input[type=file]", {**upload, "buffer": _xlsx(headers, good)})
    org_page.click("main form button[type=submit]")
    expect(org_page.locator("#import-result")).to_contain_text("6")
    screenshot(org_page, "journey-06-import-done")

    # ---- 3. 参赛号 draw, the panel (one judge of an entrant's unit), assignment
    org_page.goto(event_url + "/draws")
    org_page.fill("#entry-seed", "2026-10-20-A")
    org_page.click("#entry-draw button[type=submit]")
    confirm(org_page, "抽取参赛号", "将为 6 名选手随机抽取参赛号")
    _flash(org_page, "参赛号抽签完成：6 人")

    org_page.goto(event_url + "/panels")
    for judge, as_chief in ((chief, True), (insider, False), (outsider, False)):
        org_page.select_option("#add-user_id", str(judge.id))
        if as_chief:
            org_page.check("#add-chief")
        org_page.click("#add-judge-form button[type=submit]")
        expect(org_page.locator("#panel")).to_contain_text(judge.display_name)
    org_page.select_option("#assign-mode", "all")
    org_page.click("#assign-form button[type=submit]")
    _flash(org_page, "因回避跳过 3 个")
    matrix = org_page.locator("#matrix")
    expect(matrix.locator("td.cell-recused")).to_have_count(3)
    expect(matrix.locator("td.cell-assigned")).to_have_count(15)
    screenshot(org_page, "journey-07-panel-matrix")

    org_page.goto(contest_url)
    org_page.get_by_role("button", name="进入「比赛评分中」").click()
    _flash(org_page, "大赛状态已改为「比赛评分中」")

    # Contest day: check-in at the desk, then the second draw (赛位号).
    org_page.goto(event_url + "/entries")
    for _ in ENTRANTS:
        desk = org_page.locator("#entries-table tbody tr", has=org_page.locator("button")).first
        code = desk.locator("td").first.inner_text()
        desk.get_by_role("button", name="检录").click()
        # The desk answers in place (no reload): wait for this row's answer, not the last.
        expect(org_page.locator("[data-desk-status]")).to_contain_text(f"参赛号 {code}）已检录")
    expect(org_page.locator("#entries-table button", has_text="检录")).to_have_count(0)
    org_page.goto(event_url + "/draws")
    org_page.fill("#seat-seed", "2026-10-20-A-seat")
    org_page.click("#seat-draw button[type=submit]")
    confirm(org_page, "抽取赛位号", "将为 6 名已检录选手随机抽取赛位号")
    _flash(org_page, "赛位号抽签完成：6 人")
    screenshot(org_page, "journey-08-draws")

    # ---- 4. the judges score: two on phones, the chief judge on a tablet
    sheets = 0
    for n, (judge, tag) in enumerate(
        ((outsider, "judge-li-phone"), (insider, "judge-wang-phone"), (chief, "chief-tablet"))
    ):
        if tag.endswith("phone"):
            context = playwright_browser.new_context(
                viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True
            )
            judge_page = context.new_page()
            judge_page.set_default_timeout(15_000)
        else:
            judge_page = new_page("tablet")
            chief_page = judge_page
        _login(judge_page, base, judge)
        sheets += _score_all(judge_page, base, n, screenshot, tag)
        if tag.endswith("phone"):
            context.close()
    assert sheets == 15

    # The organizer records when the event ended (the appeal window runs from it) and moves on.
    org_page.goto(event_url + "/edit")
    ended = (datetime.now() - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    org_page.fill("#ended_at", ended)
    org_page.get_by_role("button", name="保存").click()
    _flash(org_page, "已保存赛项 A")
    org_page.get_by_role("button", name="进入「复核与申诉」").click()
    _flash(org_page, "大赛状态已改为「复核与申诉」")

    # ---- 5. the chief judge reviews (tablet): progress, panel, re-check, sign-off
    chief_page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    chief_page.goto(base + "/home")
    chief_page.locator("section", has_text="裁判长").get_by_role("link", name="评审").click()
    chief_page.wait_for_url(f"**/review/events/{event_id}")
    chief_page.wait_for_selector("#leniency-chart.chart-drawn")
    expect(chief_page.get_by_text("15 / 15").first).to_be_visible()
    screenshot(chief_page, "journey-13-review-progress")
    tabs = chief_page.locator(".review-tabs")
    tabs.get_by_role("link", name="评分对照").click()
    expect(chief_page.locator("td.cell-flagged").first).to_be_visible()
    panel_text = chief_page.locator("main").inner_text()
    assert not [name for name, *_ in ENTRANTS if name in panel_text], "names before sign-off"
    screenshot(chief_page, "journey-14-review-panel")
    tabs.get_by_role("link", name="复核").click()
    chief_page.get_by_role("button", name="生成复核名单").click()
    _flash(chief_page, "已生成复核名单")
    forms = chief_page.locator("form.recheck-form")
    count = forms.count()
    assert count >= 3
    for i in range(count):
        item = chief_page.locator("tbody tr").nth(i)
        code = item.locator("th a").inner_text()
        item.get_by_role("button", name="已复核").click()
        _flash(chief_page, f"已记录 {code} 的复核结果")
    expect(chief_page.get_by_text("待复核")).to_have_count(0)
    screenshot(chief_page, "journey-15-recheck")
    tabs.get_by_role("link", name="签字确认").click()
    chief_page.get_by_role("button", name="签字确认并锁定全部评分表").click()
    confirm(chief_page, "签字确认", "15 份评分表全部锁定")
    _flash(chief_page, "已签字确认，15 份评分表已锁定")
    expect(chief_page.locator("h1")).to_contain_text("裁判长已签字确认")
    tabs.get_by_role("link", name="评分对照").click()  # names are revealed after sign-off
    expect(chief_page.get_by_text("裁判长已签字确认，显示选手姓名与单位")).to_be_visible()
    for name, *_ in ENTRANTS:
        expect(chief_page.locator(".entry-name", has_text=name)).to_have_count(1)
    screenshot(chief_page, "journey-16-signed-off")

    # ---- 6. the organizer publishes; the results export carries the certificate numbers
    org_page.goto(contest_url)
    org_page.get_by_role("button", name="公布成绩…").click()
    org_page.get_by_role("button", name="公布成绩", exact=True).click()
    confirm(org_page, "公布成绩", "公布后成绩对公众可见，不能撤回")
    expect(org_page.get_by_text("校验通过")).to_be_visible()
    screenshot(org_page, "journey-17-published")
    export_link = org_page.get_by_role("link", name="导出成绩表（.xlsx）").get_attribute("href")
    export = org_page.request.get(base + export_link)
    assert export.ok
    sheet = load_workbook(io.BytesIO(export.body())).worksheets[0]
    table = list(sheet.iter_rows(values_only=True))
    head_at = next(i for i, r in enumerate(table) if r and "证书编号" in r)
    head = table[head_at]
    winners = [dict(zip(head, r, strict=False)) for r in table[head_at + 1 :] if r and any(r)]
    first = next(w for w in winners if str(w.get("名次")) == "1")
    number = str(first["证书编号"])

    # The public, not logged in: results, a certificate, its verification.
    public = new_page("laptop")
    public.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    public.goto(f"{base}/results/{contest_id}")
    expect(public.locator("h1")).to_have_text(CONTEST_NAME)
    expect(public.locator(".results-table tbody tr")).to_have_count(len(ENTRANTS))
    expect(public.locator(".results-table tbody tr").first).to_contain_text("技术能手")
    expect(public.locator(".results-table tbody tr").first).to_contain_text("一等奖")
    awards = public.locator(".results-table .award").all_inner_texts()
    assert awards == ["一等奖", "二等奖", "三等奖", "三等奖"], awards
    expect(public.locator(".results-table tbody tr", has_text="技术能手")).to_have_count(3)
    ranked = public.locator(".results-table tbody tr td:nth-child(3)").all_inner_texts()
    body = public.content()
    assert all(r["身份证号"] not in body for r in good)
    screenshot(public, "journey-18-public-results")

    pdf = public.request.get(f"{base}/results/{contest_id}/certificates/{number}.pdf")
    assert pdf.ok and pdf.headers["content-type"].startswith("application/pdf")
    assert pdf.body().startswith(b"%PDF")
    (ARTIFACTS / engine_name / "journey-21-certificate.pdf").write_bytes(pdf.body())

    public.goto(base + "/verify")
    public.fill("#number", number)
    public.get_by_role("button", name="查验").click()
    expect(public.get_by_role("heading", name="证书有效")).to_be_visible()
    expect(public.locator(".verify-ok")).to_contain_text(str(first["姓名"]))
    screenshot(public, "journey-19-verify-genuine")
    public.fill("#number", number[:-4] + ("ZZZZ" if not number.endswith("ZZZZ") else "YYYY"))
    public.get_by_role("button", name="查验").click()
    expect(public.get_by_role("heading", name="未找到该证书")).to_be_visible()
    screenshot(public, "journey-20-verify-not-found")

    # The titles earned by placing are on the honor wall, with the contest as their source.
    public.goto(f"{base}/wall/?title=技术能手")
    wall = public.locator("main")
    for name in ranked[:3]:
        expect(wall).to_contain_text(name)
    expect(wall).not_to_contain_text(ranked[3])
    screenshot(public, "journey-22-honor-wall")
    # Only the refused certificate number's 404; no script error, no CSP violation.
    assert all("status of 404" in p for p in problems), problems
