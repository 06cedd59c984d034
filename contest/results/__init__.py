"""Public results pages and certificate verification (no login)."""

from flask_babel import lazy_gettext as _l

from contest.results import views  # noqa: F401  (its routes register on bp)
from contest.results.blueprint import bp
from contest.ui.areas import CONTESTS_MENU, Area, NavItem, PublicEntry

AREA = Area(
    bp,
    nav=(NavItem("results.index", _l("成绩公布"), frozenset(), public=True, group=CONTESTS_MENU),),
    public_entries=(
        PublicEntry(
            "results.index",
            _l("成绩公布"),
            _l("技能大赛的名次、成绩和奖项，获奖者可下载证书。"),
        ),
        PublicEntry(
            "results.verify_form",
            _l("证书查验"),
            _l("输入证书编号，核对获奖证书的真伪。"),
        ),
    ),
)

__all__ = ["AREA", "bp"]
