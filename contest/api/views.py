"""The API's own endpoints: its OpenAPI document and ``/me``. Errors are JSON (see
``contest.ui.errors``); the data endpoints live in ``contests``, ``honors`` and ``judging``."""

from __future__ import annotations

from flask import jsonify
from flask_login import current_user

from contest.api import openapi
from contest.api.base import token_required
from contest.api.blueprint import bp


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
