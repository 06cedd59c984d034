"""The printed 劳模名录 (issue #14 item 6): a PDF of a union's honorees since 1949.

Seed 003 asks unions to compile the roster of their model workers since 1949; this prints it
from the honors table: a cover (the union, the levels, the years, the day it was printed),
one section per level from the highest, year headings (届次) inside each, one row per honor
with the **public fields only** (DOMAIN §4 rule 27: 姓名 with a （女） marker, 单位, 岗位/职务,
技能等级/职称 and the title; level and year are the headings), and an index of names in pinyin
order (``Honor.sort_key``) with the pages each name is printed on.

What it lists (:class:`RollFilter`): person honors held today (``validity.valid_on``: revoked
and lapsed ones are left out) whose title contains one of the title words — by default
:data:`DEFAULT_TITLE_WORDS`, 劳动模范 or 先进工作者, which also matches 全国劳动模范 and
省部级先进工作者 — in a level range and a year range. With a union, only honors whose recipient
(``Person.organization_id``) or unit (``Honor.organization_id``) lies in that union's subtree;
honors with neither belong to no union and appear only in the roll of all unions.

Scale: a city's archive since 1949 may hold 100,000 honors. Rows are streamed from the
database in batches (``yield_per``: a server-side cursor on PostgreSQL) as plain tuples, never
as ORM objects and never all at once: one pass gathers the characters printed (to decide on
the fallback font) and the count, one prints the sections, one the index. Between the passes
only two integer arrays are kept — each honor's id and the page it landed on — for the index.
fpdf2 keeps every page's content stream in memory until ``output``. Measured with
bench/honor_roll_bench.py: 99,000 honors on 2,523 pages added 63 MiB to the process's peak RSS
(a Python-level peak of 51 MiB, the pages and the finished file among it) in 15 s. That is
small enough to build in one document: joining parts would need a PDF library that itself
holds every page (pypdf's writer does; streaming merges are an open request there), and each
part would embed its own font subset. Memory grows with the pages, about 20 MiB per 1,000:
a roll of a million honors would want the parts after all.
"""

from __future__ import annotations

import bisect
import re
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

from flask_babel import gettext as _
from fpdf import FPDF
from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from contest.extensions import db
from contest.models import Gender, Honor, HonorLevel, Organization, Person, RecipientKind, User
from contest.models.honor import title_with_trade
from contest.services.core import audit
from contest.services.core.pdf import FONT, add_fonts, needs_fallback
from contest.services.honors.records import HonorError, parse_level
from contest.services.honors.validity import today, valid_on

__all__ = [
    "DEFAULT_TITLE_WORDS",
    "FIRST_YEAR",
    "RollError",
    "RollFilter",
    "RollProgress",
    "RollSummary",
    "count_honors",
    "find_union",
    "make_filter",
    "parse_levels",
    "split_words",
    "write_roll",
]

# The 名录 is of 劳模: titles containing one of these words, unless the caller names others.
DEFAULT_TITLE_WORDS: tuple[str, ...] = ("劳动模范", "先进工作者")
FIRST_YEAR = 1949
WORD_MAX, WORDS_MAX = 20, 10
YIELD = 2_000  # rows per fetched batch
PROGRESS_EVERY = 500  # rows between two progress reports

_SPLIT = re.compile(r"[\s,，、;；]+")
_ORDINALS = "一二三四五六七八九十"

# Page geometry (A4 portrait, millimetres) and type sizes (points).
PAGE_W, PAGE_H = 210.0, 297.0
LEFT, RIGHT = 18.0, 18.0
BODY_W = PAGE_W - LEFT - RIGHT
BODY_TOP, BODY_BOTTOM = 22.0, 280.0
BODY_SIZE, LINE_H, ROW_PAD = 9.0, 4.4, 1.4
MAX_LINES = 12  # a cell longer than this is cut with an ellipsis (a row must fit a page)
# 姓名, 单位, 岗位/职务, 技能等级/职称, 荣誉称号
COLUMN_WIDTHS = (30.0, 56.0, 30.0, 24.0, 34.0)
INDEX_COLUMNS, INDEX_GAP = 3, 6.0
INK, RED, MUTED, RULE = (30, 30, 30), (160, 28, 28), (110, 110, 110), (205, 205, 205)


