"""HubSpot write-back of what changed: which leads to write, the outbox `leadscore push
hubspot` sends, and main.hubspot_written, which advances only for acknowledged contacts.

A lead is written when any of its four properties, as written, differs from the last values
HubSpot acknowledged for it (or it was never written):

  leadscore_score          the latest score rounded to 4 decimals ("0.4120"): smaller moves
                           are not worth a CRM write
  leadscore_grade          A-D ("" for a model without grade cut points)
  leadscore_trend          new, improving, steady, declining
  leadscore_model_version  the model that scored it

Only leads rescored on the history's latest day are considered (a lead that left the open
set keeps its last values in HubSpot).
"""

from __future__ import annotations

import json
import logging
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from daily_writeback.errors import WritebackError
from daily_writeback.files import write_atomically
from daily_writeback.settings import Settings

HISTORY = "main.lead_score_history"
WRITTEN = "main.hubspot_written"
PROPERTIES = (
    "leadscore_score",
    "leadscore_grade",
    "leadscore_trend",
    "leadscore_model_version",
)
OUTBOX_NAME = "hubspot_outbox.jsonl"

log = logging.getLogger("writeback")

CREATE_WRITTEN = f"""
CREATE TABLE IF NOT EXISTS {WRITTEN} (
    lead_id VARCHAR PRIMARY KEY,                -- the HubSpot contact's record id
    leadscore_score VARCHAR NOT NULL,           -- exactly as written
    leadscore_grade VARCHAR NOT NULL,
    leadscore_trend VARCHAR NOT NULL,
    leadscore_model_version VARCHAR NOT NULL,
    written_at TIMESTAMP NOT NULL               -- UTC, when HubSpot acknowledged it
)"""

# Each lead's values of the latest day, as written, where they differ from the last write.
# Ordered by the numeric record id: a rerun of the same changes cuts the same batches.
CHANGES = f"""
WITH latest AS (
    SELECT lead_id,
        format('{{:.4f}}', score) AS leadscore_score,
        coalesce(grade, '') AS leadscore_grade,
        trend AS leadscore_trend,
        model_version AS leadscore_model_version
    FROM {HISTORY}
    WHERE scored_at::DATE = (SELECT max(scored_at::DATE) FROM {HISTORY})
    QUALIFY row_number() OVER (PARTITION BY lead_id ORDER BY scored_at DESC) = 1
)
SELECT l.lead_id, l.leadscore_score, l.leadscore_grade, l.leadscore_trend,
    l.leadscore_model_version
FROM latest l LEFT JOIN {WRITTEN} w USING (lead_id)
WHERE w.lead_id IS NULL
    OR l.leadscore_score IS DISTINCT FROM w.leadscore_score
    OR l.leadscore_grade IS DISTINCT FROM w.leadscore_grade
    OR l.leadscore_trend IS DISTINCT FROM w.leadscore_trend
    OR l.leadscore_model_version IS DISTINCT FROM w.leadscore_model_version
ORDER BY try_cast(l.lead_id AS UBIGINT) NULLS LAST, l.lead_id
"""

ADVANCE = f"""
INSERT OR REPLACE INTO {WRITTEN}
SELECT id, leadscore_score, leadscore_grade, leadscore_trend, leadscore_model_version,
    timezone('UTC', now())::TIMESTAMP
FROM read_json($acked, format = 'newline_delimited', columns = {{
    'id': 'VARCHAR', 'leadscore_score': 'VARCHAR', 'leadscore_grade': 'VARCHAR',
    'leadscore_trend': 'VARCHAR', 'leadscore_model_version': 'VARCHAR'}})
"""


@dataclass(frozen=True)
class PushResult:
    contacts: int
    acknowledged: int  # contacts main.hubspot_written advanced for
    output: str


def outbox_path(settings: Settings) -> Path:
    return settings.state_dir / OUTBOX_NAME


def journal_path(settings: Settings) -> Path:
    return settings.state_dir / (OUTBOX_NAME + ".acked")


def prepare_outbox(con: duckdb.DuckDBPyConnection, settings: Settings) -> int:
    """Writes the changed leads to the outbox (atomically); returns how many. No changes: no
    outbox."""
    try:
        con.execute(f"DESCRIBE {HISTORY}")
    except duckdb.CatalogException as error:
        raise WritebackError(
            f"{settings.warehouse} has no {HISTORY}; run scripts/rescore first"
        ) from error
    # The journal beside the outbox must be this outbox's (advance_written trusts its line
    # ranges): a new outbox is written only when no journal is left (write_back removes a
    # finished one first).
    if journal_path(settings).exists():
        raise WritebackError(
            f"{journal_path(settings)} exists without its outbox; remove it only if every write "
            "it records is in main.hubspot_written (scripts/writeback removes it itself)"
        )
    con.execute(CREATE_WRITTEN)
    rows = con.execute(CHANGES).fetchall()
    if not rows:
        return 0
    lines = [
        json.dumps({"id": row[0], "properties": dict(zip(PROPERTIES, row[1:], strict=True))})
        for row in rows
    ]
    write_atomically(outbox_path(settings), "\n".join(lines) + "\n")
    return len(rows)


def run_push(settings: Settings) -> subprocess.CompletedProcess[str]:
    if not settings.binary.is_file():
        raise WritebackError(
            f"leadscore binary {settings.binary} not found; build it with scripts/build "
            "(or set LEADSCORE_BIN / --binary)"
        )
    command = [
        str(settings.binary),
        "push",
        "hubspot",
        "--outbox",
        str(outbox_path(settings)),
        "--journal",
        str(journal_path(settings)),
        "--batch-size",
        str(settings.batch_size),
        "--attempts",
        str(settings.attempts),
        "--retry-backoff-ms",
        str(settings.retry_backoff_ms),
    ]
    return subprocess.run(command, capture_output=True, text=True, check=False)


def acknowledged_lines(outbox: list[str], journal: Path) -> list[dict[str, str]]:
    """The outbox's contacts in batches the journal records, minus those HubSpot rejected."""
    if not journal.exists():
        return []
    acked: list[dict[str, str]] = []
    text = journal.read_text(encoding="utf-8")
    complete = text[: text.rfind("\n") + 1]  # a torn last line was not acknowledged
    for record_text in complete.splitlines():
        if not record_text:
            continue
        record = json.loads(record_text)
        rejected = set(record.get("failed", []))
        first = int(record["first"])
        for line in outbox[first : first + int(record["contacts"])]:
            contact = json.loads(line)
            if contact["id"] not in rejected:
                acked.append({"id": contact["id"], **contact["properties"]})
    return acked


def advance_written(con: duckdb.DuckDBPyConnection, settings: Settings) -> int:
    """Records the acknowledged contacts' values in main.hubspot_written (one transaction)."""
    outbox = outbox_path(settings).read_text(encoding="utf-8").splitlines()
    acked = acknowledged_lines(outbox, journal_path(settings))
    if not acked:
        return 0
    with tempfile.TemporaryDirectory(prefix="leadscore-writeback-") as tmp:
        rows = Path(tmp) / "acked.jsonl"
        rows.write_text("\n".join(json.dumps(row) for row in acked) + "\n", encoding="utf-8")
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(CREATE_WRITTEN)
            con.execute(ADVANCE, {"acked": str(rows)})
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return len(acked)


def push_outbox(con: duckdb.DuckDBPyConnection, settings: Settings) -> PushResult:
    """Sends the outbox (what its journal lacks), advances main.hubspot_written for every
    acknowledged contact, and removes the outbox and journal once all of it is acknowledged.
    Raises WritebackError when the push stopped: the outbox stays for the next run."""
    contacts = sum(1 for line in outbox_path(settings).read_text().splitlines() if line)
    result = run_push(settings)
    acknowledged = advance_written(con, settings)
    if result.returncode != 0:
        raise WritebackError(
            f"{result.stderr.strip()}\n{acknowledged} of {contacts} contacts of "
            f"{outbox_path(settings)} are acknowledged and recorded in {WRITTEN}; rerun "
            "scripts/writeback hubspot to send the rest (nothing acknowledged is sent again)"
        )
    # Outbox first: a journal without its outbox is a finished one (removed on the next run);
    # an outbox without its journal would be sent again.
    outbox_path(settings).unlink()
    journal_path(settings).unlink(missing_ok=True)
    return PushResult(contacts, acknowledged, result.stdout.strip())


def write_back(settings: Settings) -> str:
    """The hubspot step: finish an unfinished outbox, then send today's changes."""
    if not settings.warehouse.is_file():
        raise WritebackError(
            f"warehouse {settings.warehouse} not found; build it with scripts/load_duckdb "
            "and run scripts/rescore, or pass --warehouse"
        )
    reports = []
    with duckdb.connect(str(settings.warehouse)) as con:
        if outbox_path(settings).exists():
            log.info("resuming the unfinished outbox %s", outbox_path(settings))
            done = push_outbox(con, settings)
            reports.append(f"resumed an earlier outbox: {done.output}")
        elif journal_path(settings).exists():
            journal_path(settings).unlink()  # its outbox finished; see push_outbox
        changed = prepare_outbox(con, settings)
        if changed == 0:
            reports.append("no lead's HubSpot values changed: nothing to write, no HubSpot call")
        else:
            log.info("%d leads changed; outbox %s", changed, outbox_path(settings))
            done = push_outbox(con, settings)
            reports.append(
                f"wrote {done.acknowledged} of {changed} changed leads to HubSpot: {done.output}"
            )
    return "\n".join(reports)
