"""The models, one module per aggregate, re-exported here."""

from contest.models.audit import AuditEntry, AuditHead
from contest.models.honor import (
    ContentVersion,
    Honor,
    HonorLevel,
    HonorSource,
    HonorStatus,
    RecipientKind,
)
from contest.models.org import Organization, OrgKind
from contest.models.person import Gender, Person, WorkerCategory
from contest.models.user import ApiToken, Role, User

__all__ = [
    "ApiToken",
    "AuditEntry",
    "AuditHead",
    "ContentVersion",
    "Gender",
    "Honor",
    "HonorLevel",
    "HonorSource",
    "HonorStatus",
    "OrgKind",
    "Organization",
    "Person",
    "RecipientKind",
    "Role",
    "User",
    "WorkerCategory",
]
