"""Serving replicas that follow the registry, behind a real HAProxy (Debian's) configured by
deploy/haproxy/haproxy.cfg: three `leadscore serve --follow` replicas under constant load
through the load balancer; a promotion and a rollback reach every replica within two poll
intervals with no request failed; a replica killed outright costs no request either (HAProxy
retries on another replica, then takes it out after two failed /ready checks). The
deploy/ files are checked as well: HAProxy's own config check, systemd's unit verifier, and
the Kubernetes manifest's probes against the server's real routes and flags.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Self

import pytest
import requests
import yaml
from fixtures.leadscore_server import BINARY, LeadscoreServer, leadscore_server
from fixtures.mlflow_server import REPO, free_port, mlflow_server

HAPROXY_CFG = REPO / "deploy/haproxy/haproxy.cfg"
FOLLOW_SECONDS = 2
LEAD = {"sessions": 5, "engaged_sessions": 3, "page_views": 12, "channel": "Paid Search",
        "is_first_visit": False}


def run(*command: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def haproxy_env(lb_port: int, replica_ports: list[int]) -> dict[str, str]:
    env = {**os.environ, "LEADSCORE_LB_ADDR": "127.0.0.1", "LEADSCORE_LB_PORT": str(lb_port),
           "LEADSCORE_REPLICA_HOST": "127.0.0.1"}
    for index, port in enumerate(replica_ports, start=1):
        env[f"LEADSCORE_REPLICA{index}_PORT"] = str(port)
    return env


@contextlib.contextmanager
def haproxy(lb_port: int, replica_ports: list[int], log_dir: Path):
    env = haproxy_env(lb_port, replica_ports)
    check = subprocess.run(["haproxy", "-c", "-f", str(HAPROXY_CFG)], env=env,
                           capture_output=True, text=True, timeout=30, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    with (log_dir / "haproxy.log").open("w") as log:
        process = subprocess.Popen(["haproxy", "-db", "-f", str(HAPROXY_CFG)], env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{lb_port}"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            assert process.poll() is None, (log_dir / "haproxy.log").read_text()
            with contextlib.suppress(requests.ConnectionError):
                if requests.get(f"{url}/ready", timeout=1).status_code == 200:
                    break
            time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


class ConstantLoad:
    """Two clients scoring through the load balancer until stopped; every answer counted."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.stop = threading.Event()
        self.failures: list[str] = []
        self.versions: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.client) for _ in range(2)]

    def client(self) -> None:
        with requests.Session() as session:
            while not self.stop.is_set():
                try:
                    answer = session.post(f"{self.url}/score", json=LEAD, timeout=10)
                    ok = answer.status_code == 200
                    outcome = answer.json()["model_version"] if ok else \
                        f"{answer.status_code} {answer.text[:200]}"
                except requests.RequestException as error:
                    ok, outcome = False, repr(error)
                with self.lock:
                    (self.versions.update([outcome]) if ok else self.failures.append(outcome))

    def __enter__(self) -> Self:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()


def served_version(replica: LeadscoreServer) -> str:
    return str(requests.get(f"{replica.url}/model", timeout=5).json()["model_version"])


def seconds_until_all_serve(replicas: list[LeadscoreServer], version: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < 30:
        if all(served_version(replica) == version for replica in replicas):
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"not every replica serves version {version} after 30 s: "
                         f"{[served_version(replica) for replica in replicas]}")


