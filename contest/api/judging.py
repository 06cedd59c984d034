"""The judges' JSON API for scoring devices: assignments by code, reading and saving sheets.

``GET /api/v1/judge/assignments``, ``GET`` and ``PUT /api/v1/judge/scores/<entry_code>`` as
DESIGN.md specifies, with two documented extensions:

- every sheet carries ``"version"``; a PUT that sends ``"version"`` is refused with 409
  ``stale`` when the stored sheet has moved on (another device saved), like the web form;
- an entry code is unique per contest, not globally: ``?contest=<id>`` picks the contest when
  the caller is assigned the same code in two (without it such a request is 409 ``ambiguous``).

Only codes leave this API: never a name, a unit or any personal data.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from contest.api import openapi
from contest.api.base import BodyRefused, json_body, token_required
from contest.api.blueprint import bp
from contest.extensions import db
from contest.models import Aspect, AspectKind, Entry, ScoreSheet
from contest.services.skills import codes, judging
from contest.services.skills.judging import MarkErrors, SheetError, StaleSheet
from contest.ui.bodies import SMALL_BODY_BYTES, body_limit
from contest.validation import db_int


def _error(status: int, code: str, message: str, **extra: Any) -> Response:
    response = jsonify(error=code, message=message, **extra)
    response.status_code = status
    return response


def _criterion(aspect: Aspect) -> dict[str, Any]:
    return {
        "key": aspect.key,
        "name": aspect.name,
        # DESIGN.md's two kinds; a deduction is entered like a measurement (points taken off).
        "kind": "judgement" if aspect.kind is AspectKind.JUDGEMENT else "measurement",
        "deduction": aspect.kind is AspectKind.DEDUCTION,
        "min": judging.number(aspect.mark_min),
        "max": judging.number(aspect.mark_max),
        "step": judging.number(aspect.mark_step),
        "points": judging.number(aspect.max_points),
        "component": aspect.criterion.component.key,
        "criterion": aspect.criterion.name,
        "descriptors": list(aspect.descriptors or [])
        if aspect.kind is AspectKind.JUDGEMENT
        else [],
    }


@bp.route("/judge/assignments")
def judge_assignments():  # type: ignore[no-untyped-def]
    refused = token_required()
    if refused is not None:
        return refused
    criteria: dict[int, list[dict[str, Any]]] = {}
    items = []
    for item in judging.assignments_for(current_user):
        if item.event.id not in criteria:
            criteria[item.event.id] = [
                _criterion(a) for a in judging.responsible_aspects(current_user, item.event)
            ]
        items.append(
            {
                "entry_code": item.code,
                "code_kind": codes.entry_kind(item.entry).value,
                "event": item.event.label,
                "event_code": item.event.code,
                "contest": item.contest.id,
                "contest_name": item.contest.name,
                "status": item.status,
                "version": item.sheet.version if item.sheet is not None else 0,
                "criteria": criteria[item.event.id],
            }
        )
    return jsonify(assignments=items)


def _resolve(code: str) -> Entry | Response:
    """The caller's entry under ``code``, or an error response (403 / 400 / 409)."""
    contest_arg = request.args.get("contest")
    contest_id: int | None = None
    if contest_arg not in (None, ""):
        try:
            contest_id = db_int(contest_arg)
        except ValueError:
            return _error(400, "bad_request", _("参数 contest 应为赛事编号（整数）。"))
    try:
        found = judging.find_assigned(current_user, code, contest_id)
    except codes.CodeError as error:
        return _error(400, "bad_code", str(error))
    if not found:
        return _error(403, "forbidden", _("此参赛作品未分配给您评分。"))
    if len(found) > 1:
        ids = ", ".join(str(e.contest_id) for e in found)
        return _error(
            409,
            "ambiguous",
            _(
                "您在多个赛事中都有编号 %(code)s 的选手（赛事 %(ids)s），"
                "请用参数 ?contest=赛事编号 指明。",
                code=code,
                ids=ids,
            ),
            contests=[e.contest_id for e in found],
        )
    return found[0]


def _sheet_json(entry: Entry, sheet: ScoreSheet | None) -> dict[str, Any]:
    return {
        "entry_code": entry.code,
        "code_kind": codes.entry_kind(entry).value,
        "contest": entry.contest_id,
        "status": judging.sheet_status(sheet, entry.event),
        "version": sheet.version if sheet is not None else 0,
        "scores": {k: judging.number(v) for k, v in judging.marks_of(sheet).items()},
    }


