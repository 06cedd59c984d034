"""Public pages of labor competitions (no login, issue 12 item 6): the list, a competition's
page with its latest published round, the red-flag holders and the cumulative standings with
"why", the full standings, a round's table, a participant's trend and indicator breakdown, and
the big screen for site offices.

Only public competitions that have started show, and of them only published public rounds
(``contest.services.labor.standings`` decides; anything else is a 404). Nothing personal is
read: participants, tracks and rounds by name, numbers, flags and 一票否决 — never the items
that triggered a veto, members, contacts or evidence.

Every page is cached like the results pages (``contest.caching.labor_cache``): anonymous
visitors share one rendered copy per content version, which publishing a round bumps, and the
standings themselves are computed once per version and competition. A round whose stored
results no longer match the seal of its publication (``labor.seals``) is logged, and its
organizers — who always get a fresh render — see a warning on its pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from contest.caching import labor_cache
from contest.labor import public_charts as charts
from contest.labor.blueprint import bp
from contest.models import Competition
from contest.services.assessment.items import format_points
from contest.services.labor import standings as service
from contest.ui.areas import PublicEntry
from contest.ui.params import page_number
from contest.validation import db_int

PREFIX = "/public"
TOP = 10  # rows per track on the competition page (the full table is a click away)
TREND_LINES = 5  # participants per track drawn on the competition page's trend chart
PER_PAGE = 50

# The way in on the public home page (contest/labor/__init__.py declares it, with the menu entry).
PUBLIC_ENTRIES = (
    PublicEntry(
        "labor.public_index",
        _l("劳动竞赛"),
        _l("劳动竞赛各轮考评结果、累计排名和流动红旗。"),
    ),
)


@dataclass(frozen=True)
class Chart:
    """A chart card: its element id, heading, the figure's JSON and its fallback table."""

    id: str
    heading: str
    payload: Markup
    columns: tuple[str, ...]
    rows: list[tuple[object, ...]]
    wide: bool = False  # spans the grid (taller, for a sheet with many 考评项目)


def _payload(figure: Any) -> Markup:
    return Markup(charts.figure_payload(figure))


def _shown(value: object) -> str:
    """A number in a chart's table: as people write it, a dash for none."""
    return format_points(value) or "—"


def _competition_or_404(competition_id: int) -> Competition:
    competition = service.public_competition(competition_id)
    if competition is None:
        abort(404)
    return competition


def _standings(competition: Competition) -> service.Standings:
    """The public standings, computed once per content version, locale and competition."""
    return labor_cache.data(  # type: ignore[no-any-return]
        "labor.standings", lambda: service.standings(competition, public=True), competition.id
    )


def _methods() -> dict[str, str]:
    return {
        "sum": _("各轮得分相加"),
        "mean": _("各轮得分取平均"),
        "weighted": _("各轮得分按权重加权平均"),
    }


def _links() -> dict[str, str]:
    return {
        "latest_round": _("最近一轮得分"),
        "best_round": _("单轮最高分"),
        "rounds_won": _("单轮第一次数"),
        "fewer_vetoes": _("被一票否决的轮数（少者在前）"),
    }


def rule_text(table: service.Standings, *, rating: bool = False) -> str:
    """How the standings are ranked, in a sentence: the cumulation over the counted rounds
    and the tie-break chain; for a rating, how the grade is given (it is not a race)."""
    if rating:
        return str(
            _("等级按最近一轮公布的得分和等级线评定；必备项未达标或被一票否决的单位不评定等级。")
        )
    text = _(
        "按已公布的 %(n)d 轮%(method)s排名",
        n=len(table.rounds),
        method=_methods().get(table.method, table.method),
    )
    if table.tie_break:
        links = "、".join(_links().get(link, link) for link in table.tie_break)
        text = _("%(rule)s；总分相同时依次比较%(links)s", rule=text, links=links)
    return str(_("%(rule)s。一票否决（整个竞赛）的单位不参加排名，列在最后。", rule=text))


def _latest_table(competition: Competition, table: service.Standings) -> service.RoundTable | None:
    latest = table.latest
    if latest is None:
        return None
    round_ = service.public_round(competition, latest.id)
    if round_ is None:  # unpublished since the standings were cached
        return None
    return labor_cache.data(  # type: ignore[no-any-return]
        "labor.round", lambda: service.round_table(competition, round_), latest.id
    )


# ------------------------------------------------------------------ pages


