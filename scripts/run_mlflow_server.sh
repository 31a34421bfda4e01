#!/usr/bin/env bash
# Starts the pinned MLflow tracking server + model registry from .venv, in the background:
#   backend store  sqlite:///$DIR/mlflow.db   (the registry needs a database store)
#   artifacts      $DIR/mlartifacts, served by the server itself (clients upload and download
#                  through its REST API at /api/2.0/mlflow-artifacts/, never the file system)
#   address        http://127.0.0.1:$PORT
#   log, pid       $DIR/mlflow-server.log, $DIR/mlflow-server.pid
# and waits until GET /health answers. Idempotent: a healthy server started here earlier is
# left running. scripts/stop_mlflow_server.sh stops it.
#
# Environment:
#   LEADSCORE_MLFLOW_DIR            state directory          (default: <repo>/ml)
#   LEADSCORE_MLFLOW_PORT           port on 127.0.0.1        (default: 5001)
#   LEADSCORE_MLFLOW_START_TIMEOUT  seconds to wait for /health (default: 90)
#
# 127.0.0.1 needs no --allowed-hosts: MLflow 3's host-header check admits localhost and
# 127.0.0.1 on any port by default.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/mlflow_server_common.sh
source "$repo/scripts/mlflow_server_common.sh"

if [ ! -x "$repo/.venv/bin/mlflow" ]; then
  die "$repo/.venv/bin/mlflow not found: run scripts/setup first (it installs requirements.txt)"
fi

mkdir -p "$MLFLOW_DIR"

if pid=$(running_pid); then
  if healthy; then
    log "already running and healthy at $MLFLOW_URL (pid $pid)"
    exit 0
  fi
  log "pid $pid is running but $MLFLOW_URL/health does not answer yet; waiting"
elif healthy; then
  die "something else already answers on $MLFLOW_URL (not started by this script, no $PID_FILE):" \
    "stop it, or choose another port with LEADSCORE_MLFLOW_PORT"
else
  rm -f "$PID_FILE"
  # setsid: the server leads its own process group, so the stop script can end it together
  # with the uvicorn worker it spawns. Modest settings for a 2-core machine: one worker, and
  # no job execution (MLflow's GenAI job runner starts seven huey consumers, ~1 GB, that
  # tracking and the registry never use).
  {
    printf '\n=== %s starting mlflow server on %s\n' "$(date -u +%FT%TZ)" "$MLFLOW_URL"
  } >>"$LOG_FILE"
  MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false setsid "$repo/.venv/bin/mlflow" server \
    --backend-store-uri "sqlite:///$MLFLOW_DIR/mlflow.db" \
    --serve-artifacts --artifacts-destination "$MLFLOW_DIR/mlartifacts" \
    --host "$MLFLOW_HOST" --port "$MLFLOW_PORT" --workers 1 \
    >>"$LOG_FILE" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PID_FILE"
  log "started mlflow server (pid $pid), waiting for $MLFLOW_URL/health (log: $LOG_FILE)"
fi

timeout_s=${LEADSCORE_MLFLOW_START_TIMEOUT:-90}
deadline=$((SECONDS + timeout_s))
until healthy; do
  if ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$PID_FILE"
    tail -n 20 "$LOG_FILE" >&2 || true
    die "mlflow server exited during startup (last log lines above; full log: $LOG_FILE)"
  fi
  if ((SECONDS >= deadline)); then
    die "mlflow server (pid $pid) did not answer $MLFLOW_URL/health within ${timeout_s}s;" \
      "see $LOG_FILE, stop it with scripts/stop_mlflow_server.sh, or raise" \
      "LEADSCORE_MLFLOW_START_TIMEOUT"
  fi
  sleep 0.5
done
log "ready: $MLFLOW_URL (pid $pid; store $MLFLOW_DIR/mlflow.db; artifacts $MLFLOW_DIR/mlartifacts)"
