"""Command line of scripts/load_duckdb: one settings object, paths relative to the repo."""

from __future__ import annotations

import argparse
import os
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
    spec: Path
    verbose: bool

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
    ("--raw", "LEADSCORE_RAW_DIR", "data/raw", "folder with sessions.csv, contacts.csv, deals.csv"),
    ("--warehouse", "LEADSCORE_WAREHOUSE", "data/warehouse.duckdb", "DuckDB file to (re)build"),
    (
        "--features-out",
        "LEADSCORE_FEATURES",
        "data/lead_scoring_features.csv",
        "where to export the feature mart",
    ),
    (
        "--spec",
        "LEADSCORE_FEATURE_SPEC",
        "spec/feature_spec.json",
        "feature spec the mart and its tests follow",
    ),
)


def parse_args(argv: list[str] | None, root: Path) -> Settings:
    parser = argparse.ArgumentParser(
        prog="scripts/load_duckdb",
        description=(
            "Validate the raw CSVs, load them into a fresh DuckDB warehouse, run dbt build "
            "(models and tests) and export the feature mart to CSV. The warehouse and the "
            "CSV are replaced only when everything succeeded; on any failure both are left "
            "as they were and the exit status is 1."
        ),
        epilog="Relative paths are relative to the repository root, whatever the current "
        "directory. Raw file format: docs/raw-data.md.",
    )
    for flag, env, default, what in _PATH_OPTIONS:
        parser.add_argument(
            flag,
            default=os.environ.get(env, default),
            metavar="DIR" if flag == "--raw" else "FILE",
            help=f"{what} (default: ${env}, else {default})",
        )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="also show dbt's output and debug logs"
    )
    args = parser.parse_args(argv)

    def resolve(path: str) -> Path:
        # abspath, not resolve(): keep symlinked folders (e.g. data/) as the user named them.
        return Path(os.path.abspath(root / Path(path).expanduser()))

    return Settings(
        root=root,
        raw_dir=resolve(args.raw),
        warehouse=resolve(args.warehouse),
        features_out=resolve(args.features_out),
        spec=resolve(args.spec),
        verbose=args.verbose,
    )
