"""scripts/writeback: after scripts/rescore, tell HubSpot and Slack what changed.

  scripts/writeback hubspot   write leadscore_score/grade/trend/model_version of every lead
                              whose values changed since HubSpot last acknowledged them
                              (leadscore push hubspot: batches of 100, resumable, no call when
                              nothing changed)
  scripts/writeback slack     one message per lead newly in grade A (once per alert window),
                              then the day's digest of the top movers (once per day)

See docs/automation.md ("The daily rescore").
"""

from __future__ import annotations

import logging
import sys

import duckdb
from daily_writeback.errors import WritebackError
from daily_writeback.hubspot_changes import write_back
from daily_writeback.settings import parse_args
from daily_writeback.slack_messages import notify


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="writeback: %(message)s", stream=sys.stderr)
    settings = parse_args(argv)
    try:
        print(write_back(settings) if settings.step == "hubspot" else notify(settings))
    except WritebackError as error:
        print(f"error: writeback {settings.step}: {error}", file=sys.stderr)
        return 1
    except (OSError, duckdb.Error) as error:
        print(f"error: writeback {settings.step}: {error}", file=sys.stderr)
        print(
            "To fix: check that no other program holds the warehouse and that it and "
            f"{settings.state_dir} are writable, then run again (nothing is sent twice).",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
