"""Command line of scripts/load_duckdb: one settings object, paths relative to the repo."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# Shows a path in messages the way the user would type it (see Settings.display).
DisplayPath = Callable[[Path], str]


@dataclass(frozen=True)
class Settings:
    root: Path  # the repository: relative paths and dbt_project/ are found from here
    raw_dir: Path
    warehouse: Path
    features_out: Path
    open_leads_out: Path
    snapshots_out: Path
    spec: Path
    verbose: bool
    # The mart's rules, passed to dbt as vars (dbt_project.yml documents each).
    as_of: dt.datetime | None  # None: the latest event in the export
    horizon_days: int
    closed_won_stages: tuple[str, ...]
    contact_ga4_property: str
    ga4_user_id_field: str | None  # None: GA4 user_id is not used for identity
    memory_limit: str | None  # DuckDB memory_limit for the load and dbt (None: DuckDB's)
    # scripts/load_spark only: a lead_scores CSV (scripts/score_warehouse's table) to load as
    # main.lead_scores and build the dashboard marts on (None: the marts are not built).
    lead_scores: Path | None = None
    # scripts/load_duckdb only: the folder of leadscore serve's score logs (*.jsonl*) to load
    # into raw.leadscore_score_log (None or a missing folder: no score log table).
    score_logs: Path | None = None

    def dbt_vars(self) -> dict[str, object]:
        return {
            "as_of": self.as_of.strftime("%Y-%m-%d %H:%M:%S") if self.as_of else None,
            "horizon_days": self.horizon_days,
            "closed_won_stages": list(self.closed_won_stages),
            "contact_ga4_property": self.contact_ga4_property,
            "ga4_user_id_field": self.ga4_user_id_field,
        }

    @property
    def dbt_project(self) -> Path:
        return self.root / "dbt_project"

    def display(self, path: Path) -> str:
        """`path` for messages: relative when run from the repository root, else absolute."""
        if Path.cwd() == self.root and path.is_relative_to(self.root):
            return str(path.relative_to(self.root))
        return str(path)


# (flag, environment variable, default, what it is): the env names match the leadscore
# binary's (`generate --out`, `oracle --data`).
_PATH_OPTIONS = (
    (
        "--raw",
        "LEADSCORE_RAW_DIR",
        "data/raw",
        "folder with ga4/events_*.jsonl.gz and hubspot/contacts.jsonl, hubspot/deals.jsonl",
    ),
    ("--warehouse", "LEADSCORE_WAREHOUSE", "data/warehouse.duckdb", "DuckDB file to (re)build"),
    (
        "--features-out",
        "LEADSCORE_FEATURES",
        "data/lead_scoring_features.csv",
        "where to export the training mart (leads whose label horizon has passed)",
    ),
    (
        "--open-leads-out",
        "LEADSCORE_OPEN_LEADS",
        "open_leads.csv next to --features-out",
        "where to export the open leads (same feature columns, no label yet): what to score",
    ),
    (
        "--snapshots-out",
        "LEADSCORE_SNAPSHOTS",
        "lead_snapshots.csv next to --features-out",
        (
            "where to export the point-in-time training mart (each lead at ages 0, 7, 14, 30 "
            "and 60 days while open, with recency features and the label over the horizon "
            "after it)"
        ),
    ),
    (
        "--spec",
        "LEADSCORE_FEATURE_SPEC",
        "spec/feature_spec.json",
        "feature spec the mart and its tests follow",
    ),
)


# What differs on Spark (scripts/load_spark): the warehouse is a folder (tables, metastore).
_SPARK_WAREHOUSE = ("--warehouse", "LEADSCORE_SPARK_WAREHOUSE", "data/spark",
                    "folder of the Spark warehouse (its tables and metastore), rebuilt")
_SPARK_DESCRIPTION = (
    "Build the same warehouse on Spark: read the raw exports into Spark tables, run the same "
    "dbt project with dbt-spark on a local Spark session (target `spark`), and export the "
    "training mart and the open leads to the same CSV contract as scripts/load_duckdb. "
    "Validation with file/line/field messages is scripts/load_duckdb's; here dbt's data "
    "tests guard the marts."
)


def parse_args(argv: list[str] | None, root: Path, engine: str = "duckdb") -> Settings:
    options = _PATH_OPTIONS
    if engine == "spark":
        options = tuple(_SPARK_WAREHOUSE if o[0] == "--warehouse" else o for o in options)
    parser = argparse.ArgumentParser(
        prog=f"scripts/load_{engine}",
        description=_SPARK_DESCRIPTION if engine == "spark" else (
            "Validate the raw exports (GA4 BigQuery events, HubSpot contacts and deals), "
            "load them into a fresh DuckDB warehouse, run dbt build (unit tests, models and "
            "data tests) and export the training mart and the open leads to CSV. A lead is "
            "a training row once its label horizon has passed (created at least "
            "--horizon-days before the as-of); younger leads are open leads, to score. The "
            "outputs are replaced only when everything succeeded; on any failure they are "
            "left as they were and the exit status is 1."
        ),
        epilog="Relative paths are relative to the repository root, whatever the current "
        "directory. Raw formats and the mart's rules: docs/sources.md.",
    )
    for flag, env, default, what in options:
        parser.add_argument(
            flag,
            default=os.environ.get(env, default),
            metavar="DIR" if flag == "--raw" or default == "data/spark" else "FILE",
            help=f"{what} (default: ${env}, else {default})",
        )
    parser.add_argument(
        "--as-of",
        default=os.environ.get("LEADSCORE_AS_OF"),
        metavar="DATE",
        help="the build's moment, YYYY-MM-DD (00:00 UTC) or YYYY-MM-DDTHH:MM:SS (UTC): "
        "labels and leads are as known then (default: $LEADSCORE_AS_OF, else the latest "
        "event_timestamp in the export)",
    )
    parser.add_argument(
        "--horizon-days",
        type=int,
        default=int(os.environ.get("LEADSCORE_HORIZON_DAYS", "90")),
        metavar="N",
        help="a lead is won if a deal closes won within N days of its creation; leads "
        "younger than N days at the as-of are open leads (default: $LEADSCORE_HORIZON_DAYS, "
        "else 90)",
    )
    parser.add_argument(
        "--closed-won-stages",
        default=os.environ.get("LEADSCORE_CLOSED_WON_STAGES", "closedwon"),
        metavar="A,B",
        help="HubSpot dealstage ids that mean won (default: $LEADSCORE_CLOSED_WON_STAGES, "
        "else closedwon)",
    )
    parser.add_argument(
        "--contact-ga4-property",
        default=os.environ.get("LEADSCORE_CONTACT_GA4_PROPERTY", "ga_client_id"),
        metavar="NAME",
        help="contact property holding the GA4 client id (user_pseudo_id) (default: "
        "$LEADSCORE_CONTACT_GA4_PROPERTY, else ga_client_id)",
    )
    parser.add_argument(
        "--ga4-user-id-field",
        default=os.environ.get("LEADSCORE_GA4_USER_ID_FIELD") or None,
        metavar="FIELD",
        help="when the team's tag sets GA4 user_id: the contact field it equals, `id` (the "
        "HubSpot record id) or a property name such as email; a contact then also gets the "
        "sessions of every browser with that user_id (default: "
        "$LEADSCORE_GA4_USER_ID_FIELD, else off)",
    )
    parser.add_argument(
        "--memory-limit",
        default=os.environ.get("LEADSCORE_DUCKDB_MEMORY_LIMIT") or None,
        metavar="SIZE",
        help="DuckDB memory_limit for the load and dbt, e.g. 500MB at 1M leads, 4GB at 10M; "
        "DuckDB spills to disk beyond it, and a few limits in between fail (docs/scale.md) "
        "(default: $LEADSCORE_DUCKDB_MEMORY_LIMIT, else DuckDB's 80%% of RAM)",
    )
    if engine == "duckdb":
        parser.add_argument(
            "--score-logs",
            metavar="DIR",
            default=os.environ.get("LEADSCORE_SCORE_LOGS", "data/score_log"),
            help="folder of leadscore serve --score-log files (every *.jsonl*, rotated and "
            "gzipped ones too) to load into raw.leadscore_score_log for realized accuracy; a "
            "missing folder loads none (env LEADSCORE_SCORE_LOGS; default data/score_log)",
        )
    if engine == "spark":
        parser.add_argument(
            "--lead-scores",
            metavar="FILE",
            help="CSV of main.lead_scores (lead_id, score, label, raw_probability, "
            "model_version, scored_at, is_open, model_test_auc): also load it and build the "
            "dashboard marts",
        )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="also show dbt's output and debug logs"
    )
    args = parser.parse_args(argv)

    def resolve(path: str) -> Path:
        # abspath, not resolve(): keep symlinked folders (e.g. data/) as the user named them.
        return Path(os.path.abspath(root / Path(path).expanduser()))

    features_out = resolve(args.features_out)
    open_leads_out = (
        features_out.with_name("open_leads.csv")
        if args.open_leads_out == _PATH_OPTIONS[3][2]
        else resolve(args.open_leads_out)
    )
    snapshots_out = (
        features_out.with_name("lead_snapshots.csv")
        if args.snapshots_out == _PATH_OPTIONS[4][2]
        else resolve(args.snapshots_out)
    )
    stages = tuple(stage.strip() for stage in args.closed_won_stages.split(",") if stage.strip())
    if not stages:
        parser.error("--closed-won-stages: name at least one dealstage, e.g. closedwon")
    if args.horizon_days < 1:
        parser.error(f"--horizon-days: {args.horizon_days} is not a positive number of days")
    for flag, name in (
        ("--contact-ga4-property", args.contact_ga4_property),
        ("--ga4-user-id-field", args.ga4_user_id_field),
    ):
        if name is not None and not _NAME.fullmatch(name):
            parser.error(f"{flag}: {name!r} is not a HubSpot property name (letters, digits, _)")
    return Settings(
        root=root,
        raw_dir=resolve(args.raw),
        warehouse=resolve(args.warehouse),
        features_out=features_out,
        open_leads_out=open_leads_out,
        snapshots_out=snapshots_out,
        spec=resolve(args.spec),
        verbose=args.verbose,
        as_of=_as_of(parser, args.as_of),
        horizon_days=args.horizon_days,
        closed_won_stages=stages,
        contact_ga4_property=args.contact_ga4_property,
        ga4_user_id_field=args.ga4_user_id_field,
        memory_limit=args.memory_limit,
        lead_scores=resolve(args.lead_scores) if getattr(args, "lead_scores", None) else None,
        score_logs=resolve(args.score_logs) if getattr(args, "score_logs", None) else None,
    )


_NAME = re.compile(r"[A-Za-z0-9_]+")


def _as_of(parser: argparse.ArgumentParser, text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        parser.error(f"--as-of: {text!r} is not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS)")
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment
