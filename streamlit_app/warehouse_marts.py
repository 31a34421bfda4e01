"""Reads the dashboard marts from the DuckDB warehouse, read-only.

Each read opens its own read-only connection and closes it at once: DuckDB lets one process
write a file only while no other holds it, so a long-lived connection here would block
scripts/build_dashboard and scripts/score_warehouse.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd


class MartsUnavailable(Exception):
    """The warehouse or a mart is missing or locked; the message says what to run."""


@dataclass(frozen=True)
class Marts:
    totals: dict[str, object]
    channels: pd.DataFrame
    funnel: pd.DataFrame
    scores: pd.DataFrame


_TOTALS = """
select count(score) as scored_leads, count(*) as leads,
       coalesce(sum(is_high) / nullif(count(score), 0), 0) as high_share,
       avg(score) as mean_score, avg(is_won) as conversion_rate,
       string_agg(distinct model_version, ', ' order by model_version) as model_version
from main.scored_leads
"""


@contextmanager
def read_only(warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to `warehouse`, closed on exit; MartsUnavailable (saying what
    to run) when the file, a mart, or the lock is missing."""
    if not warehouse.is_file():
        raise MartsUnavailable(
            f"warehouse {warehouse} not found: build it with scripts/run (or scripts/load_duckdb, "
            "train, scripts/score_warehouse, scripts/build_dashboard)"
        )
    try:
        with duckdb.connect(str(warehouse), read_only=True) as connection:
            yield connection
    except duckdb.CatalogException as error:
        raise MartsUnavailable(
            f"{warehouse} has no dashboard marts ({error}): run scripts/build_dashboard after "
            "scripts/score_warehouse"
        ) from error
    except duckdb.IOException as error:
        raise MartsUnavailable(
            f"cannot open {warehouse} read-only ({error}); another program is writing it — "
            "try again when it has finished"
        ) from error


def read_marts(warehouse: Path) -> Marts:
    with read_only(warehouse) as connection:
        totals_frame = connection.execute(_TOTALS).fetchdf()
        channels = connection.execute(
            "select * from main.mart_channel_attribution order by leads desc, channel"
        ).fetchdf()
        funnel = connection.execute("select * from main.mart_funnel order by stage_order").fetchdf()
        scores = connection.execute(
            "select * from main.mart_score_distribution order by bin"
        ).fetchdf()
    return Marts(totals_frame.iloc[0].to_dict(), channels, funnel, scores)
