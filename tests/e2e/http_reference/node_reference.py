"""Node's HTTP server (node_server.mjs) as a running reference: started on a free loopback port,
its per-connection parse reports collected from its stdout, always stopped."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fixtures.processes import stop_gracefully

from http_reference.wire import Exchange, exchange

SERVER = Path(__file__).with_name("node_server.mjs")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NodeVerdict:
    """What Node's parser made of one connection's bytes."""

    exchange: Exchange
    requests: list[dict]  # {"method", "url", "complete", "body_bytes"} in order
    error: str | None  # Node's parse error code, e.g. "HPE_INVALID_CHUNK_SIZE"

    @property
    def accepted(self) -> int:
        """Requests Node read to their end (its handler answers only those)."""
        return sum(1 for request in self.requests if request["complete"])

    def __str__(self) -> str:
        parsed = ", ".join(f"{r['method']} {r['url']} ({r['body_bytes']} body bytes"
                           f"{'' if r['complete'] else ', incomplete'})" for r in self.requests)
        return (f"read {self.accepted} request(s) [{parsed}], error {self.error}; "
                f"answered {self.exchange}")


class NodeReference:
    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self.info: dict = {}
        self._reports: dict[int, dict] = {}
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            message = json.loads(line)
            with self._changed:
                if "requests" in message:
                    self._reports[message["port"]] = message
                else:
                    self.info = message
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_until_listening(self, timeout: float = 30.0) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: self.info or self.process.poll() is not None,
                                          timeout):
                raise RuntimeError(f"node {SERVER.name} did not start in {timeout} s")
        if not self.info:
            raise RuntimeError(f"node {SERVER.name} exited with {self.process.returncode}")

    def verdict(self, data: bytes, timeout: float = 10.0) -> NodeVerdict:
        """Sends `data` on a new connection; what Node answered and what its parser read."""
        answered = exchange(self.info["port"], data, timeout)
        with self._changed:
            if not self._changed.wait_for(lambda: answered.client_port in self._reports,
                                          timeout):
                raise AssertionError(f"Node reported nothing on the connection from port "
                                     f"{answered.client_port} in {timeout} s: {answered}")
            report = self._reports.pop(answered.client_port)
        return NodeVerdict(answered, report["requests"], report["error"])


@contextmanager
def node_reference() -> Iterator[NodeReference]:
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("no `node` on PATH: the HTTP framing tests need Node's http server")
    # No NODE_OPTIONS: --insecure-http-parser there would make the reference lenient.
    env = {name: value for name, value in os.environ.items() if name != "NODE_OPTIONS"}
    process = subprocess.Popen([node, str(SERVER)], stdout=subprocess.PIPE, env=env)
    try:
        reference = NodeReference(process)
        reference.wait_until_listening()
        log.info("Node %s (llhttp %s) reference at port %s", reference.info["node"],
                 reference.info["llhttp"], reference.info["port"])
        yield reference
    finally:
        stop_gracefully(process, timeout=10)
        if process.stdout is not None:
            process.stdout.close()
