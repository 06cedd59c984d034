"""The public wall: the grid, profiles, photos, the kiosk and the statistics page."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from typing import Any

import qrcode
import qrcode.image.svg
from flask import (
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    send_file,
    url_for,
)

from contest.caching import honors_cache
from contest.models import HonorLevel
from contest.services.honors import wall as wall_service
from contest.ui import links
from contest.wall.blueprint import bp


@bp.route("/")
@honors_cache.page()
def index():  # type: ignore[no-untyped-def]
    query = wall_service.WallQuery.from_args(request.args)
    page = honors_cache.data("wall.search", lambda: wall_service.search(query), query.cache_key())
    facets = honors_cache.data("wall.facets", wall_service.facets)
    return render_template(
        "wall/index.html", page=page, query=query, facets=facets, level_choices=level_choices()
    )


def level_choices() -> list[tuple[str, str]]:
    return [(level.value, level.label) for level in HonorLevel]


@bp.route("/<int:honor_id>")
@honors_cache.page()
def profile(honor_id: int):  # type: ignore[no-untyped-def]
    """An honoree's page; for a lapsed rating (a QR card outlives its year) a 410 saying 已过期
    and until when, nothing else."""
    data = wall_service.profile(honor_id)
    if data is None:
        lapsed = wall_service.lapsed(honor_id)
        if lapsed is None:
            abort(404)
        return render_template("wall/lapsed.html", lapsed=lapsed), 410
    return render_template("wall/profile.html", profile=data)


@bp.route("/<int:honor_id>/qr.svg")
@honors_cache.page(max_age=3600)
def qr(honor_id: int):  # type: ignore[no-untyped-def]
    """A QR code to the profile, for printed exhibition cards (the public address, see
    ``contest.ui.links``)."""
    if wall_service.profile(honor_id) is None:
        abort(404)
    target = links.public_url("wall.profile", honor_id=honor_id)
    image = qrcode.make(target, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    buffer = io.BytesIO()
    image.save(buffer)
    return Response(buffer.getvalue(), mimetype="image/svg+xml")


@bp.route("/photo/<int:person_id>")
def photo(person_id: int):  # type: ignore[no-untyped-def]
    """A person's photo, only with their consent and only while they hold a valid honor."""
    filename = wall_service.photo_filename(person_id)
    if filename is None:
        abort(404)
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "photos"
    path = (folder / filename).resolve()
    if folder.resolve() not in path.parents or not path.is_file():
        abort(404)
    response = send_file(path, max_age=300, conditional=True)
    return response


# The kiosk holds one page of honors at a time and fetches the next as it goes (#16 item 15):
# a wall of 100,000 honors rotates through all of them without loading them at once.
KIOSK_PER_PAGE = 30


def _kiosk_query() -> wall_service.WallQuery:
    return wall_service.WallQuery.from_args(request.args, per_page_default=KIOSK_PER_PAGE)


def _kiosk_filters() -> dict[str, Any]:
    """The request's filters and page size, without its page and the kiosk's own settings."""
    return {k: v for k, v in request.args.items() if k not in {"interval", "page"}}


def _kiosk_payload(query: wall_service.WallQuery) -> dict[str, Any]:
    """One page for the kiosk: public fields only (``PublicHonor`` has no personal numbers),
    with ``next``, the URL of the following page (None on the last)."""
    page = honors_cache.data("wall.search", lambda: wall_service.search(query), query.cache_key())
    following = query.page + 1 if query.page < page.pages else None
    return {
        "items": [item.to_api() for item in page.items],
        "total": page.total,
        "page": query.page,
        "per_page": query.per_page,
        "next": None
        if following is None
        else url_for("wall.kiosk_page", **_kiosk_filters(), page=following),
    }


@bp.route("/kiosk")
@honors_cache.page(max_age=30)
def kiosk():  # type: ignore[no-untyped-def]
    """Full-screen carousel for the big screen in a 职工之家; the same filters as the wall.
    The first page comes with the HTML; ``static/js/kiosk.js`` fetches the others from
    :func:`kiosk_page` one ahead of the slide it shows."""
    query = replace(_kiosk_query(), page=1)
    interval = min(max(request.args.get("interval", 8, type=int) or 8, 3), 120)
    return render_template(
        "wall/kiosk.html",
        initial=_kiosk_payload(query),
        api_url=url_for("wall.kiosk_page", **_kiosk_filters()),
        interval=interval,
        refresh_seconds=int(current_app.config.get("KIOSK_REFRESH_SECONDS", 300)),
        level_labels=dict(level_choices()),
    )


@bp.route("/kiosk/page")
@honors_cache.page(max_age=30)
def kiosk_page():  # type: ignore[no-untyped-def]
    """A page of the kiosk's honors as JSON (``page`` is the cursor; ``next`` says where to go
    on); a page past the end is empty with no ``next``."""
    return jsonify(_kiosk_payload(_kiosk_query()))
