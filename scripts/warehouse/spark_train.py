"""Fits the lead-scoring booster on Spark with XGBoost's own estimator (xgboost.spark).

Only the fit runs here. The engine decides everything else: `leadscore split` writes the fit
plan (plan.json: the booster's columns, the parameters) and which rows train (split.csv, the
engine's split, so its random stream is not re-implemented); this module fits
SparkXGBClassifier on the training rows of the Spark mart and writes the booster, stamped with
the plan's split hash and parameters; `leadscore train --booster` checks those, then
calibrates, measures, logs, registers and gates it as it does its own (docs/spark.md).
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warehouse.errors import LoadError

log = logging.getLogger(__name__)

MART = "main.fct_lead_scoring_features"
TRAINER = "xgboost.spark"
# The plan's parameters SparkXGBClassifier takes under these names and types; the objective is
# the classifier's own (binary:logistic for two classes), so it is checked, not passed.
TYPED_PARAMS = {
    "max_depth": int,
    "learning_rate": float,
    "n_estimators": int,
    "random_state": int,
    "eval_metric": str,
    "tree_method": str,
}
CLASSIFIER_OBJECTIVE = "binary:logistic"


@dataclass(frozen=True)
class SparkFit:
    train_rows: int
    workers: int
    seconds: float  # the estimator's fit alone (what bench/spark_train compares)


def read_plan(plan_dir: Path) -> dict[str, Any]:
    path = plan_dir / "plan.json"
    remedy = f"To fix: run `leadscore split --out {plan_dir}` on the mart's export first."
    try:
        plan = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise LoadError(f"{path} is missing", remedy) from None
    except (OSError, json.JSONDecodeError) as error:
        raise LoadError(f"{path} cannot be read: {error}", remedy) from error
    missing = [
        key
        for key in ("id", "label", "split_file", "split_hash", "train_rows", "columns", "params")
        if key not in plan
    ]
    if missing:
        raise LoadError(f"{path}: no {', '.join(missing)}", remedy)
    if plan["params"].get("objective") != CLASSIFIER_OBJECTIVE:
        raise LoadError(
            f"{path}: params.objective is {plan['params'].get('objective')!r}; "
            f"SparkXGBClassifier fits {CLASSIFIER_OBJECTIVE} only",
            "To fix: run `leadscore split` without --objective.",
        )
    return plan


def fit_booster(
    spark, plan: dict[str, Any], plan_dir: Path, workers: int, booster_out: Path
) -> SparkFit:
    """Fits on the plan's training rows of the Spark mart and writes the booster to
    `booster_out` (XGBoost JSON, written next to it and renamed)."""
    import pyspark
    import xgboost
    from pyspark.sql import functions as f
    from xgboost.spark import SparkXGBClassifier

    split = (
        spark.read.option("header", True)
        .schema("lead_id string, part string")
        .csv(str(plan_dir / plan["split_file"]))
    )
    mart = spark.table(MART)
    train = mart.join(
        split.where(f.col("part") == "train").withColumnRenamed("lead_id", plan["id"]),
        on=plan["id"],
        how="inner",
    )
    frame = train.select(
        f.array(*[_column(f, column) for column in plan["columns"]]).alias("features"),
        f.col(plan["label"]).cast("int").alias("label"),
    ).cache()
    rows = frame.count()
    if rows != plan["train_rows"]:
        raise LoadError(
            f"{MART} holds {rows:,} of the plan's {plan['train_rows']:,} training leads",
            "To fix: run `leadscore split --data` on the CSV exported from this Spark "
            "warehouse by its last scripts/load_spark.",
        )

    params = plan["params"]
    typed = {key: kind(params[key]) for key, kind in TYPED_PARAMS.items() if key in params}
    extra = {
        key: value
        for key, value in params.items()
        if key not in TYPED_PARAMS and key != "objective"
    }
    classifier = SparkXGBClassifier(
        features_col="features", label_col="label", num_workers=workers, **typed, **extra
    )
    log.info("fitting %s on %d rows with %d worker(s)", TRAINER, rows, workers)
    started = time.monotonic()
    model = classifier.fit(frame)
    seconds = time.monotonic() - started
    frame.unpersist()

    booster = model.get_booster()
    booster.feature_names = [column["name"] for column in plan["columns"]]
    booster.set_attr(
        leadscore_trainer=TRAINER,
        leadscore_split_hash=plan["split_hash"],
        leadscore_fit_params=json.dumps(params, sort_keys=True),
        leadscore_fit_seconds=f"{seconds:.3f}",
        leadscore_trainer_versions=f"xgboost {xgboost.__version__}, pyspark {pyspark.__version__}",
    )
    booster_out.parent.mkdir(parents=True, exist_ok=True)
    staging = booster_out.with_name(f".{booster_out.name}.tmp.json")
    booster.save_model(str(staging))
    os.replace(staging, booster_out)
    return SparkFit(rows, workers, seconds)


def _column(f, column: dict[str, Any]):
    """One booster column as FeatureEncoder computes it: counts and flags as they are, a
    category one-hot (values outside its vocabulary count as its unknown value)."""
    value = f.col(column["feature"])
    if column["kind"] == "category":
        known = f.when(value.isin(column["vocabulary"]), value).otherwise(column["unknown"])
        return (known == f.lit(column["equals"])).cast("float")
    return value.cast("float")