@bp.route(f"{PREFIX}/")
@labor_cache.page()
def public_index():  # type: ignore[no-untyped-def]
    competitions = labor_cache.data("labor.index", service.public_competitions)
    return render_template("labor/public/index.html", competitions=competitions)


@bp.route(f"{PREFIX}/<int:competition_id>")
@labor_cache.page()
def public_show(competition_id: int):  # type: ignore[no-untyped-def]
    competition = _competition_or_404(competition_id)
    table = _standings(competition)
    return render_template(
        "labor/public/show.html",
        head=service.head(competition),
        table=table,
        latest=_latest_table(competition, table),
        top=TOP,
        rule=rule_text(table, rating=competition.is_rating),
        charts=[] if competition.is_rating else _track_trends(table),
        manager=competition.can_manage(current_user),
    )


def _track_trends(table: service.Standings) -> list[Chart]:
    """Per track: the first few participants' counted totals across the rounds."""
    if len(table.rounds) < 2:
        return []
    names = [r.name for r in table.rounds]
    out = []
    for index, track in enumerate(table.tracks):
        leaders = [row for row in track.rows if row.rank is not None][:TREND_LINES]
        if not leaders:
            continue
        lines = [(row.name, [row.rounds.get(r.id) for r in table.rounds]) for row in leaders]
        heading = (
            _("%(track)s前 %(n)d 名各轮得分", track=track.name, n=len(leaders))
            if track.name
            else _("前 %(n)d 名各轮得分", n=len(leaders))
        )
        out.append(
            Chart(
                id=f"trend-{index}",
                heading=heading,
                payload=_payload(charts.trend_figure(names, lines, y_title=_("本轮得分"))),
                columns=(_("参赛单位"), *names),
                rows=[(name, *(_shown(v) for v in values)) for name, values in lines],
            )
        )
    return out