class RollError(ValueError):
    """A refused roll: ``field`` names the option or form field the message is about."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class RollFilter:
    """Which honors a roll lists (see the module docstring); ``last_year`` None is this year."""

    organization: Organization | None = None
    highest: HonorLevel = HonorLevel.NATIONAL
    lowest: HonorLevel = HonorLevel.ENTERPRISE
    first_year: int = FIRST_YEAR
    last_year: int | None = None
    titles: tuple[str, ...] = DEFAULT_TITLE_WORDS

    @property
    def to_year(self) -> int:
        return self.last_year if self.last_year is not None else today().year

    @property
    def levels(self) -> list[HonorLevel]:
        return [lv for lv in HonorLevel if self.highest.rank <= lv.rank <= self.lowest.rank]


@dataclass(frozen=True)
class RollProgress:
    """What a progress callback is told: the stage (``scan``, ``sections``, ``index``,
    ``output``), rows done of the stage's total, and pages printed so far."""

    stage: str
    done: int
    total: int
    pages: int


@dataclass(frozen=True)
class RollSummary:
    honors: int
    people: int  # entries of the index: one per person (a name without a person: per unit)
    pages: int
    size: int  # bytes written


# ------------------------------------------------------------------ reading the options


def split_words(text: str | None) -> tuple[str, ...]:
    """Title words as typed: separated by spaces, commas or 、; duplicates dropped."""
    return tuple(dict.fromkeys(w for w in _SPLIT.split(text or "") if w))


def parse_levels(text: str | None) -> tuple[HonorLevel, HonorLevel]:
    """``HIGHEST[:LOWEST]`` (全国：地市级 or 全国:地市级, national:city, 省级); one level alone is
    that level only, ``HIGHEST:`` that level and below; empty is every level."""
    raw = (text or "").strip().replace("：", ":")
    if not raw:
        return HonorLevel.NATIONAL, HonorLevel.ENTERPRISE
    parts = raw.split(":")
    if len(parts) > 2:
        raise RollError("level", _("级别范围应写作“最高级别：最低级别”，例如 全国：地市级"))
    try:
        highest = parse_level(parts[0])
        lowest = parse_level(parts[-1]) if parts[-1].strip() else HonorLevel.ENTERPRISE
    except HonorError as error:
        raise RollError("level", str(error)) from None
    return highest, lowest


def find_union(text: str | int | None) -> Organization | None:
    """The union named by an id or its exact name (or short name, or code); ``None`` for all.
    Refused when nothing or more than one union answers to a name."""
    raw = str(text if text is not None else "").strip()
    if not raw:
        return None
    if raw.isdigit():
        org = db.session.get(Organization, int(raw))
        if org is not None:
            return org
    matches = db.session.scalars(
        select(Organization)
        .where(
            or_(Organization.name == raw, Organization.short_name == raw, Organization.code == raw)
        )
        .order_by(Organization.id)
        .limit(6)
    ).all()
    if not matches:
        raise RollError("org", _("找不到工会“%(name)s”（可填写名称或编号）", name=raw))
    if len(matches) > 1:
        ids = "、".join(str(org.id) for org in matches[:5])
        raise RollError(
            "org", _("有多个工会名为“%(name)s”，请改填编号：%(ids)s", name=raw, ids=ids)
        )
    return matches[0]


