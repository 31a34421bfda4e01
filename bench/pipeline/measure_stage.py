"""Runs one pipeline stage and prints `wall_s cpu_s peak_rss_mib` as its last line on stderr.

wall: elapsed seconds. cpu: user + system seconds of the stage's whole process tree (the
kernel's rusage of the waited child, which includes every descendant it waited for: Python,
DuckDB's threads, the engine, dbt). peak RSS: the largest sum of resident memory over the
tree, sampled every 0.2 s (a stage is often several processes at once: Python + DuckDB beside
`leadscore score`), or the largest single process's peak from the kernel when that is higher
(a short process can end between samples). The command's own output goes to its stdout and
stderr unchanged.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_SECONDS = 0.2


def tree_rss(root: int) -> int:
    """Bytes resident in `root` and all its descendants now."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            statm = (entry / "statm").read_text()
        except OSError:  # the process ended while we read it
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        pid = int(entry.name)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(statm.split()[1]) * PAGE
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def main() -> int:
    if len(sys.argv) < 2:
        print("usage: measure_stage.py COMMAND [ARGS...]", file=sys.stderr)
        return 2
    started = time.monotonic()
    process = subprocess.Popen(sys.argv[1:])
    peak = 0
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        peak = max(peak, tree_rss(process.pid))
        time.sleep(SAMPLE_SECONDS)
    wall = time.monotonic() - started
    cpu = usage.ru_utime + usage.ru_stime
    peak = max(peak, usage.ru_maxrss * 1024)
    print(f"{wall:.2f} {cpu:.2f} {peak / 2**20:.0f}", file=sys.stderr)
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
