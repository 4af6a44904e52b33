"""A real `cajkg serve` in a child process: start, wait, measure, kill -9, read its log.

The child gets a fresh CAJKG_DATA_DIR, the write token, the build directory and any extra
CAJKG_* settings through its environment; stderr and stdout are drained into memory by a
thread (a pipe, so that a file-size limit on the child never touches its log).
"""

from __future__ import annotations

import os
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]  # the checkout (tests/reliability/server.py)
SEED_BUILD = ROOT / "build"
TOKEN = f"reliability-{secrets.token_hex(12)}"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
JSON = {"Accept": "application/sparql-results+json"}
CAJKG = Path(sys.executable).parent / "cajkg"
LOG_LIMIT = 4_000_000


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def file_size_limit(limit: int) -> Callable[[], None]:
    """A preexec_fn that makes every file the child writes stop at `limit` bytes (a full disk)."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


class ServerFailed(Exception):
    """The server exited or never answered; the message ends with its log."""


class Server:
    """One `cajkg serve` child on a free loopback port."""

    def __init__(
        self,
        data_dir: Path,
        build_dir: Path = SEED_BUILD,
        threads: int = 8,
        preexec: Callable[[], None] | None = None,
        **settings: object,
    ) -> None:
        self.data_dir = data_dir
        self.build_dir = build_dir
        self.threads = threads
        self.preexec = preexec
        self.settings = {k: str(v) for k, v in settings.items()}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self._log = bytearray()
        self._log_lock = threading.Lock()
        self.startup_s = 0.0

    def env(self) -> dict[str, str]:
        """The child's environment: ours without PYTHONPATH, plus the cajkg settings."""
        env = {
            k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("CAJKG_")
        }
        env.update(
            CAJKG_UPDATE_TOKEN=TOKEN,
            CAJKG_DATA_DIR=str(self.data_dir),
            CAJKG_BUILD_DIR=str(self.build_dir),
            **self.settings,
        )
        return env

    def start(self, timeout: float = 900.0) -> Server:
        """Start and wait until /healthz answers (a missing build is built first)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        self.process = subprocess.Popen(
            [
                str(CAJKG),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--threads",
                str(self.threads),
            ],
            cwd=self.data_dir.parent,
            env=self.env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            preexec_fn=self.preexec,
        )
        threading.Thread(target=self._drain, daemon=True).start()
        while time.monotonic() - started < timeout:
            if self.process.poll() is not None:
                self.process.wait()
                time.sleep(0.2)
                raise ServerFailed(
                    f"cajkg serve exited with {self.process.returncode}:\n{self.log()[-3000:]}"
                )
            try:
                if requests.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    self.startup_s = time.monotonic() - started
                    return self
            except requests.RequestException:
                time.sleep(0.2)
        self.kill()
        raise ServerFailed(
            f"cajkg serve did not answer within {timeout:g} s:\n{self.log()[-3000:]}"
        )

    def _drain(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for chunk in iter(lambda: self.process.stdout.read1(65536), b""):  # type: ignore[union-attr]
            with self._log_lock:
                self._log += chunk
                del self._log[:-LOG_LIMIT]

    def log(self) -> str:
        """Everything the server wrote to stdout and stderr so far."""
        with self._log_lock:
            return self._log.decode("utf-8", "replace")

    def exit_code(self, timeout: float) -> int | None:
        """Wait for the child to exit by itself; None if it is still running."""
        assert self.process is not None
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def rss_kb(self) -> int:
        """Resident memory of the server process."""
        assert self.process is not None
        return _status_field(self.process.pid, "VmRSS")

    def threads_now(self) -> int:
        """Threads of the server process."""
        assert self.process is not None
        return _status_field(self.process.pid, "Threads")

    def kill9(self) -> None:
        """SIGKILL: no clean-up of any kind runs in the server."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def kill(self) -> None:
        """Stop the child (SIGTERM, then SIGKILL) if it still runs."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.kill9()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.kill()

    # -- requests --------------------------------------------------------------------------

    def select(self, query: str, infer: bool = True, timeout: float = 120) -> list[dict]:
        """The bindings of a SELECT; raises unless 200."""
        response = requests.get(
            f"{self.url}/sparql",
            headers=JSON,
            timeout=timeout,
            params={"query": query, "infer": str(infer).lower()},
        )
        if response.status_code != 200:
            raise ServerFailed(f"{response.status_code} for {query[:80]!r}: {response.text}")
        return response.json()["results"]["bindings"]

    def ask(self, query: str, timeout: float = 60) -> bool:
        """The answer of an ASK; raises unless 200."""
        response = requests.get(
            f"{self.url}/sparql", params={"query": query}, headers=JSON, timeout=timeout
        )
        response.raise_for_status()
        return bool(response.json()["boolean"])

    def update(self, text: str, timeout: float = 600) -> requests.Response:
        """POST an update with the token."""
        return requests.post(
            f"{self.url}/update", data={"update": text}, headers=AUTH, timeout=timeout
        )


def _status_field(pid: int, name: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1])
    raise KeyError(name)


def copy_build(target: Path) -> Path:
    """A private copy of the seed build directory (its cache), for scenarios that damage it."""
    shutil.copytree(SEED_BUILD, target, dirs_exist_ok=True)
    return target