def make_filter(
    *,
    organization: Organization | None = None,
    levels: str | tuple[HonorLevel, HonorLevel] | None = None,
    first_year: int | None = None,
    last_year: int | None = None,
    titles: Iterable[str] | None = None,
) -> RollFilter:
    """A checked :class:`RollFilter` from what a command line or a form gave; a bad value is
    a :class:`RollError` naming it."""
    highest, lowest = levels if isinstance(levels, tuple) else parse_levels(levels)
    if highest.rank > lowest.rank:
        message = _(
            "级别范围应从高到低，例如 全国：地市级（%(high)s 低于 %(low)s）",
            high=highest.label,
            low=lowest.label,
        )
        raise RollError("level", message)
    this_year = today().year
    first = FIRST_YEAR if first_year is None else first_year
    last = this_year if last_year is None else last_year
    for name, year in (("from", first), ("to", last)):
        if not FIRST_YEAR <= year <= this_year + 1:
            raise RollError(
                name,
                _("年份应在 %(first)d 年到 %(last)d 年之间", first=FIRST_YEAR, last=this_year + 1),
            )
    if first > last:
        raise RollError("from", _("起始年份不能晚于截止年份"))
    words = tuple(dict.fromkeys(w.strip() for w in (titles or ()) if w and w.strip()))
    words = words or DEFAULT_TITLE_WORDS
    if len(words) > WORDS_MAX:
        raise RollError("title", _("称号关键词最多 %(n)d 个", n=WORDS_MAX))
    long = next((w for w in words if len(w) > WORD_MAX), None)
    if long:
        raise RollError(
            "title", _("称号关键词“%(word)s”太长：最多 %(n)d 个字", word=long, n=WORD_MAX)
        )
    return RollFilter(organization, highest, lowest, first, last_year, words)


# ------------------------------------------------------------------ the queries


