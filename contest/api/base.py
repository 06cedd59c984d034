"""What the API's endpoints share: the bearer-token check of the endpoints that need a login.

Public endpoints need no token; the others call :func:`token_required` first (a blueprint-wide
guard would refuse the public ones).
"""

from __future__ import annotations

from flask_login import current_user

from contest.ui.errors import render_error


def token_required():  # type: ignore[no-untyped-def]
    """Return a 401 response when the request carries no valid bearer token, else None."""
    if not current_user.is_authenticated:
        return render_error(401)
    return None
