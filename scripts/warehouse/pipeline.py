"""The warehouse build: raw exports -> temporary DuckDB file -> dbt build -> CSVs -> swap in.

Everything is written to temporary files next to the targets and moved into place only
after every step succeeded, so a failed build never touches the previous warehouse or
CSVs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Self

import duckdb

from warehouse.carried_state import carry_over
from warehouse.dbt_build import run_dbt_build
from warehouse.errors import LoadError
from warehouse.export import MartStats, export_mart
from warehouse.feature_spec import load_feature_spec
from warehouse.raw_load import load_raw_tables
from warehouse.score_log_load import SCORE_LOG_TABLE, load_score_logs
from warehouse.settings import DisplayPath, Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuildSummary:
    raw_rows: dict[str, int]
    sessions: int
    mart: MartStats  # the training mart
    open_leads: int
    snapshots: MartStats  # the point-in-time training mart
    as_of: dt.datetime | None
    dbt_nodes: int
    warnings: list[str]
    seconds: float


def build_warehouse(settings: Settings) -> BuildSummary:
    """Rebuilds settings.warehouse and the CSV exports; LoadError on any failure."""
    started = time.monotonic()
    show = settings.display
    spec = load_feature_spec(settings.spec, show(settings.spec))
    outputs = (settings.features_out, settings.open_leads_out, settings.snapshots_out)
    for target in (settings.warehouse, *outputs):
        if target.is_dir():
            raise LoadError(
                f"{show(target)} is a folder, not a file",
                "To fix: pass --warehouse, --features-out, --open-leads-out and "
                "--snapshots-out file paths.",
            )
    _refuse_uncheckpointed(settings.warehouse, show)
    with one_dbt_run_at_a_time(settings.dbt_project / "target"), _Staging(settings) as staging:
        log.info("validating and loading %s", show(settings.raw_dir))
        with _connect(staging.warehouse, settings) as connection:
            raw = load_raw_tables(connection, settings.raw_dir, show, settings.contact_ga4_property)
            if settings.score_logs is not None:
                served = load_score_logs(connection, settings.score_logs, show)
                if served is not None:
                    raw.rows[SCORE_LOG_TABLE] = served
            # What scripts/rescore appended over past days lives only in the old file.
            for table, rows in carry_over(connection, settings.warehouse, show).items():
                log.info("kept %s (%d rows) from %s", table, rows, show(settings.warehouse))
        log.info("running dbt build (models and tests) in %s", show(settings.dbt_project))
        dbt = run_dbt_build(
            settings.dbt_project,
            staging.warehouse,
            spec,
            show,
            settings.dbt_vars(),
            settings.memory_limit,
        )
        with _connect(staging.warehouse, settings) as connection:
            mart = export_mart(connection, dbt.mart_relation, spec, staging.features)
            open_leads = export_mart(
                connection, dbt.open_leads_relation, spec, staging.open_leads, labelled=False
            )
            snapshots = export_mart(
                connection,
                dbt.snapshots_relation,
                spec,
                staging.snapshots,
                then_by=("snapshot_age_days",),
            )
            sessions, as_of = connection.execute(
                "SELECT (SELECT count(*) FROM staging.stg_ga4__sessions), "
                "(SELECT as_of FROM intermediate.int_as_of)"
            ).fetchone() or (0, None)
        staging.promote()
    return BuildSummary(
        raw.rows,
        int(sessions),
        mart,
        open_leads.rows,
        snapshots,
        as_of,
        dbt.nodes,
        raw.warnings + dbt.warnings,
        time.monotonic() - started,
    )


def _connect(database: Path, settings: Settings) -> duckdb.DuckDBPyConnection:
    """A connection spilling to the staging folder, within settings.memory_limit."""
    config = {"temp_directory": str(database.parent / "spill")}
    if settings.memory_limit:
        config["memory_limit"] = settings.memory_limit
    return duckdb.connect(str(database), config=config)


def _wal(database: Path) -> Path:
    return database.with_name(database.name + ".wal")


def _refuse_uncheckpointed(warehouse: Path, show: DisplayPath) -> None:
    # DuckDB replays a database's .wal file when opening it; replayed onto a new file, a
    # leftover log from the old one would corrupt it.
    wal = _wal(warehouse)
    if wal.exists():
        raise LoadError(
            f"{show(wal)} exists: a program has the warehouse open with unsaved changes, or "
            "crashed while writing it",
            "To fix: close the programs using the warehouse (or open it once with duckdb so "
            "it checkpoints), then run scripts/load_duckdb again.",
        )


@contextlib.contextmanager
def one_dbt_run_at_a_time(lock_dir: Path) -> Iterator[None]:
    """Serialises dbt runs (scripts/load_duckdb, scripts/build_dashboard): they share
    dbt_project/target and may share their outputs."""
    lock_dir.mkdir(parents=True, exist_ok=True)
    with (lock_dir / "load_duckdb.lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("waiting for another scripts/load_duckdb run to finish")
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


class _Staging:
    """Temporary outputs next to their targets (same filesystem, so the moves are atomic).

    Their names are fixed, not per process: builds are serialised by the lock, leftovers
    of a killed build are simply replaced, and dbt keeps its partial parse (it reparses
    the whole project whenever the warehouse path in its profile changes).
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        target = settings.warehouse
        # The warehouse is built in a folder of its own under the target's file name:
        # DuckDB names the catalog after the file, and the folder also takes DuckDB's
        # write-ahead log and spill files, so cleaning up is removing one folder.
        self._dir = target.with_name(f".{target.name}.building")
        self.warehouse = self._dir / target.name
        self.features = _building(settings.features_out)
        self.open_leads = _building(settings.open_leads_out)
        self.snapshots = _building(settings.snapshots_out)

    def __enter__(self) -> Self:
        self._clean()
        self._settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
        self._settings.features_out.parent.mkdir(parents=True, exist_ok=True)
        self._settings.open_leads_out.parent.mkdir(parents=True, exist_ok=True)
        self._settings.snapshots_out.parent.mkdir(parents=True, exist_ok=True)
        self._dir.mkdir()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._clean()

    def promote(self) -> None:
        if _wal(self.warehouse).exists():
            raise LoadError(
                f"DuckDB left {_wal(self.warehouse)} behind: the new warehouse is incomplete",
                "To fix: run scripts/load_duckdb again; report it if it keeps happening.",
            )
        os.replace(self.warehouse, self._settings.warehouse)
        os.replace(self.features, self._settings.features_out)
        os.replace(self.open_leads, self._settings.open_leads_out)
        os.replace(self.snapshots, self._settings.snapshots_out)

    def _clean(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)
        self.features.unlink(missing_ok=True)
        self.open_leads.unlink(missing_ok=True)
        self.snapshots.unlink(missing_ok=True)


def _building(out: Path) -> Path:
    return out.with_name(f".{out.name}.building")
