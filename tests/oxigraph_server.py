"""A real `oxigraph serve` (PyPI `oxigraph`) on a free loopback port, for the remote-store tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

OXIGRAPH = Path(sys.executable).parent / "oxigraph"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listening_sockets(port: int) -> set[str]:
    """The kernel's names (`socket:[inode]`) of the sockets listening on a TCP port."""
    names = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                names.add(f"socket:[{fields[9]}]")
    return names


def owns(pid: int, port: int) -> bool:
    """Whether process `pid` is the one listening on `port`: a server that lost its port to
    another process must not be mistaken for the one that took it."""
    names = listening_sockets(port)
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            if os.readlink(fd) in names:
                return True
        except OSError:
            continue
    return False


class OxigraphServer:
    """One server process over a data directory; kill() and start() keep directory and port.

    Tests on this machine start many servers, in more than one process: a free port can be
    taken by another server before this one binds it. The first start then moves to another
    port; a restart, which must keep its port, fails loudly."""

    def __init__(self, location: Path, port: int | None = None, union: bool = True) -> None:
        self.location = location
        self.union = union
        self.process: subprocess.Popen[bytes] | None = None
        self._at(port or free_port())
        for _ in range(5):
            if self._started():
                return
            if port is not None:
                break
            self._at(free_port())
        raise RuntimeError(f"oxigraph serve could not listen on 127.0.0.1:{self.port}")

    def _at(self, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{self.port}"
        self.query_url = f"{self.url}/query"
        self.update_url = f"{self.url}/update"

    def start(self) -> None:
        """Start again on the same port (after kill())."""
        if not self._started():
            raise RuntimeError(f"oxigraph serve could not listen on 127.0.0.1:{self.port}")

    def _started(self) -> bool:
        """Start the process; True once it listens on the port itself, False if it exited."""
        self.process = subprocess.Popen(
            [
                str(OXIGRAPH),
                "serve",
                "--location",
                str(self.location),
                "--bind",
                f"127.0.0.1:{self.port}",
                *(["--union-default-graph"] if self.union else []),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            if owns(self.process.pid, self.port):
                return True
            time.sleep(0.05)
        self.kill()
        raise RuntimeError("oxigraph serve did not start within 20 s")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
