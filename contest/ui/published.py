"""Published results as the public gets them (results pages, the results API, certificates and
``/verify``): through the results cache, and only rows that match their snapshot.

The checks (``contest.services.skills.results``) read a whole snapshot, so their outcomes are
cached like everything else public: per content version, snapshot and event. A header whose
document does not hash to its audited digest, or an event whose stored rows differ from the
document, is cached as withheld and answered with 503 and a message, never with rows; the
reason is logged once per build. A page cached before the database was tampered with shows the
sealed rows, not the tampered ones, until its copy expires (an hour at most) or a publication
moves the version; every page built after that refuses.

503, not 409: nothing in the request conflicts with anything and the client cannot fix it; the
service is unavailable until the organizer repairs the data, shared caches do not keep a 503,
and monitoring watching for 5xx notices.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, NoReturn

from flask import abort, jsonify, make_response, render_template
from flask_babel import gettext as _

from contest.caching import results_cache
from contest.services.skills import results as results_service
from contest.ui.errors import wants_json

__all__ = ["certificate", "header", "rows", "withheld"]

log = logging.getLogger(__name__)
WITHHELD_STATUS = 503


def withheld() -> NoReturn:
    """Stop the request: these results do not check, so none of them is shown."""
    message = _("成绩数据校验未通过，暂停公开，请联系主办方")
    if wants_json():
        response = make_response(jsonify(error="results_withheld", message=message))
    else:
        response = make_response(
            render_template(
                "errors/error.html",
                code=WITHHELD_STATUS,
                title=_("成绩暂停公开"),
                text=message,
            )
        )
    response.status_code = WITHHELD_STATUS
    response.headers["Cache-Control"] = "no-store"
    abort(response)


def header(contest_id: int) -> results_service.PublicContest | None:
    """The published contest's header (None: not published); withheld when it does not check."""
    found = results_cache.data(
        "results.header", lambda: results_service.public_contest(contest_id), contest_id
    )
    if isinstance(found, results_service.Withheld):
        withheld()
    return found  # type: ignore[no-any-return]


def _sealed(snapshot_id: int, event_id: int, seal: results_service.EventSeal) -> Any:
    rows = results_cache.data(
        "results.sealed",
        lambda: results_service.sealed_rows(snapshot_id, event_id, seal),
        snapshot_id,
        event_id,
        seal.digest,
    )
    if rows is None:
        withheld()
    return rows


def rows(
    found: results_service.PublicContest,
    events: Sequence[results_service.PublicEvent],
    page: int = 1,
    per_page: int | None = None,
) -> list[dict[str, Any]]:
    """The sealed rows of ``events`` (a page of them with ``per_page``), as
    ``results_service.page_of`` cuts them; withheld when an event's stored rows do not check."""
    parts = [(event, _sealed(found.snapshot_id, event.id, event.seal)) for event in events]
    return results_service.page_of(parts, page, per_page)


def certificate(number: str) -> results_service.Certificate | None:
    """The certificate with this number (None: no such certificate), once its row is found
    among its snapshot's sealed rows with the same content; withheld otherwise."""
    found = results_service.find_certificate(number)
    if found is None:
        return None
    seals = results_cache.data(
        "results.seals",
        lambda: results_service.snapshot_seals(found.snapshot_id),
        found.snapshot_id,
    )
    if seals is None:
        withheld()  # logged by snapshot_seals
    seal = seals.get(found.event_id)
    if seal is None:
        log.warning(
            "certificate withheld: snapshot %s has no event %s", found.snapshot_id, found.event_id
        )
        withheld()
    if not results_service.certificate_matches(
        found, _sealed(found.snapshot_id, found.event_id, seal), seal.precision
    ):
        withheld()
    return found
