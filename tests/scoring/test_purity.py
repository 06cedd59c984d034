"""The scoring library must stay importable without the web application."""

import json
import subprocess
import sys


def test_importing_scoring_pulls_in_no_web_or_database_package():
    code = (
        "import json, sys, scoring; "
        "print(json.dumps(sorted(m for m in sys.modules "
        "if m.split('.')[0] in {'flask', 'sqlalchemy', 'wtforms', 'contest', 'flask_wtf'})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out) == []


def test_the_check_itself_can_fail():
    code = (
        "import json, sys, email.message; "
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'email')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out)
