"""Honors by hand and photos (issue #10 item 6): add and correct an honor in the browser, edit
its 事迹, and upload a person's photo — checked by content and size, resized, EXIF stripped."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select

from contest.models import AuditEntry, Honor, HonorLevel, HonorSource, OrgKind, Person
from contest.services.core import photos
from contest.services.honors.records import add_honor, revoke_honor
from tests.contest.test_authority import documented_honor

FORM = {
    "recipient_kind": "person",
    "recipient_name": "王秀英",
    "unit_name": "江州纺织厂工会",
    "post": "挡车工",
    "skill_level": "高级技师",
    "title": "劳动模范",
    "trade": "",
    "level": "city",
    "year": "2015",
    "conferring_body": "江州市人民政府",
    "document_number": "江政发〔2015〕12号",
    "conferred_on": "2015-04-28",
    "industry": "纺织",
    "deeds_summary": "扎根一线二十年。",
    "deeds_full": "扎根一线二十年。\n\n带出徒弟三十余名。",
}


@pytest.fixture
def admin(client_for: Any, make_user: Any) -> Any:
    return client_for(make_user("admin"))


def honors(db: Any) -> list[Honor]:
    db.session.rollback()
    return list(db.session.scalars(select(Honor).order_by(Honor.id)))


def actions(db: Any) -> list[str]:
    db.session.rollback()
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


# ------------------------------------------------------------------ honors by hand


def test_admin_adds_an_honor_linked_to_the_unit(db: Any, admin: Any, make_org: Any) -> None:
    plant = make_org(name="江州纺织厂工会", kind=OrgKind.GRASSROOTS, industry="纺织")
    response = admin.post("/admin/honors/new", data=FORM)
    assert response.status_code == 302
    [honor] = honors(db)
    assert (honor.title, honor.level, honor.year) == ("劳动模范", HonorLevel.CITY, 2015)
    assert honor.organization_id == plant.id and honor.source is HonorSource.MANUAL
    assert honor.document_number == "江政发〔2015〕12号"
    assert honor.deeds_full and "三十余名" in honor.deeds_full
    assert "honor.create" in actions(db)
    assert "王秀英" in admin.get("/admin/honors?q=王秀英").get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"conferring_body": ""}, "请填写授予机关"),
        ({"document_number": ""}, "请填写表彰文件的文号"),
        ({"title": "全国劳动模范"}, "含“全国”字样的荣誉只能是全国或省部级"),
        ({"year": "1800"}, "1949"),
        ({"deeds_summary": "字" * 501}, "事迹摘要不能超过 500 字"),
        ({"level": "galactic"}, "Not a valid choice"),
    ],
)
def test_a_refused_honor_says_why_and_writes_nothing(
    db: Any, admin: Any, changes: dict[str, str], message: str
) -> None:
    response = admin.post("/admin/honors/new", data={**FORM, **changes})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert message in page or (message == "Not a valid choice" and "has-error" in page)
    assert honors(db) == []


def test_an_honor_added_from_a_persons_page_belongs_to_them(
    db: Any, admin: Any, make_person: Any
) -> None:
    person = make_person("李建国", post="焊工")
    page = admin.get(f"/admin/honors/new?person_id={person.id}").get_data(as_text=True)
    assert 'value="李建国"' in page and 'value="焊工"' in page
    response = admin.post(
        f"/admin/honors/new?person_id={person.id}", data={**FORM, "recipient_name": "李建国"}
    )
    assert response.headers["Location"].endswith(f"/admin/people/{person.id}")
    [honor] = honors(db)
    assert honor.person_id == person.id and honor.organization_id == person.organization_id
    assert "劳动模范" in admin.get(f"/admin/people/{person.id}").get_data(as_text=True)
    assert admin.get("/admin/honors/new?person_id=999999").status_code == 404


def _honor(db: Any, **fields: Any) -> Honor:
    honor = add_honor(None, documented_honor(**fields))
    db.session.commit()
    return honor


def test_editing_deeds_is_audited_with_before_and_after(db: Any, admin: Any) -> None:
    honor = _honor(db, deeds_summary="旧的事迹。")
    page = admin.get(f"/admin/honors/{honor.id}/edit").get_data(as_text=True)
    assert "旧的事迹。" in page and 'value="江政发〔2015〕12号"' in page
    response = admin.post(
        f"/admin/honors/{honor.id}/edit",
        data={**FORM, "unit_name": "", "deeds_summary": "新的事迹。"},
    )
    assert response.status_code == 302
    [stored] = honors(db)
    assert stored.deeds_summary == "新的事迹。"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "honor.update")).one()
    assert "旧的事迹" in (entry.before or "") and "新的事迹" in (entry.after or "")


def test_a_refused_edit_changes_nothing(db: Any, admin: Any) -> None:
    honor = _honor(db)
    response = admin.post(f"/admin/honors/{honor.id}/edit", data={**FORM, "document_number": ""})
    assert response.status_code == 200
    assert "请填写表彰文件的文号" in response.get_data(as_text=True)
    assert honors(db)[0].document_number == "江政发〔2015〕12号"


def test_a_contest_honor_keeps_what_the_results_decided(db: Any, admin: Any) -> None:
    honor = _honor(
        db,
        title="江州市技术能手",
        trade="数控车工",
        document_number=None,
        source=HonorSource.CONTEST,
        source_ref="contest:1",
        conferring_body="江州市总工会",
    )
    page = admin.get(f"/admin/honors/{honor.id}/edit").get_data(as_text=True)
    assert "以公布的成绩为准" in page
    forged = {
        **FORM,
        "title": "全国技术能手",
        "level": "national",
        "trade": "钳工",
        "conferring_body": "人社部",
        "document_number": "",
        "deeds_summary": "比赛中表现突出。",
    }
    assert admin.post(f"/admin/honors/{honor.id}/edit", data=forged).status_code == 302
    [stored] = honors(db)
    assert (stored.title, stored.level, stored.trade) == (
        "江州市技术能手",
        HonorLevel.CITY,
        "数控车工",
    )
    assert stored.conferring_body == "江州市总工会"
    assert stored.deeds_summary == "比赛中表现突出。"


def test_a_revoked_honor_is_not_edited(db: Any, admin: Any) -> None:
    honor = _honor(db)
    revoke_honor(None, honor, "事迹严重失实")
    db.session.commit()
    response = admin.post(f"/admin/honors/{honor.id}/edit", data=FORM)
    assert response.status_code == 302
    assert honors(db)[0].deeds_summary is None


def test_only_admins_curate_honors(db: Any, login_as: Any, client: Any) -> None:
    honor = _honor(db)
    login_as("organizer")
    assert client.get("/admin/honors/new").status_code == 403
    assert client.post(f"/admin/honors/{honor.id}/edit", data=FORM).status_code == 403
    assert len(honors(db)) == 1


# ------------------------------------------------------------------ photos


def image_bytes(
    size: tuple[int, int] = (1000, 500),
    fmt: str = "JPEG",
    mode: str = "RGB",
    exif: bool = True,
) -> bytes:
    image = Image.new(mode, size, "red" if mode != "1" else 1)
    out = io.BytesIO()
    kwargs: dict[str, Any] = {}
    if exif and fmt == "JPEG":
        tags = Image.Exif()
        tags[0x0112] = 6  # Orientation: rotate 90° clockwise to show
        tags[0x010F] = "SecretCam"  # Make
        tags[0x8825] = {2: (30.0, 15.0, 0.0)}  # GPS latitude
        kwargs["exif"] = tags
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


@pytest.fixture
def photo_person(make_org: Any, make_person: Any) -> Any:
    plant = make_org(name="江州纺织厂工会", kind=OrgKind.GRASSROOTS)
    return make_person("王秀英", organization=plant)


def upload(client: Any, person: Any, data: bytes, name: str = "photo.jpg") -> Any:
    return client.post(
        f"/orgs/people/{person.id}/photo",
        data={"photo": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def stored_file(db: Any, person: Any) -> Path | None:
    db.session.rollback()
    return photos.path_of(db.session.get(Person, person.id))


def test_a_photo_is_turned_upright_resized_and_stripped(
    db: Any, admin: Any, photo_person: Any
) -> None:
    page = admin.get(f"/orgs/people/{photo_person.id}/edit").get_data(as_text=True)
    assert "尚未上传照片" in page and "不在劳模墙展示" in page
    response = upload(admin, photo_person, image_bytes())
    page = response.get_data(as_text=True)
    assert "已更新 王秀英 的照片" in page and "更换照片" in page
    assert f"/orgs/people/{photo_person.id}/photo.jpg" in page
    path = stored_file(db, photo_person)
    assert path is not None
    with Image.open(path) as stored:
        assert stored.format == "JPEG"
        # 1000×500 with "rotate 90°": upright it is 500×1000, then fitted into 600×800.
        assert stored.size == (400, 800)
        assert len(stored.getexif()) == 0 and "exif" not in stored.info
    assert b"SecretCam" not in path.read_bytes()
    assert "person.photo" in actions(db)


def test_a_transparent_png_is_accepted(db: Any, admin: Any, photo_person: Any) -> None:
    upload(admin, photo_person, image_bytes((300, 400), "PNG", "RGBA"), "p.png")
    path = stored_file(db, photo_person)
    assert path is not None
    with Image.open(path) as stored:
        assert stored.mode == "RGB"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (image_bytes((300, 400), "GIF", exif=False), "只接受 JPEG 或 PNG"),
        (b"<?php echo 1; ?>", "只接受 JPEG 或 PNG"),
        (image_bytes((60, 80)), "照片太小"),
        (image_bytes((9000, 5000), "PNG", "1", exif=False), "像素过大"),
        (image_bytes()[:4000], "照片文件已损坏"),
    ],
    ids=["gif", "not-an-image", "tiny", "pixel-bomb", "truncated"],
)
def test_a_bad_photo_is_refused_and_changes_nothing(
    db: Any, admin: Any, photo_person: Any, data: bytes, message: str
) -> None:
    upload(admin, photo_person, image_bytes())
    before = stored_file(db, photo_person)
    count = len(actions(db))
    page = upload(admin, photo_person, data).get_data(as_text=True)
    assert message in page
    assert stored_file(db, photo_person) == before and len(actions(db)) == count


def test_an_oversized_file_is_refused(
    db: Any, admin: Any, photo_person: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(photos, "MAX_PHOTO_BYTES", 1000)
    page = upload(admin, photo_person, image_bytes()).get_data(as_text=True)
    assert "照片不能超过" in page
    assert stored_file(db, photo_person) is None


def test_replacing_and_removing_delete_the_old_files(
    db: Any, admin: Any, photo_person: Any
) -> None:
    upload(admin, photo_person, image_bytes())
    first = stored_file(db, photo_person)
    upload(admin, photo_person, image_bytes((500, 700), exif=False))
    second = stored_file(db, photo_person)
    assert first is not None and second is not None and first != second
    assert not first.exists() and second.exists()
    admin.post(f"/orgs/people/{photo_person.id}/photo/remove")
    assert stored_file(db, photo_person) is None and not second.exists()
    assert "person.photo_remove" in actions(db)


def test_the_staff_copy_is_scoped_and_the_wall_needs_consent(
    db: Any,
    admin: Any,
    photo_person: Any,
    client_for: Any,
    make_user: Any,
    make_org: Any,
    client: Any,
) -> None:
    upload(admin, photo_person, image_bytes())
    _honor(db, person=photo_person)
    own = client_for(make_user("organizer", organization=photo_person.organization))
    response = own.get(f"/orgs/people/{photo_person.id}/photo.jpg")
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    response.close()
    other = client_for(make_user("organizer", organization=make_org(name="河州市总工会")))
    assert other.get(f"/orgs/people/{photo_person.id}/photo.jpg").status_code == 403
    assert client.get(f"/wall/photo/{photo_person.id}").status_code == 404
    person = db.session.get(Person, photo_person.id)
    person.consent_photo = True
    db.session.commit()
    public = client.get(f"/wall/photo/{photo_person.id}")
    assert public.status_code == 200
    public.close()
