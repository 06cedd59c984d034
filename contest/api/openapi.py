"""The OpenAPI 3 document served at ``/api/v1/openapi.json``.

Each area registers its paths and schemas here next to its endpoints, so the document and the
code change together; a test checks every ``/api/v1`` route is documented.
"""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
}

PATHS: dict[str, dict[str, Any]] = {}
SCHEMAS: dict[str, Any] = {"Error": ERROR_SCHEMA}


def json_response(description: str, schema: str) -> dict[str, Any]:
    """A JSON response whose body is the named schema of ``SCHEMAS``."""
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def error_response(description: str) -> dict[str, Any]:
    return json_response(description, "Error")


def query_parameter(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    """An optional query-string parameter."""
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def register(path: str, method: str, operation: dict[str, Any]) -> None:
    PATHS.setdefault(path, {})[method.lower()] = operation


def document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Contest platform API",
            "version": "1",
            "description": "Public endpoints need no login; the others take "
            "`Authorization: Bearer TOKEN` (create one with `contest token create USERNAME`).",
        },
        "servers": [{"url": "/"}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


register(
    "/api/v1/me",
    "get",
    {
        "summary": "The account the token belongs to",
        "security": [{"bearer": []}],
        "responses": {
            "200": {
                "description": "The caller",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "username": {"type": "string"},
                                "role": {"type": "string"},
                                "organization": {"type": "string", "nullable": True},
                            },
                        }
                    }
                },
            },
            "401": error_response("Missing or invalid token"),
        },
    },
)
