"""The same warehouse on Spark: the raw exports as Spark tables, the same dbt project through
dbt-spark (`method: session`), the same marts exported to the same CSV contract.

One Python process holds one local SparkSession: the raw files are read into tables of
database `raw` with the column names and types DuckDB's loader gives them
(scripts/warehouse/raw_schema.py), then dbt runs in-process (dbtRunner) with target `spark`,
whose session connection picks up this SparkSession (dbt-spark calls getOrCreate). On a
cluster, the profile's thrift/Databricks connection replaces the session (docs/spark.md).

The file/line/field validation of scripts/load_duckdb is DuckDB's: here the dbt data tests
(not_null, unique, relationships, accepted values) are the guard, as they are on DuckDB.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from warehouse.errors import LoadError
from warehouse.feature_spec import load_feature_spec, spec_columns
from warehouse.raw_load import (
    CONTACTS_FILE,
    DEALS_FILE,
    HUBSPOT_DIR,
    JSON_SUFFIXES,
    PARQUET_SUFFIXES,
    event_files,
)
from warehouse.settings import Settings

log = logging.getLogger(__name__)

MARTS = {
    "features": "fct_lead_scoring_features",
    "open_leads": "fct_open_leads",
    "snapshots": "fct_lead_snapshots",
}


@dataclass(frozen=True)
class SparkSummary:
    raw_rows: dict[str, int]
    training_leads: int
    open_leads: int
    snapshots: int
    dbt_nodes: int
    dashboard_nodes: int  # 0 without --lead-scores
    seconds: float


def build_on_spark(settings: Settings) -> SparkSummary:
    """Rebuilds the Spark warehouse in settings.warehouse (a folder) and exports both marts;
    LoadError on any failure, leaving the previous CSV files as they were."""
    started = time.monotonic()
    spec = load_feature_spec(settings.spec, settings.display(settings.spec))
    spark = open_session(settings.warehouse)
    try:
        raw_rows = _load_raw_tables(spark, settings.raw_dir, settings.display)
        nodes = _run_dbt(settings, spec, ("--exclude", "tag:dashboard"))
        wanted = spec_columns(spec)
        training = _export(spark, MARTS["features"], wanted, settings.features_out)
        without_label = [column for column in wanted if column != spec["label"]]
        open_leads = _export(spark, MARTS["open_leads"], without_label, settings.open_leads_out)
        snapshots = _export(
            spark,
            MARTS["snapshots"],
            wanted,
            settings.snapshots_out,
            then_by=("snapshot_age_days",),
        )
        dashboard_nodes = 0
        if settings.lead_scores:
            _load_lead_scores(spark, settings.lead_scores)
            dashboard_nodes = _run_dbt(settings, spec, ("--select", "tag:dashboard"))
    finally:
        spark.stop()
    return SparkSummary(
        raw_rows,
        training,
        open_leads,
        snapshots,
        nodes,
        dashboard_nodes,
        time.monotonic() - started,
    )


def open_session(warehouse: Path):  # a SparkSession (pyspark is imported lazily: it starts a JVM)
    """The local SparkSession on the warehouse folder (its tables and Derby metastore); shared
    by the build and scripts/train_spark."""
    from pyspark.sql import SparkSession

    warehouse.mkdir(parents=True, exist_ok=True)
    # Python workers (xgboost.spark's training tasks) run this interpreter, the virtualenv's,
    # not whatever python3 is first on PATH.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    # Spark's embedded Derby metastore writes into derby.system.home, else the current folder.
    derby = f"-Dderby.system.home={warehouse}"
    return (
        SparkSession.builder.master(os.environ.get("LEADSCORE_SPARK_MASTER", "local[*]"))
        .appName("leadscore-warehouse")
        .config("spark.sql.warehouse.dir", str(warehouse / "tables"))
        .config("spark.driver.extraJavaOptions", derby)
        .config("spark.driver.memory", os.environ.get("LEADSCORE_SPARK_DRIVER_MEMORY", "2g"))
        # Timestamps are UTC everywhere (GA4's event_timestamp, HubSpot's ISO times).
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", os.environ.get("LEADSCORE_SPARK_PARTITIONS", "8"))
        .enableHiveSupport()
        .getOrCreate()
    )


def _schemas():
    """The raw files' read schemas: INT64 fields as text (BigQuery writes them as JSON
    strings; numbers read as their text too), converted once read."""
    from pyspark.sql import types as t

    def strings(*names: str) -> t.StructType:
        return t.StructType([t.StructField(name, t.StringType()) for name in names])

    param_value = t.StructType(
        [
            t.StructField("string_value", t.StringType()),
            t.StructField("int_value", t.StringType()),
            t.StructField("float_value", t.DoubleType()),
            t.StructField("double_value", t.DoubleType()),
        ]
    )
    events = t.StructType(
        [
            t.StructField("event_date", t.StringType()),
            t.StructField("event_timestamp", t.StringType()),
            t.StructField("event_name", t.StringType()),
            t.StructField(
                "event_params",
                t.ArrayType(
                    t.StructType(
                        [t.StructField("key", t.StringType()), t.StructField("value", param_value)]
                    )
                ),
            ),
            t.StructField("user_pseudo_id", t.StringType()),
            t.StructField("user_id", t.StringType()),
            t.StructField("traffic_source", strings("name", "medium", "source")),
            t.StructField(
                "collected_traffic_source",
                strings(
                    "manual_campaign_id",
                    "manual_campaign_name",
                    "manual_source",
                    "manual_medium",
                    "manual_term",
                    "manual_content",
                    "gclid",
                    "dclid",
                    "srsltid",
                ),
            ),
            t.StructField(
                "session_traffic_source_last_click",
                t.StructType(
                    [
                        t.StructField(
                            "cross_channel_campaign",
                            strings(
                                "campaign_id",
                                "campaign_name",
                                "source",
                                "medium",
                                "source_platform",
                                "default_channel_group",
                                "primary_channel_group",
                            ),
                        )
                    ]
                ),
            ),
            t.StructField("platform", t.StringType()),
            t.StructField("stream_id", t.StringType()),
        ]
    )
    common = [
        t.StructField("id", t.StringType()),
        t.StructField("properties", t.StringType()),  # the object's JSON text
        t.StructField("createdAt", t.StringType()),
        t.StructField("updatedAt", t.StringType()),
        t.StructField("archived", t.BooleanType()),
    ]
    contacts = t.StructType(common)
    deals = t.StructType(
        [
            *common,
            t.StructField(
                "associations",
                t.StructType(
                    [
                        t.StructField(
                            "contacts",
                            t.StructType(
                                [t.StructField("results", t.ArrayType(strings("id", "type")))]
                            ),
                        )
                    ]
                ),
            ),
        ]
    )
    return events, contacts, deals


def _conform(frame, name: str, want):
    """Column `name` of a Parquet export in the JSON reader's type `want`. A field the export
    leaves out, at the top (user_id when the tag never sets it) or inside a record
    (collected_traffic_source keeps only the fields it has), is null, as the JSON reader makes
    it; Spark's cast cannot add struct fields, so records are rebuilt field by field."""
    from pyspark.sql import functions as f

    if name not in frame.columns:
        return f.lit(None).cast(want)
    return _conform_column(f.col(name), frame.schema[name].dataType, want)


