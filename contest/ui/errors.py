"""Error pages: friendly HTML for people, JSON for the API; never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, InternalServerError

from contest.database import is_busy
from contest.extensions import db
from contest.security.log_masking import install as mask_codes_in
from contest.security.log_masking import masked_path

log = logging.getLogger(__name__)

# What a 503 for a busy database tells the client to wait before trying again.
BUSY_RETRY_AFTER_SECONDS = 5


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("请求有误"), _("提交的内容无法处理，请返回后重试。")),
        401: (_("需要登录"), _("请先登录后再访问此页面。")),
        403: (_("没有权限"), _("您的账号没有访问此页面的权限。如有需要，请联系本单位管理员。")),
        404: (_("页面不存在"), _("您访问的页面不存在或已被移除。")),
        405: (_("请求方式不允许"), _("此页面不支持这种请求方式。")),
        413: (_("文件太大"), _("上传的文件超过了允许的大小。")),
        422: (_("内容有误"), _("提交的内容未通过校验。")),
        429: (_("操作太频繁"), _("请求过于频繁，请稍后再试。")),
        500: (_("服务器出错了"), _("系统暂时无法完成您的请求，我们已记录此问题。请稍后重试。")),
        503: (_("系统繁忙"), _("系统正忙，您这次的操作没有完成，也没有保存任何内容。请稍后重试。")),
    }


def render_error(code: int, detail: str | None = None):  # type: ignore[no-untyped-def]
    title, text = _messages().get(code, (_("出错了"), _("请求无法完成。")))
    if wants_json():
        return jsonify(error=_error_code(code), message=detail or text), code
    return render_template("errors/error.html", code=code, title=title, text=detail or text), code


def _error_code(code: int) -> str:
    return {
        400: "bad_request",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        413: "too_large",
        422: "invalid",
        429: "rate_limited",
        503: "busy",
    }.get(code, "server_error")


def init_app(app: Flask) -> None:
    # werkzeug's request lines (``flask run``) and Flask's own "Exception on <path>" carry the
    # path: survey codes are masked there as in gunicorn's access log (log_masking).
    mask_codes_in("werkzeug", app.logger.name)

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):  # type: ignore[no-untyped-def]
        return render_error(400, _("页面已过期或表单校验失败（CSRF），请刷新页面后重新提交。"))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):  # type: ignore[no-untyped-def]
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):  # type: ignore[no-untyped-def]
        if isinstance(error, HTTPException):
            return _http(error)
        # The engine hides bound SQL parameters, and request data is never logged, so the
        # traceback carries no personal numbers.
        log.error(
            "unhandled error at %s %s", request.method, masked_path(request.path), exc_info=error
        )
        if app.testing and app.config.get("PROPAGATE_TEST_ERRORS", True):
            raise error
        return render_error(InternalServerError.code)

    @app.errorhandler(DBAPIError)
    def _database(error: DBAPIError):  # type: ignore[no-untyped-def]
        """A lock not had in time (SQLite's busy timeout, PostgreSQL's lock_timeout), a deadlock
        or a serialization failure: 503 with Retry-After, the transaction rolled back."""
        if not is_busy(error):
            return _unexpected(error)
        db.session.rollback()
        log.warning(
            "database busy at %s %s (%s)", request.method, masked_path(request.path), error.code
        )
        response = make_response(render_error(503))
        response.headers["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
        return response
