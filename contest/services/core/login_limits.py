"""Failed sign-ins, counted per (client address, account name) in the rate-limit store.

After ``LOGIN_MAX_FAILURES`` failures from one address for one account name within
``LOGIN_LOCKOUT_MINUTES``, that address may not try that name again until the window ends.
Counting per address, not per account, means a stranger elsewhere cannot keep an account
locked: the owner, from their own address, still signs in. Names that exist and names that do
not are counted alike, so the lockout says nothing about which accounts exist. The count is also
keyed on the account's current password hash: setting a new password (an admin's reset) starts
it again, and the plain name and address are never stored (only a digest).

The store is ``RATELIMIT_STORAGE_URI``, the one Flask-Limiter uses for the per-address request
limit: ``memory://`` keeps the counts per worker process; ``redis://`` shares them between the
workers and servers of a deployment, so the limits hold across all of them.
"""

from __future__ import annotations

import hashlib
import logging

from flask import current_app
from limits import RateLimitItem, RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from redis.exceptions import RedisError

from contest.extensions import client_bucket

log = logging.getLogger(__name__)
# A store that does not answer (Redis down) must not turn every sign-in into a 500: the count
# is skipped, logged, and the request limits' own fallback (RATELIMIT_IN_MEMORY_FALLBACK) holds.
_STORE_DOWN = (RedisError, OSError)

# app.extensions key of the per-app counter (tests reset it with the app's other memos).
EXTENSION_KEY = "contest_login_limits"
NAMESPACE = "login-failures"


def _limiter() -> FixedWindowRateLimiter:
    limiter = current_app.extensions.get(EXTENSION_KEY)
    if limiter is None:
        storage = storage_from_string(
            current_app.config.get("RATELIMIT_STORAGE_URI") or "memory://",
            **current_app.config.get("RATELIMIT_STORAGE_OPTIONS", {}),
        )
        limiter = current_app.extensions[EXTENSION_KEY] = FixedWindowRateLimiter(storage)
    return limiter


class FailureCount:
    """Failures of one (digested) key in one namespace: locked after ``limit`` of them within
    ``minutes``, until the window ends. The sign-in form and the survey code box (labor's
    会员评家) count their failures this way, in the one store of the request limits."""

    def __init__(self, namespace: str, key: str, limit: int, minutes: int) -> None:
        self._namespace = namespace
        self._key = key
        self._item: RateLimitItem = RateLimitItemPerMinute(limit, minutes)

    def is_locked(self) -> bool:
        try:
            return not _limiter().test(self._item, self._namespace, self._key)
        except _STORE_DOWN as error:
            log.warning("failure count store unavailable: %s", type(error).__name__)
            return False

    def fail(self) -> bool:
        """Count a failure; True when it locks the key out."""
        try:
            _limiter().hit(self._item, self._namespace, self._key)
        except _STORE_DOWN as error:
            log.warning("failure count store unavailable: %s", type(error).__name__)
            return False
        return self.is_locked()

    def succeed(self) -> None:
        try:
            _limiter().clear(self._item, self._namespace, self._key)
        except _STORE_DOWN as error:
            log.warning("failure count store unavailable: %s", type(error).__name__)


def address_key(address: str | None, *parts: str) -> str:
    """The digest a count is kept under: the client's address (an IPv6 client by its /64, like
    the request limits, ``extensions.client_bucket``) and ``parts``; nothing plain is stored."""
    bucket = client_bucket(address) if address else address
    raw = "\0".join((bucket or "", *parts))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class LoginAttempt(FailureCount):
    """The failure count of one (address, account name, password hash)."""

    def __init__(self, address: str | None, username: str, password_hash: str | None) -> None:
        super().__init__(
            NAMESPACE,
            address_key(address, username, password_hash or ""),
            int(current_app.config["LOGIN_MAX_FAILURES"]),
            int(current_app.config["LOGIN_LOCKOUT_MINUTES"]),
        )
