"""Canonical JSON and its SHA-256: how a publication is sealed so that what is served later can
be checked against what was published.

A journey writes the rows it publishes as canonical JSON (sorted keys, no whitespace, UTF-8
kept as is), records the digest where the stored rows cannot rewrite it (a snapshot document,
the audit trail's hash chain) and, when it reads the rows back for the public, hashes them
again: a row changed behind the publication no longer matches. The skills contest's result
snapshots (``contest.services.skills.results``) and labor rounds (``contest.services.labor.seals``)
both seal this way.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

__all__ = ["canonical", "digest_of", "rows_digest"]


def canonical(value: Any) -> str:
    """Canonical JSON: sorted keys, no whitespace, UTF-8 text kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest_of(document: str) -> str:
    """The SHA-256 of a document, as 64 hexadecimal digits."""
    return hashlib.sha256(document.encode("utf-8")).hexdigest()


def rows_digest(rows: Sequence[dict[str, Any]]) -> str:
    """The digest of published rows in the order given (the caller fixes a canonical order)."""
    return digest_of(canonical(list(rows)))
