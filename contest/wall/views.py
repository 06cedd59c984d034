"""The public wall: the grid, profiles, photos, the kiosk and the statistics page."""

from __future__ import annotations

import io
from pathlib import Path

import qrcode
import qrcode.image.svg
from flask import (
    Response,
    abort,
    current_app,
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
    data = wall_service.profile(honor_id)
    if data is None:
        abort(404)
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


@bp.route("/kiosk")
@honors_cache.page(max_age=30)
def kiosk():  # type: ignore[no-untyped-def]
    """Full-screen carousel for the big screen in a 职工之家; the same filters as the wall."""
    query = wall_service.WallQuery.from_args(
        request.args, per_page_default=wall_service.MAX_PER_PAGE
    )
    page = honors_cache.data("wall.search", lambda: wall_service.search(query), query.cache_key())
    interval = min(max(request.args.get("interval", 8, type=int) or 8, 3), 120)
    api_args = {k: v for k, v in request.args.items() if k not in {"interval", "page", "per_page"}}
    return render_template(
        "wall/kiosk.html",
        initial={"items": [item.to_api() for item in page.items], "total": page.total},
        api_url=url_for("api.honors", **api_args, per_page=wall_service.MAX_PER_PAGE),
        interval=interval,
        refresh_seconds=int(current_app.config.get("KIOSK_REFRESH_SECONDS", 300)),
        level_labels=dict(level_choices()),
    )
