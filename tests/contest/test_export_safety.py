"""Exports cannot carry formulas (#11 item 2).

The results, score-sheet and rubric workbooks and ``contest rank`` wrote a name beginning with
``=`` as a live formula (a HYPERLINK to anywhere); only the honors export escaped it. Every
.xlsx and .csv the platform produces is now written by ``core.spreadsheets``, which puts an
apostrophe before text starting with = + - @, tab or CR and leaves numbers alone. The hostile
names below are planted in every export, downloaded through the route or command an operator
uses, and every cell is checked.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select

from contest.commands.rank import rank_command
from contest.models import ContestStatus, Honor, OrgKind
from contest.services.core import audit
from contest.services.core.spreadsheets import FORMULA_PREFIXES, csv_text, neutralise, write_xlsx
from contest.services.honors import roster
from contest.services.labor import round_results
from contest.services.nominations import conferral, publicity
from contest.services.skills import publishing
from tests.contest.labor_rounds_support import build_round_world
from tests.contest.nomination_publicity_support import build_campaign
from tests.contest.results_fixtures import ready_contest_fixture  # noqa: F401
from tests.contest.test_nomination_publicity import DOC, START

HOSTILE = ['=HYPERLINK("http://evil")', "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"]
NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")
ROOT = Path(__file__).resolve().parents[2]

Output = tuple[str, str, bytes]  # (label, "xlsx" | "csv", content)


def _cells(kind: str, data: bytes) -> list[Any]:
    if kind == "csv":
        text = data.decode("utf-8-sig")
        return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    book = load_workbook(io.BytesIO(data))
    cells = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate}: {cell.value!r}"
                cells.append(cell.value)
    return cells


def assert_defused(outputs: list[Output], planted: list[str]) -> list[Any]:
    """No cell is a formula or text Excel would run; each planted value is there, defused."""
    every: list[Any] = []
    for label, kind, data in outputs:
        cells = _cells(kind, data)
        texts = [c for c in cells if isinstance(c, str)]
        for text in texts:
            # In a CSV a negative number is written as such, and Excel reads it as a number.
            assert not text.startswith(FORMULA_PREFIXES) or (
                kind == "csv" and NUMBER.fullmatch(text)
            ), f"{label}: {text!r}"
        # An .xlsx gives a CR back as LF (XML line-end handling).
        seen = [t.replace("\r", "\n") for t in texts]
        for value in planted:
            wanted = "'" + value.replace("\r", "\n")
            assert any(t.startswith(wanted) for t in seen), f"{label}: {value!r} not exported"
        every.extend(cells)
    return every


def _admin(ctx: Any) -> Any:
    return ctx.client_for(ctx.make_user("admin"))


def _get(client: Any, url: str, **kwargs: Any) -> bytes:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, url
    return bytes(response.data)


def _post(client: Any, url: str, **kwargs: Any) -> bytes:
    response = client.post(url, **kwargs)
    assert response.status_code == 200, url
    return bytes(response.data)


def _cli(ctx: Any, *args: str, name: str) -> bytes:
    path = ctx.tmp_path / name
    result = ctx.runner.invoke(args=[*args, str(path)])
    assert result.exit_code == 0, result.output
    return path.read_bytes()


def _downloads(ctx: Any, url: str, command: str, template: str) -> tuple[list[Output], list[str]]:
    """The export in both formats from its page and from ``contest <command> export``; its
    import template checked on the way."""
    admin = _admin(ctx)
    assert_defused([("template", "xlsx", _get(admin, template))], [])
    outputs: list[Output] = []
    for kind in ("xlsx", "csv"):
        outputs.append((f"web {kind}", kind, _post(admin, url, data={"format": kind})))
        outputs.append((f"cli {kind}", kind, _cli(ctx, command, "export", name=f"out.{kind}")))
    return outputs, HOSTILE


# ---------------------------------------------------------------- one builder per export


def skills_results(ctx: Any) -> tuple[list[Output], list[str]]:
    """The organizer's results and score-sheet workbooks of a published contest."""
    ns = ctx.ready_contest(private=False)
    for entry, value in zip(ns.entries, HOSTILE, strict=True):
        entry.person.name = value  # the snapshot copies it; the sheets reveal it after sign-off
    for judge, value in zip(ns.judges, HOSTILE, strict=False):
        judge.display_name = value
    ns.components["practical"].name = HOSTILE[0]  # a header: "=HYPERLINK(…)成绩"
    ns.aspects["P1"].name = HOSTILE[3]
    ctx.db.session.commit()
    publishing.publish(ns.organizer, ns.contest)
    ctx.db.session.commit()
    owner = ctx.client_for(ns.organizer)
    return [
        ("results", "xlsx", _get(owner, f"/results/{ns.contest.id}/export.xlsx")),
        ("sheets", "xlsx", _get(owner, f"/results/{ns.contest.id}/sheets.xlsx")),
    ], HOSTILE


