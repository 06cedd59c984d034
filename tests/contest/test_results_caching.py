"""The results caches: one build per key while many requests wait (no stampede), and a new
publication (results version) changes what the public page serves."""

from __future__ import annotations

import threading
import time
from typing import Any

from contest.caching import results_cache, single_flight
from contest.services.core.versions import RESULTS_CONTENT, bump_version
from contest.services.skills import publishing
from tests.contest.results_fixtures import ready_contest_fixture  # noqa: F401


def test_single_flight_builds_once_for_many_waiting_threads(make_app: Any) -> None:
    app = make_app(CACHE_TYPE="SimpleCache")
    calls: list[int] = []
    got: list[Any] = []

    def build() -> str:
        calls.append(1)
        time.sleep(0.2)
        return "page"

    def request() -> None:
        with app.app_context():
            got.append(single_flight("k", build))

    threads = [threading.Thread(target=request) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [1] and got == ["page"] * 12


def test_results_data_follows_the_results_version(make_app: Any) -> None:
    app = make_app(CACHE_TYPE="SimpleCache", WALL_VERSION_TTL=0)
    from contest.extensions import db

    with app.test_request_context():
        assert results_cache.data("x", lambda: 1) == 1
        assert results_cache.data("x", lambda: 2) == 1  # cached
        bump_version(RESULTS_CONTENT)
        db.session.commit()
        assert results_cache.data("x", lambda: 3) == 3


def test_public_page_is_cached_and_revalidates(db: Any, ready_contest: Any, client: Any) -> None:
    ns = ready_contest()
    publishing.publish(ns.organizer, ns.contest)
    db.session.commit()
    url = f"/results/{ns.contest.id}"
    first = client.get(url)
    assert first.status_code == 200 and first.headers.get("ETag")
    assert "public" in first.headers["Cache-Control"]
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
