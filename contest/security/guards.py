"""Role guards for areas and views.

An area guard (``guard_blueprint``) runs before every view of a blueprint; object-level checks
(``User.can_manage_org`` and the ``can_*`` predicates of other models) run inside views.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort
from flask_login import current_user

from contest.extensions import login_manager
from contest.models import Role

F = TypeVar("F", bound=Callable[..., Any])


def _check(roles: tuple[Role, ...]) -> Any:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if roles and current_user.role not in roles:
        abort(403)
    return None


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Decorator: the logged-in user must have one of ``roles`` (any role if none given)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            refused = _check(roles)
            if refused is not None:
                return refused
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def guard_blueprint(bp: Blueprint, *roles: Role) -> None:
    """Every view of ``bp`` needs a login with one of ``roles``."""

    @bp.before_request
    def _guard() -> Any:
        return _check(roles)