def _where(flt: RollFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [
        valid_on(),
        Honor.recipient_kind == RecipientKind.PERSON,
        Honor.level_rank.between(flt.highest.rank, flt.lowest.rank),
        Honor.year.between(flt.first_year, flt.to_year),
        or_(*(Honor.title.contains(word, autoescape=True) for word in flt.titles)),
    ]
    if flt.organization is not None:
        subtree = flt.organization.subtree_ids_query()
        conditions.append(
            or_(Honor.organization_id.in_(subtree), Person.organization_id.in_(subtree))
        )
    return conditions


def _select(flt: RollFilter, *columns: Any) -> Select[Any]:
    return (
        select(*columns)
        .select_from(Honor)
        .outerjoin(Person, Person.id == Honor.person_id)
        .where(and_(*_where(flt)))
    )


def count_honors(flt: RollFilter) -> int:
    """How many honors the roll of ``flt`` lists (one COUNT: the admin page's limit check)."""
    return int(db.session.scalar(_select(flt, func.count(Honor.id))) or 0)


def _stream(statement: Select[Any]) -> Iterator[Any]:
    """The rows of ``statement`` in batches: plain tuples, a server-side cursor on
    PostgreSQL, never the whole result in memory."""
    # Core rows on the session's connection: the ORM's per-row loading machinery is half the
    # cost of a pass otherwise, and these are plain columns anyway.
    connection = db.session.connection()
    result = connection.execute(statement.execution_options(yield_per=YIELD))
    try:
        yield from result
    finally:
        result.close()


# ------------------------------------------------------------------ laying out text


class _Measure:
    """Widths of characters, cached per type size (the font's ``get_string_width`` per string
    would dominate the run), and greedy line breaking by character (CJK text breaks anywhere;
    a Latin word is kept whole when it fits)."""

    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf
        self.tables: dict[float, dict[str, float]] = {}

    def _table(self) -> dict[str, float]:
        size = self.pdf.font_size_pt
        table = self.tables.get(size)
        if table is None:
            table = self.tables[size] = {}
        return table

    def _learn(self, table: dict[str, float], ch: str) -> float:
        # A character the committed subset lacks prints from the fallback font: reserve a
        # full CJK cell for it.
        probe = "中" if needs_fallback((ch,)) else ch
        width = table[ch] = self.pdf.get_string_width(probe)
        return width

    def width(self, text: str) -> float:
        table = self._table()
        total = 0.0
        for ch in text:
            w = table.get(ch)
            total += self._learn(table, ch) if w is None else w
        return total

    def wrap(self, text: str, width: float, max_lines: int = MAX_LINES) -> list[str]:
        if self.width(text) <= width:
            return [text]
        table = self._table()
        lines: list[str] = []
        line, used = "", 0.0
        for ch in text:
            w = table[ch]
            if line and used + w > width:
                cut = line.rfind(" ")
                if ch != " " and line.isascii() and cut > 0:
                    lines.append(line[:cut])
                    line = line[cut + 1 :]
                    used = self.width(line)
                else:
                    lines.append(line)
                    line, used = "", 0.0
                if ch == " ":
                    continue
            line += ch
            used += w
        if line or not lines:
            lines.append(line)
        if len(lines) > max_lines:
            lines = lines[:max_lines]
            lines[-1] = lines[-1][:-1] + "…"
        return lines


class _Printer:
    """The document: fonts, page furniture and the two primitives every part uses."""

    def __init__(self, title: str, union: str, characters: str) -> None:
        pdf = FPDF(orientation="P", unit="mm", format="A4")
        pdf.set_auto_page_break(False)
        pdf.set_margins(LEFT, BODY_TOP, RIGHT)
        pdf.set_title(f"{union}{title}")
        pdf.set_creator(_("职工技能竞赛与荣誉平台"))
        add_fonts(pdf, (characters,))
        pdf.set_font(FONT, size=BODY_SIZE)
        self.pdf = pdf
        self.measure = _Measure(pdf)
        self.running = f"{union}{title}"
        self.section = ""
        self.colour: tuple[int, int, int] | None = None
        # Whether any text of the roll needs the fallback font: else no string is checked.
        self.rare = needs_fallback((characters,))

    @property
    def page(self) -> int:
        return int(self.pdf.page)

    def style(self, size: float, colour: tuple[int, int, int] = INK) -> None:
        """Type size and colour. The fill colour follows the text colour: fpdf2's ``text()``
        wraps each string in its own colour operators when the two differ (a quarter of the
        run's time at 100,000 rows)."""
        self.pdf.set_font(FONT, size=size)
        if colour != self.colour:
            self.colour = colour
            self.pdf.set_text_color(*colour)
            self.pdf.set_fill_color(*colour)

    def put(self, x: float, top: float, text: str, height: float = LINE_H) -> None:
        """``text`` on one line whose box starts at ``top``: ``text()`` (fast) for what the
        committed font prints, a cell (glyph-by-glyph fallback) for rarer characters, both on
        the baseline fpdf2's cells use."""
        if not text:
            return
        pdf = self.pdf
        if self.rare and needs_fallback((text,)):
            pdf.set_xy(x, top)
            pdf.cell(h=height, text=text)
        else:
            pdf.text(x, top + 0.5 * height + 0.3 * pdf.font_size, text)

    def mark(self, name: str, level: int, top: float) -> None:
        """An entry of the PDF's outline (bookmarks) pointing at ``top`` of this page."""
        self.pdf.set_xy(LEFT, top)
        self.pdf.start_section(name, level=level)

    def put_right(self, right: float, top: float, text: str, height: float = LINE_H) -> None:
        self.put(right - self.measure.width(text), top, text, height)

    def new_page(self) -> float:
        """A body page with its running head and page number; returns the body's top."""
        pdf = self.pdf
        pdf.add_page()
        self.style(8, MUTED)
        self.put(LEFT, 10, self.running)
        self.put_right(PAGE_W - RIGHT, 10, self.section)
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.2)
        pdf.line(LEFT, 15.5, PAGE_W - RIGHT, 15.5)
        number = str(self.page)
        self.put((PAGE_W - self.measure.width(number)) / 2, 287, number)
        self.style(BODY_SIZE)
        return BODY_TOP


# ------------------------------------------------------------------ the parts of the book


def _cover_title(flt: RollFilter) -> str:
    if flt.titles == DEFAULT_TITLE_WORDS:
        return _("劳动模范名录")
    return _("%(titles)s名录", titles="、".join(flt.titles))


def _union_name(flt: RollFilter) -> str:
    """The union on the cover: the one asked for, else the top of the tree when it has one."""
    if flt.organization is not None:
        return flt.organization.name
    roots = db.session.scalars(
        select(Organization.name).where(Organization.parent_id.is_(None)).limit(2)
    ).all()
    return roots[0] if len(roots) == 1 else _("全部工会")


def _level_range(flt: RollFilter) -> str:
    if flt.highest is flt.lowest:
        return flt.highest.label
    return _("%(high)s至%(low)s", high=flt.highest.label, low=flt.lowest.label)


