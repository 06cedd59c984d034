"""A visitor with a browser's memory (cookies, the form's CSRF token) for real HTTP servers.

The two-server tests talk to processes, not to a Flask test client, so they need what a
browser does: keep cookies across hosts (every server is on 127.0.0.1, as behind one name),
read the CSRF token from a form, send forms and files. Each visitor connects from a loopback
address of its own (127.0.0.x), so per-address limits can tell visitors apart.
"""

from __future__ import annotations

import http.client
import re
import secrets
from dataclasses import dataclass
from email.message import Message
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Reply:
    status: int
    headers: Message
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")

    @property
    def server(self) -> str:
        """Which server answered through the balancer (``s1``/``s2``), else empty."""
        return self.headers.get("X-Contest-Server", "")


class Visitor:
    def __init__(self, source: str = "127.0.0.1") -> None:
        self.source = source
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, url: str, body: bytes | None = None, headers: dict | None = None
    ) -> Reply:
        parts = urlsplit(url)
        conn = http.client.HTTPConnection(
            parts.hostname, parts.port, timeout=30, source_address=(self.source, 0)
        )
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            conn.request(method, path or "/", body=body, headers=sent)
            response = conn.getresponse()
            reply = Reply(response.status, response.headers, response.read())
        finally:
            conn.close()
        for header in reply.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return reply

    def get(self, url: str) -> Reply:
        return self.request("GET", url)

    def csrf(self, page_url: str) -> str:
        """The CSRF token of the form on ``page_url``."""
        page = self.get(page_url)
        found = CSRF.search(page.text)
        assert found, f"no form with a CSRF token on {page_url} ({page.status})"
        return found.group(1)

    def post(
        self,
        url: str,
        fields: dict[str, str],
        files: dict[str, tuple[str, bytes, str]] | None = None,
    ) -> Reply:
        """A form POST; ``files``: field → (file name, bytes, content type), sent multipart."""
        if not files:
            body = urlencode(fields).encode()
            kind = "application/x-www-form-urlencoded"
        else:
            boundary = secrets.token_hex(16)
            chunks = []
            for name, value in fields.items():
                chunks.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                    f"{value}\r\n".encode()
                )
            for name, (filename, data, content_type) in files.items():
                chunks.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                    f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
                    + data
                    + b"\r\n"
                )
            body = b"".join(chunks) + f"--{boundary}--\r\n".encode()
            kind = f"multipart/form-data; boundary={boundary}"
        return self.request("POST", url, body, {"Content-Type": kind})

    def log_in(self, form_from: str, post_to: str, username: str, password: str) -> Reply:
        """Sign in with the form read from one server and posted to another (or the same)."""
        token = self.csrf(form_from + "/login")
        return self.post(
            post_to + "/login",
            {"csrf_token": token, "username": username, "password": password},
        )
