"""GET load with wrk (C, event loop): the load generator is not the bottleneck.

The Python generator of bench/common.py caps ``/healthz`` at about 1,400
requests/s on this machine where wrk reaches 2,350, so ratios to the bare
endpoint measured with it were flattered. wrk is the Debian package ``wrk``;
``ensure_wrk`` installs it with apt-get when it is missing (the bench runs as
root on the project's machines) and answers False when it cannot, so the
caller falls back to the Python generator and says so.

A small Lua script makes wrk print one line the bench parses: requests,
duration, p50 and p95 latency, non-2xx answers and socket errors.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench.common import say

#: wrk threads: one is plenty on 2 cores (each thread runs its own event loop).
THREADS = 1
_REPORT = r"""
done = function(summary, latency, requests)
  local bad = summary.errors.status
  local broken = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p95_us=%d non2xx=%d errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    bad, broken))
end
"""
_LINE = re.compile(
    r"BENCH requests=(\d+) duration_us=(\d+) p50_us=(\d+) p95_us=(\d+) non2xx=(\d+) errors=(\d+)"
)


@dataclass
class WrkResult:
    """The same figures as ``common.LoadResult`` (per_second, p50_ms, p95_ms, failures)."""

    name: str
    requests: int
    wall_seconds: float
    p50_ms: float
    p95_ms: float
    failures: int

    @property
    def per_second(self) -> float:
        return self.requests / self.wall_seconds if self.wall_seconds else 0.0


def ensure_wrk() -> bool:
    """Whether wrk can be run, installing the Debian package when it is missing."""
    if shutil.which("wrk"):
        return True
    say("wrk is missing: installing the Debian package (apt-get install wrk)")
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "wrk"]):
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=300)
        except (OSError, subprocess.SubprocessError) as error:
            say(f"could not install wrk ({error}); the Python load generator is used instead")
            return False
    return shutil.which("wrk") is not None


def wrk_load(
    base: str, path: str, *, name: str | None = None, connections: int, seconds: float
) -> WrkResult:
    """GET ``base + path`` with ``connections`` keep-alive connections for ``seconds``."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_REPORT)
    try:
        done = subprocess.run(
            [
                "wrk",
                "--threads",
                str(THREADS),
                "--connections",
                str(connections),
                "--duration",
                f"{max(1, round(seconds))}s",
                "--timeout",
                "30s",
                "--header",
                "X-Forwarded-Proto: https",
                "--script",
                script.name,
                base + path,
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=seconds + 60,
        )
    finally:
        Path(script.name).unlink(missing_ok=True)
    found = _LINE.search(done.stdout)
    if found is None:
        raise RuntimeError(f"wrk printed no report for {path}: {done.stdout}\n{done.stderr}")
    requests, duration_us, p50_us, p95_us, non_2xx, errors = map(int, found.groups())
    return WrkResult(
        name or path, requests, duration_us / 1e6, p50_us / 1000, p95_us / 1000, non_2xx + errors
    )