def _cover(
    printer: _Printer, flt: RollFilter, union: str, title: str, honors: int, day: date
) -> None:
    pdf = printer.pdf
    pdf.add_page()
    printer.style(BODY_SIZE, RED)
    pdf.rect(0, 0, PAGE_W, 8, style="F")
    centre = PAGE_W / 2

    def centred(top: float, text: str, size: float, colour: tuple[int, int, int] = INK) -> None:
        printer.style(size, colour)
        for offset, line in enumerate(printer.measure.wrap(text, BODY_W, 3)):
            height = size * 0.5
            printer.put(
                centre - printer.measure.width(line) / 2, top + offset * height, line, height
            )

    centred(70, union, 20)
    centred(92, title, 30, RED)
    words = "、".join(f"“{w}”" for w in flt.titles)
    facts = [
        _("级别：%(levels)s", levels=_level_range(flt)),
        _("年份：%(first)d—%(last)d年", first=flt.first_year, last=flt.to_year),
        _("称号：含%(words)s", words=words),
        _("共 %(n)s 人次", n=f"{honors:,}"),
    ]
    for index, fact in enumerate(facts):
        centred(140 + index * 9, fact, 12)
    centred(250, _("%(y)d年%(m)d月%(d)d日编印", y=day.year, m=day.month, d=day.day), 12)
    centred(262, union, 11, MUTED)


@dataclass
class _Pages:
    """Each printed honor's id and the page it landed on, as two compact arrays."""

    ids: array[int] = field(default_factory=lambda: array("q"))
    pages: array[int] = field(default_factory=lambda: array("l"))

    def add(self, honor_id: int, page: int) -> None:
        self.ids.append(honor_id)
        self.pages.append(page)

    def sort(self) -> None:
        order = sorted(range(len(self.ids)), key=self.ids.__getitem__)
        self.ids = array("q", (self.ids[i] for i in order))
        self.pages = array("l", (self.pages[i] for i in order))

    def of(self, honor_id: int) -> int | None:
        """The page of ``honor_id`` (after :meth:`sort`); ``None`` for an honor the sections did
        not print (added between the two passes on PostgreSQL's READ COMMITTED)."""
        at = bisect.bisect_left(self.ids, honor_id)
        return self.pages[at] if at < len(self.ids) and self.ids[at] == honor_id else None


def _name(name: str, gender: Gender | None) -> str:
    return f"{name}（女）" if gender is Gender.FEMALE else name


