"""The kiosk's pages (#16 item 15): every matching honor, a page at a time, public fields only."""

from __future__ import annotations

import json
import re
from typing import Any

from contest.models import HonorLevel
from contest.services.honors.records import HonorData, add_honor
from contest.validation import id_check_digit

ID_BODY = "33010219800101123"
PHONE = "13912345678"


def honor_data(name: str, **fields: Any) -> HonorData:
    fields.setdefault("title", "劳动模范")
    fields.setdefault("level", HonorLevel.CITY)
    fields.setdefault("year", 2010)
    fields.setdefault("document_number", "江政发〔2010〕8号")
    return HonorData(recipient_name=name, conferring_body="江州市人民政府", **fields)


def add_honors(db: Any, count: int, **fields: Any) -> None:
    for n in range(count):
        add_honor(None, honor_data(f"职工{n:03d}", year=2000 + n % 20, **fields))
    db.session.commit()


def test_the_kiosk_pages_through_more_than_a_hundred_honors(client: Any, db: Any) -> None:
    add_honors(db, 130)
    url: str | None = "/wall/kiosk/page?per_page=100"
    seen: list[int] = []
    pages = 0
    while url is not None:
        payload = client.get(url).json
        assert payload["total"] == 130
        seen.extend(item["id"] for item in payload["items"])
        url = payload["next"]
        pages += 1
    assert pages == 2
    assert len(seen) == 130 and len(set(seen)) == 130


def test_the_kiosk_page_carries_only_the_first_page_and_keeps_the_filters(
    client: Any, db: Any
) -> None:
    add_honors(db, 40)
    add_honor(None, honor_data("王秀英", title="全国劳动模范", level=HonorLevel.NATIONAL))
    db.session.commit()
    html = client.get("/wall/kiosk?interval=5").get_data(as_text=True)
    block = re.search(r'<script type="application/json" id="kiosk-data">(.*?)</script>', html)
    assert block is not None
    first = json.loads(block.group(1))
    assert len(first["items"]) == 30 and first["total"] == 41 and first["page"] == 1
    assert first["next"].startswith("/wall/kiosk/page?") and "page=2" in first["next"]
    assert "interval" not in first["next"]

    national = client.get("/wall/kiosk/page?level=national").json
    assert [item["name"] for item in national["items"]] == ["王秀英"]
    assert national["next"] is None
    beyond = client.get("/wall/kiosk/page?page=99").json
    assert beyond["items"] == [] and beyond["next"] is None


def test_no_personal_numbers_in_the_kiosk_json(client: Any, db: Any, make_person: Any) -> None:
    id_number = ID_BODY + id_check_digit(ID_BODY)
    person = make_person(
        name="王秀英", id_number=id_number, phone=PHONE, consent_deeds=True, consent_photo=True
    )
    add_honors(db, 1, person=person)
    for url in ("/wall/kiosk", "/wall/kiosk/page"):
        body = client.get(url).get_data(as_text=True)
        assert "职工000" in body or json.dumps("职工000")[1:-1] in body, url  # escaped in <script>
        assert id_number not in body and PHONE not in body and "1980-01-01" not in body, url