def rubric(ctx: Any) -> tuple[list[Output], list[str]]:
    """An event's rubric and its import template."""
    ns = ctx.make_contest(status=ContestStatus.DRAFT)
    for aspect, value in zip(ns.aspects.values(), HOSTILE, strict=False):
        aspect.name = value
    criteria = [c for component in ns.components.values() for c in component.criteria]
    criteria[0].name, criteria[1].name = HOSTILE[4], HOSTILE[5]
    ns.components["theory"].name = HOSTILE[0]
    ctx.db.session.commit()
    owner = ctx.client_for(ns.organizer)
    base = f"/contests/{ns.contest.id}/events/{ns.event.id}"
    exported = [("rubric", "xlsx", _get(owner, f"{base}/rubric.xlsx"))]
    assert_defused([("template", "xlsx", _get(owner, f"{base}/rubric/template.xlsx"))], [])
    return exported, HOSTILE


def registration_template(ctx: Any) -> tuple[list[Output], list[str]]:
    ns = ctx.make_contest(status=ContestStatus.REGISTRATION)
    ns.event.occupation = HOSTILE[0]
    for unit, value in zip(ns.units, HOSTILE[1:], strict=False):
        unit.name = value
    ctx.db.session.commit()
    owner = ctx.client_for(ns.organizer)
    data = _get(owner, f"/contests/{ns.contest.id}/entries/template.xlsx")
    return [("registration template", "xlsx", data)], [HOSTILE[0]]


def honors(ctx: Any) -> tuple[list[Output], list[str]]:
    """The roster export, from the admin area and from ``contest honors export``."""
    lines = ["姓名,荣誉称号,级别,年份,授予机关,文号"] + [
        f"职工{i},劳动模范,地市级,2015,江州市人民政府,江政发〔2015〕{i + 1}号"
        for i in range(len(HOSTILE))
    ]
    roster.import_roster(None, "\n".join(lines).encode(), "r.csv")
    honors_ = ctx.db.session.scalars(select(Honor).order_by(Honor.id)).all()
    for honor, value in zip(honors_, HOSTILE, strict=True):
        honor.unit_name = value
    ctx.db.session.commit()
    return _downloads(ctx, "/admin/honors/export", "honors", "/admin/honors/template.xlsx")


def orgs(ctx: Any) -> tuple[list[Output], list[str]]:
    """The union tree, from the tree page and from ``contest orgs export``."""
    city = ctx.make_org(name="江州市总工会", kind=OrgKind.CITY)
    for i, value in enumerate(HOSTILE):
        # Set on the model: forms and imports refuse control characters, a database may not.
        ctx.make_org(name=f"基层工会{i}", kind=OrgKind.GRASSROOTS, parent=city).name = value
    ctx.db.session.commit()
    return _downloads(ctx, "/orgs/export", "orgs", "/orgs/template.xlsx")


def people(ctx: Any) -> tuple[list[Output], list[str]]:
    unit = ctx.make_org(name="江州机床厂工会", kind=OrgKind.GRASSROOTS)
    for i, value in enumerate(HOSTILE):
        ctx.make_person(name=f"职工{i}", organization=unit).name = value
    ctx.db.session.commit()
    admin = _admin(ctx)
    outputs: list[Output] = [
        (f"web {kind}", kind, _post(admin, "/orgs/people/export", data={"format": kind}))
        for kind in ("xlsx", "csv")
    ]
    templates = [("/orgs/people/template.xlsx", "people"), ("/admin/users/template.xlsx", "judges")]
    assert_defused([(label, "xlsx", _get(admin, url)) for url, label in templates], [])
    return outputs, HOSTILE


