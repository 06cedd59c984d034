"""The models, one module per aggregate, re-exported here."""

from contest.models.audit import AuditEntry, AuditHead
from contest.models.contest import (
    Aspect,
    AspectKind,
    Component,
    Contest,
    ContestStatus,
    Entry,
    EntryStatus,
    Event,
    EventGroup,
    RubricCriterion,
    RubricTemplate,
)
from contest.models.honor import (
    ContentVersion,
    Honor,
    HonorLevel,
    HonorSource,
    HonorStatus,
    RecipientKind,
)
from contest.models.judging import (
    Appeal,
    AppealStatus,
    Assignment,
    Conflict,
    Mark,
    PanelMember,
    RecheckItem,
    ScoreSheet,
    SheetStatus,
)
from contest.models.org import Organization, OrgKind, Ownership
from contest.models.person import Gender, Person, WorkerCategory
from contest.models.results import ResultRow, ResultSnapshot
from contest.models.user import ApiToken, Role, User

__all__ = [
    "ApiToken",
    "Appeal",
    "AppealStatus",
    "Aspect",
    "AspectKind",
    "Assignment",
    "AuditEntry",
    "AuditHead",
    "Component",
    "Conflict",
    "ContentVersion",
    "Contest",
    "ContestStatus",
    "Entry",
    "EntryStatus",
    "Event",
    "EventGroup",
    "Gender",
    "Honor",
    "HonorLevel",
    "HonorSource",
    "HonorStatus",
    "Mark",
    "OrgKind",
    "Organization",
    "Ownership",
    "PanelMember",
    "Person",
    "RecheckItem",
    "RecipientKind",
    "ResultRow",
    "ResultSnapshot",
    "Role",
    "RubricCriterion",
    "RubricTemplate",
    "ScoreSheet",
    "SheetStatus",
    "User",
    "WorkerCategory",
]
