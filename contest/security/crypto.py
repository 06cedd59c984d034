"""Encryption of personal numbers (身份证号, phone) at rest.

Values are encrypted with Fernet (AES-128-CBC + HMAC) under a key derived from ``DATA_KEY``
(or ``SECRET_KEY`` when no separate data key is configured). A keyed HMAC of the normalised
value ("blind index") lets the database enforce uniqueness and find a person by ID number
without ever storing or comparing the plain number. The audit chain's key is derived here too
(``AUDIT_KEY``, else ``SECRET_KEY``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app


def _master_key() -> bytes:
    key = current_app.config.get("DATA_KEY") or current_app.config["SECRET_KEY"]
    return key.encode() if isinstance(key, str) else key


@lru_cache(maxsize=8)
def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"contest", info=purpose).derive(master)


def audit_key() -> bytes:
    """The HMAC key of the audit chain: from ``AUDIT_KEY``, else derived from ``SECRET_KEY``.

    It is never stored in the database, so whoever can only write the database cannot
    recompute an entry's hash (``contest.services.core.audit``).
    """
    master = current_app.config.get("AUDIT_KEY") or current_app.config["SECRET_KEY"]
    return _derive(master.encode() if isinstance(master, str) else master, b"audit-chain-v1")


def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derive(_master_key(), b"fernet-v1")))


def encrypt(value: str | None) -> bytes | None:
    if value is None or value == "":
        return None
    return _fernet().encrypt(value.encode("utf-8"))


def decrypt(token: bytes | None) -> str | None:
    if token is None:
        return None
    try:
        return _fernet().decrypt(bytes(token)).decode("utf-8")
    except InvalidToken:
        # Wrong key (e.g. a rotated SECRET_KEY): say so without revealing anything.
        return None


def blind_index(value: str | None) -> str | None:
    """A stable keyed digest of a normalised personal number, for lookups and uniqueness."""
    if not value:
        return None
    normalised = value.strip().upper().encode("utf-8")
    key = _derive(_master_key(), b"blind-index-v1")
    return hmac.new(key, normalised, hashlib.sha256).hexdigest()


def mask_id_number(value: str | None) -> str:
    """``110105********1234``-style masking for the admin area's lists."""
    if not value:
        return ""
    return value[:6] + "*" * max(len(value) - 10, 0) + value[-4:]


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    return value[:3] + "****" + value[-4:] if len(value) >= 7 else "****"
