"""Raw HTTP/1.1 exchanges for the framing tests: a case's bytes go out exactly as written
(then the client half-closes), and whatever comes back is split into answers."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]  # lower-case names; the last of repeated fields
    body: bytes

    def __str__(self) -> str:
        return f"{self.status} {self.body[:160]!r}"


@dataclass(frozen=True)
class Exchange:
    client_port: int  # the connection's local port (Node's report names it)
    answers: list[Answer]  # final answers in order; 1xx interim answers are left out
    ending: str  # how the server ended it: "closed", "reset" or "timed out"

    def __str__(self) -> str:
        return f"[{', '.join(str(answer) for answer in self.answers)}] then {self.ending}"


def exchange(port: int, data: bytes, timeout: float = 10.0) -> Exchange:
    """Sends `data` to 127.0.0.1:`port`, half-closes, and reads until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        client_port = sock.getsockname()[1]
        try:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # it refused and closed before taking everything; its answer may be in
        received = bytearray()
        ending = "closed"
        deadline = time.monotonic() + timeout
        while True:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                block = sock.recv(65536)
            except TimeoutError:
                ending = "timed out"
                break
            except ConnectionResetError:
                ending = "reset"
                break
            if not block:
                break
            received += block
    return Exchange(client_port, parse_answers(bytes(received)), ending)


def parse_answers(data: bytes) -> list[Answer]:
    """The responses in `data`: each delimited by Content-Length, or by the end of the data."""
    answers = []
    while data:
        head, separator, rest = data.partition(b"\r\n\r\n")
        if not separator:
            raise AssertionError(f"an incomplete response: {data[:300]!r}")
        status_line, *field_lines = head.decode("latin-1").split("\r\n")
        version, status, *_ = status_line.split(" ", 2)
        if not version.startswith("HTTP/1.") or not status.isdigit():
            raise AssertionError(f"not an HTTP/1.x response: {data[:300]!r}")
        headers = {}
        for line in field_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if 100 <= int(status) < 200:
            data = rest
            continue
        size = int(headers["content-length"]) if "content-length" in headers else len(rest)
        answers.append(Answer(int(status), headers, rest[:size]))
        data = rest[size:]
    return answers