@bp.route("/judge/scores/<entry_code>")
def judge_scores(entry_code: str):  # type: ignore[no-untyped-def]
    refused = token_required()
    if refused is not None:
        return refused
    entry = _resolve(entry_code)
    if not isinstance(entry, Entry):
        return entry
    refusal = judging.refusal(current_user, entry)
    if refusal is not None and refusal.status == 403:
        return _error(403, refusal.code, refusal.message)
    return jsonify(_sheet_json(entry, judging.sheet_for(current_user, entry)))


def _body() -> tuple[dict[str, object], bool, int | None] | Response:
    """The PUT body's scores, submit flag and optional version, or a 422 response."""
    try:
        body = json_body()
    except BodyRefused as refused:
        return _error(422, "invalid", refused.message, fields={})
    if not isinstance(body, dict):
        return _error(422, "invalid", _("请求体应为 JSON 对象。"), fields={})
    scores = body.get("scores", {})
    fields: dict[str, str] = {}
    if not isinstance(scores, dict):
        fields["scores"] = _("scores 应为对象（评分项 → 分值）")
    submit = body.get("submit", False)
    if not isinstance(submit, bool):
        fields["submit"] = _("submit 应为 true 或 false")
    version = body.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int)):
        fields["version"] = _("version 应为整数")
    if fields:
        return _error(422, "invalid", _("请求内容有误，未保存。"), fields=fields)
    return scores, submit, version


@bp.route("/judge/scores/<entry_code>", methods=["PUT"])
@body_limit(SMALL_BODY_BYTES)
def put_judge_scores(entry_code: str):  # type: ignore[no-untyped-def]
    refused = token_required()
    if refused is not None:
        return refused
    entry = _resolve(entry_code)
    if not isinstance(entry, Entry):
        return entry
    parsed = _body()
    if isinstance(parsed, Response):
        return parsed
    scores, submit, version = parsed
    try:
        sheet = judging.save_sheet(
            current_user, entry, scores, submit=submit, expected_version=version
        )
    except MarkErrors as error:
        db.session.rollback()
        return _error(error.status, error.code, error.message, fields=error.problems)
    except StaleSheet as error:
        db.session.rollback()
        current = judging.sheet_for(current_user, entry)
        return _error(
            error.status,
            error.code,
            error.message,
            version=current.version if current is not None else 0,
        )
    except SheetError as error:
        db.session.rollback()
        return _error(error.status, error.code, error.message)
    # Answer from the saved sheet inside the same transaction: after the commit the reads would
    # open a second one.
    stored = _sheet_json(entry, sheet)
    db.session.commit()
    return jsonify(stored)


# ---------------------------------------------------------------- OpenAPI

