"""The JSON API under ``/api/v1``. Errors are JSON (see ``contest.errors``)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user

from contest.api import openapi
from contest.errors import render_error

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def token_required():  # type: ignore[no-untyped-def]
    """Return a 401 response when the request carries no valid bearer token, else None."""
    if not current_user.is_authenticated:
        return render_error(401)
    return None


@bp.route("/openapi.json")
def openapi_document():  # type: ignore[no-untyped-def]
    return jsonify(openapi.document())


@bp.route("/me")
def me():  # type: ignore[no-untyped-def]
    refused = token_required()
    if refused is not None:
        return refused
    return jsonify(
        username=current_user.username,
        role=current_user.role.value,
        organization=current_user.organization.name if current_user.organization else None,
    )


# Endpoints defined in their own modules register on ``bp`` when imported.
from contest.api import contests as _contests  # noqa: E402,F401
from contest.api import honors as _honors  # noqa: E402,F401
from contest.api import judging as _judging  # noqa: E402,F401
