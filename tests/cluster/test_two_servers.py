"""Two ``contest serve`` processes, one PostgreSQL, Redis, HAProxy (DESIGN's scale-out).

What one server does, the other sees: a session opened on one, a form token issued by one, a
honor added (within the content-version interval), a photo uploaded, the login rate limit, a
logout. Each check goes directly to each server and through the balancer, whose answers name
the server that served them. See ``tests/cluster/conftest.py`` for what must be installed.
"""

from __future__ import annotations

import io
import time
from urllib.parse import urlencode

import pytest
from PIL import Image

from contest.caching import VERSION_TTL
from tests.cluster.conftest import LOGIN_RATE, MAX_FAILURES
from tests.cluster.web import Visitor
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.cluster, pytest.mark.xdist_group("cluster")]


def _signed_in(cluster, seeded, source: str) -> Visitor:
    """An admin who read the login form on server 1 and posted it to server 2."""
    visitor = Visitor(source)
    a, b = cluster.servers
    reply = visitor.log_in(a, b, seeded.admin, PASSWORD)
    assert reply.status == 302, reply.text[:500]
    return visitor


def test_a_session_opened_through_one_server_works_on_the_other(cluster, seeded):
    visitor = _signed_in(cluster, seeded, "127.0.0.11")
    page = f"/orgs/people/{seeded.person_id}/edit"
    for base in cluster.servers:
        reply = visitor.get(base + page)
        assert reply.status == 200, (base, reply.status, reply.location)
        assert seeded.person_name in reply.text
    served_by = set()
    for _ in range(4):
        reply = visitor.get(cluster.balancer + page)
        assert reply.status == 200, (reply.server, reply.status, reply.location)
        served_by.add(reply.server)
    assert served_by == {"s1", "s2"}


def test_a_honor_added_through_one_server_is_on_the_others_wall_within_the_version_interval(
    cluster, seeded
):
    a, b = cluster.servers
    name, title = "钟离秋实", "江州市五一劳动奖章"
    wall = "/wall/?" + urlencode({"q": name})
    passer_by = Visitor("127.0.0.12")
    # Server 2 has the search cached (in Redis) under the current version: no such honor.
    for _ in range(2):
        assert title not in passer_by.get(b + wall).text
    admin = _signed_in(cluster, seeded, "127.0.0.12")
    token = admin.csrf(a + "/admin/honors/new")
    reply = admin.post(
        a + "/admin/honors/new",
        {
            "csrf_token": token,
            "recipient_kind": "person",
            "recipient_name": name,
            "title": title,
            "level": "city",
            "year": "2025",
            "conferring_body": "江州市总工会",
            "document_number": "江工发〔2025〕7号",
        },
    )
    assert reply.status == 302, reply.text[:2000]
    # Each server re-reads the version at most every VERSION_TTL seconds: past that, every
    # server shows the new honor on its next request, whichever server made the change.
    time.sleep(VERSION_TTL + 0.2)
    for base in (b, a):
        assert title in passer_by.get(base + wall).text, base
    served_by = set()
    for _ in range(4):
        reply = passer_by.get(cluster.balancer + wall)
        assert title in reply.text
        served_by.add(reply.server)
    assert served_by == {"s1", "s2"}


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 400), (180, 40, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


def test_a_photo_uploaded_through_one_server_is_served_by_the_other(cluster, seeded):
    a, b = cluster.servers
    admin = _signed_in(cluster, seeded, "127.0.0.13")
    person = f"/orgs/people/{seeded.person_id}"
    token = admin.csrf(a + person + "/edit")
    reply = admin.post(
        a + person + "/photo",
        {"csrf_token": token},
        files={"photo": ("portrait.jpg", _jpeg(), "image/jpeg")},
    )
    assert reply.status == 302, reply.text[:500]
    staff_copy = admin.get(b + person + "/photo.jpg")
    assert staff_copy.status == 200
    assert staff_copy.body[:3] == b"\xff\xd8\xff"
    # The public wall's copy (the person consented and holds a valid honor), through both.
    passer_by = Visitor("127.0.0.13")
    for _ in range(2):
        reply = passer_by.get(cluster.balancer + f"/wall/photo/{seeded.person_id}")
        assert reply.status == 200, reply.server
        assert reply.body == staff_copy.body


def test_the_login_rate_limit_counts_attempts_made_through_both_servers(cluster, seeded):
    a, b = cluster.servers
    stranger = Visitor("127.0.0.14")
    token = stranger.csrf(a + "/login")
    attempt = {"csrf_token": token, "username": "nobody_here", "password": "wrong-password-1"}
    for number in range(LOGIN_RATE):
        reply = stranger.post((a, b)[number % 2] + "/login", attempt)
        assert reply.status == 200, (number, reply.status)
    for base in (a, b):
        assert stranger.post(base + "/login", attempt).status == 429, base


def test_behind_the_balancer_the_rate_limit_is_per_client_on_both_servers(cluster, seeded):
    """HAProxy names the client in X-Forwarded-For: one client's attempts, spread over both
    servers, add up, and they do not use up another client's."""
    stranger, neighbour = Visitor("127.0.0.15"), Visitor("127.0.0.16")
    token = stranger.csrf(cluster.balancer + "/login")
    attempt = {"csrf_token": token, "username": "nobody_here", "password": "wrong-password-1"}
    served_by = set()
    for _ in range(LOGIN_RATE):
        reply = stranger.post(cluster.balancer + "/login", attempt)
        assert reply.status == 200
        served_by.add(reply.server)
    assert served_by == {"s1", "s2"}
    assert {stranger.post(cluster.balancer + "/login", attempt).status for _ in range(2)} == {429}
    reply = neighbour.log_in(cluster.balancer, cluster.balancer, seeded.admin, PASSWORD)
    assert reply.status == 302


def test_wrong_passwords_through_both_servers_lock_that_address_out_of_the_account(cluster, seeded):
    a, b = cluster.servers
    guesser = Visitor("127.0.0.19")
    token = guesser.csrf(a + "/login")
    guess = {"csrf_token": token, "username": seeded.admin, "password": "wrong-password-1"}
    for number in range(MAX_FAILURES):
        assert guesser.post((a, b)[number % 2] + "/login", guess).status == 200
    right = {**guess, "password": PASSWORD}
    for base in (b, a):
        reply = guesser.post(base + "/login", right)
        assert reply.status == 200 and "登录失败次数过多" in reply.text, base
    # The owner, from another address, still signs in (through the balancer).
    owner = Visitor("127.0.0.20")
    assert owner.log_in(cluster.balancer, cluster.balancer, seeded.admin, PASSWORD).status == 302


def test_logout_through_one_server_ends_the_session_on_the_other(cluster, seeded):
    a, b = cluster.servers
    admin = _signed_in(cluster, seeded, "127.0.0.17")
    # A copy of the cookies on the same network (from another address, Flask-Login's strong
    # session protection refuses them anyway).
    copied = Visitor("127.0.0.17")
    copied.cookies = dict(admin.cookies)
    page = f"/orgs/people/{seeded.person_id}/edit"
    assert copied.get(b + page).status == 200
    token = admin.csrf(a + page)
    assert admin.post(a + "/logout", {"csrf_token": token}).status == 302
    for base in (b, a, cluster.balancer, cluster.balancer):
        reply = copied.get(base + page)
        assert reply.status == 302 and "/login" in reply.location, (base, reply.status)