@bp.route(f"{PREFIX}/<int:competition_id>/standings")
@labor_cache.page()
def public_standings(competition_id: int):  # type: ignore[no-untyped-def]
    """The full cumulative standings of one track, 50 rows a page."""
    competition = _competition_or_404(competition_id)
    table = _standings(competition)
    track = None
    if table.tracks:
        wanted = request.args.get("track", type=db_int)
        track = table.track(wanted) if "track" in request.args else table.tracks[0]
        if track is None:
            abort(404)
    rows = list(track.rows) if track is not None else []
    pages = max((len(rows) + PER_PAGE - 1) // PER_PAGE, 1)
    page = page_number()
    if page > pages:
        abort(404)
    return render_template(
        "labor/public/standings.html",
        head=service.head(competition),
        table=table,
        track=track,
        rule=rule_text(table, rating=competition.is_rating),
        rows=rows[(page - 1) * PER_PAGE : page * PER_PAGE],
        page=page,
        pages=pages,
        total=len(rows),
    )


@bp.route(f"{PREFIX}/<int:competition_id>/rounds/<int:round_id>")
@labor_cache.page()
def public_round(competition_id: int, round_id: int):  # type: ignore[no-untyped-def]
    competition = _competition_or_404(competition_id)
    round_ = service.public_round(competition, round_id)
    if round_ is None:
        abort(404)
    result = labor_cache.data(
        "labor.round", lambda: service.round_table(competition, round_), round_.id
    )
    return render_template(
        "labor/public/round.html",
        head=service.head(competition),
        table=_standings(competition),
        result=result,
        manager=competition.can_manage(current_user),
    )


@bp.route(f"{PREFIX}/<int:competition_id>/participants/<int:participant_id>")
@labor_cache.page()
def public_participant(competition_id: int, participant_id: int):  # type: ignore[no-untyped-def]
    """A participant's trend across the rounds and its points per 考评项目 in a chosen round."""
    competition = _competition_or_404(competition_id)
    round_id = request.args.get("round", type=db_int)
    if "round" in request.args and round_id is None:
        abort(404)
    detail = labor_cache.data(
        "labor.participant",
        lambda: service.participant_detail(competition, participant_id, round_id=round_id),
        competition.id,
        participant_id,
        round_id,
    )
    if detail is None:
        abort(404)
    return render_template(
        "labor/public/participant.html",
        head=service.head(competition),
        table=_standings(competition),
        detail=detail,
        charts=_participant_charts(detail),
    )


def _participant_charts(detail: service.ParticipantDetail) -> list[Chart]:
    out = []
    if detail.trend:
        names = [point.round.name for point in detail.trend]
        mine = [point.total for point in detail.trend]
        best = [point.best for point in detail.trend]
        mean = [point.mean for point in detail.trend]
        figure = charts.trend_figure(
            names,
            [(detail.name, mine)],
            y_title=_("本轮得分"),
            reference=[(_("本赛道最高"), best), (_("本赛道平均"), mean)],
        )
        out.append(
            Chart(
                id="trend",
                heading=_("各轮得分走势"),
                payload=_payload(figure),
                columns=(_("轮次"), detail.name, _("本赛道最高"), _("本赛道平均")),
                rows=[
                    (
                        p.round.name,
                        _shown(p.total),
                        _shown(p.best),
                        _shown(p.mean),
                    )
                    for p in detail.trend
                ],
            )
        )
    if detail.breakdown and detail.breakdown_round is not None:
        figure = charts.breakdown_figure(
            [c.name for c in detail.breakdown],
            [c.points for c in detail.breakdown],
            [c.max_points for c in detail.breakdown],
            points_name=_("得分"),
            max_name=_("分值"),
        )
        out.append(
            Chart(
                id="breakdown",
                heading=_("%(round)s各考评项目得分", round=detail.breakdown_round.name),
                payload=_payload(figure),
                columns=(_("考评项目"), _("得分"), _("分值")),
                rows=[
                    (c.name, _shown(c.points), format_points(c.max_points))
                    for c in detail.breakdown
                ],
                wide=True,
            )
        )
    return out


# ------------------------------------------------------------------ big screen


@bp.route(f"{PREFIX}/<int:competition_id>/screen")
@labor_cache.page(max_age=30)
def public_screen(competition_id: int):  # type: ignore[no-untyped-def]
    """Full-screen standings for a site office: dark, large type, pages through each track's
    rows and refreshes its data from :func:`public_screen_data` (``static/js/labor-screen.js``).
    ``interval`` is the seconds a page stays (5–120); ``rows`` fixes the rows a page (3–50;
    by default as many as the screen holds)."""
    competition = _competition_or_404(competition_id)
    interval = min(max(request.args.get("interval", 10, type=int) or 10, 5), 120)
    rows = request.args.get("rows", 0, type=int) or 0
    rows = min(max(rows, 3), 50) if rows else 0
    return render_template(
        "labor/public/screen.html",
        head=service.head(competition),
        initial=_screen_payload(competition),
        api_url=url_for("labor.public_screen_data", competition_id=competition.id),
        interval=interval,
        rows=rows,
        refresh_seconds=int(current_app.config.get("KIOSK_REFRESH_SECONDS", 300)),
    )


@bp.route(f"{PREFIX}/<int:competition_id>/screen.json")
@labor_cache.page(max_age=30)
def public_screen_data(competition_id: int):  # type: ignore[no-untyped-def]
    return jsonify(_screen_payload(_competition_or_404(competition_id)))


def _screen_row(row: service.Row, latest: service.RoundHead | None, rating: bool) -> dict[str, Any]:
    """A big-screen row: a race's rank and flags, or a rating's grade (or why it has none)."""
    out: dict[str, Any] = {
        "rank": None if rating else row.rank,
        "name": row.name,
        "latest": None if latest is None else format_points(row.rounds.get(latest.id)),
        "total": format_points(row.total),
        "vetoed": row.vetoed,
        "latest_vetoed": latest is not None and latest.id in row.vetoed_rounds,
    }
    if rating:
        out["grade"] = row.grade or row.grade_note or None
    else:
        out["flags"] = row.flags
    return out


def _screen_payload(competition: Competition) -> dict[str, Any]:
    """What the big screen shows, as JSON: the latest round, and per track its flag holders
    and rows (rank, name, latest round, total, flags, vetoed) — public fields only. A rating
    (``"rating": true``) has no flags and shows each union's grade instead of a rank."""
    table = _standings(competition)
    latest = table.latest
    rating = competition.is_rating
    return {
        "competition": competition.name,
        "rating": rating,
        "round": None if latest is None else {"name": latest.name, "period": latest.period},
        "rounds": len(table.rounds),
        "tracks": [
            {
                "name": track.name,
                "holders": [] if rating else list(track.holders),
                "rows": [_screen_row(row, latest, rating) for row in track.rows],
            }
            for track in table.tracks
        ],
    }
