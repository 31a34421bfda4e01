"""Schemathesis against `leadscore serve`'s own /openapi.json: generated valid and invalid
requests for every operation, with every applicable check. Zero 5xx, zero responses that
break the published schema, status codes, content types or the API-key rule.

Run against both input modes. Left out, with reasons:
- positive_data_acceptance: `engaged_sessions <= sessions` crosses two fields, which JSON
  Schema cannot say, so schema-valid leads with more engaged sessions than sessions are
  rightly refused (422, documented);
- negative_data_rejection, in lax mode only: the schema says "integer" and "boolean", as
  FastAPI's does for the seed's lax model, yet "5" and 5.0 are sessions and 0/1 a flag there,
  so schema-invalid data is rightly accepted (documented in docs/serving.md). Strict mode runs
  the check;
- use_after_free, ensure_resource_availability: stateful checks of created resources; the
  API creates none.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from fixtures.leadscore_server import leadscore_server
from fixtures.mlflow_server import REPO

API_KEY = "schemathesis-key"


@pytest.mark.parametrize("mode", ["lax", "strict"])
def test_schemathesis_finds_no_failure(models: dict[str, Path], tmp_path: Path,
                                       mode: str) -> None:
    excluded = ["positive_data_acceptance", "use_after_free", "ensure_resource_availability"]
    if mode == "lax":
        excluded.append("negative_data_rejection")
    mode_flags = ["--strict-input"] if mode == "strict" else []
    with leadscore_server(tmp_path, "--model", str(models["channel"]), *mode_flags,
                          env={"LEADSCORE_API_KEY": API_KEY}) as server:
        result = subprocess.run(
            [str(REPO / ".venv/bin/schemathesis"), "run", f"{server.url}/openapi.json",
             "--checks", "all",
             "--exclude-checks", ",".join(excluded),
             "--header", f"X-API-Key:{API_KEY}",
             "--max-examples", "60", "--seed", "42",
             # One worker: with two threads, CPython 3.11.7's ast.parse (reached through
             # hypothesis describing a filter lambda) races on its shared recursion-depth
             # counter and raises "AST constructor recursion depth mismatch" (gh-106905,
             # fixed in 3.11.8/3.12.2). It failed CI once; a single worker cannot race.
             "--workers", "1",
             "--phases", "examples,coverage,fuzzing",
             "--generation-database", "none", "--no-color", "--report", "junit",
             "--report-dir", str(tmp_path / "report")],
            cwd=tmp_path, capture_output=True, text=True, timeout=900, check=False)
        assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
        assert "passed" in result.stdout.lower()
        assert server.process.poll() is None, "the server died under schemathesis"
