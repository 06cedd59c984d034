"""Published labor rounds are sealed (issue 12 review item 6): publishing records the SHA-256 of
the round's results (participant, total, rank, 一票否决, grade) in its audit entry, the public
pages check the stored results against it whenever they read the round, and a result changed
behind the publication is logged and shown to the competition's organizers — never to the
public. A round reopened and published again is sealed again. The digest is the core's, shared
with the skills contest's snapshots."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import update

from contest.models import AuditEntry, RoundResult
from contest.services.core.digests import rows_digest
from contest.services.labor import round_results, seals
from contest.services.labor import standings as service
from contest.services.skills import results as skills_results
from tests.contest.labor_rounds_support import build_round_world
from tests.contest.test_labor_rounds import publish

WARNING = "本轮成绩与公布时记录的校验值不一致"


@pytest.fixture
def world(db: Any, make_org: Callable[..., Any], make_user: Callable[..., Any]) -> SimpleNamespace:
    return build_round_world(db, make_org, make_user)


def _publish_entries(db: Any) -> list[dict[str, Any]]:
    entries = db.session.query(AuditEntry).filter_by(action="competition.round.publish")
    return [json.loads(e.after) for e in entries.order_by(AuditEntry.id)]


def test_publishing_records_the_digest_of_the_results(db: Any, world: SimpleNamespace) -> None:
    publish(db, world, world.round)
    (after,) = _publish_entries(db)
    rows = seals.round_rows(world.round.id)
    assert [set(r) for r in rows] == [{"participant", "total", "rank", "vetoed", "grade"}] * 4
    assert [r["participant"] for r in rows] == sorted(r["participant"] for r in rows)
    assert rows[0] == {
        "participant": world.participants["P1"].id,
        "total": "100.00",
        "rank": 1,
        "vetoed": False,
        "grade": None,
    }
    assert after["round_id"] == world.round.id and after["digest"] == rows_digest(rows)
    assert len(after["digest"]) == 64
    seal = seals.check(world.round)
    assert seal.sealed and not seal.broken
    # one digest helper for both journeys
    assert skills_results.rows_digest is rows_digest


def test_a_result_changed_after_publishing_is_logged_and_shown_to_organizers(
    app: Any,
    db: Any,
    world: SimpleNamespace,
    client_for: Callable[..., Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    publish(db, world, world.round)
    cid, rid = world.competition.id, world.round.id
    public_url = f"/labor/public/{cid}/rounds/{rid}"
    organizer, anonymous = client_for(world.organizer), client_for(None)
    assert WARNING not in organizer.get(public_url).get_data(as_text=True)

    db.session.execute(
        update(RoundResult)
        .where(RoundResult.participant_id == world.participants["P2"].id)
        .values(total=99, rank=1)
    )
    service.changed()  # as any later write would move the version
    db.session.commit()
    with (
        caplog.at_level(logging.WARNING, logger="contest.services.labor.seals"),
        app.test_request_context(),
    ):
        table = service.round_table(world.competition, world.round)
    assert table.seal_warning.startswith(WARNING)
    assert any("do not hash to the digest" in r.getMessage() for r in caplog.records)
    assert WARNING in organizer.get(public_url).get_data(as_text=True)
    assert WARNING in organizer.get(f"/labor/public/{cid}").get_data(as_text=True)
    progress = organizer.get(f"/labor/{cid}/rounds/{rid}/progress").get_data(as_text=True)
    assert 'id="seal-warning"' in progress
    public_page = anonymous.get(public_url)
    assert public_page.status_code == 200 and WARNING not in public_page.get_data(as_text=True)

    # reopened, confirmed and published again: sealed again with the new results
    round_results.reopen_round(world.organizer, world.round, "核对被改动的成绩")
    round_results.confirm_round(world.chief, world.round)
    round_results.publish_round(world.organizer, world.round)
    db.session.commit()
    assert len(_publish_entries(db)) == 2
    assert not seals.check(world.round).broken
    assert WARNING not in organizer.get(public_url).get_data(as_text=True)


def test_a_round_published_before_seals_is_unsealed_not_broken(
    db: Any, world: SimpleNamespace
) -> None:
    publish(db, world, world.round)
    entry = db.session.query(AuditEntry).filter_by(action="competition.round.publish").one()
    db.session.delete(entry)  # as if published before the digest was recorded
    db.session.commit()
    seal = seals.check(world.round)
    assert not seal.sealed and not seal.broken and seals.warning(seal) == ""
