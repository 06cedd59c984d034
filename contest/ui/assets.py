"""Static files under content-hashed URLs, cached for a year, and sent gzip-compressed.

``url_for('static', filename=...)`` adds ``?v=<hash>`` (the first 12 hex digits of the file's
SHA-256), so a page always names the bytes it was built with. A request carrying the file's
current hash is answered ``Cache-Control: public, max-age=31536000, immutable``: browsers and
proxies keep plotly.js (1.2 MB) and app.css for a year without asking again, and a new
deployment changes the URL instead of waiting for caches to expire. Without a hash, or with an
old one, the answer must be revalidated (``no-cache`` with its ETag), so a stale URL never
pins new bytes for a year.

Text files (CSS, JavaScript, SVG, JSON, fonts) of 1 KiB or more go out gzip-compressed to
clients that accept it (plotly.js: 1.2 MB → about 0.4 MB). Each file is compressed once per
worker and content hash, kept in a small in-memory cache: the standard library's gzip, so no
dependency and no build step; a front proxy serving /static/ itself can do the same with
``gzip_static``. A file's hash is recomputed only when its modification time or size changes.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, current_app, request
from werkzeug.security import safe_join

__all__ = ["HASH_ARG", "IMMUTABLE", "REVALIDATE", "digest", "init_app"]

HASH_ARG = "v"
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, no-cache"
MIN_GZIP_SIZE = 1024
COMPRESSIBLE = frozenset(
    {
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "image/svg+xml",
        "text/plain",
        "font/ttf",
        "application/x-font-ttf",
    }
)

_digests: dict[str, tuple[int, int, str]] = {}


def _file(folder: str, filename: str) -> Path | None:
    joined = safe_join(folder, filename)
    if joined is None or not os.path.isfile(joined):
        return None
    return Path(joined)


def digest(folder: str, filename: str) -> str | None:
    """The content hash of ``filename`` under ``folder`` (None: no such file)."""
    path = _file(folder, filename)
    if path is None:
        return None
    stat = path.stat()
    known = _digests.get(str(path))
    if known is not None and known[:2] == (stat.st_mtime_ns, stat.st_size):
        return known[2]
    value = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    _digests[str(path)] = (stat.st_mtime_ns, stat.st_size, value)
    return value


@lru_cache(maxsize=32)
def _gzipped(path: str, content_hash: str) -> bytes:
    """The file compressed (``content_hash`` keys the cache: a changed file is compressed again);
    ``mtime=0`` makes the bytes the same in every worker."""
    return gzip.compress(Path(path).read_bytes(), compresslevel=9, mtime=0)


def _mimetype(filename: str) -> str:
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def serve(filename: str) -> Response:
    """The ``static`` endpoint: the file, gzip-compressed when the client accepts it, with a
    year's immutable caching when asked for by its current hash."""
    folder = str(current_app.static_folder)
    content_hash = digest(folder, filename)
    path = _file(folder, filename)
    if content_hash is None or path is None:
        abort(404)
    mimetype = _mimetype(filename)
    compressible = mimetype in COMPRESSIBLE and path.stat().st_size >= MIN_GZIP_SIZE
    if compressible and request.accept_encodings["gzip"]:
        response = Response(_gzipped(str(path), content_hash), mimetype=mimetype)
        response.headers["Content-Encoding"] = "gzip"
        response.set_etag(f"{content_hash}-gz")
    else:
        response = Response(path.read_bytes(), mimetype=mimetype)
        response.set_etag(content_hash)
    if compressible:
        response.vary.add("Accept-Encoding")
    hashed = request.args.get(HASH_ARG) == content_hash
    response.headers["Cache-Control"] = IMMUTABLE if hashed else REVALIDATE
    response.make_conditional(request)
    return response


def init_app(app: Flask) -> None:
    """Hash every ``url_for('static', ...)`` and serve ``/static/`` through :func:`serve`."""

    @app.url_defaults
    def _add_hash(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint != "static" or HASH_ARG in values or "filename" not in values:
            return
        content_hash = digest(str(app.static_folder), values["filename"])
        if content_hash is not None:
            values[HASH_ARG] = content_hash

    app.view_functions["static"] = serve