def _sections(
    printer: _Printer,
    flt: RollFilter,
    total: int,
    report: Callable[[str, int, int], None],
) -> _Pages:
    """One section per level (each from a new page), year headings, one row per honor."""
    pdf, measure = printer.pdf, printer.measure
    placed = _Pages()
    headings = (_("姓名"), _("单位"), _("岗位/职务"), _("技能等级/职称"), _("荣誉称号"))
    lefts = [LEFT + sum(COLUMN_WIDTHS[:i]) for i in range(len(COLUMN_WIDTHS))]
    statement = _select(
        flt,
        Honor.id,
        Honor.level,
        Honor.year,
        Honor.recipient_name,
        Person.gender,
        Honor.unit_name,
        Honor.post,
        Honor.skill_level,
        Honor.title,
        Honor.trade,
    ).order_by(Honor.level_rank, Honor.year, Honor.title, Honor.sort_key, Honor.id)

    def column_heads(top: float) -> float:
        printer.style(8, MUTED)
        for left, text in zip(lefts, headings, strict=True):
            printer.put(left, top, text)
        pdf.set_draw_color(*RULE)
        pdf.line(LEFT, top + LINE_H + 0.6, PAGE_W - RIGHT, top + LINE_H + 0.6)
        printer.style(BODY_SIZE)
        return top + LINE_H + 1.6

    def year_head(top: float, year: int, more: bool) -> float:
        printer.style(11, RED)
        text = _("%(year)d年", year=year) + (_("（续）") if more else "")
        printer.put(LEFT, top, text, 6)
        return column_heads(top + 7)

    level: HonorLevel | None = None
    year: int | None = None
    top = BODY_BOTTOM
    done = sections = 0
    printer.style(BODY_SIZE)  # every heading below ends in the body style: rows measure in it
    for row in _stream(statement):
        honor_id, row_level, row_year, name, gender, unit, post, skill, title, trade = row
        cells = (
            measure.wrap(_name(name, gender), COLUMN_WIDTHS[0] - 2),
            measure.wrap(unit or "", COLUMN_WIDTHS[1] - 2),
            measure.wrap(post or "", COLUMN_WIDTHS[2] - 2),
            measure.wrap(skill or "", COLUMN_WIDTHS[3] - 2),
            measure.wrap(title_with_trade(title, trade), COLUMN_WIDTHS[4]),
        )
        height = max(len(c) for c in cells) * LINE_H + ROW_PAD
        if row_level is not level:
            level, year = row_level, row_year
            # Numbered as printed: a level without honors leaves no gap.
            heading = _("%(n)s、%(level)s", n=_ORDINALS[sections], level=level.label)
            sections += 1
            printer.section = level.label
            top = printer.new_page()
            printer.mark(heading, 0, top)
            printer.style(16, RED)
            printer.put(LEFT, top, heading, 9)
            printer.mark(_("%(year)d年", year=year), 1, top + 12)
            top = year_head(top + 12, year, False)
        elif row_year != year:
            year = row_year
            if top + 3 + 7 + LINE_H + 1.6 + height * 2 > BODY_BOTTOM:
                top = printer.new_page()
            else:
                top += 3
            printer.mark(_("%(year)d年", year=year), 1, top)
            top = year_head(top, year, False)
        elif top + height > BODY_BOTTOM:
            top = year_head(printer.new_page(), row_year, True)
        for left, lines in zip(lefts, cells, strict=True):
            for index, line in enumerate(lines):
                printer.put(left, top + index * LINE_H, line)
        top += height
        pdf.set_draw_color(*RULE)
        pdf.line(LEFT, top - ROW_PAD / 2, PAGE_W - RIGHT, top - ROW_PAD / 2)
        placed.add(honor_id, printer.page)
        done += 1
        if done % PROGRESS_EVERY == 0:
            report("sections", done, total)
    report("sections", done, total)
    return placed


