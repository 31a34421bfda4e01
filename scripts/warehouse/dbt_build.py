"""Runs `dbt build` (models and tests) on a warehouse file and reports what failed.

dbt runs in its own process, so its DuckDB connection is closed before the warehouse is
read again or moved. Failures come from dbt's run_results.json and manifest.json: each
names the test, the model and column it checks, and shows a few of its failing rows.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from warehouse.errors import LoadError
from warehouse.feature_spec import FeatureSpec
from warehouse.settings import DisplayPath

log = logging.getLogger(__name__)

MART_MODEL = "model.leadscore.fct_lead_scoring_features"
OPEN_LEADS_MODEL = "model.leadscore.fct_open_leads"
SNAPSHOTS_MODEL = "model.leadscore.fct_lead_snapshots"
# The profile (dbt_project/profiles.yml) reads the warehouse path from here.
WAREHOUSE_ENV = "LEADSCORE_DBT_DUCKDB_PATH"
# ... and its DuckDB memory_limit from here (scripts/load_duckdb --memory-limit).
MEMORY_LIMIT_ENV = "LEADSCORE_DUCKDB_MEMORY_LIMIT"
SHOWN_ROWS = 5
Json = dict[str, Any]


@dataclass(frozen=True)
class DbtResult:
    mart_relation: str  # schema-qualified and quoted, e.g. "main"."fct_lead_scoring_features"
    open_leads_relation: str
    snapshots_relation: str
    warnings: list[str]
    nodes: int


# The dashboard marts (tag "dashboard") read main.lead_scores, which exists only once
# scripts/score_warehouse has scored the mart: scripts/build_dashboard builds them then.
DASHBOARD_SELECTION = ("--select", "tag:dashboard")
# How DuckDB starts the error of a query that needed more than its memory_limit.
OUT_OF_MEMORY = "Out of Memory Error"
FEATURE_MART_SELECTION = ("--exclude", "tag:dashboard")


def run_dbt_build(
    project_dir: Path,
    warehouse: Path,
    spec: FeatureSpec,
    display: DisplayPath,
    dbt_vars: Json | None = None,
    memory_limit: str | None = None,
) -> DbtResult:
    """Builds the feature mart's models and runs their unit and data tests on `warehouse`
    (every model but the dashboard marts); LoadError if any fails."""
    results, manifest = run_dbt_selection(
        project_dir, warehouse, spec, display, FEATURE_MART_SELECTION, dbt_vars, memory_limit
    )
    mart = manifest["nodes"][MART_MODEL]
    open_leads = manifest["nodes"][OPEN_LEADS_MODEL]
    snapshots = manifest["nodes"][SNAPSHOTS_MODEL]
    return DbtResult(
        mart_relation=f'"{mart["schema"]}"."{mart["alias"]}"',
        open_leads_relation=f'"{open_leads["schema"]}"."{open_leads["alias"]}"',
        snapshots_relation=f'"{snapshots["schema"]}"."{snapshots["alias"]}"',
        warnings=_warnings(results, manifest, warehouse, project_dir, display),
        nodes=len(results["results"]),
    )


def run_dbt_selection(
    project_dir: Path,
    warehouse: Path,
    spec: FeatureSpec,
    display: DisplayPath,
    selection: Sequence[str],
    dbt_vars: Json | None = None,
    memory_limit: str | None = None,
) -> tuple[Json, Json]:
    """`dbt build <selection>` on `warehouse`: dbt's run results and manifest; LoadError naming
    every failed model and test (with failing rows) if any fails."""
    target_dir = project_dir / "target"
    run_results_path = target_dir / "run_results.json"
    # Never report a previous run's results as this one's.
    run_results_path.unlink(missing_ok=True)
    completed = subprocess.run(
        [*_dbt_command(project_dir, {**(dbt_vars or {}), "feature_spec": spec}), *selection],
        cwd=project_dir,
        env={
            **os.environ,
            WAREHOUSE_ENV: str(warehouse),
            **({MEMORY_LIMIT_ENV: memory_limit} if memory_limit else {}),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    output = completed.stdout + completed.stderr
    log.debug("dbt build output:\n%s", output)
    results = _read_json(run_results_path)
    manifest = _read_json(target_dir / "manifest.json")
    log_file = display(project_dir / "logs" / "dbt.log")
    if results is None or manifest is None:
        raise LoadError(
            ["dbt build failed before running any model:", *_dbt_error_lines(output)],
            f"To fix: correct dbt_project/ or the feature spec; full log: {log_file}.",
        )
    report = _Report(manifest, warehouse, project_dir, display)
    failed = [r for r in results["results"] if r["status"] in ("error", "fail")]
    if completed.returncode != 0 or failed:
        problems = report.failures(failed, results["results"])
        raise LoadError(problems, report.remedy(failed, log_file))
    return results, manifest


def _warnings(
    results: Json, manifest: Json, warehouse: Path, project_dir: Path, display: DisplayPath
) -> list[str]:
    report = _Report(manifest, warehouse, project_dir, display)
    warned = [r for r in results["results"] if r["status"] == "warn"]
    return [line for result in warned for line in report.describe(result)]


def _dbt_command(project_dir: Path, dbt_vars: Json) -> list[str]:
    dbt = Path(sys.executable).with_name("dbt")
    if not dbt.exists():
        raise LoadError(
            f"dbt is not installed next to {sys.executable}",
            "To fix: install the pinned tools: .venv/bin/pip install -r requirements.txt",
        )
    return [
        str(dbt),
        "build",
        "--project-dir", str(project_dir),
        "--profiles-dir", str(project_dir),
        "--target-path", str(project_dir / "target"),
        "--log-path", str(project_dir / "logs"),
        "--vars", json.dumps(dbt_vars),
        "--no-use-colors",
    ]  # fmt: skip


def _read_json(path: Path) -> Json | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None


def _dbt_error_lines(output: str) -> list[str]:
    """The lines after dbt's "Encountered an error:", without its timestamps."""
    lines = [re.sub(r"^\S*\d\d:\d\d:\d\d(\.\d+)?\s+", "", line) for line in output.splitlines()]
    lines = [line for line in lines if line.strip()]
    for index, line in enumerate(lines):
        if "Encountered an error" in line:
            return ["    " + line for line in lines[index + 1 :]]
    return ["    " + line for line in lines[-20:]]


