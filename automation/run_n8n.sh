#!/usr/bin/env bash
# Runs the lead automation in a local n8n: installs the pinned n8n (automation/install_n8n.sh),
# creates its credentials from environment variables, imports the workflows
# (automation/n8n_*.json) and publishes them, starts n8n on 127.0.0.1 in the background, waits
# until every published webhook is registered and has the data tables the workflows use created. Idempotent: a running
# instance of this user folder is stopped first (a running n8n does not see CLI imports).
# automation/stop_n8n.sh stops it. docs/automation.md explains the workflow.
#
# Environment (defaults in brackets):
#   LEADSCORE_N8N_DIR          n8n user folder: database, logs, pid [<repo>/.n8n]
#   LEADSCORE_N8N_PORT         n8n's port [5678]; webhook http://127.0.0.1:PORT/webhook/lead
#   LEADSCORE_N8N_BROKER_PORT  n8n's task-runner broker port [PORT + 1000]
#   LEADSCORE_WEBHOOK_TOKEN    value callers send in X-Leadscore-Token [generated once, kept in
#                              LEADSCORE_N8N_DIR/webhook-token]
#   LEADSCORE_URL              the scoring API [http://localhost:8000]
#   LEADSCORE_API_KEY          its X-API-Key, if it requires one [none]
#   SLACK_BOT_TOKEN            Slack bot token (xoxb-…, scope chat:write) [none: alerts fail
#                              and wait in the dead-letter table]
#   SLACK_CHANNEL              [#sales-notifications]
#   HUBSPOT_TOKEN              HubSpot private-app token (crm.objects.contacts.write) [none]
#   SLACK_API_URL, HUBSPOT_API_URL   only for tests: loopback stand-ins [the real APIs]
#   LEADSCORE_MODEL_ALERT_CHANNEL    Slack channel of the model watch [SLACK_CHANNEL]
#   LEADSCORE_DAILY_COMMAND    the daily rescore job the schedule runs [<repo>/scripts/daily_rescore;
#                              it reads LEADSCORE_WAREHOUSE, LEADSCORE_MODEL, LEADSCORE_BIN,
#                              LEADSCORE_WRITEBACK_DIR, HUBSPOT_*, SLACK_* from this environment]
#   LEADSCORE_RESCORE_CRON     replaces the daily job's schedule at import (a 6-field cron
#                              expression, seconds first, in UTC); default: the workflow's own,
#                              06:30 UTC. Tests set e.g. '*/10 * * * * *'; 'off' imports the
#                              daily workflow without publishing it (no schedule, no run hook)
#   LEADSCORE_RETRAIN_COMMAND  shell command the model watch runs when it posts a new incident
#                              [<repo>/scripts/retrain_on_alert: starts scripts/retrain in the
#                              background; set it empty to retrain only by hand]
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
log() { echo "run_n8n: $*" >&2; }

automation/install_n8n.sh
export PATH="$REPO/automation/.node/bin:$PATH"  # Node 24, for n8n's commands only
N8N=$REPO/automation/node_modules/.bin/n8n

export N8N_USER_FOLDER=${LEADSCORE_N8N_DIR:-$REPO/.n8n}
export N8N_PORT=${LEADSCORE_N8N_PORT:-5678}
export N8N_LISTEN_ADDRESS=127.0.0.1 N8N_HOST=127.0.0.1
export N8N_RUNNERS_BROKER_PORT=${LEADSCORE_N8N_BROKER_PORT:-$((N8N_PORT + 1000))}
export N8N_DIAGNOSTICS_ENABLED=false N8N_VERSION_NOTIFICATIONS_ENABLED=false \
  N8N_TEMPLATES_ENABLED=false N8N_PERSONALIZATION_ENABLED=false
