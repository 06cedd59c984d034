"""Start ``contest serve`` on a loopback port for a benchmark, and stop it afterwards."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

CONTEST = str(Path(sys.executable).with_name("contest"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serving(env: dict[str, str], workers: int = 2) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [CONTEST, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("server did not start")
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


def contest(env: dict[str, str], *args: str) -> float:
    """Run a ``contest`` command; return its wall-clock seconds."""
    start = time.perf_counter()
    subprocess.run(
        [CONTEST, *args], env={**os.environ, **env}, check=True, stdout=subprocess.DEVNULL
    )
    return time.perf_counter() - start
