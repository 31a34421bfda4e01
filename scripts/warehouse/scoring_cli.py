"""The command-line options every script that scores the warehouse takes (scripts/rescore,
scripts/score_warehouse, scripts/writeback): the same names, environment variables and
defaults in one place."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent.parent


def add_scoring_arguments(parser: argparse.ArgumentParser, model_help: str) -> None:
    """--warehouse, --model (described by `model_help`) and --binary."""
    add_warehouse_argument(parser, "DuckDB file built by scripts/load_duckdb")
    parser.add_argument(
        "--model",
        default=os.environ.get("LEADSCORE_MODEL", "ml/lead_scoring_model.json"),
        help=f"{model_help} (env LEADSCORE_MODEL; default ml/lead_scoring_model.json)",
    )
    add_binary_argument(parser, "leadscore executable")


def add_warehouse_argument(parser: argparse.ArgumentParser, what: str) -> None:
    """--warehouse, described by `what`."""
    parser.add_argument(
        "--warehouse",
        default=os.environ.get("LEADSCORE_WAREHOUSE", "data/warehouse.duckdb"),
        help=f"{what} (env LEADSCORE_WAREHOUSE; default data/warehouse.duckdb)",
    )


def add_binary_argument(parser: argparse.ArgumentParser, what: str) -> None:
    """--binary (the leadscore executable), described by `what`."""
    parser.add_argument(
        "--binary",
        default=os.environ.get(
            "LEADSCORE_BIN", str(REPO_ROOT / "build/release/apps/leadscore/leadscore")
        ),
        help=f"{what} (env LEADSCORE_BIN)",
    )
