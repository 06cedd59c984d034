"""Who may confer what (DOMAIN.md rule 29): a union's tier, and the words reserved to the top.

A union confers honors and runs selections at most at its own tier: a 市总工会 runs 地市级
contests, not 省部级 ones; a 基层工会 runs 企业级 ones. An industry or joint union sits one step
below the federation it belongs to (a national industry union's honors are 部级, i.e. 省部级;
an industry union of a city federation confers 区县级 ones at most). Only the national tier
may call a selection "全国 / 中国 / 中华 …" — and the platform never names its own selections
that way otherwise. An enterprise whose own name holds one of those words (中国石化…) may of
course use its name: the words are looked for in the text with the host's own names removed.

Recording an honor conferred by somebody else (a historical roster, a 国务院 decision) is not
conferring: those records are checked for consistency (a "全国…" title is not a 区县级 honor),
not against the recorder's tier. The contest, policy and campaign services call
:func:`level_problem` and :func:`reserved_word_problem` for what the platform itself confers.
"""

from __future__ import annotations

from flask_babel import gettext as _

from contest.models import HonorLevel, Organization, OrgKind

RESERVED_WORDS = ("全国", "中国", "中华")

# The tier of each kind of federation; the other kinds take theirs from the tree.
_FEDERATION_TIERS: dict[OrgKind, HonorLevel] = {
    OrgKind.NATIONAL: HonorLevel.NATIONAL,
    OrgKind.PROVINCIAL: HonorLevel.PROVINCIAL,
    OrgKind.CITY: HonorLevel.CITY,
    OrgKind.DISTRICT: HonorLevel.DISTRICT,
    OrgKind.TOWNSHIP: HonorLevel.ENTERPRISE,
    OrgKind.GRASSROOTS: HonorLevel.ENTERPRISE,
}
# Kinds whose tier is one below the federation above them.
_BELOW_PARENT = frozenset({OrgKind.INDUSTRY, OrgKind.JOINT})
_LEVELS = list(HonorLevel)  # highest first


def _one_below(level: HonorLevel) -> HonorLevel:
    return _LEVELS[min(level.rank + 1, len(_LEVELS) - 1)]


def tier_of(org: Organization) -> HonorLevel:
    """The highest level of honor or selection ``org`` may confer or run."""
    if org.kind in _FEDERATION_TIERS:
        return _FEDERATION_TIERS[org.kind]
    for ancestor in reversed(org.ancestors()[:-1]):
        if ancestor.kind in _FEDERATION_TIERS:
            return _one_below(_FEDERATION_TIERS[ancestor.kind])
    return HonorLevel.ENTERPRISE  # an industry union with no federation above it


def may_use_reserved_words(org: Organization) -> bool:
    """全国总工会 itself, and the national industry unions directly under it."""
    if org.kind is OrgKind.NATIONAL:
        return True
    parent = org.parent
    return org.kind is OrgKind.INDUSTRY and parent is not None and parent.kind is OrgKind.NATIONAL


def level_problem(org: Organization, level: HonorLevel) -> str | None:
    """Why ``org`` may not confer or run something at ``level``, or None when it may."""
    tier = tier_of(org)
    if level.rank < tier.rank:
        return _(
            "%(org)s 只能主办或授予%(tier)s及以下的评选，不能是%(level)s",
            org=org.name,
            tier=tier.label,
            level=level.label,
        )
    return None


def reserved_word_in(text: str, own_names: tuple[str | None, ...] = ()) -> str | None:
    """The first reserved word in ``text`` once the given names (an employer's, a unit's,
    which may legitimately hold one: 中国石化…) are taken out of it."""
    rest = text
    for name in sorted((n for n in own_names if n), key=len, reverse=True):
        rest = rest.replace(name, "")
    return next((word for word in RESERVED_WORDS if word in rest), None)


def reserved_word_problem(text: str, org: Organization) -> str | None:
    """Why ``text`` (a contest, campaign or title name) may not be used by ``org``'s selection."""
    if may_use_reserved_words(org):
        return None
    found = reserved_word_in(text, (org.name, org.short_name, org.employer))
    if found is None:
        return None
    return _(
        "“%(word)s”字样只能由全国总工会或全国产业工会主办的评选使用，%(org)s 不能使用",
        word=found,
        org=org.name,
    )


def title_level_problem(
    title: str, level: HonorLevel, own_names: tuple[str | None, ...] = ()
) -> str | None:
    """A recorded honor named "全国… / 中国… / 中华…" is at least 部级 (全国 or 省部级):
    such a title at a lower level is a typing slip or not an authorised honor. ``own_names``
    (the unit, the conferring body) may hold the words themselves."""
    if level.rank <= HonorLevel.PROVINCIAL.rank:
        return None
    found = reserved_word_in(title, own_names)
    if found is None:
        return None
    return _(
        "含“%(word)s”字样的荣誉只能是全国或省部级，请核对称号和级别",
        word=found,
    )
