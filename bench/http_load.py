"""A bounded HTTP load generator for loopback benchmarks (no third-party tools needed).

``run(url, requests=N, concurrency=C)`` sends exactly N GET requests over C keep-alive
connections and returns throughput, latency percentiles and the bytes of one response.
It only ever talks to the host in the URL, which the benchmarks set to 127.0.0.1.
"""

from __future__ import annotations

import http.client
import statistics
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class LoadResult:
    url: str
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float
    bytes_per_response: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def row(self, label: str) -> str:
        return (
            f"{label:<34} {self.rps:>9.0f} {self.p50_ms:>8.1f} {self.p99_ms:>8.1f} "
            f"{self.bytes_per_response / 1024:>9.1f} {self.errors:>6}"
        )


HEADER = f"{'endpoint':<34} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'KB/resp':>9} {'errors':>6}"


def run(
    url: str, *, requests: int = 2000, concurrency: int = 16, headers: dict[str, str] | None = None
) -> LoadResult:
    parts = urlsplit(url)
    if parts.hostname not in {"127.0.0.1", "localhost", "::1"}:
        raise ValueError("load tests only target the loopback interface")
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[float] = []
    errors = [0]
    size = [0]
    lock = threading.Lock()
    remaining = [requests]

    def worker() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        local: list[float] = []
        while True:
            with lock:
                if remaining[0] <= 0:
                    break
                remaining[0] -= 1
            start = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers or {})
                response = conn.getresponse()
                body = response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                ok, body = False, b""
            local.append((time.perf_counter() - start) * 1000)
            if not ok:
                with lock:
                    errors[0] += 1
            elif not size[0]:
                size[0] = len(body)
        conn.close()
        with lock:
            latencies.extend(local)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    p99 = latencies[min(int(len(latencies) * 0.99), len(latencies) - 1)] if latencies else 0.0
    return LoadResult(
        url,
        requests,
        errors[0],
        elapsed,
        statistics.median(latencies) if latencies else 0.0,
        p99,
        size[0],
    )
