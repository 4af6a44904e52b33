"""A raw HTTP/1.1 client on a socket, for requests that requests/http.client refuse to send."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Answer:
    """Status, headers (lower-case names) and body of one response, and how long it took."""

    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float


class NoAnswer(Exception):
    """The server closed the connection or stayed silent past the timeout."""


def send(
    url: str,
    method: str,
    path: str,
    headers: list[tuple[bytes, bytes]],
    body: bytes = b"",
    timeout: float = 30.0,
) -> Answer:
    """Send exactly these bytes (Host, Content-Length and Connection: close are added)."""
    host, port = url.removeprefix("http://").split(":")
    head = [
        f"{method} {path} HTTP/1.1".encode("latin-1"),
        f"Host: {host}:{port}".encode(),
        b"Connection: close",
        f"Content-Length: {len(body)}".encode(),
    ]
    head += [name + b": " + value for name, value in headers]
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        try:
            sock.sendall(b"\r\n".join(head) + b"\r\n\r\n" + body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer (413) and close before reading the whole body
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
                if time.monotonic() - started > timeout:
                    break
        except (TimeoutError, ConnectionResetError) as error:
            if not chunks:
                raise NoAnswer(
                    f"{type(error).__name__} after {time.monotonic() - started:.1f} s"
                ) from error
    data = b"".join(chunks)
    if not data.startswith(b"HTTP/1."):
        raise NoAnswer(f"no status line (got {data[:60]!r})")
    head_bytes, _, rest = data.partition(b"\r\n\r\n")
    lines = head_bytes.decode("latin-1").split("\r\n")
    fields = dict(line.split(":", 1) for line in lines[1:] if ":" in line)
    return Answer(
        int(lines[0].split()[1]),
        {k.strip().lower(): v.strip() for k, v in fields.items()},
        rest,
        time.monotonic() - started,
    )
