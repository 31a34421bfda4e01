#!/usr/bin/env bash
# Stops the MLflow server that scripts/run_mlflow_server.sh started (same environment:
# LEADSCORE_MLFLOW_DIR, LEADSCORE_MLFLOW_PORT). Sends SIGTERM to its whole process group
# (the server, its uvicorn workers and job runners), waits, and only then uses SIGKILL.
# Idempotent: nothing running -> says so and exits 0.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/mlflow_server_common.sh
source "$repo/scripts/mlflow_server_common.sh"

if ! pid=$(running_pid); then
  rm -f "$PID_FILE"
  log "not running (no live server recorded in $PID_FILE)"
  exit 0
fi

# Name the address the server really listens on: it may have been started with another
# LEADSCORE_MLFLOW_PORT than this environment has.
url=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -o -- '--port [0-9]*' | awk -v host="$MLFLOW_HOST" '{print "http://" host ":" $2}')
url=${url:-$MLFLOW_URL}

# The run script starts the server with setsid, so its pid is also its process group id.
group_alive() { kill -0 -- "-$pid" 2>/dev/null; }

kill -TERM -- "-$pid" 2>/dev/null || true
for _ in $(seq 1 100); do  # up to 20 s for a graceful shutdown
  group_alive || break
  sleep 0.2
done
if group_alive; then
  log "pid $pid did not stop within 20 s after SIGTERM; sending SIGKILL"
  kill -KILL -- "-$pid" 2>/dev/null || true
  sleep 0.5
fi
rm -f "$PID_FILE"
log "stopped mlflow server (pid $pid) at $url"
