"""Static files (#16 item 15): content-hashed URLs cached for a year, gzip when accepted."""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Any

from flask import url_for

from contest.ui.assets import IMMUTABLE, REVALIDATE

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def _static_url(app: Any, filename: str) -> str:
    with app.test_request_context():
        return url_for("static", filename=filename)


def _get(client: Any, url: str, **headers: str) -> Any:
    response = client.get(url, headers=headers)
    response.close()
    return response


def test_the_hashed_url_changes_when_the_file_changes(
    app: Any, client: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    (tmp_path / "js").mkdir()
    script = tmp_path / "js" / "board.js"
    script.write_text("var board = 1;\n" * 200)
    monkeypatch.setattr(app, "static_folder", str(tmp_path))
    first = _static_url(app, "js/board.js")
    assert re.fullmatch(r"/static/js/board\.js\?v=[0-9a-f]{12}", first)
    assert _static_url(app, "js/board.js") == first

    script.write_text("var board = 22;\n" * 200)
    second = _static_url(app, "js/board.js")
    assert second != first
    response = _get(client, second, **GZIP)
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert gzip.decompress(response.data) == script.read_bytes()
    # The old URL now names bytes that are gone: it gets the new ones, to be revalidated.
    assert _get(client, first, **GZIP).headers["Cache-Control"] == REVALIDATE


def test_plotly_goes_out_compressed_and_immutable_by_its_hash(app: Any, client: Any) -> None:
    url = _static_url(app, "vendor/plotly/plotly-basic.min.js")
    plain = Path(app.static_folder, "vendor/plotly/plotly-basic.min.js").read_bytes()
    response = _get(client, url, **GZIP)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert len(response.data) < len(plain) / 2
    assert gzip.decompress(response.data) == plain
    assert "javascript" in response.mimetype

    again = _get(client, url, **GZIP, **{"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_a_client_without_gzip_gets_the_plain_file(app: Any, client: Any) -> None:
    url = _static_url(app, "css/app.css")
    response = _get(client, url)
    assert "Content-Encoding" not in response.headers
    assert response.data == Path(app.static_folder, "css/app.css").read_bytes()
    assert response.headers["Cache-Control"] == IMMUTABLE


def test_an_unhashed_url_must_revalidate(client: Any) -> None:
    response = _get(client, "/static/css/app.css", **GZIP)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == REVALIDATE


def test_pages_link_their_assets_by_hash_and_missing_files_are_404(
    app: Any, client: Any, db: Any
) -> None:
    html = client.get("/wall/").get_data(as_text=True)
    assert f'src="{_static_url(app, "js/app.js")}"' in html
    assert re.search(r'href="/static/css/app\.css\?v=[0-9a-f]{12}"', html)
    assert _get(client, "/static/js/nothing-here.js").status_code == 404
    assert _get(client, "/static/../contest/config.py").status_code == 404
