"""Security headers on every response; the CSP allows only our own scripts and styles.

Every answer to a signed-in user (a session or an API token) is ``Cache-Control: private,
no-store`` unless its view declared it public: such pages show personal data (people, entrants,
accounts, exports), and neither a shared proxy nor the browser's disk may keep a copy after the
user has gone. One rule here, rather than a header per view, so that a new page cannot forget
it. Anonymous answers are left as their views made them (the public wall and results pages
cache and revalidate on their own, ``contest.caching``).
"""

from __future__ import annotations

from flask import Flask, Response, g, request
from flask_login import current_user

NO_STORE = "private, no-store"


def _keep_private(response: Response) -> None:
    if request.endpoint == "static" or response.cache_control.public:
        return
    if "no-store" in (response.headers.get("Cache-Control") or ""):
        return
    # Only a user this request has loaded (every guard and every page does): asking here
    # would load one after an error, when the database may not answer.
    if "_login_user" in g and current_user.is_authenticated:
        response.headers["Cache-Control"] = NO_STORE


CSP = (
    "default-src 'self'; "
    "script-src 'self'; "
    "style-src 'self'; "
    "img-src 'self' data:; "
    "font-src 'self'; "
    "connect-src 'self'; "
    "object-src 'none'; "
    "base-uri 'self'; "
    "form-action 'self'; "
    "frame-ancestors 'none'"
)


def init_app(app: Flask) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
        )
        _keep_private(response)
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault(
                "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
            )
        return response
