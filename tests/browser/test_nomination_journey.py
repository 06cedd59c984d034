"""The whole nomination journey in one browser test (issue 13): the organizer sets up the
medal's total with a 递补 place and the national composition rules → two recommending units
submit (one over its quota is refused, the other sees the composition warning) → a 初审 reviewer
passes a nomination and an expert scores one → the organizer determines the result → the
organizer starts the 公示 → the public reads it and objects → the objection is upheld and the
alternate goes on a 递补 notice → after the periods the organizer confers → the honor is on the
wall and its certificate verifies. Each step is shot at 1280 px (the 公示 page and the
objection form at 390 px too) into tests/artifacts/screenshots/<engine>/nom-journey-*.png.

What the browser does not drive, the test does through the services in between, as the other
browser journeys do (each step has its own page test there): the campaign, its awards and the
units' shares are made by ``nomination_recommend_support.build_world`` (creating a campaign in
the browser is test_nomination_campaign_pages); the drafts are filled in by the services (the
推荐表 in the browser is test_nomination_recommend), only their submission is clicked; the
nominations close early, the stages are set up, the other members' decisions and score sheets
are written and the stages closed through ``review`` and ``expert``.

Dates: ``publicity.start`` refuses a start before today, so the 公示 starts today. Conferral
needs both 公示 periods over and a date after them, so the test then moves the services' day by
monkeypatching ``publicity.today`` (every nomination service asks it, as
tests/contest/test_nomination_publicity.py does): the live server runs in a thread of this
process, so the patched module function is what its requests see.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from contest.models import (
    Campaign,
    CampaignStatus,
    NominationStatus,
    OrgKind,
    Outcome,
    Ownership,
    PublicityNotice,
    StageMode,
)
from contest.services.honors import certificates
from contest.services.nominations import (
    campaigns,
    conferral,
    expert,
    nominations,
    publicity,
    review,
)
from contest.validation import id_check_digit
from tests.browser.support import confirm, login
from tests.contest.nomination_recommend_support import build_world, complete, ready, start
from tests.contest.nomination_review_support import add_stage, marks

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TITLE = "江州市五一劳动奖章"
GROUPS = ["industrial", "migrant"]  # every nominee alike: swapping one keeps the composition
# The experts' share of full marks: the order of the ranking (周敏 last, the one alternate).
SHARES = {"王建军": 0.95, "孙志强": 0.9, "赵丽": 0.85, "陈桂兰": 0.8, "周敏": 0.7}


def _number(sequence: str) -> str:
    first17 = "32058219800101" + sequence
    return first17 + id_check_digit(first17)


def _shot(page: Any, screenshot: Any, step: str, *, phone: bool = False) -> None:
    """The step at 1280 px (and at 390 px when asked), without sideways scrolling."""
    sizes = [("1280", DESKTOP)] + ([("390", PHONE)] if phone else [])
    for label, size in sizes:
        page.set_viewport_size(size)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{step} scrolls sideways by {overflow}px at {label}px"
        screenshot(page, f"nom-journey-{step}-{label}")


def test_the_whole_nomination_journey(
    app: Any,
    db: Any,
    make_org: Any,
    make_user: Any,
    live_server: Any,
    new_page: Any,
    screenshot: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app.config["WALL_VERSION_TTL"] = 0  # the wall shows the new honors at the next request
    w = build_world(db, make_org, make_user)
    lake = make_org(
        "临湖纺织有限公司工会",
        OrgKind.GRASSROOTS,
        parent=w.west,
        ownership=Ownership.NON_PUBLIC,
        employer="临湖纺织有限公司",
    )
    experts = [make_user("reviewer", username=f"expert{i}", organization=w.city) for i in range(3)]
    # 滨江区 (2 places, 可报 3) has two in and two complete drafts; 临湖区 one in, one draft.
    for sequence, name in (("011", "王建军"), ("012", "赵丽")):
        nominations.submit(w.recommender, ready(db, w, name, _number(sequence), categories=GROUPS))
    third = ready(db, w, "孙志强", _number("013"), categories=GROUPS)
    over = ready(db, w, "李秀英", _number("014"), categories=GROUPS)

    def west_draft(name: str, sequence: str) -> Any:
        draft = start(w, name, _number(sequence), user=w.west_recommender, unit=w.west, org=lake)
        return complete(
            db,
            w,
            draft,
            user=w.west_recommender,
            unit_name="临湖纺织有限公司",
            categories=GROUPS,
        )

    nominations.submit(w.west_recommender, west_draft("陈桂兰", "015"))
    west_last = west_draft("周敏", "016")
    db.session.commit()
    cid, third_id, over_id, west_id = w.campaign.id, third.id, over.id, west_last.id
    campaign_name = w.campaign.name
    db.session.rollback()  # hold no read transaction while the server writes
    url = live_server.url

    # 1 The organizer sets the medal's total (4 places, 1 递补) and the national rules.
    organizer = login(new_page("laptop"), url, w.organizer.username)
    organizer.set_viewport_size(DESKTOP)
    organizer.goto(f"{url}/nominations/{cid}")
    organizer.get_by_role("link", name="名额分配").click()
    organizer.fill("#t-medal-quota", "4")
    organizer.fill("#t-medal-alternates", "1")
    organizer.locator("#award-medal").get_by_role("button", name="保存总名额").click()
    expect(organizer.locator(".flash-success")).to_contain_text("已保存总名额")
    _shot(organizer, screenshot, "01-quotas")
    organizer.get_by_role("link", name="结构要求").click()
    organizer.get_by_role("button", name="套用全国五一劳动奖章的默认要求").click()
    expect(organizer.locator(".flash-success")).to_contain_text("默认结构要求")
    _shot(organizer, screenshot, "02-rules")

    # 2 滨江区's recommender submits its third; a fourth is refused with the figures.
    east = login(new_page("laptop"), url, w.recommender.username)
    east.set_viewport_size(DESKTOP)
    east.goto(f"{url}/nominations/recommend/nomination/{third_id}")
    east.get_by_role("button", name="报送", exact=True).click()
    confirm(east, "报送", "占用本单位一个推荐名额")
    expect(east.locator(".flash-success")).to_contain_text("孙志强 的推荐已报送")
    east.goto(f"{url}/nominations/recommend/nomination/{over_id}")
    east.get_by_role("button", name="报送", exact=True).click()
    confirm(east, "报送")
    expect(east.locator(".flashes")).to_contain_text("名额已用完：可报送 3 个，已报送 3 个")
    expect(east.locator(".nomination-header")).to_contain_text("草稿")
    _shot(east, screenshot, "03-over-quota-refused")

    # 3 临湖区's recommender sees the composition warning, then submits its second.
    west = login(new_page("laptop"), url, w.west_recommender.username)
    west.set_viewport_size(DESKTOP)
    west.goto(f"{url}/nominations/recommend/{cid}")
    warning = west.locator(".slate").first.locator(".rule-warn")
    expect(warning.first).to_be_visible()
    expect(west.locator(".slate").first).to_contain_text("科教人员 0 人，占 0.0%，应不少于 20%")
    _shot(west, screenshot, "04-composition-warning")
    west.goto(f"{url}/nominations/recommend/nomination/{west_id}")
    west.get_by_role("button", name="报送", exact=True).click()
    confirm(west, "报送")
    expect(west.locator(".flash-success")).to_contain_text("周敏 的推荐已报送")

    # The nominations close; a 初审 and an expert stage (services: their pages have own tests).
    with app.app_context():
        from contest.extensions import db as app_db

        campaign = app_db.session.get(Campaign, cid)
        assert campaign is not None
        w.campaign = campaign
        campaigns.change_status(
            w.organizer, campaign, CampaignStatus.REVIEW, reason="各单位均已报送，提前截止推荐"
        )
        first = add_stage(w, "初审", StageMode.REVIEW, [w.reviewer], chair=w.reviewer)
        scoring = add_stage(w, "专家评审", StageMode.SCORING, experts, template="may_day")
        review.open_stage(w.organizer, first)
        app_db.session.commit()
        first_id, scoring_id = first.id, scoring.id

    # 4 The reviewer passes 王建军 through the dialog.
    reviewer = login(new_page("laptop"), url, w.reviewer.username)
    reviewer.set_viewport_size(DESKTOP)
    reviewer.goto(f"{url}/nominations/review")
    reviewer.locator(".task-row", has_text="王建军").click()
    expect(reviewer.locator("h1")).to_contain_text("王建军")
    reviewer.get_by_label("通过", exact=True).check()
    _shot(reviewer, screenshot, "05-review-decision")
    reviewer.get_by_role("button", name="提交结论").click()
    confirm(reviewer, "提交结论")
    expect(reviewer.locator(".flash-success")).to_contain_text("王建军")

    # The rest pass, scoring opens; every sheet but one of 周敏's is written by the services.
    with app.app_context():
        from contest.extensions import db as app_db
        from contest.models import Nomination, ReviewStage

        first = app_db.session.get(ReviewStage, first_id)
        scoring = app_db.session.get(ReviewStage, scoring_id)
        assert first is not None and scoring is not None
        for row in review.rows(first):
            if row.state == review.PENDING:
                review.decide(w.reviewer, first, row.nomination, Outcome.PASS, "")
        review.close_stage(w.organizer, first)
        review.open_stage(w.organizer, scoring)
        zhou = None
        for nomination in app_db.session.scalars(
            select(Nomination).where(
                Nomination.campaign_id == cid, Nomination.status == NominationStatus.SUBMITTED
            )
        ):
            for index, user in enumerate(experts):
                if index == 0 and nomination.name == "周敏":
                    zhou = nomination.id
                    continue
                expert.save_sheet(
                    user,
                    scoring,
                    nomination,
                    marks(scoring, SHARES[nomination.name]),
                    submit=True,
                    expected_version=None,
                )
        items = [(a.id, a.key, a.kind.value) for a in expert.items_of(scoring)]
        browser_marks = marks(scoring, SHARES["周敏"])
        app_db.session.commit()
    assert zhou is not None

    # 5 The first expert scores 周敏 in the browser.
    scorer = login(new_page("laptop"), url, experts[0].username)
    scorer.set_viewport_size(DESKTOP)
    scorer.goto(f"{url}/nominations/review")
    scorer.locator(".task-row", has_text="周敏").click()
    expect(scorer.locator("h1")).to_contain_text("周敏")
    for item_id, key, kind in items:
        if kind == "judgement":
            scorer.locator(f"label[for='m_{item_id}-{browser_marks[key]}']").click()
        else:
            scorer.fill(f"#m_{item_id}", browser_marks[key])
    expect(scorer.locator("[data-filled]")).to_have_text(str(len(items)))
    _shot(scorer, screenshot, "06-expert-sheet")
    scorer.once("dialog", lambda dialog: dialog.accept())  # sheet.js asks with window.confirm
    scorer.get_by_role("button", name="提交", exact=True).click()
    expect(scorer.locator(".flash-success")).to_be_visible()

    with app.app_context():
        from contest.extensions import db as app_db
        from contest.models import ReviewStage

        scoring = app_db.session.get(ReviewStage, scoring_id)
        assert scoring is not None
        review.close_stage(w.organizer, scoring)
        app_db.session.commit()

    # 6 The organizer reads the ranking and determines the result: 4 正选, 1 递补.
    organizer.goto(f"{url}/nominations/{cid}/results")
    expect(organizer.locator(".rank-table tbody tr").first).to_contain_text("王建军")
    organizer.get_by_role("button", name="确定评审结果").click()
    confirm(organizer, "确定评审结果", "名额")
    expect(organizer.locator(".flash-success").first).to_contain_text("正选 4 名，递补 1 名")
    _shot(organizer, screenshot, "07-result")

    # 7 The 公示 starts today.
    today = publicity.today()
    organizer.goto(f"{url}/nominations/{cid}/publicity")
    organizer.fill("#starts_on", today.isoformat())
    organizer.fill("#contact", "江州市总工会组织部，电话 0510-12345678")
    organizer.get_by_role("button", name="开始公示").click()
    expect(organizer.locator(".flash-success")).to_be_visible()
    _shot(organizer, screenshot, "08-publicity-started")

    # 8 The public reads it and objects to 王建军 (the page and the form at 390 px too).
    public = new_page("laptop")
    public.set_viewport_size(DESKTOP)
    public.goto(f"{url}/")
    public.get_by_role("link", name="评选公示").first.click()
    public.get_by_role("link", name=campaign_name).click()
    expect(public.locator(".publicity-list").first).to_contain_text("王建军")
    expect(public.locator("main")).not_to_contain_text("周敏")  # alternates unpublished here
    _shot(public, screenshot, "09-publicity-page", phone=True)
    public.set_viewport_size(DESKTOP)
    public.get_by_role("link", name="在线反映意见").click()
    option = public.locator("#nomination_id option", has_text="王建军")
    public.select_option("#nomination_id", value=option.get_attribute("value"))
    public.fill("#name", "孙明远")
    public.fill("#contact", "13800138000")
    public.fill("#content", "该同志2025年发生过安全生产责任事故，事迹材料中的获奖情况有不实之处。")
    _shot(public, screenshot, "10-objection-form", phone=True)
    public.get_by_role("button", name="提交").click()
    expect(public.get_by_role("heading", name="已收到您的意见")).to_be_visible()

    # 9 Upheld: 王建军 leaves, the alternate 周敏 goes on a 递补 notice.
    organizer.goto(f"{url}/nominations/{cid}/objections")
    organizer.get_by_role("link", name="查看与处理").click()
    organizer.get_by_role("button", name="查看反映人信息").click()
    expect(organizer.locator(".objection-identity")).to_contain_text("孙明远")
    organizer.get_by_label("异议成立").check()
    organizer.fill("#reason", "经向所在单位和安监部门核实，反映的安全生产责任事故属实。")
    _shot(organizer, screenshot, "11-objection-handling")
    organizer.get_by_role("button", name="提交处理结果").click()
    confirm(organizer, "确认提交", "递补")
    expect(organizer.locator(".flash-success").last).to_contain_text("周敏递补为拟表彰人选")
    public.goto(f"{url}/nominations/publicity/{cid}")
    public.reload()  # the browser keeps a public page 5 s (max-age): ask again
    expect(public.get_by_role("heading", name="递补人选公示")).to_be_visible()
    expect(public.locator("main")).not_to_contain_text("王建军")
    _shot(public, screenshot, "12-supplement")

    # 10 After both periods (the services' day moved past them): conferral.
    db.session.rollback()
    last_end = max(db.session.scalars(select(PublicityNotice.ends_on)))
    after = last_end + timedelta(days=1)
    monkeypatch.setattr(publicity, "today", lambda: after)
    organizer.goto(f"{url}/nominations/{cid}/conferral")
    organizer.fill("#document_number", "江工发〔2026〕30号")
    organizer.fill("#conferred_on", after.isoformat())
    organizer.get_by_role("button", name="表彰", exact=True).click()
    confirm(organizer, "确认表彰", "4 名拟表彰人选")
    expect(organizer.locator(".flash-success")).to_contain_text("授予 4 项荣誉")
    _shot(organizer, screenshot, "13-conferred")

    # 11 The wall has the promoted 周敏, not 王建军; her certificate verifies.
    public.goto(f"{url}/wall/")
    public.fill("#q", "周敏")
    public.locator("form.wall-filters button[type=submit]").click()
    public.wait_for_url("**q=*")
    expect(public.locator(".honor-card")).to_have_count(1)
    _shot(public, screenshot, "14-wall")
    public.locator(".honor-card a").first.click()
    expect(public.get_by_role("heading", name="周敏")).to_be_visible()
    db.session.rollback()  # see what the server committed
    honors = conferral.conferred_honors(db.session.get(Campaign, cid))
    assert sorted(h.recipient_name for h in honors) == sorted(["孙志强", "赵丽", "陈桂兰", "周敏"])
    honor = next(h for h in honors if h.recipient_name == "周敏")
    public.goto(f"{url}/verify/{certificates.number_of(honor)}")
    expect(public.get_by_role("heading", name="证书有效")).to_be_visible()
    expect(public.locator(".verify-result")).to_contain_text(TITLE)
    _shot(public, screenshot, "15-verify")