def _index(
    printer: _Printer,
    flt: RollFilter,
    placed: _Pages,
    total: int,
    report: Callable[[str, int, int], None],
) -> int:
    """The names in pinyin order, grouped by initial, each with the pages it is printed on;
    one entry per person (honors of no person: per name and unit). Returns the entries."""
    measure = printer.measure
    placed.sort()
    column_w = (BODY_W - INDEX_GAP * (INDEX_COLUMNS - 1)) / INDEX_COLUMNS
    statement = _select(
        flt,
        Honor.id,
        Honor.person_id,
        Honor.recipient_name,
        Honor.unit_name,
        Person.gender,
        Honor.sort_key,
    ).order_by(
        Honor.sort_key,
        Honor.recipient_name,
        func.coalesce(Honor.person_id, 0),
        func.coalesce(Honor.unit_name, ""),
        Honor.id,
    )
    heading = printer.section = _("姓名索引")
    state = {"column": 0, "top": 0.0, "page_top": 0.0}

    def first_page() -> None:
        top = printer.new_page()
        printer.mark(heading, 0, top)
        printer.style(16, RED)
        printer.put(LEFT, top, heading, 9)
        printer.style(8, MUTED)
        printer.put(LEFT, top + 10, _("按姓名汉语拼音排序，姓名后为所在页码。"))
        state["page_top"] = state["top"] = top + 17
        state["column"] = 0

    def room(height: float) -> float:
        """The top of a block of ``height`` in the current column, moving on when it is full."""
        if state["top"] + height > BODY_BOTTOM:
            state["column"] += 1
            if state["column"] >= INDEX_COLUMNS:
                state["page_top"] = state["top"] = printer.new_page()
                state["column"] = 0
            else:
                state["top"] = state["page_top"]
        top = state["top"]
        state["top"] += height
        return top

    def left() -> float:
        return LEFT + state["column"] * (column_w + INDEX_GAP)

    initial = None
    entries = 0

    def emit(name: str, pages: list[int], key: str) -> None:
        nonlocal initial, entries
        if not pages:
            return
        letter = key[:1].upper() if key[:1].isascii() and key[:1].isalpha() else "#"
        if letter != initial:
            initial = letter
            # The initial with room for its first name below it (never alone at a foot).
            top = room(LINE_H * 2 + 2)
            state["top"] = top + LINE_H + 2
            printer.style(11, RED)
            printer.put(left(), top + 1, letter, LINE_H + 1)
            printer.style(BODY_SIZE)
        numbers = ", ".join(str(p) for p in sorted(set(pages)))
        name_w = measure.width(name)
        if name_w + 3 + measure.width(numbers) <= column_w:
            top = room(LINE_H)
            printer.put(left(), top, name)
            printer.put_right(left() + column_w, top, numbers)
        else:
            lines = measure.wrap(numbers, column_w - 6)
            names = measure.wrap(name, column_w)
            top = room(LINE_H * (len(names) + len(lines)))
            for index, line in enumerate(names):
                printer.put(left(), top + index * LINE_H, line)
            for index, line in enumerate(lines, start=len(names)):
                printer.put_right(left() + column_w, top + index * LINE_H, line)
        entries += 1

    first_page()
    printer.style(BODY_SIZE)
    group: tuple[object, ...] | None = None
    name, key, pages = "", "", []
    done = 0
    for honor_id, person_id, recipient, unit, gender, sort_key in _stream(statement):
        this = ("p", person_id) if person_id is not None else ("n", recipient, unit or "")
        if this != group:
            emit(name, pages, key)
            group, name, key, pages = this, _name(recipient, gender), sort_key or "", []
        page = placed.of(honor_id)
        if page is not None:
            pages.append(page)
        done += 1
        if done % PROGRESS_EVERY == 0:
            report("index", done, total)
    emit(name, pages, key)
    report("index", done, total)
    return entries


def _scan(flt: RollFilter) -> tuple[int, str]:
    """The honors' count and every character the roll will print from them (for the
    fallback font), in one streamed pass over the text columns."""
    seen: set[str] = set()
    count = 0
    statement = _select(
        flt, Honor.recipient_name, Honor.unit_name, Honor.post, Honor.skill_level, Honor.title
    )
    for row in _stream(statement):
        count += 1
        for text in row:
            if text:
                seen.update(text)
    return count, "".join(sorted(seen))


def write_roll(
    actor: User | None,
    flt: RollFilter,
    out: IO[bytes],
    *,
    progress: Callable[[RollProgress], None] | None = None,
    day: date | None = None,
) -> RollSummary:
    """Print the roll of ``flt`` to ``out`` and record it in the audit trail (the caller
    commits). Refused with a :class:`RollError` when no honor matches. ``progress`` is told
    the stage, rows done and pages printed every few hundred rows."""
    pages_so_far = [0]
    printer: _Printer | None = None

    def report(stage: str, done: int, total: int) -> None:
        if printer is not None:
            pages_so_far[0] = printer.page
        if progress is not None:
            progress(RollProgress(stage, done, total, pages_so_far[0]))

    total, characters = _scan(flt)
    report("scan", total, total)
    if not total:
        raise RollError("", _("没有符合条件的荣誉，未生成名录"))
    union, title = _union_name(flt), _cover_title(flt)
    printer = _Printer(title, union, characters + union)
    _cover(printer, flt, union, title, total, day or today())
    placed = _sections(printer, flt, total, report)
    people = _index(printer, flt, placed, total, report)
    report("output", 0, 1)
    data = printer.pdf.output()
    out.write(data)
    report("output", 1, 1)
    summary = RollSummary(honors=len(placed.ids), people=people, pages=printer.page, size=len(data))
    audit.record(
        actor,
        "honors.roll",
        "honor",
        None,
        after={
            "organization_id": flt.organization.id if flt.organization else None,
            "level": _level_range(flt),
            "year": f"{flt.first_year}–{flt.to_year}",
            "titles": list(flt.titles),
            "rows": summary.honors,
        },
    )
    return summary