def _conform_column(column, have, want):
    from pyspark.sql import functions as f
    from pyspark.sql import types as t

    if isinstance(want, t.StructType) and isinstance(have, t.StructType):
        fields = [
            (
                _conform_column(
                    column.getField(field.name), have[field.name].dataType, field.dataType
                )
                if field.name in have.names
                else f.lit(None).cast(field.dataType)
            ).alias(field.name)
            for field in want.fields
        ]
        return f.when(column.isNull(), f.lit(None).cast(want)).otherwise(f.struct(*fields))
    if isinstance(want, t.ArrayType) and isinstance(have, t.ArrayType):
        return f.transform(
            column, lambda item: _conform_column(item, have.elementType, want.elementType)
        )
    return column.cast(want)


def _load_raw_tables(spark, raw_dir: Path, display) -> dict[str, int]:
    from pyspark.sql import functions as f

    events_schema, contacts_schema, deals_schema = _schemas()
    files = event_files(raw_dir, display)
    json_files = [str(path) for path in files if path.name.endswith(JSON_SUFFIXES)]
    parquet_files = [str(path) for path in files if path.name.endswith(PARQUET_SUFFIXES)]
    contacts_file = raw_dir / HUBSPOT_DIR / CONTACTS_FILE
    deals_file = raw_dir / HUBSPOT_DIR / DEALS_FILE
    if not contacts_file.is_file():
        raise LoadError(
            f"{display(contacts_file)} is missing",
            "To fix: pass --raw DIR naming a folder of docs/sources.md's layout.",
        )
    frames = []
    if json_files:
        frames.append(spark.read.schema(events_schema).option("mode", "FAILFAST").json(json_files))
    if parquet_files:
        # Parquet keeps BigQuery's INT64 types: read as they are, cast to the JSON shape.
        parquet = spark.read.parquet(*parquet_files)
        frames.append(
            parquet.select(
                [
                    _conform(parquet, field.name, field.dataType).alias(field.name)
                    for field in events_schema.fields
                ]
            )
        )
    events = frames[0]
    for frame in frames[1:]:
        events = events.unionByName(frame)
    events = events.withColumn("event_timestamp", f.col("event_timestamp").cast("bigint"))
    events = events.withColumn(
        "event_params",
        f.expr(
            "transform(event_params, p -> named_struct('key', p.key, 'value', named_struct("
            "'string_value', p.value.string_value, "
            "'int_value', cast(p.value.int_value as bigint), "
            "'float_value', p.value.float_value, 'double_value', p.value.double_value)))"
        ),
    )
    contacts = (
        spark.read.schema(contacts_schema).option("mode", "FAILFAST").json(str(contacts_file))
    )
    deals = (
        spark.read.schema(deals_schema).option("mode", "FAILFAST").json(str(deals_file))
        if deals_file.is_file()
        else spark.createDataFrame([], deals_schema)
    )
    spark.sql("CREATE DATABASE IF NOT EXISTS raw")
    rows = {}
    for table, frame in (
        ("ga4_events", events),
        ("hubspot_contacts", contacts),
        ("hubspot_deals", deals),
    ):
        frame.write.mode("overwrite").format("parquet").saveAsTable(f"raw.{table}")
        rows[table] = spark.table(f"raw.{table}").count()
        log.info("loaded raw.%s: %d rows", table, rows[table])
    return rows


