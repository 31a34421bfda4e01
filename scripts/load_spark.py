"""scripts/load_spark: the warehouse on a local Spark (dbt-spark, method session).

The same dbt project, marts and CSV contract as scripts/load_duckdb, for data that outgrows
one DuckDB file (docs/spark.md). Run it through the scripts/load_spark wrapper, which picks
the project's virtualenv.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from warehouse.errors import LoadError
from warehouse.settings import parse_args
from warehouse.spark_build import build_on_spark

REPO_ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    settings = parse_args(argv, REPO_ROOT, engine="spark")
    logging.basicConfig(level=logging.DEBUG if settings.verbose else logging.INFO,
                        format="load_spark: %(message)s", stream=sys.stderr)
    # Spark's own logging is verbose: warnings only, unless -v.
    logging.getLogger("py4j").setLevel(logging.WARNING)
    try:
        summary = build_on_spark(settings)
    except LoadError as error:
        for line in error.problems:
            print(line if line.startswith(" ") else f"error: {line}", file=sys.stderr)
        print(error.remedy, file=sys.stderr)
        return 1
    for table, rows in summary.raw_rows.items():
        print(f"raw.{table}: {rows:,} rows")
    print(f"fct_lead_scoring_features: {summary.training_leads:,} training leads")
    print(f"fct_open_leads: {summary.open_leads:,} open leads")
    print(f"fct_lead_snapshots: {summary.snapshots:,} point-in-time training rows")
    print(f"({summary.dbt_nodes} dbt models, unit tests and data tests run on Spark)")
    if settings.lead_scores:
        print(f"dashboard marts: {summary.dashboard_nodes} dbt models and tests run on Spark")
    print(f"wrote {settings.display(settings.features_out)}, "
          f"{settings.display(settings.open_leads_out)} and "
          f"{settings.display(settings.snapshots_out)} in {summary.seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
