"""The public home page (#16 item 15): one click to the wall, the labor standings, the 公示
lists, the results and 证书查验."""

from __future__ import annotations

import re
from typing import Any

from contest.ui.areas import public_entries


def test_the_public_home_leads_to_the_public_pages_in_order(client: Any, db: Any) -> None:
    html = client.get("/").get_data(as_text=True)
    block = re.search(r'<nav class="public-entries"[^>]*>(.*?)</nav>', html, re.S)
    assert block is not None
    links = re.findall(r'<a class="card public-entry" href="([^"]+)">\s*<strong>([^<]+)', block[1])
    assert links == [
        ("/wall/", "劳模墙"),
        ("/labor/public/", "劳动竞赛"),
        ("/nominations/publicity/", "评选公示"),
        ("/results/", "成绩公布"),
        ("/verify", "证书查验"),
    ]
    for url, _label in links:
        assert client.get(url).status_code == 200, url


def test_every_public_entry_is_an_endpoint_the_app_has(app: Any) -> None:
    """An entry names a built page: 公示 joins by declaring one once its page exists."""
    with app.test_request_context():
        entries = public_entries()
    assert entries
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    for entry in entries:
        rule = rules[entry.endpoint]
        assert "GET" in rule.methods and not rule.arguments, entry.endpoint
        assert str(entry.label) and str(entry.summary)