openapi.SCHEMAS["JudgeCriterion"] = {
    "type": "object",
    "required": ["key", "name", "kind", "min", "max", "step"],
    "properties": {
        "key": {"type": "string"},
        "name": {"type": "string"},
        "kind": {"type": "string", "enum": ["measurement", "judgement"]},
        "deduction": {
            "type": "boolean",
            "description": "A measurement that is entered as points taken off (0..max)",
        },
        "min": {"type": "number"},
        "max": {"type": "number", "description": "Judgement: the highest level (e.g. 3)"},
        "step": {"type": "number"},
        "points": {"type": "number", "description": "What the aspect is worth in points"},
        "component": {"type": "string"},
        "criterion": {"type": "string"},
        "descriptors": {
            "type": "array",
            "items": {"type": "string"},
            "description": "Judgement: one descriptor per level 0..max",
        },
    },
}
openapi.SCHEMAS["JudgeAssignment"] = {
    "type": "object",
    "required": ["entry_code", "event", "status", "criteria"],
    "properties": {
        "entry_code": {
            "type": "string",
            "description": "Seat code once drawn, else entry code (never a name)",
        },
        "code_kind": {
            "type": "string",
            "enum": ["seat", "entry"],
            "description": "Which code entry_code is: seat（赛位号，A-07）or entry（参赛号，A001）",
        },
        "event": {"type": "string"},
        "event_code": {"type": "string"},
        "contest": {"type": "integer"},
        "contest_name": {"type": "string"},
        "status": {"type": "string", "enum": ["empty", "draft", "submitted", "locked"]},
        "version": {"type": "integer", "description": "The stored sheet's version (0: none)"},
        "criteria": {"type": "array", "items": {"$ref": "#/components/schemas/JudgeCriterion"}},
    },
}
openapi.SCHEMAS["JudgeSheet"] = {
    "type": "object",
    "required": ["entry_code", "status", "scores", "version"],
    "properties": {
        "entry_code": {"type": "string"},
        "code_kind": {
            "type": "string",
            "enum": ["seat", "entry"],
            "description": "Which code entry_code is: seat（赛位号，A-07）or entry（参赛号，A001）",
        },
        "contest": {"type": "integer"},
        "status": {"type": "string", "enum": ["empty", "draft", "submitted", "locked"]},
        "version": {
            "type": "integer",
            "description": "Send it back with the next PUT to be told if another device saved",
        },
        "scores": {"type": "object", "additionalProperties": {"type": "number"}},
    },
}
openapi.SCHEMAS["JudgeSheetUpdate"] = {
    "type": "object",
    "properties": {
        "scores": {
            "type": "object",
            "additionalProperties": {"type": "number", "nullable": True},
            "description": "Criterion key → value; keys not sent keep their stored value, "
            "null clears one",
        },
        "submit": {"type": "boolean", "default": False},
        "version": {
            "type": "integer",
            "description": "Optional: the version this update was built from (0: no sheet "
            "yet); a different stored version answers 409 stale and stores nothing",
        },
    },
}
openapi.SCHEMAS["FieldErrors"] = {
    "type": "object",
    "required": ["error", "message", "fields"],
    "properties": {
        "error": {"type": "string"},
        "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}

_CODE = {
    "name": "entry_code",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "The code the judge scores under (seat code once drawn, else entry code); "
    "a 工位 prefix is accepted, a code of the other kind is refused with 400 bad_code",
}
_CONTEST = openapi.query_parameter(
    "contest",
    {"type": "integer"},
    "Contest id, needed only when the caller has this code in two contests",
)


openapi.register(
    "/api/v1/judge/assignments",
    "get",
    {
        "summary": "The caller's entries to score, by code only, with the criteria",
        "security": [{"bearer": []}],
        "responses": {
            "200": {
                "description": "Assigned, non-recused entries of contests in judging or review",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "assignments": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/JudgeAssignment"},
                                }
                            },
                        }
                    }
                },
            },
            "401": openapi.error_response("Missing or invalid token"),
        },
    },
)
openapi.register(
    "/api/v1/judge/scores/{entry_code}",
    "get",
    {
        "summary": "The caller's stored sheet for one entry",
        "security": [{"bearer": []}],
        "parameters": [_CODE, _CONTEST],
        "responses": {
            "200": openapi.json_response(
                "The stored sheet (status empty and no scores before the first save)", "JudgeSheet"
            ),
            "400": openapi.error_response(
                "bad_code: not a code, or a 参赛号 where the event is judged by 赛位号"
            ),
            "401": openapi.error_response("Missing or invalid token"),
            "403": openapi.error_response("Not assigned to the caller, or the caller is recused"),
            "409": openapi.error_response("The code is the caller's in two contests (ambiguous)"),
        },
    },
)
openapi.register(
    "/api/v1/judge/scores/{entry_code}",
    "put",
    {
        "summary": "Save (or submit) the caller's marks for one entry",
        "description": "Keys not sent keep their stored value. Nothing is stored from a "
        "rejected request. Submitting needs a value for every criterion and locks the sheet "
        "until the chief judge reopens it.",
        "security": [{"bearer": []}],
        "parameters": [_CODE, _CONTEST],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/JudgeSheetUpdate"}}
            },
        },
        "responses": {
            "200": openapi.json_response("The stored sheet after the save", "JudgeSheet"),
            "400": openapi.error_response(
                "bad_code: not a code, or a 参赛号 where the event is judged by 赛位号"
            ),
            "401": openapi.error_response("Missing or invalid token"),
            "403": openapi.error_response(
                "Not assigned to the caller, recused, entry withdrawn or contest not scoring"
            ),
            "409": openapi.error_response(
                "locked: the sheet is submitted or locked; stale: the body's version is not "
                "the stored one (the response carries the current version); ambiguous: see "
                "?contest"
            ),
            "422": openapi.json_response(
                "A value is out of range, not a multiple of the step, not a number, or the "
                "criterion is unknown; per-criterion messages in fields",
                "FieldErrors",
            ),
            "413": openapi.error_response("The body is longer than 64 KB; nothing was read"),
            "503": openapi.error_response(
                "The database stayed busy (another save or an import held it): nothing was "
                "stored; try again after the Retry-After header's seconds"
            ),
        },
    },
)
