"""``contest serve``: gunicorn with our application factory.

The access log writes the client's address beside the path; a 会员评家 code in the path
(``/s/<code>``) would tie a phone to a slip, so :class:`AccessLogger` masks it in every atom
(``contest.security.log_masking``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from contest.security.log_masking import mask_atoms

# Threads per worker: a worker serves other requests while one waits on SQLite's write lock.
# A balancer in front sends each server at most workers × THREADS requests at a time.
THREADS = 4
# The access log records paths only, never query strings (they may carry search terms).
ACCESS_LOG_FORMAT = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'


class AccessLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger with survey codes masked in every access-log atom, whatever
    ``access_log_format`` says (the path, the request line, the referer, environ atoms)."""

    def atoms(self, resp: Any, req: Any, environ: Mapping[str, Any], request_time: Any) -> Any:
        atoms = super().atoms(resp, req, environ, request_time)
        mask_atoms(atoms, environ.get("PATH_INFO"))
        return atoms


class _Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):  # type: ignore[no-untyped-def]
        from contest import create_app

        return create_app()


def run(host: str, port: int, workers: int) -> None:
    _Server(
        {
            "bind": f"{host}:{port}",
            "workers": max(workers, 1),
            "threads": THREADS,
            "worker_class": "gthread",
            "accesslog": "-",
            "access_log_format": ACCESS_LOG_FORMAT,
            "logger_class": AccessLogger,
            "timeout": 60,
        }
    ).run()