def audit_log(ctx: Any) -> tuple[list[Output], list[str]]:
    for value in HOSTILE:
        audit.record(None, "honors.export", "honor", after={"rows": 1}, reason=value)
    ctx.db.session.commit()
    data = _post(_admin(ctx), "/admin/audit/export", query_string={"what": "honors.export"})
    return [("audit", "xlsx", data)], HOSTILE


def labor(ctx: Any) -> tuple[list[Output], list[str]]:
    """A labor competition's indicator sheet, 参赛名录 and round score template, each with its
    import template. Names are set on the model rows: the forms refuse control characters."""
    world = build_round_world(ctx.db, ctx.make_org, ctx.make_user)
    participants = list(world.participants.values())
    for participant, value in zip(participants, HOSTILE, strict=False):
        participant.name = value
    world.tracks["土建"].name, world.tracks["机电"].name = HOSTILE[4], HOSTILE[5]
    aspects = list(world.aspects.values())
    aspects[0].criterion.name = HOSTILE[0]
    for aspect, value in zip(aspects, HOSTILE, strict=False):
        aspect.name = value
        aspect.standard = value
    ctx.db.session.commit()
    round_results.open_scoring(world.organizer, world.round)
    ctx.db.session.commit()
    owner = ctx.client_for(world.organizer)
    base = f"/labor/{world.competition.id}"
    # Each sheet and what must reach it: names and 评分细则 in the exports, the first 赛道 as
    # the template's example, participants, 赛道 and item names in the round's score template.
    planted = {
        "indicators/export.xlsx": HOSTILE,
        "indicators/template.xlsx": [],
        "participants/export.xlsx": HOSTILE,
        "participants/template.xlsx": [HOSTILE[4]],
        f"rounds/{world.round.id}/scores.xlsx?who=team": HOSTILE,
    }
    outputs: list[Output] = []
    for path, values in planted.items():
        data = _get(owner, f"{base}/{path}")
        assert_defused([(path, "xlsx", data)], values)
        outputs.append((path, "xlsx", data))
    return outputs, []


def nominations(ctx: Any) -> tuple[list[Output], list[str]]:
    """An honor campaign's quota table and template and its four conferral exports, the
    nominee and union names planted on the model rows before the publicity snapshot."""
    world = build_campaign(ctx.db, ctx.make_org, ctx.make_user, ctx.make_person)
    ctx.monkeypatch.setattr(publicity, "today", lambda: START)
    world.host.name = HOSTILE[0]
    for unit, value in zip(world.units.values(), HOSTILE[1:], strict=False):
        unit.name = value
    names = list(world.nominations.values())
    for nomination, value in zip(names, HOSTILE, strict=False):
        nomination.name = value
    planted = HOSTILE[: len(names)]
    ctx.db.session.commit()
    publicity.start(world.organizer, world.campaign, START, "江州市总工会组织部 0510-12345678")
    ctx.db.session.commit()
    day = date(2026, 10, 16)
    ctx.monkeypatch.setattr(publicity, "today", lambda: day)
    conferred = conferral.confer(world.organizer, world.campaign, DOC, day).honors
    ctx.db.session.commit()
    owner = ctx.client_for(world.organizer)
    base = f"/nominations/{world.campaign.id}"
    quotas = _get(owner, f"{base}/quotas/export.xlsx")
    assert_defused([("quotas", "xlsx", quotas)], [HOSTILE[0]])
    assert_defused([("quota template", "xlsx", _get(owner, f"{base}/quotas/template.xlsx"))], [])
    outputs: list[Output] = [("quotas", "xlsx", quotas)]
    # Every nominee is summarised and in the publicity list; those conferred are on the awards.
    awarded = [honor.recipient_name for honor in conferred]
    assert awarded and set(awarded) <= set(planted)
    for kind, values in (("summary", planted), ("publicity", planted), ("awards", awarded)):
        data = _post(owner, f"{base}/export/{kind}.xlsx")
        assert_defused([(kind, "xlsx", data)], values)
        outputs.append((kind, "xlsx", data))
    outputs.append(("audit", "xlsx", _post(owner, f"{base}/export/audit.xlsx")))
    return outputs, []


