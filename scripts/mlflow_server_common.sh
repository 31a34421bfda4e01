# shellcheck shell=bash
# Shared by run_mlflow_server.sh and stop_mlflow_server.sh (sourced, not run): where the
# server's state lives and how to tell whether the server started here is alive.
# Expects $repo to be the repository root.

# shellcheck disable=SC2034  # the variables are used by the scripts that source this file
MLFLOW_HOST=127.0.0.1
MLFLOW_PORT=${LEADSCORE_MLFLOW_PORT:-5001}
MLFLOW_DIR=$(realpath -m "${LEADSCORE_MLFLOW_DIR:-$repo/ml}")
MLFLOW_URL="http://$MLFLOW_HOST:$MLFLOW_PORT"
PID_FILE="$MLFLOW_DIR/mlflow-server.pid"
LOG_FILE="$MLFLOW_DIR/mlflow-server.log"

log() { echo "mlflow-server: $*" >&2; }
die() {
  log "error: $*"
  exit 1
}

# Prints the pid from $PID_FILE when that process is alive and is an mlflow server (a stale
# file whose pid was reused by another program does not count); fails otherwise.
running_pid() {
  local pid cmdline
  pid=$(cat "$PID_FILE" 2>/dev/null) || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ "$cmdline" == *mlflow*" server "* ]] || return 1
  echo "$pid"
}

healthy() {
  curl -fsS --max-time 2 -o /dev/null "$MLFLOW_URL/health" 2>/dev/null
}
