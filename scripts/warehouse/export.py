"""Exports the marts to CSV: the spec's columns in its order, then the mart's extras.

The training mart has every column of the spec; the open leads have them all but the label
(their horizon has not passed, so there is no label yet).
"""

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
    won_rate: float  # 0 for a mart without the label


def export_mart(
    connection: duckdb.DuckDBPyConnection,
    relation: str,
    spec: FeatureSpec,
    out: Path,
    *,
    labelled: bool = True,
    then_by: tuple[str, ...] = (),
) -> MartStats:
    """Writes `relation` to `out` as CSV, sorted by the spec's id, then by `then_by` (a mart
    with several rows per lead: the snapshots' age)."""
    mart_columns = [row[0] for row in connection.execute(f"DESCRIBE {relation}").fetchall()]
    wanted = [c for c in spec_columns(spec) if labelled or c != spec["label"]]
    missing = [column for column in wanted if column not in mart_columns]
    if missing:
        # The marts select the spec's columns themselves, so this means the two drifted apart.
        raise LoadError(
            f"the mart {relation} lacks the spec's columns {', '.join(missing)}",
            "To fix: compute them in dbt_project/models/intermediate/int_leads.sql.",
        )
    ordered = wanted + [column for column in mart_columns if column not in wanted]
    select = ", ".join(quote_identifier(column) for column in ordered)
    # Sorted so that the same raw data always gives a byte-identical file.
    order = ", ".join(quote_identifier(column) for column in (spec["id"], *then_by))
    path = str(out).replace("'", "''")
    # Whole seconds, the feature table's timestamp format (the engine reads created_at for
    # --time-split): HubSpot's createdate carries milliseconds.
    connection.execute(
        f"COPY (SELECT {select} FROM {relation} ORDER BY {order}) "
        f"TO '{path}' (FORMAT csv, HEADER true, DELIMITER ',', "
        "TIMESTAMPFORMAT '%Y-%m-%d %H:%M:%S')"
    )
    label = quote_identifier(spec["label"]) if labelled else "0"
    row = connection.execute(
        f"SELECT count(*), coalesce(avg({label}), 0) FROM {relation}"
    ).fetchone()
    rows, won_rate = row if row else (0, 0.0)
    return MartStats(rows=int(rows), won_rate=float(won_rate))
