"""English is selectable and complete: the catalogue compiles and pages render in English."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

CATALOGUE = Path(__file__).resolve().parents[2] / "contest/translations/en/LC_MESSAGES/messages.po"


def test_every_message_has_an_english_translation() -> None:
    with CATALOGUE.open("rb") as handle:
        catalog = read_po(handle)
    missing = [m.id for m in catalog if m.id and not m.string]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert missing == [] and fuzzy == []


def test_the_catalogue_holds_every_message_of_the_code_and_templates(tmp_path: Path) -> None:
    """A string added to a view or template without running `make translations` is caught."""
    root = CATALOGUE.parents[4]
    template = tmp_path / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).with_name("pybabel")),
            "extract",
            "-F",
            str(root / "babel.cfg"),
            "-k",
            "_l",
            "-o",
            str(template),
            str(root),
        ],
        check=True,
        capture_output=True,
        cwd=root,
    )
    with template.open("rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    with CATALOGUE.open("rb") as handle:
        have = {m.id for m in read_po(handle) if m.id}
    assert sorted(map(str, wanted - have)) == []


def test_language_link_switches_the_session_to_english(client: Any) -> None:
    assert "登录" in client.get("/login").get_data(as_text=True)
    client.get("/lang/en?next=/login")
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Sign in" in html and "<h1>登录</h1>" not in html


def test_public_wall_renders_in_english(client: Any) -> None:
    html = client.get("/wall/?lang=en").get_data(as_text=True)
    assert "<h1>Honor Wall</h1>" in html


def test_a_missing_compiled_catalogue_is_compiled_into_the_instance(tmp_path: Any) -> None:
    """An install without `make install`'s compile step still answers in English."""
    import shutil
    from pathlib import Path

    from babel.support import Translations

    from contest.i18n import catalogue_directories

    repo = Path(__file__).resolve().parents[2] / "contest" / "translations"
    source = tmp_path / "translations"
    (source / "en" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(repo / "en" / "LC_MESSAGES" / "messages.po", source / "en" / "LC_MESSAGES")
    cache = tmp_path / "instance" / "translations"

    directories = catalogue_directories(source, cache)

    assert directories == f"{cache};{source}"
    compiled = Translations.load(str(cache), ["en"])
    assert compiled.gettext("组织名称") == "Name"
    assert catalogue_directories(source, cache) == directories  # compiled once, then reused
    shutil.copy(cache / "en" / "LC_MESSAGES" / "messages.mo", source / "en" / "LC_MESSAGES")
    assert catalogue_directories(source, cache) == str(source)
