"""scripts/build_dashboard: build the dashboard marts and export them for the dashboards.

Runs `dbt build --select tag:dashboard` (models/dashboards/: scored_leads,
mart_channel_attribution, mart_funnel, mart_score_distribution, the grade and mover marts of
scripts/rescore's history — empty before the first rescore — the monitoring marts, and their
tests) on the warehouse once scripts/score_warehouse has written main.lead_scores, then exports
the marts to data/dashboard.json, which `leadscore serve` shows at /dashboard (re-read when it
changes). Run it through the scripts/build_dashboard wrapper, which picks the virtualenv.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
from pathlib import Path

import duckdb
from warehouse.dashboard_export import read_dashboard, write_atomically
from warehouse.dbt_build import DASHBOARD_SELECTION, run_dbt_selection
from warehouse.errors import LoadError
from warehouse.feature_spec import load_feature_spec
from warehouse.pipeline import one_dbt_run_at_a_time

REPO_ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger("build_dashboard")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scripts/build_dashboard",
        description="Build the dashboard marts (dbt, tag:dashboard) on the scored warehouse "
        "and export them to the JSON file leadscore serve --dashboard-data reads.",
        epilog="Relative paths are relative to the repository root. Fields: docs/dashboards.md.",
    )
    parser.add_argument(
        "--warehouse",
        default=os.environ.get("LEADSCORE_WAREHOUSE", "data/warehouse.duckdb"),
        help="DuckDB file with main.lead_scores (env LEADSCORE_WAREHOUSE; default "
        "data/warehouse.duckdb)",
    )
    parser.add_argument(
        "--out",
        default=os.environ.get("LEADSCORE_DASHBOARD_DATA", "data/dashboard.json"),
        help="JSON file to write (env LEADSCORE_DASHBOARD_DATA; default data/dashboard.json)",
    )
    parser.add_argument(
        "--spec",
        default=os.environ.get("LEADSCORE_FEATURE_SPEC", "spec/feature_spec.json"),
        help="feature spec (env LEADSCORE_FEATURE_SPEC; default spec/feature_spec.json)",
    )
    return parser.parse_args(argv)


def _display(path: Path) -> str:
    if Path.cwd() == REPO_ROOT and path.is_relative_to(REPO_ROOT):
        return str(path.relative_to(REPO_ROOT))
    return str(path)


def _has_scores(warehouse: Path) -> bool:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        found = connection.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'main' and table_name = 'lead_scores'"
        ).fetchone()
    return bool(found and found[0])


def build(args: argparse.Namespace) -> None:
    warehouse = (REPO_ROOT / args.warehouse).absolute()
    out = (REPO_ROOT / args.out).absolute()
    if not warehouse.is_file():
        raise LoadError(
            f"warehouse {_display(warehouse)} not found",
            "To fix: build it with scripts/load_duckdb, train, and score it with "
            "scripts/score_warehouse (scripts/run does all three).",
        )
    if not _has_scores(warehouse):
        raise LoadError(
            f"{_display(warehouse)} has no table main.lead_scores",
            "To fix: score the warehouse first: scripts/score_warehouse.",
        )
    spec_path = (REPO_ROOT / args.spec).absolute()
    spec = load_feature_spec(spec_path, _display(spec_path))
    project = REPO_ROOT / "dbt_project"
    with one_dbt_run_at_a_time(project / "target"):
        log.info("dbt build --select tag:dashboard on %s", _display(warehouse))
        results, _ = run_dbt_selection(project, warehouse, spec, _display, DASHBOARD_SELECTION)
    data = read_dashboard(warehouse, dt.datetime.now(dt.UTC), args.warehouse)
    write_atomically(data, out)
    totals = data["totals"]
    print(
        f"dashboard marts built ({len(results['results'])} dbt models and tests) and exported "
        f"to {_display(out)}: {totals['scored_leads']} scored leads, "
        f"{totals['high_share']:.2%} high, mean score {totals['mean_score']:.3f}, "
        f"{len(data['channel_attribution'])} channels"
    )
    grades = data["grade_counts"]
    if grades:
        print(
            f"grades of the {sum(g['leads'] for g in grades)} open leads rescored on "
            f"{grades[0]['scored_on']}: "
            + ", ".join(f"{g['grade']} {g['leads']}" for g in grades)
            + f"; {len(data['top_movers'])} top movers (day and week)"
        )
    else:
        print("no rescore history yet: the grade and mover marts are empty (run scripts/rescore)")


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO, format="build_dashboard: %(message)s", stream=sys.stderr
    )
    try:
        build(parse_args(argv))
    except LoadError as error:
        for line in error.problems:
            print(line if line.startswith(" ") else f"error: {line}", file=sys.stderr)
        print(error.remedy, file=sys.stderr)
        return 1
    except (OSError, duckdb.Error) as error:
        print(f"error: {error}", file=sys.stderr)
        print(
            "To fix: check that no other program writes the warehouse and that the output "
            "folder is writable, then run again; the previous dashboard file is unchanged.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
