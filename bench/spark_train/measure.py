"""Runs a command and prints `wall_s peak_rss_mib` on stderr's last line: wall time, and the
peak of the summed resident memory of the command's whole process tree (a Spark run is a JVM
plus Python workers), sampled every 0.1 s, or the largest single child's peak from the kernel
(getrusage) when that is higher (a short run can end between samples)."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


def tree_rss(root: int) -> int:
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            statm = (entry / "statm").read_text()
        except OSError:
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
    started = time.monotonic()
    process = subprocess.Popen(sys.argv[1:])
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_rss(process.pid))
        time.sleep(0.1)
    wall = time.monotonic() - started
    single = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(f"{wall:.2f} {max(peak, single) / 2**20:.0f}", file=sys.stderr)
    return process.returncode


if __name__ == "__main__":
    sys.exit(main())