def _load_lead_scores(spark, path: Path) -> None:
    """main.lead_scores as scripts/score_warehouse writes it on DuckDB."""
    frame = (
        spark.read.option("header", True)
        .schema(
            "lead_id string, score double, label string, raw_probability double, "
            "model_version string, scored_at timestamp, is_open boolean, "
            "model_test_auc double, grade string, alert boolean"
        )
        .csv(str(path))
    )
    spark.sql("CREATE DATABASE IF NOT EXISTS main")
    frame.write.mode("overwrite").format("parquet").saveAsTable("main.lead_scores")


def _run_dbt(settings: Settings, spec: dict, selection: tuple[str, ...]) -> int:
    from dbt.cli.main import dbtRunner

    project = settings.dbt_project
    target_path = settings.warehouse / "dbt-target"
    args = [
        "build",
        "--project-dir", str(project),
        "--profiles-dir", str(project),
        "--target", "spark",
        "--target-path", str(target_path),
        "--log-path", str(settings.warehouse / "dbt-logs"),
        "--vars", json.dumps({**settings.dbt_vars(), "feature_spec": spec}),
        *selection,
        "--no-use-colors",
        "--quiet",
    ]  # fmt: skip
    result = dbtRunner().invoke(args)
    if not result.success:
        failed = []
        for node in getattr(result.result, "results", None) or []:
            if str(node.status) in ("error", "fail"):
                failed.append(f"    {node.node.unique_id}: {node.message}")
        raise LoadError(
            ["dbt build on Spark failed:", *(failed or [f"    {result.exception}"])],
            f"To fix: see {settings.display(settings.warehouse / 'dbt-logs' / 'dbt.log')}.",
        )
    return len(result.result.results)


def _export(spark, mart: str, wanted: list[str], out: Path, then_by: tuple[str, ...] = ()) -> int:
    """Writes main.<mart> to `out` as CSV exactly as scripts/load_duckdb does: the spec's
    columns in its order, then the mart's others, sorted by the id (then `then_by`),
    timestamps in whole seconds. Written next to `out` and renamed, so a failure leaves the
    old file."""
    frame = spark.table(f"main.{mart}")
    columns = wanted + [column for column in frame.columns if column not in wanted]
    frame = frame.select(*columns).orderBy(wanted[0], *then_by)
    staging = out.with_name(f".{out.name}.spark")
    shutil.rmtree(staging, ignore_errors=True)
    (
        frame.coalesce(1)
        .write.option("header", True)
        .option("escape", '"')
        .option("timestampFormat", "yyyy-MM-dd HH:mm:ss")
        .option("emptyValue", "")
        .csv(str(staging))
    )
    (part,) = staging.glob("part-*.csv")
    out.parent.mkdir(parents=True, exist_ok=True)
    os.replace(part, out)
    shutil.rmtree(staging, ignore_errors=True)
    with out.open(newline="") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1
