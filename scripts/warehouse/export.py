"""Exports the feature mart to CSV: the spec's columns in its order, then the mart's extras."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.errors import LoadError
from warehouse.feature_spec import FeatureSpec, spec_columns
from warehouse.raw_schema import quote_identifier


@dataclass(frozen=True)
class MartStats:
    rows: int
    won_rate: float


def export_features(
    connection: duckdb.DuckDBPyConnection, relation: str, spec: FeatureSpec, out: Path
) -> MartStats:
    """Writes `relation` to `out` as CSV, one row per lead sorted by the spec's id."""
    mart_columns = [row[0] for row in connection.execute(f"DESCRIBE {relation}").fetchall()]
    wanted = spec_columns(spec)
    missing = [column for column in wanted if column not in mart_columns]
    if missing:
        # The mart selects the spec's columns itself, so this means the two drifted apart.
        raise LoadError(
            f"the mart {relation} lacks the spec's columns {', '.join(missing)}",
            "To fix: compute them in dbt_project/models/marts/fct_lead_scoring_features.sql.",
        )
    ordered = wanted + [column for column in mart_columns if column not in wanted]
    select = ", ".join(quote_identifier(column) for column in ordered)
    # Sorted so that the same raw data always gives a byte-identical file.
    order = quote_identifier(spec["id"])
    path = str(out).replace("'", "''")
    connection.execute(
        f"COPY (SELECT {select} FROM {relation} ORDER BY {order}) "
        f"TO '{path}' (FORMAT csv, HEADER true, DELIMITER ',')"
    )
    label = quote_identifier(spec["label"])
    row = connection.execute(
        f"SELECT count(*), coalesce(avg({label}), 0) FROM {relation}"
    ).fetchone()
    rows, won_rate = row if row else (0, 0.0)
    return MartStats(rows=int(rows), won_rate=float(won_rate))
