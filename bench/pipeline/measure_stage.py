"""Runs one pipeline stage and prints `wall_s cpu_s peak_rss_mib` as its last line on stderr.

wall: elapsed seconds. cpu: user + system seconds of the stage's whole process tree (the
kernel's rusage of the waited child, which includes every descendant it waited for: Python,
DuckDB's threads, the engine, dbt). This process is the tree's child subreaper, so a
descendant its parent never waits for (pyspark's JVM, which outlives the Python driver by a
moment) is reparented here when orphaned and its rusage counts too. peak RSS: the largest
sum of resident memory over this process's descendants, sampled every 0.2 s (a stage is
often several processes at once: Python + DuckDB beside `leadscore score`), or the largest
single process's peak from the kernel when that is higher (a short process can end between
samples). The command's own output goes to its stdout and stderr unchanged.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
import time
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_SECONDS = 0.2
PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h
ORPHAN_GRACE_SECONDS = 60  # how long orphaned descendants may outlive the command


def descendants_rss(root: int) -> int:
    """Bytes resident in all descendants of `root` now (not in `root` itself)."""
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
    total, stack = 0, list(children.get(root, []))
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def become_subreaper() -> None:
    """Orphaned descendants become this process's children (so their rusage is ours)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def main() -> int:
    if len(sys.argv) < 2:
        print("usage: measure_stage.py COMMAND [ARGS...]", file=sys.stderr)
        return 2
    become_subreaper()
    started = time.monotonic()
    process = subprocess.Popen(sys.argv[1:])
    me = os.getpid()
    peak = cpu = max_rss = 0
    status = None
    ended_at = None
    while True:
        try:
            pid, wait_status, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:  # no children left: the command and its orphans ended
            break
        if pid:  # the command, or an orphaned descendant reparented here
            cpu += usage.ru_utime + usage.ru_stime
            max_rss = max(max_rss, usage.ru_maxrss * 1024)
            if pid == process.pid:
                status, ended_at = wait_status, time.monotonic()
            continue
        if ended_at is not None and time.monotonic() - ended_at > ORPHAN_GRACE_SECONDS:
            print(
                f"measure_stage: descendants still running {ORPHAN_GRACE_SECONDS} s after "
                "the command ended are not counted",
                file=sys.stderr,
            )
            break
        peak = max(peak, descendants_rss(me))
        time.sleep(SAMPLE_SECONDS)
    wall = (ended_at or time.monotonic()) - started
    peak = max(peak, max_rss)
    print(f"{wall:.2f} {cpu:.2f} {peak / 2**20:.0f}", file=sys.stderr)
    assert status is not None
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