def test_replicas_follow_promotion_and_rollback_and_survive_a_killed_replica(
        models: dict[str, Path], tmp_path: Path) -> None:
    assert shutil.which("haproxy"), "haproxy is missing: run scripts/setup --test"
    with mlflow_server(tmp_path / "mlflow") as tracking, contextlib.ExitStack() as stack:
        model_out = str(tmp_path / "champion.json")
        for feature_set in ("base", "base+channel"):  # versions 1 and 2
            run(str(BINARY), "train", "--data", str(models["features"]), "--features",
                feature_set, "--tracking-uri", tracking.url, "--model-out", model_out)
        run(str(BINARY), "promote", "2", "--tracking-uri", tracking.url, "--model-out", model_out)
        replicas = [stack.enter_context(leadscore_server(
            tmp_path, "--model-uri", "models:/lead-scoring@champion", "--tracking-uri",
            tracking.url, "--follow", str(FOLLOW_SECONDS), threads=1)) for _ in range(3)]
        lb_url = stack.enter_context(haproxy(free_port(), [r.port for r in replicas], tmp_path))

        with ConstantLoad(lb_url) as load:
            time.sleep(1)
            # A promotion, then a rollback: every replica follows within two poll intervals.
            run(str(BINARY), "promote", "1", "--tracking-uri", tracking.url,
                "--model-out", model_out)
            assert seconds_until_all_serve(replicas, "1") <= 2 * FOLLOW_SECONDS
            run(str(BINARY), "rollback", "--tracking-uri", tracking.url,
                "--model-out", model_out)
            assert seconds_until_all_serve(replicas, "2") <= 2 * FOLLOW_SECONDS
            before_kill = sum(load.versions.values())
            # One replica dies without draining: HAProxy retries its requests elsewhere and
            # takes it out after two failed checks.
            replicas[0].process.send_signal(signal.SIGKILL)
            time.sleep(4)
            after_kill = sum(load.versions.values()) - before_kill

        assert load.failures == [], load.failures[:5]
        assert set(load.versions) == {"1", "2"}, load.versions
        assert after_kill > 100, f"only {after_kill} requests answered after the kill"


def test_deploy_files_are_valid_for_their_tools(tmp_path: Path) -> None:
    # HAProxy's own check of the shipped config.
    env = haproxy_env(8000, [8001, 8002, 8003])
    check = subprocess.run(["haproxy", "-c", "-f", str(HAPROXY_CFG)], env=env,
                           capture_output=True, text=True, timeout=30, check=False)
    assert check.returncode == 0, check.stdout + check.stderr

    # systemd's verifier on the units, with their paths pointed at this machine's files.
    units = tmp_path / "units"
    units.mkdir()
    for unit in (REPO / "deploy/systemd").glob("*.service"):
        text = unit.read_text().replace("/opt/leadscore/bin/leadscore", str(BINARY))
        text = text.replace("/etc/leadscore/leadscore.env", str(tmp_path / "leadscore.env"))
        text = text.replace("/etc/leadscore/haproxy.cfg", str(HAPROXY_CFG))
        (units / unit.name.replace("@.service", "@8001.service")).write_text(text)
    (tmp_path / "leadscore.env").write_text("")
    for unit in sorted(units.iterdir()):
        verify = subprocess.run(["systemd-analyze", "verify", "--man=no", str(unit)],
                                capture_output=True, text=True, timeout=60, check=False)
        assert verify.returncode == 0 and "Unknown" not in verify.stderr, verify.stderr

    # The unit's command line is one the binary accepts.
    unit = (REPO / "deploy/systemd/leadscore@.service").read_text()
    exec_start = re.search(r"^ExecStart=\S+ (.*)$", unit, re.MULTILINE)
    assert exec_start
    help_text = subprocess.run([str(BINARY), "serve", "--help"], capture_output=True,
                               text=True, timeout=30, check=True).stdout
    for flag in re.findall(r"(--[a-z-]+)", exec_start.group(1)):
        assert flag in help_text, flag

    # The Kubernetes manifest: probes on the server's real routes, flags the binary knows.
    documents = list(yaml.safe_load_all((REPO / "deploy/k8s/leadscore.yaml").read_text()))
    kinds = {document["kind"]: document for document in documents}
    assert set(kinds) == {"Deployment", "Service", "HorizontalPodAutoscaler"}
    container = kinds["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/health"
    assert container["resources"]["requests"] and container["resources"]["limits"]
    args = container["args"]
    assert args[0] == "serve"
    for flag in [arg for arg in args if arg.startswith("--")]:
        assert flag in help_text, flag
    assert args[args.index("--model-uri") + 1] == "models:/lead-scoring@champion"
    port = int(args[args.index("--port") + 1])
    assert container["ports"][0]["containerPort"] == port
    keys = {env["name"] for env in container["env"]}
    assert {"LEADSCORE_API_KEY", "LEADSCORE_ADMIN_KEY", "MLFLOW_TRACKING_URI"} <= keys
    hpa = kinds["HorizontalPodAutoscaler"]["spec"]
    assert hpa["scaleTargetRef"]["name"] == kinds["Deployment"]["metadata"]["name"]


@pytest.fixture(autouse=True)
def _no_keys_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # The replicas listen on loopback without keys: an operator's keys must not leak in.
    monkeypatch.delenv("LEADSCORE_API_KEY", raising=False)
    monkeypatch.delenv("LEADSCORE_ADMIN_KEY", raising=False)
