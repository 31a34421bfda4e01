"""Where the Streamlit app finds the warehouse, the scoring API and the feature spec.

Everything comes from LEADSCORE_* environment variables (scripts/run_streamlit passes them
through), with the defaults of scripts/run; relative paths are relative to the repository.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class AppSettings:
    warehouse: Path  # DuckDB file with the dashboard marts (scripts/build_dashboard)
    api_url: str  # leadscore serve, for POST /score and GET /model
    api_key: str | None  # sent as X-API-Key when the server requires one
    spec: Path  # the feature spec: the form's fields


def load_settings() -> AppSettings:
    def path(env: str, default: str) -> Path:
        return (REPO_ROOT / os.environ.get(env, default)).absolute()

    return AppSettings(
        warehouse=path("LEADSCORE_WAREHOUSE", "data/warehouse.duckdb"),
        api_url=os.environ.get("LEADSCORE_API_URL", "http://127.0.0.1:8000").rstrip("/"),
        api_key=os.environ.get("LEADSCORE_API_KEY") or None,
        spec=path("LEADSCORE_FEATURE_SPEC", "spec/feature_spec.json"),
    )