def care(ctx: Any) -> tuple[list[Output], list[str]]:
    """The 劳模服务 exports: a due list (for the hospital) and one file's care records with
    their notes, the honorees' names, units and the records' places and notes planted on the
    rows directly (the forms would refuse some of them)."""
    from contest.models import CareKind, CareRecord, HonoreeFile, HonorLevel
    from contest.services.care import due
    from contest.services.honors import records

    city = ctx.make_org(name="江州市总工会")
    carer = ctx.make_user("care", organization=city)
    last_year = due.year_today() - 1
    files = []
    for value in HOSTILE:
        person = ctx.make_person(name="张伟", organization=city)
        records.add_honor(
            None,
            records.HonorData(
                recipient_name="张伟",
                title="江州市劳动模范",
                level=HonorLevel.CITY,
                year=2020,
                person=person,
                organization=city,
                conferring_body="江州市人民政府",
                document_number="江政〔2020〕1号",
            ),
        )
        person.name = value
        file = HonoreeFile(person=person, care_organization=city, current_unit=value)
        record = CareRecord(
            file=file, kind=CareKind.HEALTH_CHECK, on_date=date(last_year, 6, 1), place=value
        )
        record.set_notes(value)
        ctx.db.session.add_all([file, record])
        files.append(file)
    ctx.db.session.commit()
    owner = ctx.client_for(carer)
    data = {"tab": "health_check", "year": str(due.year_today())}
    outputs: list[Output] = [("due", "xlsx", _post(owner, "/care/due/export", data=data))]
    assert_defused(outputs, HOSTILE)
    path = f"/care/files/{files[0].id}/records/export"
    notes = _post(owner, path, data={"confirmed": "1"})
    assert_defused([("records", "xlsx", notes)], [HOSTILE[0]])
    outputs.append(("records", "xlsx", notes))
    return outputs, []


EXPORTS: dict[str, Callable[[Any], tuple[list[Output], list[str]]]] = {
    "results-and-score-sheets": skills_results,
    "rubric": rubric,
    "registration-template": registration_template,
    "honors": honors,
    "orgs": orgs,
    "people-and-judge-template": people,
    "audit": audit_log,
    "labor": labor,
    "nominations": nominations,
    "care": care,
}

# Every route that sends a spreadsheet, and the builder above that downloads it.
COVERED = {
    "results.export_results": "results-and-score-sheets",
    "results.export_sheets": "results-and-score-sheets",
    "contests.rubric_export": "rubric",
    "contests.rubric_import_template": "rubric",
    "contests.entries_template": "registration-template",
    "admin.export_honors": "honors",
    "admin.honors_template": "honors",
    "orgs.export_tree": "orgs",
    "orgs.tree_template": "orgs",
    "orgs.export_people": "people-and-judge-template",
    "orgs.people_template": "people-and-judge-template",
    "admin.judges_template": "people-and-judge-template",
    "admin.export_audit": "audit",
    "labor.indicators_export": "labor",
    "labor.indicators_template": "labor",
    "labor.participants_export": "labor",
    "labor.participants_template": "labor",
    "labor.round_template": "labor",
    "nominations.conferral_export": "nominations",
    "nominations.quotas_export": "nominations",
    "nominations.quotas_template": "nominations",
    "care.due_export": "care",
    "care.records_export": "care",
}


