"""The public 公示 pages (no login, DOMAIN §3 rule 24, §4 rules 27–28): the campaigns whose 公示
is on the site, and one campaign's list with its period, the contact for objections and the way
to the objection form.

Public fields only, from ``contest.services.nominations.publicity`` (姓名 with its (女) marker,
单位, 岗位/职务, 技能等级/职称, title). A list is shown from its first day until its last day
plus the campaign's grace; after that the page answers 410 with a short notice (the list has
left the public site, as rule 28 asks). Pages are cached like the other public pages
(``contest.caching.publicity_cache``: per content version, day and locale), the version bumped
by every start, 递补 and conferral.
"""

from __future__ import annotations

from flask import abort, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from contest.caching import publicity_cache
from contest.nominations.blueprint import bp
from contest.services.nominations import publicity as service
from contest.ui.areas import PublicEntry

PREFIX = "/publicity"

# The way in on the public home page (contest/nominations/__init__.py declares it).
PUBLIC_ENTRIES = (
    PublicEntry(
        "nominations.publicity_index",
        _l("评选公示"),
        _l("劳动模范、五一劳动奖章等拟表彰人选的公示名单，可在公示期内反映意见。"),
    ),
)


@bp.route(f"{PREFIX}/")
@publicity_cache.page()
def publicity_index():  # type: ignore[no-untyped-def]
    campaigns = publicity_cache.data("publicity.index", service.shown_campaigns)
    return render_template("nominations/publicity/index.html", campaigns=campaigns)


@bp.route(f"{PREFIX}/<int:campaign_id>")
@publicity_cache.page()
def publicity_show(campaign_id: int):  # type: ignore[no-untyped-def]
    found = publicity_cache.data(
        "publicity.show", lambda: service.public_publicity(campaign_id), campaign_id
    )
    if found is None:
        abort(404)
    if isinstance(found, service.Gone):
        return (
            render_template(
                "errors/error.html",
                code=410,
                title=_("公示已结束"),
                text=_("该评选的公示期已结束，公示名单已不在本网站公开。表彰结果以正式文件为准。"),
            ),
            410,
        )
    return render_template("nominations/publicity/show.html", found=found)
