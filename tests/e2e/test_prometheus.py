"""The repository's Prometheus rules, checked by promtool and loaded by a real Prometheus.

`promtool check` proves the rules and the config parse; `promtool test rules` runs the rule
unit tests of ops/prometheus/leadscore.rules.test.yml (each alert fires on its series and
not on the others). Then the Debian Prometheus scrapes a real `leadscore serve` with the
repository's rules: the server's metrics arrive, and when the server dies LeadscoreDown
becomes pending.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import requests
import yaml
from fixtures.leadscore_server import leadscore_server
from fixtures.mlflow_server import REPO, free_port
from fixtures.processes import stop_gracefully

RULES_DIR = REPO / "ops/prometheus"
RULES = RULES_DIR / "leadscore.rules.yml"


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    assert shutil.which("promtool"), "promtool is missing: run scripts/setup --test"
    return subprocess.run(["promtool", *args], cwd=RULES_DIR, capture_output=True, text=True,
                          timeout=60, check=False)


def test_rules_and_config_pass_promtool_check() -> None:
    checked = promtool("check", "rules", str(RULES))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 8 rules found" in checked.stdout
    config = promtool("check", "config", "prometheus.yml")
    assert config.returncode == 0, config.stdout + config.stderr


def test_rule_unit_tests_pass() -> None:
    tested = promtool("test", "rules", "leadscore.rules.test.yml")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "SUCCESS" in tested.stdout


def test_rule_unit_tests_fail_when_a_threshold_is_loosened(tmp_path: Path) -> None:
    # The unit tests can fail: with the drift alert at 0.5 instead of 0.2, page_views' PSI of
    # 0.35 no longer fires and the test file says so.
    loosened = RULES.read_text().replace("leadscore_feature_psi > 0.2", "leadscore_feature_psi > 0.5")
    (tmp_path / "leadscore.rules.yml").write_text(loosened)
    shutil.copy(RULES_DIR / "leadscore.rules.test.yml", tmp_path)
    tested = subprocess.run(["promtool", "test", "rules", "leadscore.rules.test.yml"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60,
                            check=False)
    assert tested.returncode != 0
    assert "LeadscoreFeatureDrift" in tested.stdout + tested.stderr


@dataclass
class Prometheus:
    url: str
    process: subprocess.Popen
    workdir: Path

    def wait_for(self, condition: Callable[[], bool], timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log()
            with contextlib.suppress(requests.ConnectionError):
                if condition():
                    return
            time.sleep(0.2)
        raise AssertionError(f"timed out; prometheus log:\n{self.log()}")

    def log(self) -> str:
        return (self.workdir / "prometheus.log").read_text()

    def query(self, promql: str) -> list[dict]:
        answer = requests.get(f"{self.url}/api/v1/query", params={"query": promql},
                              timeout=5).json()
        assert answer["status"] == "success", answer
        return answer["data"]["result"]

    def alert_states(self) -> dict[str, str]:
        answer = requests.get(f"{self.url}/api/v1/alerts", timeout=5).json()
        return {alert["labels"]["alertname"]: alert["state"]
                for alert in answer["data"]["alerts"]}


@contextlib.contextmanager
def prometheus(targets: list[str], workdir: Path) -> Iterator[Prometheus]:
    """A real Prometheus with the repository's rules, scraping `targets` every second."""
    assert shutil.which("prometheus"), "prometheus is missing: run scripts/setup --test"
    config = yaml.safe_load((RULES_DIR / "prometheus.yml").read_text())
    config["global"] = {"scrape_interval": "1s", "evaluation_interval": "1s"}
    config["rule_files"] = [str(RULES)]
    config["scrape_configs"][0]["static_configs"] = [{"targets": targets}]
    (workdir / "prometheus.yml").write_text(yaml.safe_dump(config))
    port = free_port()
    with (workdir / "prometheus.log").open("w") as log:
        process = subprocess.Popen(
            ["prometheus", f"--config.file={workdir / 'prometheus.yml'}",
             f"--storage.tsdb.path={workdir / 'tsdb'}", f"--web.listen-address=127.0.0.1:{port}"],
            stdout=log, stderr=subprocess.STDOUT)
    server = Prometheus(f"http://127.0.0.1:{port}", process, workdir)
    try:
        server.wait_for(lambda: requests.get(f"{server.url}/-/ready", timeout=1).ok)
        yield server
    finally:
        stop_gracefully(process, timeout=20)


def scored_requests(prom: Prometheus) -> float:
    result = prom.query('sum(leadscore_http_requests_total{route="/score"})')
    return float(result[0]["value"][1]) if result else 0.0


def test_real_prometheus_scrapes_leadscore_and_notices_it_die(
        models: dict[str, Path], tmp_path: Path) -> None:
    with leadscore_server(tmp_path, "--model", str(models["channel"])) as server:
        target = f"127.0.0.1:{server.port}"
        with prometheus([target], tmp_path) as prom:
            for _ in range(3):
                requests.post(f"{server.url}/score", json={
                    "sessions": 3, "engaged_sessions": 1, "page_views": 7,
                    "channel": "Paid Search", "is_first_visit": True}, timeout=5)
            prom.wait_for(lambda: scored_requests(prom) >= 3)
            groups = requests.get(f"{prom.url}/api/v1/rules", timeout=5).json()["data"]["groups"]
            assert {group["name"] for group in groups} == {"leadscore-serving", "leadscore-drift"}
            assert "LeadscoreDown" not in prom.alert_states()

            server.stop()
            prom.wait_for(lambda: prom.alert_states().get("LeadscoreDown") == "pending")
            assert prom.query(f'up{{instance="{target}"}}')[0]["value"][1] == "0"