@pytest.mark.parametrize("export", list(EXPORTS))
def test_every_export_writes_hostile_names_as_text(
    request: pytest.FixtureRequest, db: Any, tmp_path: Path, export: str
) -> None:
    names = ("client_for", "make_user", "make_org", "make_person", "make_contest", "runner")
    ctx = SimpleNamespace(**{n: request.getfixturevalue(n) for n in names})
    ctx.db, ctx.tmp_path = db, tmp_path
    ctx.monkeypatch = request.getfixturevalue("monkeypatch")
    ctx.ready_contest = request.getfixturevalue("ready_contest")
    outputs, planted = EXPORTS[export](ctx)
    cells = assert_defused(outputs, planted)
    assert cells, export


def test_every_spreadsheet_route_has_a_safety_case(app: Flask) -> None:
    routes = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.rule.endswith((".xlsx", ".csv")) or "export" in rule.endpoint
    }
    assert routes <= set(COVERED), sorted(routes - set(COVERED))
    assert set(COVERED.values()) <= set(EXPORTS)


def test_contest_rank_writes_entry_codes_as_text_and_totals_as_numbers(
    tmp_path: Path,
) -> None:
    # Leading tabs and CRs are stripped when the sheet is read, so those entries become "=2", "=3".
    entries = [*HOSTILE[:4], "\t=2", "\r=3"]
    rows = [
        (entry, judge, "c", 5 + (i * 7 + j * 3) % 5)
        for i, entry in enumerate(entries)
        for j, judge in enumerate(["J1", "J2", "J3"])
    ]
    scores = tmp_path / "scores.csv"
    scores.write_text(
        "entry,judge,criterion,score\n"
        + "".join(
            f'"{entry.replace(chr(34), chr(34) * 2)}",{judge},{criterion},{score}\n'
            for entry, judge, criterion, score in rows
        )
    )
    runner = CliRunner()
    common = [str(scores), "--normalize", "zscore"]
    book = tmp_path / "ranked.xlsx"
    done = runner.invoke(rank_command, [*common, "--format", "xlsx", "--output", str(book)])
    assert done.exit_code == 0, done.output
    text = runner.invoke(rank_command, [*common, "--format", "csv"])
    assert text.exit_code == 0, text.output
    planted = [*HOSTILE[:4], "=2", "=3"]
    cells = assert_defused([("rank xlsx", "xlsx", book.read_bytes())], planted)
    assert sum(isinstance(c, float) for c in cells) == len(planted)  # the totals
    csv_cells = assert_defused([("rank csv", "csv", text.stdout.encode())], planted)
    assert sum(bool(NUMBER.fullmatch(c)) for c in csv_cells) == 2 * len(planted)  # total, rank


def test_numbers_stay_numbers_and_only_formula_text_is_quoted() -> None:
    frame = pd.DataFrame({"分数": [-1, -2.5, 3], "备注": ["-1", "=1", "良好"]})
    book = io.BytesIO()
    write_xlsx(frame, book, sheet_title="t")
    sheet = load_workbook(io.BytesIO(book.getvalue())).active
    assert [(c.value, c.data_type) for c in sheet["A"][1:]] == [(-1, "n"), (-2.5, "n"), (3, "n")]
    assert [c.value for c in sheet["B"][1:]] == ["'-1", "'=1", "良好"]
    assert csv_text(frame).splitlines()[1:] == ["-1.0,'-1", "-2.5,'=1", "3.0,良好"]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1", "'+1"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("王秀英", "王秀英"),
        (" =1", " =1"),
        (-1, -1),
        (-2.5, -2.5),
        (0, 0),
        (None, None),
    ],
)
def test_neutralise_quotes_formula_text_and_leaves_numbers(value: Any, written: Any) -> None:
    assert neutralise(value) == written
    assert type(neutralise(value)) is type(written)


def test_no_module_writes_a_spreadsheet_but_the_shared_writer() -> None:
    """One writer: a new export that builds its own workbook or CSV would skip the defusing."""
    writers = re.compile(
        r"\bWorkbook\(|\.to_excel\(|ExcelWriter|\.to_csv\(|csv\.(?:writer|DictWriter)\("
    )
    shared = ROOT / "contest" / "services" / "core" / "spreadsheets.py"
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for package in ("contest", "scoring")
        for path in sorted((ROOT / package).rglob("*.py"))
        if path != shared
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if writers.search(line)
    ]
    assert offenders == []
