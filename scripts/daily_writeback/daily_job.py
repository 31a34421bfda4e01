"""scripts/daily_rescore: the daily job, by hand or from n8n's Schedule Trigger
(automation/n8n_rescore_workflow.json): scripts/rescore, then scripts/writeback hubspot, then
scripts/writeback slack, stopping at the first step that fails. The last line of stdout is a
JSON report the workflow reads:

  {"ok": true, "day": "2024-06-02", "steps": {"rescore": "...", "hubspot": "...", ...}}
  {"ok": false, "day": ..., "failed_step": "hubspot", "error": "...", "replay": {"from":
   "hubspot", "day": "2024-06-02"}}

`--from STEP` starts at a later step (what a replay does). One run at a time per write-back
folder: a run that finds another in progress does nothing and says so ("skipped").
"""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from daily_writeback.settings import parse_day

STEPS = ("rescore", "hubspot", "slack")
SCRIPTS = Path(__file__).resolve().parent.parent

log = logging.getLogger("daily_rescore")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scripts/daily_rescore",
        description="Rescore every open lead, write the changes back to HubSpot and tell Slack "
        "about new grade-A leads and the top movers (docs/automation.md). Settings come from "
        "the environment: LEADSCORE_WAREHOUSE, LEADSCORE_MODEL, LEADSCORE_BIN, "
        "LEADSCORE_WRITEBACK_DIR, HUBSPOT_TOKEN, SLACK_BOT_TOKEN, SLACK_CHANNEL, "
        "LEADSCORE_ALERT_WINDOW_DAYS, LEADSCORE_DIGEST_SIZE.",
    )
    parser.add_argument(
        "--from",
        dest="start",
        choices=STEPS,
        default="rescore",
        help="first step to run (a replay starts where the failed run stopped)",
    )
    parser.add_argument(
        "--exit-zero",
        action="store_true",
        help="exit 0 even when a step fails (the JSON report says so): for n8n's Execute "
        "Command node, which drops the output of a failed command",
    )
    parser.add_argument(
        "--day",
        type=parse_day,
        default=None,
        help="the rescore day the slack step reports (default: today's rescore, or the "
        "latest day in the history when the run starts after the rescore)",
    )
    return parser.parse_args(argv)


def step_command(step: str, scored_at: dt.datetime, day: dt.date | None) -> list[str]:
    if step == "rescore":
        return [str(SCRIPTS / "rescore"), "--scored-at", scored_at.strftime("%Y-%m-%dT%H:%M:%S")]
    command = [str(SCRIPTS / "writeback"), step]
    if step == "slack" and day is not None:
        command += ["--day", day.isoformat()]
    return command


def run(args: argparse.Namespace) -> dict[str, object]:
    scored_at = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    day = args.day or (scored_at.date() if args.start == "rescore" else None)
    report: dict[str, object] = {"ok": True, "day": day.isoformat() if day else None, "steps": {}}
    state_dir = Path(os.environ.get("LEADSCORE_WRITEBACK_DIR", "data/writeback"))
    state_dir.mkdir(parents=True, exist_ok=True)
    with (state_dir / "daily_rescore.lock").open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            report["skipped"] = f"another run holds {state_dir / 'daily_rescore.lock'}"
            return report
        steps: dict[str, str] = {}
        report["steps"] = steps
        for step in STEPS[STEPS.index(args.start) :]:
            log.info("step %s", step)
            result = subprocess.run(
                step_command(step, scored_at, day), capture_output=True, text=True, check=False
            )
            sys.stderr.write(result.stderr)
            if result.returncode != 0:
                report.update(
                    ok=False,
                    failed_step=step,
                    error=(result.stderr.strip() or f"exit code {result.returncode}")[-2000:],
                    replay={"from": step, "day": report["day"]},
                )
                return report
            steps[step] = result.stdout.strip()
    return report


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="daily_rescore: %(message)s", stream=sys.stderr)
    args = parse_args(argv)
    report = run(args)
    print(json.dumps(report))
    return 0 if report["ok"] or args.exit_zero else 1
