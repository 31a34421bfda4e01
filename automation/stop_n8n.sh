#!/usr/bin/env bash
# Stops the n8n that automation/run_n8n.sh started for this user folder (LEADSCORE_N8N_DIR,
# default <repo>/.n8n): SIGTERM to the pid it recorded, SIGKILL after 30 s. Quiet and
# successful when nothing runs.
set -euo pipefail
cd "$(dirname "$0")/.."
pid_file=${LEADSCORE_N8N_DIR:-$PWD/.n8n}/n8n.pid
[ -s "$pid_file" ] || exit 0
pid=$(cat "$pid_file")
if kill -0 "$pid" 2>/dev/null; then
  kill -TERM "$pid"
  for _ in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "stop_n8n: n8n ($pid) did not stop in 30 s; killing it" >&2
    kill -KILL "$pid"
  fi
fi
rm -f "$pid_file"
