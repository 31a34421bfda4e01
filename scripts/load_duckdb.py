"""scripts/load_duckdb: build the DuckDB warehouse and the feature CSVs from data/raw/.

Validates the raw exports (GA4 events, HubSpot contacts and deals; docs/sources.md), loads
them into a fresh DuckDB file, runs `dbt build` on dbt_project/ with spec/feature_spec.json
and the mart's rules as vars, exports the training mart, the open leads and the point-in-time
snapshots, and only then replaces data/warehouse.duckdb, data/lead_scoring_features.csv,
data/open_leads.csv and data/lead_snapshots.csv.
Run it through the scripts/load_duckdb wrapper, which picks the project's virtualenv.
"""

from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path

import duckdb
from warehouse.errors import LoadError
from warehouse.pipeline import BuildSummary, build_warehouse
from warehouse.settings import Settings, parse_args

REPO_ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    settings = parse_args(argv, REPO_ROOT)
    prefix = "load_duckdb %(asctime)s" if settings.verbose else "load_duckdb"
    logging.basicConfig(
        level=logging.DEBUG if settings.verbose else logging.INFO,
        format=f"{prefix}: %(message)s",
        stream=sys.stderr,
    )
    # A stopped build must still remove its temporary files (see pipeline._Staging).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        summary = build_warehouse(settings)
    except LoadError as error:
        print(_labelled("error", error.problems), file=sys.stderr)
        print(error.remedy, file=sys.stderr)
        return 1
    except (OSError, duckdb.Error) as error:
        # Disk full, permissions, a file locked by another program: not the data's fault.
        logging.getLogger("load_duckdb").debug("build failed", exc_info=True)
        print(f"error: {error}", file=sys.stderr)
        print(
            "To fix: check that the output folders are writable and have free space and that "
            "no other program holds the warehouse, then run again (-v shows details).",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print("error: interrupted; the previous outputs are unchanged", file=sys.stderr)
        return 130
    print(_summary(summary, settings))
    return 0


def _labelled(label: str, lines: list[str]) -> str:
    """Prefixes each message with its label; indented lines continue the one above."""
    return "\n".join(line if line.startswith(" ") else f"{label}: {line}" for line in lines)


def _summary(summary: BuildSummary, settings: Settings) -> str:
    lines = [_labelled("warning", summary.warnings)] if summary.warnings else []
    lines += [f"raw.{table}: {rows:,} rows" for table, rows in summary.raw_rows.items()]
    as_of = summary.as_of.strftime("%Y-%m-%d %H:%M:%S UTC") if summary.as_of else "none"
    source = "--as-of" if settings.as_of else "the latest event"
    lines += [
        f"stg_ga4__sessions: {summary.sessions:,} sessions",
        f"as of {as_of} ({source}), horizon {settings.horizon_days} days",
        (f"fct_lead_scoring_features: {summary.mart.rows:,} training leads, "
        f"won rate {summary.mart.won_rate:.1%}"),
        f"fct_open_leads: {summary.open_leads:,} open leads (horizon not passed, not closed)",
        (f"fct_lead_snapshots: {summary.snapshots.rows:,} point-in-time training rows, "
        f"won rate {summary.snapshots.won_rate:.1%}"),
        f"({summary.dbt_nodes} dbt models, unit tests and data tests run)",
        (f"wrote {settings.display(settings.warehouse)}, "
        f"{settings.display(settings.features_out)}, "
        f"{settings.display(settings.open_leads_out)} and "
        f"{settings.display(settings.snapshots_out)} in {summary.seconds:.1f} s"),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
