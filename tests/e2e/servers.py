"""Real servers for end-to-end tests, started by the project's own scripts and always stopped."""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LOG = logging.getLogger(__name__)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def mlflow_server(state_dir: Path) -> Iterator[str]:
    """An isolated MLflow server (own SQLite store and artifacts); yields its URI."""
    port = free_port()
    env = {**os.environ, "LEADSCORE_MLFLOW_DIR": str(state_dir), "LEADSCORE_MLFLOW_PORT": str(port)}
    subprocess.run([str(REPO / "scripts/run_mlflow_server.sh")], env=env, check=True,
                   capture_output=True, text=True, timeout=180)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stopped = subprocess.run([str(REPO / "scripts/stop_mlflow_server.sh")], env=env,
                                 capture_output=True, text=True, timeout=60)
        if stopped.returncode != 0:
            LOG.warning("stopping MLflow failed: %s", stopped.stderr)