# The workflow reads its URLs and channel from these variables ($env). Who is alerted is the
# server's `alert` verdict (grade A or score above its LEADSCORE_ALERT_THRESHOLD), not set here.
export N8N_BLOCK_ENV_ACCESS_IN_NODE=false
export LEADSCORE_URL=${LEADSCORE_URL:-http://localhost:8000}
export SLACK_CHANNEL=${SLACK_CHANNEL:-#sales-notifications}
export SLACK_API_URL=${SLACK_API_URL:-https://slack.com/api}
export HUBSPOT_API_URL=${HUBSPOT_API_URL:-https://api.hubapi.com}
export LEADSCORE_RETRAIN_COMMAND=${LEADSCORE_RETRAIN_COMMAND-$REPO/scripts/retrain_on_alert}
export LEADSCORE_DAILY_COMMAND=${LEADSCORE_DAILY_COMMAND-$REPO/scripts/daily_rescore}
# The model watch's "Retrain" node is n8n's Execute Command node, which n8n 2.x leaves out by
# default (NODES_EXCLUDE lists it with the Local File Trigger). Enable it and nothing else: the
# Local File Trigger stays excluded. Anyone who can edit workflows in this n8n can then run
# commands as its user: keep n8n on loopback (N8N_LISTEN_ADDRESS above) with its owner account.
export NODES_EXCLUDE='["n8n-nodes-base.localFileTrigger"]'
# The replay workflow posts dead letters back to the lead webhook of this same n8n.
export LEADSCORE_N8N_WEBHOOK_URL="http://127.0.0.1:$N8N_PORT/webhook/lead"
# ... and dead letters of the daily job to its run hook.
export LEADSCORE_N8N_DAILY_URL="http://127.0.0.1:$N8N_PORT/webhook/daily-rescore"
mkdir -p "$N8N_USER_FOLDER"

automation/stop_n8n.sh

if [ -z "${LEADSCORE_WEBHOOK_TOKEN:-}" ]; then
  token_file="$N8N_USER_FOLDER/webhook-token"
  if [ ! -s "$token_file" ]; then
    (umask 077 && head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$token_file.tmp" && mv "$token_file.tmp" "$token_file")
  fi
  LEADSCORE_WEBHOOK_TOKEN=$(cat "$token_file")
  log "webhook token (header X-Leadscore-Token) is in $token_file"
fi
[ -n "${SLACK_BOT_TOKEN:-}" ] || log "warning: SLACK_BOT_TOKEN is not set: Slack alerts will fail and wait in the dead-letter table"
[ -n "${HUBSPOT_TOKEN:-}" ] || log "warning: HUBSPOT_TOKEN is not set: HubSpot write-backs will fail and wait in the dead-letter table"

# Credentials from the environment: written to a private temp file, imported, deleted.
creds=$(umask 077 && mktemp "$N8N_USER_FOLDER/.credentials.XXXXXX.json")
trap 'rm -f "$creds"' EXIT
LEADSCORE_WEBHOOK_TOKEN=$LEADSCORE_WEBHOOK_TOKEN node automation/credentials.js > "$creds"
"$N8N" import:credentials --input="$creds" >/dev/null
rm -f "$creds"

# The daily job's schedule lives in one place, its Schedule Trigger; LEADSCORE_RESCORE_CRON
# replaces it in the imported copy (tests: every few seconds instead of once a day).
rescore_workflow=automation/n8n_rescore_workflow.json
daily_id=leadscoreDailyRs  # empty: imported, not published
if [ "${LEADSCORE_RESCORE_CRON:-}" = off ]; then
  daily_id=
  log "daily rescore imported but not published (LEADSCORE_RESCORE_CRON=off)"
elif [ -n "${LEADSCORE_RESCORE_CRON:-}" ]; then
  rescore_workflow=$(mktemp "$N8N_USER_FOLDER/.rescore-workflow.XXXXXX.json")
  node -e '
    const fs = require("fs");
    const [from, to, cron] = process.argv.slice(1);
    const workflow = JSON.parse(fs.readFileSync(from, "utf8"));
    const trigger = workflow.nodes.find((n) => n.type === "n8n-nodes-base.scheduleTrigger");
    trigger.parameters.rule.interval = [{ field: "cronExpression", expression: cron }];
    fs.writeFileSync(to, JSON.stringify(workflow));
  ' automation/n8n_rescore_workflow.json "$rescore_workflow" "$LEADSCORE_RESCORE_CRON"
  log "daily rescore scheduled at cron '$LEADSCORE_RESCORE_CRON' (UTC) instead of the workflow's"
fi
for workflow in automation/n8n_workflow.json automation/n8n_replay_workflow.json automation/n8n_setup_workflow.json automation/n8n_model_watch_workflow.json "$rescore_workflow"; do
  "$N8N" import:workflow --input="$workflow" >/dev/null
done
[ "$rescore_workflow" = automation/n8n_rescore_workflow.json ] || rm -f "$rescore_workflow"
for id in leadscoreLeadFlw leadscoreReplay1 leadscoreSetupDT leadscoreModelWt $daily_id; do
  "$N8N" publish:workflow --id="$id" >/dev/null
done

nohup "$N8N" start > "$N8N_USER_FOLDER/n8n.log" 2>&1 &
echo $! > "$N8N_USER_FOLDER/n8n.pid"
webhook="http://127.0.0.1:$N8N_PORT/webhook/lead"
# n8n registers the published workflows' webhooks one after another once it is up, so on a
# loaded machine one can answer while another is still 404 (unregistered): wait for every one
# (without the token a registered webhook answers 403), so that no caller — the setup call
# below, the replay workflow, a test — meets a webhook that is not there yet.
pending="lead lead-replay leadscore-setup model-watch${daily_id:+ daily-rescore}"
for _ in $(seq 1 240); do
  still=
  for path in $pending; do
    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$N8N_PORT/webhook/$path" || true)
    [ "$code" = 403 ] || [ "$code" = 401 ] || still="$still $path"
  done
  pending=$still
  if [ -z "$pending" ]; then
    # The data tables (alert claims, dead letters) exist only in a running n8n: the setup
    # workflow creates them, or finds them from an earlier run.
    curl -sf -o /dev/null -X POST -H "X-Leadscore-Token: $LEADSCORE_WEBHOOK_TOKEN" \
      "http://127.0.0.1:$N8N_PORT/webhook/leadscore-setup" ||
      { tail -n 40 "$N8N_USER_FOLDER/n8n.log" >&2; log "error: creating the data tables failed"; exit 1; }
    log "n8n $("$N8N" --version) up: POST $webhook (header X-Leadscore-Token); log $N8N_USER_FOLDER/n8n.log"
    exit 0
  fi
  kill -0 "$(cat "$N8N_USER_FOLDER/n8n.pid")" 2>/dev/null || { tail -n 40 "$N8N_USER_FOLDER/n8n.log" >&2; log "error: n8n exited"; exit 1; }
  sleep 0.5
done
tail -n 40 "$N8N_USER_FOLDER/n8n.log" >&2
log "error: these webhooks were not registered within 120 s:$pending"
exit 1