class _Report:
    """Describes dbt results with the project's names, paths and failing rows."""

    def __init__(
        self, manifest: Json, warehouse: Path, project_dir: Path, display: DisplayPath
    ) -> None:
        # Unit tests (dbt 1.8+) are listed apart from the models and data tests.
        self._nodes: Json = {**manifest["nodes"], **manifest.get("unit_tests", {})}
        self._warehouse = warehouse
        self._project_dir = project_dir
        self._display = display

    def failures(self, failed: list[Json], results: list[Json]) -> list[str]:
        lines = [line for result in failed for line in self.describe(result)]
        skipped = sum(1 for result in results if result["status"] == "skipped")
        if skipped:
            lines.append(f"    ({skipped} models and tests depending on them were skipped)")
        return lines or ["dbt build failed without a failing model or test; see its log."]

    def remedy(self, failed: list[Json], log_file: str) -> str:
        if any(OUT_OF_MEMORY in str(result.get("message")) for result in failed):
            return (
                "To fix: DuckDB ran out of its memory_limit above: run again with a larger "
                "scripts/load_duckdb --memory-limit (the figures per size: docs/scale.md). "
                f"Full log: {log_file}."
            )
        if failed and any(self._checks_source(result, "scoring") for result in failed):
            return (
                "To fix: main.lead_scores breaks the rules above; score the warehouse again "
                "with scripts/score_warehouse (if it persists, the scoring is at fault). "
                f"Full log: {log_file}."
            )
        if failed and all(self._checks_raw_data(result) for result in failed):
            return (
                "To fix: the raw data breaks the warehouse rules above; regenerate it with "
                "`leadscore generate`, or fix the export (format: docs/sources.md). "
                f"Full log: {log_file}."
            )
        return (
            "To fix: the models broke their own contract or their SQL failed: a bug in "
            f"dbt_project/ or the feature spec, not in the raw data. Full log: {log_file}."
        )

    def _checks_raw_data(self, result: Json) -> bool:
        """A failing test on a staging model or a source: the raw data is at fault."""
        node: Json = self._nodes.get(result["unique_id"], {})
        if result["status"] != "fail" or node.get("resource_type") != "test":
            return False
        attached = self._nodes.get(str(node.get("attached_node")), {})
        if "staging" in attached.get("fqn", []):
            return True
        # Singular tests and source tests, except the dashboard's (they check the marts built
        # from the scores, and the scores themselves).
        return (
            not node.get("attached_node")
            and "dashboard" not in node.get("tags", [])
            and not self._checks_source(result, "scoring")
        )

    def _checks_source(self, result: Json, source: str) -> bool:
        """A test on a table of dbt source `source` (e.g. "raw", "scoring")."""
        node: Json = self._nodes.get(result["unique_id"], {})
        return not node.get("attached_node") and any(
            pair[0] == source for pair in node.get("sources", [])
        )

    def describe(self, result: Json) -> list[str]:
        node: Json = self._nodes.get(result["unique_id"], {})
        name = node.get("name", result["unique_id"])
        where = self._display(self._project_dir / node.get("original_file_path", ""))
        message = ["    " + line.strip() for line in (result.get("message") or "").splitlines()]
        if node.get("resource_type") == "unit_test":
            # dbt's message is the expected/actual diff of the model's output.
            model = str(node.get("model", "?"))
            return [f"dbt unit test failed: {name} (model {model}; {where})", *message[:30]]
        if node.get("resource_type") != "test":
            return [f"dbt model failed: {name} ({where})", *message]
        status = {"fail": "failed", "warn": "warned", "error": "errored"}[result["status"]]
        lines = [f"dbt test {status}: {name} ({self._checks(node)}; {where})"]
        if result["status"] == "error":
            return lines + message
        failures = int(result.get("failures") or 0)
        shown = f", the first {SHOWN_ROWS}" if failures > SHOWN_ROWS else ""
        lines.append(f"    {failures} failing row{'' if failures == 1 else 's'}{shown}:")
        lines += ["      " + row for row in self._failing_rows(result.get("compiled_code"))]
        return lines

    def _checks(self, node: Json) -> str:
        """What a test checks, e.g. "unique on stg_ga4__sessions, column session_id"."""
        metadata = node.get("test_metadata")
        if not metadata:
            return "singular test"
        if node.get("attached_node"):
            on = "model " + str(node["attached_node"]).rsplit(".", 1)[-1]
        else:
            on = "source " + ".".join(node["sources"][0]) if node.get("sources") else "?"
        column = node.get("column_name")
        return f"{metadata['name']} on {on}" + (f", column {column}" if column else "")

    def _failing_rows(self, compiled_code: str | None) -> list[str]:
        if not compiled_code:
            return []
        # Line breaks keep a trailing "--" comment in the test from eating the parenthesis.
        sql = f"SELECT * FROM (\n{compiled_code}\n) AS failing_rows LIMIT {SHOWN_ROWS}"
        try:
            with duckdb.connect(str(self._warehouse), read_only=True) as connection:
                cursor = connection.execute(sql)
                names = [column[0] for column in cursor.description or []]
                rows = cursor.fetchall()
        except duckdb.Error as error:
            return [f"(could not read the failing rows: {error})"]
        return [
            ", ".join(f"{name}={_sql_value(value)}" for name, value in zip(names, row, strict=True))
            for row in rows
        ]


def _sql_value(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, str):
        return repr(value)
    return str(value)
