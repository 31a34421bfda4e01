"""scripts/train_spark: the lead-scoring model fitted on Spark, published like any other.

Three steps, each the owner of its part (docs/spark.md):
  1. `leadscore split` writes the fit plan: which rows train (the engine's split) and the
     booster's columns and parameters;
  2. XGBoost's own Spark estimator (xgboost.spark) fits the booster on the Spark mart's
     training rows (scripts/warehouse/spark_train.py);
  3. `leadscore train --booster` imports it, checks it against the plan, and calibrates,
     measures, logs to MLflow, registers and gates it exactly as a booster it fitted itself.

Arguments after `--` go to `leadscore train` (e.g. --tracking-uri, --truth, --model-out).
Run it through the scripts/train_spark wrapper, which picks the project's virtualenv.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
from pathlib import Path

from warehouse.errors import LoadError
from warehouse.spark_build import open_session
from warehouse.spark_train import fit_booster, read_plan

REPO_ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger("train_spark")


def parse_args(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    argv = list(sys.argv[1:] if argv is None else argv)
    train_args = argv[argv.index("--") + 1 :] if "--" in argv else []
    own = argv[: argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(
        prog="scripts/train_spark",
        description="Fit the lead-scoring booster with xgboost.spark on the Spark mart, then "
        "publish it with `leadscore train --booster` (MLflow run, registry "
        "version, champion gate). Arguments after -- go to leadscore train.",
    )
    parser.add_argument(
        "--warehouse",
        type=Path,
        default=Path(os.environ.get("LEADSCORE_SPARK_WAREHOUSE", REPO_ROOT / "data/spark")),
        help="Spark warehouse folder scripts/load_spark built (env LEADSCORE_SPARK_WAREHOUSE)",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(
            os.environ.get("LEADSCORE_FEATURES", REPO_ROOT / "data/lead_scoring_features.csv")
        ),
        help="the training mart as scripts/load_spark exported it (env LEADSCORE_FEATURES)",
    )
    parser.add_argument(
        "--features",
        default=os.environ.get("LEADSCORE_FEATURE_SET", "base"),
        help="feature set: base, base+channel or base+channel+recency (env LEADSCORE_FEATURE_SET)",
    )
    parser.add_argument("--time-split", help="train before this date (YYYY-MM-DD), test after")
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("LEADSCORE_SPARK_TRAIN_WORKERS", "1")),
        help="xgboost.spark num_workers: Spark tasks that train together, at most the task "
        "slots (env LEADSCORE_SPARK_TRAIN_WORKERS; default 1)",
    )
    parser.add_argument(
        "--plan-dir",
        type=Path,
        default=None,
        help="where plan.json, split.csv and booster.json go (default: WAREHOUSE/fit_plan)",
    )
    parser.add_argument(
        "--leadscore",
        type=Path,
        default=Path(
            os.environ.get("LEADSCORE_BIN", REPO_ROOT / "build/release/apps/leadscore/leadscore")
        ),
        help="leadscore executable (env LEADSCORE_BIN)",
    )
    parser.add_argument(
        "--fit-only",
        action="store_true",
        help="stop after writing the booster (no leadscore train)",
    )
    return parser.parse_args(own), train_args


def main(argv: list[str] | None = None) -> int:
    args, train_args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="train_spark: %(message)s", stream=sys.stderr)
    logging.getLogger("py4j").setLevel(logging.WARNING)
    plan_dir = args.plan_dir or args.warehouse / "fit_plan"
    booster = plan_dir / "booster.json"
    fit_flags = ["--data", str(args.data), "--features", args.features]
    if args.time_split:
        fit_flags += ["--time-split", args.time_split]

    split = subprocess.run(
        [str(args.leadscore), "split", *fit_flags, "--out", str(plan_dir)], check=False
    )
    if split.returncode != 0:
        return split.returncode
    spark = None
    try:
        plan = read_plan(plan_dir)
        spark = open_session(args.warehouse)
        fit = fit_booster(spark, plan, plan_dir, args.workers, booster)
    except LoadError as error:
        for line in error.problems:
            print(f"error: {line}", file=sys.stderr)
        print(error.remedy, file=sys.stderr)
        return 1
    finally:
        if spark is not None:
            spark.stop()
    print(
        f"fitted {booster} with xgboost.spark on {fit.train_rows:,} rows "
        f"({fit.workers} worker(s)) in {fit.seconds:.1f} s",
        flush=True,
    )
    if args.fit_only:
        return 0
    train = subprocess.run(
        [str(args.leadscore), "train", *fit_flags, "--booster", str(booster), *train_args],
        check=False,
    )
    return train.returncode


if __name__ == "__main__":
    sys.exit(main())
