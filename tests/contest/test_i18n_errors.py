"""Language selection, friendly error pages, JSON API errors, security headers, /healthz."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.contest.conftest import FAILURE_MESSAGE

HTML_LANG = re.compile(r'<html lang="([^"]+)">')


def _lang(response: Any) -> str:
    match = HTML_LANG.search(response.get_data(as_text=True))
    assert match, "page has no <html lang>"
    return match.group(1)


@pytest.fixture
def failing_client(failing_app: Flask) -> FlaskClient:
    return failing_app.test_client()


# ---------------------------------------------------------------- language


def test_pages_are_chinese_by_default(client: FlaskClient, db: Any) -> None:
    response = client.get("/login")
    assert _lang(response) == "zh-CN"
    assert "<h1>登录</h1>" in response.get_data(as_text=True)


def test_browser_language_does_not_change_the_default(client: FlaskClient, db: Any) -> None:
    response = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert _lang(response) == "zh-CN"


def test_choosing_english_switches_the_page_language(client: FlaskClient, db: Any) -> None:
    response = client.get("/lang/en", query_string={"next": "/login"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert _lang(client.get("/login")) == "en"


def test_choosing_chinese_again_switches_back(client: FlaskClient, db: Any) -> None:
    client.get("/lang/en")
    client.get("/lang/zh_CN")
    assert _lang(client.get("/login")) == "zh-CN"


def test_unknown_language_is_ignored(client: FlaskClient, db: Any) -> None:
    client.get("/lang/xx")
    assert _lang(client.get("/login")) == "zh-CN"


def test_language_switch_does_not_redirect_off_site(client: FlaskClient, db: Any) -> None:
    response = client.get("/lang/en", query_string={"next": "//evil.com"})
    assert response.headers["Location"] == "/"


def test_the_page_offers_the_other_language(client: FlaskClient, db: Any) -> None:
    assert ">English</a>" in client.get("/login").get_data(as_text=True)
    client.get("/lang/en")
    assert ">简体中文</a>" in client.get("/login").get_data(as_text=True)


# ---------------------------------------------------------------- error pages


def test_unknown_page_gets_a_friendly_404(client: FlaskClient, db: Any) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "页面不存在" in body
    assert "返回首页" in body
    assert _lang(response) == "zh-CN"


def test_forbidden_page_is_friendly(client: FlaskClient, login_as: Any) -> None:
    login_as("judge")
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "没有权限" in response.get_data(as_text=True)


def test_wrong_method_gets_a_friendly_405(client: FlaskClient, db: Any) -> None:
    response = client.get("/logout")
    assert response.status_code == 405
    assert "请求方式不允许" in response.get_data(as_text=True)


def test_unexpected_error_gets_a_friendly_500_without_details(failing_client: FlaskClient) -> None:
    response = failing_client.get("/_test/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "服务器出错了" in body
    for detail in ("Traceback", "RuntimeError", FAILURE_MESSAGE, 'File "'):
        assert detail not in body


def test_unexpected_error_is_logged(
    failing_client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    failing_client.get("/_test/boom")
    assert "unhandled error at GET /_test/boom" in caplog.text
    assert FAILURE_MESSAGE in caplog.text


# ---------------------------------------------------------------- API errors


def test_api_not_found_is_json(client: FlaskClient, db: Any) -> None:
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.is_json
    assert set(response.get_json()) == {"error", "message"}
    assert response.get_json()["error"] == "not_found"


def test_api_unauthorized_is_json(client: FlaskClient, db: Any) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert set(response.get_json()) == {"error", "message"}


def test_api_wrong_method_is_json(client: FlaskClient, db: Any) -> None:
    response = client.delete("/api/v1/me")
    assert response.status_code == 405
    assert response.get_json()["error"] == "method_not_allowed"


def test_api_unexpected_error_is_json_without_details(failing_client: FlaskClient) -> None:
    response = failing_client.get("/api/v1/_test/boom")
    assert response.status_code == 500
    assert response.get_json()["error"] == "server_error"
    assert FAILURE_MESSAGE not in response.get_data(as_text=True)


# ---------------------------------------------------------------- headers and health


@pytest.mark.parametrize("path", ["/", "/login", "/no/such/page", "/healthz", "/api/v1/me"])
def test_responses_carry_the_security_headers(client: FlaskClient, db: Any, path: str) -> None:
    headers = client.get(path).headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    csp = {
        part.split()[0]: part.split()[1:]
        for part in headers["Content-Security-Policy"].split(";")
        if part.strip()
    }
    assert csp["script-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]


def test_pages_load_no_inline_or_third_party_scripts(client: FlaskClient, db: Any) -> None:
    body = client.get("/login").get_data(as_text=True)
    scripts = re.findall(r"<script([^>]*)>", body)
    assert scripts
    for attributes in scripts:
        source = re.search(r'src="([^"]+)"', attributes)
        assert source and source.group(1).startswith("/static/"), attributes
    assert "onclick=" not in body and "javascript:" not in body


def test_no_hsts_over_plain_http_by_default(client: FlaskClient, db: Any) -> None:
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_healthz_reports_ok(client: FlaskClient, db: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
