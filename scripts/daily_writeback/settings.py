"""The command line of scripts/writeback: one settings object, flags with LEADSCORE_* / Slack /
HubSpot environment variables as defaults."""

from __future__ import annotations

import argparse
import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from warehouse.scoring_cli import add_binary_argument, add_warehouse_argument

DEFAULT_ALERT_WINDOW_DAYS = 30
DEFAULT_DIGEST_SIZE = 10
DEFAULT_BATCH_SIZE = 100


@dataclass(frozen=True)
class Settings:
    step: str  # "hubspot" or "slack"
    warehouse: Path
    binary: Path
    state_dir: Path  # the outbox and its journal
    batch_size: int
    attempts: int
    retry_backoff_ms: int
    day: dt.date | None  # slack: the history day to report (None: the latest)
    slack_url: str
    slack_token: str
    slack_channel: str
    alert_window_days: int
    digest_size: int


def _int_env(name: str, default: int) -> int:
    text = os.environ.get(name, "")
    try:
        return int(text) if text else default
    except ValueError as error:
        raise SystemExit(
            f"error: environment variable {name}={text!r} is not a whole number"
        ) from error


def parse_day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not a day YYYY-MM-DD") from error


def parse_args(argv: list[str] | None) -> Settings:
    parser = argparse.ArgumentParser(
        prog="scripts/writeback",
        description="After scripts/rescore: write the leads whose score, grade, trend or model "
        "version changed back to HubSpot (hubspot), or tell Slack which leads newly reached "
        "grade A and who moved most (slack). Both are safe to rerun; see docs/automation.md.",
    )
    parser.add_argument("step", choices=("hubspot", "slack"), help="what to do")
    add_warehouse_argument(parser, "DuckDB file with main.lead_score_history")
    add_binary_argument(parser, "leadscore executable, for `leadscore push hubspot`")
    parser.add_argument(
        "--state-dir",
        default=os.environ.get("LEADSCORE_WRITEBACK_DIR", "data/writeback"),
        help="hubspot: folder of the outbox and its journal of acknowledged batches (env "
        "LEADSCORE_WRITEBACK_DIR; default data/writeback)",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=DEFAULT_BATCH_SIZE,
        help=f"hubspot: contacts per batch call, 1-100 (default {DEFAULT_BATCH_SIZE})",
    )
    parser.add_argument(
        "--attempts",
        type=int,
        default=5,
        help="attempts per call on HTTP 5xx or no answer (default 5)",
    )
    parser.add_argument(
        "--retry-backoff-ms",
        type=int,
        default=1000,
        help="wait before the first retry, doubled before each further one (default 1000)",
    )
    parser.add_argument(
        "--day",
        type=parse_day,
        default=None,
        help="slack: the rescore day to report, YYYY-MM-DD (default: the latest day in "
        "main.lead_score_history)",
    )
    parser.add_argument(
        "--alert-window-days",
        type=int,
        default=_int_env("LEADSCORE_ALERT_WINDOW_DAYS", DEFAULT_ALERT_WINDOW_DAYS),
        help="slack: a lead is alerted for grade A at most once in this many days (env "
        f"LEADSCORE_ALERT_WINDOW_DAYS; default {DEFAULT_ALERT_WINDOW_DAYS})",
    )
    parser.add_argument(
        "--digest-size",
        type=int,
        default=_int_env("LEADSCORE_DIGEST_SIZE", DEFAULT_DIGEST_SIZE),
        help="slack: top movers in the daily digest (env LEADSCORE_DIGEST_SIZE; default "
        f"{DEFAULT_DIGEST_SIZE})",
    )
    args = parser.parse_args(argv)
    if not 1 <= args.batch_size <= 100:
        parser.error(f"--batch-size {args.batch_size} must be 1 to 100 (HubSpot's batch limit)")
    if args.alert_window_days < 1:
        parser.error(f"--alert-window-days {args.alert_window_days} must be 1 or more")
    if args.digest_size < 1:
        parser.error(f"--digest-size {args.digest_size} must be 1 or more")
    if args.attempts < 1 or args.retry_backoff_ms < 0:
        parser.error("--attempts must be 1 or more and --retry-backoff-ms 0 or more")
    return Settings(
        step=args.step,
        warehouse=Path(args.warehouse),
        binary=Path(args.binary),
        state_dir=Path(args.state_dir),
        batch_size=args.batch_size,
        attempts=args.attempts,
        retry_backoff_ms=args.retry_backoff_ms,
        day=args.day,
        slack_url=os.environ.get("SLACK_API_URL") or "https://slack.com/api",
        slack_token=os.environ.get("SLACK_BOT_TOKEN", ""),
        slack_channel=os.environ.get("SLACK_CHANNEL") or "#sales-notifications",
        alert_window_days=args.alert_window_days,
        digest_size=args.digest_size,
    )
