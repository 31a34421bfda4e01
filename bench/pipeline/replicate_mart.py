"""Builds a mart-level warehouse of N× the leads of a built one, without the events.

The event-level stages (generate, load + dbt) cannot reach 10M leads (~450M events) on the
bench machine in a session, but the mart-level stages (train, batch score, rescore) only
read the marts. So this copies a warehouse's three lead marts — main.fct_lead_scoring_features,
main.fct_open_leads, main.fct_lead_snapshots — `--times` times into a new DuckDB file, copy k
with new ids (`<lead_id>-r<k>`; email and visitor_id likewise, copy 0 unchanged) and every
feature, date and label as in the original: the same lead base k times over, not new leads.
It then exports the training mart, open leads and snapshots as scripts/load_duckdb does (the
same code, scripts/warehouse/export.py), so the stages read what they read after a real load.
DuckDB streams the copies (nothing is held in Python).

Usage: replicate_mart.py --from WAREHOUSE --times K --out DIR [--spec FILE] [--memory-limit 3GB]
Writes DIR/warehouse.duckdb, DIR/lead_scoring_features.csv, DIR/open_leads.csv,
DIR/lead_snapshots.csv.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))  # the warehouse package of scripts/ (below)

from warehouse.export import export_mart
from warehouse.feature_spec import load_feature_spec

MARTS = ("fct_lead_scoring_features", "fct_open_leads", "fct_lead_snapshots")
RENAMED = ("lead_id", "email", "visitor_id")  # per-lead identifiers a copy must not share


def replicate(source: Path, times: int, out: Path, memory_limit: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    target = out / "warehouse.duckdb"
    target.unlink(missing_ok=True)
    with duckdb.connect(str(target)) as con:
        con.execute(f"SET memory_limit = '{memory_limit}'")
        con.execute(f"ATTACH '{source}' AS source (READ_ONLY)")
        for mart in MARTS:
            columns = [row[0] for row in con.execute(f"DESCRIBE source.main.{mart}").fetchall()]
            renamed = ", ".join(
                f"CASE WHEN copy = 0 THEN {c} ELSE {c} || '-r' || copy END AS {c}"
                for c in RENAMED
                if c in columns
            )
            con.execute(
                f"CREATE TABLE main.{mart} AS SELECT * EXCLUDE (copy) REPLACE ({renamed}) "
                f"FROM source.main.{mart}, range({times}) AS copies(copy)"
            )


def export(out: Path, spec_path: Path) -> None:
    spec = load_feature_spec(spec_path, str(spec_path))
    with duckdb.connect(str(out / "warehouse.duckdb")) as con:
        export_mart(con, "main.fct_lead_scoring_features", spec, out / "lead_scoring_features.csv")
        export_mart(con, "main.fct_open_leads", spec, out / "open_leads.csv", labelled=False)
        export_mart(
            con,
            "main.fct_lead_snapshots",
            spec,
            out / "lead_snapshots.csv",
            then_by=("snapshot_age_days",),
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--from",
        dest="source",
        type=Path,
        required=True,
        help="warehouse built by scripts/load_duckdb",
    )
    parser.add_argument("--times", type=int, required=True, help="copies of each lead (≥ 1)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write")
    parser.add_argument("--spec", type=Path, default=ROOT / "spec/feature_spec.json")
    parser.add_argument("--memory-limit", default="3GB", help="DuckDB memory_limit")
    args = parser.parse_args()
    if args.times < 1:
        parser.error("--times must be 1 or more")
    if not args.source.is_file():
        parser.error(f"{args.source} not found; build it with scripts/load_duckdb first")
    replicate(args.source, args.times, args.out, args.memory_limit)
    export(args.out, args.spec)
    return 0


if __name__ == "__main__":
    sys.exit(main())
