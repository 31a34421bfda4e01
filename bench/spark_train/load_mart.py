"""Loads a feature-table CSV into a Spark warehouse as main.fct_lead_scoring_features, the
table dbt builds there (what scripts/train_spark reads), for bench/spark_train's sizes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

from warehouse.spark_build import open_session

SCHEMA = (
    "lead_id string, email string, channel string, sessions int, engaged_sessions int, "
    "page_views int, is_first_visit int, is_won int"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--csv", type=Path, required=True)
    parser.add_argument("--warehouse", type=Path, required=True)
    args = parser.parse_args()
    spark = open_session(args.warehouse)
    try:
        spark.sql("CREATE DATABASE IF NOT EXISTS main")
        frame = spark.read.option("header", True).schema(SCHEMA).csv(str(args.csv))
        frame.write.mode("overwrite").format("parquet").saveAsTable(
            "main.fct_lead_scoring_features"
        )
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
