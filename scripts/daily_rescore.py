"""scripts/daily_rescore: rescore, HubSpot write-back and Slack in one run (see
daily_writeback/daily_job.py and docs/automation.md)."""

import sys

from daily_writeback.daily_job import main

if __name__ == "__main__":
    sys.exit(main())
