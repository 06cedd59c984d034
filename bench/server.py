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
from collections.abc import Iterator, Sequence
from pathlib import Path

CONTEST = str(Path(sys.executable).with_name("contest"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_healthy(base: str, process: subprocess.Popen | None = None, tries: int = 150) -> None:
    """Wait until ``base/healthz`` answers 200 (about 30 s at most)."""
    for _ in range(tries):
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{base}: the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{base}: server did not start")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the process group (gunicorn's arbiter and its workers), then wait."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


@contextlib.contextmanager
def serving_all(
    envs: Sequence[dict[str, str]], workers: int = 2, logs: Sequence[Path] | None = None
) -> Iterator[list[str]]:
    """One ``contest serve`` per environment, started together; yields their base URLs.

    ``logs``: a file per server for its output (access log included); else it is discarded.
    """
    with contextlib.ExitStack() as stack:
        started: list[tuple[subprocess.Popen, str]] = []
        for index, env in enumerate(envs):
            port = free_port()
            output = stack.enter_context(open(logs[index], "ab")) if logs else subprocess.DEVNULL
            command = [CONTEST, "serve", "--host", "127.0.0.1", "--port", str(port)]
            process = subprocess.Popen(
                [*command, "--workers", str(workers)],
                env={**os.environ, **env},
                stdout=output,
                stderr=output,
                start_new_session=True,
            )
            stack.callback(stop, process)
            started.append((process, f"http://127.0.0.1:{port}"))
        for process, base in started:
            wait_healthy(base, process)
        yield [base for _, base in started]


@contextlib.contextmanager
def serving(env: dict[str, str], workers: int = 2) -> Iterator[str]:
    with serving_all([env], workers) as bases:
        yield bases[0]


def contest(env: dict[str, str], *args: str) -> float:
    """Run a ``contest`` command; return its wall-clock seconds."""
    start = time.perf_counter()
    subprocess.run(
        [CONTEST, *args], env={**os.environ, **env}, check=True, stdout=subprocess.DEVNULL
    )
    return time.perf_counter() - start
