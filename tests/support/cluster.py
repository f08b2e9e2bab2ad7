"""Pieces of the several-nodes drill (tests/drills/test_cluster.py, ``make drill-cluster``):
a loopback round-robin in front of the web nodes, a fake Stripe that holds the first
transfer (to kill its sender mid-payout), the process that owns a TCP connection, and a
PgBouncer in transaction pooling mode configured in a temporary directory."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path

from support.stripe_fake import FakeStripe


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_port(port: int, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


class RoundRobin:
    """A TCP proxy on loopback handing each new connection to the next backend in turn.

    ``requests[backend]`` counts the request lines (``"POST /api/v1/checkout"``) each backend
    was handed: the drill's client (urllib) sends one request per connection."""

    def __init__(self, backends: list[int]) -> None:
        self.backends = backends
        self.port = free_port()
        self.served = dict.fromkeys(backends, 0)
        self.requests: dict[int, Counter[str]] = {backend: Counter() for backend in backends}
        self._next = itertools.cycle(backends)
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="round-robin", daemon=True)

    def __enter__(self) -> RoundRobin:
        self._thread.start()
        self._ready.wait(10)
        return self

    def __exit__(self, *_exc) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._accept, "127.0.0.1", self.port)
        )
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            # Hang up every open pipe and let the transports close before the loop does.
            server.close()
            pending = asyncio.all_tasks(self._loop)
            for task in pending:
                task.cancel()
            self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self._loop.run_until_complete(server.wait_closed())
            self._loop.run_until_complete(asyncio.sleep(0.05))
            self._loop.close()

    async def _accept(self, reader, writer) -> None:
        backend = next(self._next)
        self.served[backend] += 1
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", backend)
        except OSError:
            writer.close()
            return
        request_line = await reader.readline()
        method, path = ([*request_line.decode("latin-1").split(), "", ""])[:2]
        self.requests[backend][f"{method} {path.split('?')[0]}"] += 1
        up_writer.write(request_line)
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))


async def _pipe(reader, writer) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


def scrape(port: int, headers: dict[str, str] | None = None) -> dict[tuple[str, frozenset], float]:
    """The Prometheus series ``127.0.0.1:port/metrics`` answers: (name, labels) -> value."""
    from prometheus_client.parser import text_string_to_metric_families

    request = urllib.request.Request(f"http://127.0.0.1:{port}/metrics", headers=headers or {})
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (loopback http)
        text = answer.read().decode()
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def total(series: dict[tuple[str, frozenset], float], name: str, **labels: str) -> float:
    """The sum of the samples of ``name`` whose labels include ``labels``."""
    wanted = set(labels.items())
    return sum(value for (got, have), value in series.items() if got == name and wanted <= have)


def counts_per_process(directory: Path, name: str, **labels: str) -> dict[int, float]:
    """What each process wrote to ``name`` (a counter's samples whose labels include
    ``labels``) in a prometheus_client multiprocess directory: pid -> value."""
    from prometheus_client.mmap_dict import MmapedDict

    wanted = set(labels.items())
    found: dict[int, float] = {}
    for path in directory.glob("counter_*.db"):
        pid = int(path.stem.split("_")[-1])
        for key, value, _timestamp, _position in MmapedDict.read_all_values_from_file(str(path)):
            _metric, sample, sample_labels, _help = json.loads(key)
            if sample == name and wanted <= set(sample_labels.items()):
                found[pid] = found.get(pid, 0.0) + value
    return found


class HoldingStripe(FakeStripe):
    """Holds the first transfer request until ``released`` (then runs it, as Stripe would
    for a client that has gone), and remembers which client port sent it."""

    def __init__(self, *args, **kwargs) -> None:
        self.holding = threading.Event()
        self.released = threading.Event()
        self.held_client_port: int | None = None
        self._client = threading.local()
        super().__init__(*args, **kwargs)

    def _handler_class(self):
        base = super()._handler_class()
        fake = self

        class Remembering(base):  # type: ignore[misc, valid-type]
            def _serve(self) -> None:
                fake._client.port = self.client_address[1]
                super()._serve()

            do_GET = do_POST = do_DELETE = _serve

        return Remembering

    def _handle(self, method, target, headers, body):
        if method == "POST" and target.startswith("/v1/transfers") and not self.holding.is_set():
            self.held_client_port = self._client.port
            self.holding.set()
            self.released.wait(60)
        return super()._handle(method, target, headers, body)

    def transfers(self) -> list[dict]:
        with self._lock:
            return [obj for obj in self._objects.values() if obj.get("object") == "transfer"]


def pid_owning(local_port: int, candidates: list[int]) -> int | None:
    """Which of ``candidates`` (or their children) holds the TCP socket bound to
    ``local_port`` on loopback (read from /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == local_port:
                    inodes.add(fields[9])
    for pid in _with_children(candidates):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    return pid
        except OSError:
            continue
    return None


def _with_children(pids: list[int]) -> list[int]:
    found = list(pids)
    for pid in pids:
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as children:
                found += [int(child) for child in children.read().split()]
        except OSError:
            pass
    return found


class PgBouncer:
    """Debian's pgbouncer in transaction pooling mode in front of ``database`` (trust auth on
    loopback, as the drill's PostgreSQL), on its own port, config in ``workdir``."""

    def __init__(self, workdir: Path, host: str, port: int, database: str, user: str) -> None:
        self.workdir, self.port = workdir, free_port()
        self.binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
        (workdir / "userlist.txt").write_text(f'"{user}" ""\n')
        (workdir / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"{database} = host={host} port={port} dbname={database}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\n"
            f"unix_socket_dir = {workdir}\n"
            "auth_type = trust\n"
            f"auth_file = {workdir / 'userlist.txt'}\n"
            "pool_mode = transaction\n"
            "default_pool_size = 20\nmax_client_conn = 400\n"
            "ignore_startup_parameters = extra_float_digits,options\n"
            f"logfile = {workdir / 'pgbouncer.log'}\npidfile = {workdir / 'pgbouncer.pid'}\n"
        )
        self.process: subprocess.Popen | None = None

    @staticmethod
    def ensure_installed() -> bool:
        """Install Debian's package when missing and we may (root, apt-get present)."""
        if shutil.which("pgbouncer") or Path("/usr/sbin/pgbouncer").exists():
            return True
        if os.geteuid() != 0 or not shutil.which("apt-get"):
            return False
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "pgbouncer"],
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=300,
        )
        return bool(shutil.which("pgbouncer") or Path("/usr/sbin/pgbouncer").exists())

    def start(self) -> PgBouncer:
        command = [self.binary, str(self.workdir / "pgbouncer.ini")]
        if os.geteuid() == 0:  # pgbouncer refuses to run as root
            shutil.chown(self.workdir, "postgres")
            for path in self.workdir.iterdir():
                shutil.chown(path, "postgres")
            command = ["runuser", "-u", "postgres", "--", *command]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        wait_port(self.port, 20)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: pgbouncer closes every connection and exits
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
