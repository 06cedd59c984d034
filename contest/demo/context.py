"""What the demo steps share: the seeded generator, what earlier steps created, the summary.

Steps are plain functions ``step(ctx) -> None`` run in order by :func:`contest.demo.load_demo`;
later issues append theirs (contests, campaigns, honors) and find the union tree, the workers
and the demo accounts here instead of querying for them.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from contest.demo.numbers import IdentityFactory
from contest.models import Organization, Person, User

SEED = 20260501  # fixed: the same demo on every machine, so screenshots and docs agree


class DemoError(RuntimeError):
    """The demo refused to load (the message is shown to the operator as is)."""


class DemoLogin(NamedTuple):
    label: str  # the role as the interface names it (组织者)
    username: str
    password: str
    organization: str  # where the account sits in the tree ("—" for the admin)


@dataclass
class DemoSummary:
    """What was loaded, printed by ``contest demo``; steps add their own counts and logins."""

    logins: list[DemoLogin] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # "职工 workers" → 2431, in order
    notes: list[str] = field(default_factory=list)
    large: bool = False

    def count(self, label: str, value: int) -> None:
        self.counts[label] = self.counts.get(label, 0) + value

    def describe(self) -> str:
        """Chinese first, English after: the operator's first view of the platform."""
        scale = "（含基准测试规模数据 / with benchmark-scale data）" if self.large else ""
        lines = [f"演示数据已载入（demo data loaded）{scale}", ""]
        width = max((_display_width(label) for label in self.counts), default=0)
        for label, value in self.counts.items():
            lines.append(f"  {_pad(label, width)}  {value:>8,}")
        if self.notes:
            lines.append("")
            lines.extend(f"  {note}" for note in self.notes)
        lines += [
            "",
            "演示账号（demo logins）— 仅供演示，正式使用前请修改密码 "
            "(for the demo only; change these passwords before real use):",
        ]
        label_width = max((_display_width(login.label) for login in self.logins), default=0)
        user_width = max((len(login.username) for login in self.logins), default=0)
        pass_width = max((len(login.password) for login in self.logins), default=0)
        for login in self.logins:
            lines.append(
                f"  {_pad(login.label, label_width)}  用户名 {login.username:<{user_width}}"
                f"  密码 {login.password:<{pass_width}}  {login.organization}"
            )
        return "\n".join(lines)


def _display_width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _display_width(text))


@dataclass
class DemoContext:
    """The state one demo load threads through its steps."""

    large: bool = False
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    summary: DemoSummary = field(default_factory=DemoSummary)
    orgs: dict[str, Organization] = field(default_factory=dict)  # by full name
    grassroots: list[Organization] = field(default_factory=list)  # the 基层工会, in order
    people: list[Person] = field(default_factory=list)
    users: dict[str, User] = field(default_factory=dict)  # by username
    # Shared so that people added by later steps never repeat an ID number or a phone.
    identities: IdentityFactory = field(init=False)

    def __post_init__(self) -> None:
        self.summary.large = self.large
        self.identities = IdentityFactory(self.rng)

    def org(self, name: str) -> Organization:
        try:
            return self.orgs[name]
        except KeyError:
            raise DemoError(f"demo step needs organisation {name!r}, not created yet") from None

    def members_of(self, org: Organization) -> list[Person]:
        return [person for person in self.people if person.organization_id == org.id]


DemoStep = Callable[[DemoContext], None]
