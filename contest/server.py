"""``contest serve``: gunicorn with our application factory."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

# Threads per worker: a worker serves other requests while one waits on SQLite's write lock.
# A balancer in front sends each server at most workers × THREADS requests at a time.
THREADS = 4


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
            # The access log records paths only, never query strings (they may carry search terms).
            "access_log_format": '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms',
            "timeout": 60,
        }
    ).run()
