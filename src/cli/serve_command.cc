// `leadscore serve`: the scoring API. Wires the model source, store and reloader, the
// application (serve/scoring_service) and the HTTP server, and turns signals into actions:
// SIGHUP reloads the model, SIGTERM and SIGINT drain in-flight requests and exit 0.
#include <fmt/format.h>
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>

#include "cli/commands.h"
#include "http/server.h"
#include "model/alert_rule.h"
#include "serve/access_policy.h"
#include "serve/dashboard_assets.h"
#include "serve/dashboard_data.h"
#include "serve/docs_assets.h"
#include "serve/model_source.h"
#include "serve/model_store.h"
#include "serve/registry_follower.h"
#include "serve/reloader.h"
#include "serve/scoring_service.h"
#include "serve/server_metrics.h"
#include "tracking/mlflow_client.h"
#include "tracking/mlflow_uri.h"

namespace leadscore::cli {
namespace {

struct ServeFlags {
  std::string model = "ml/lead_scoring_model.json";
  std::string model_uri;
  std::string tracking_uri = "http://127.0.0.1:5001";
  std::string host = "127.0.0.1";
  int port = 8000;
  int threads = 0;  // 0: one per core
  // Seconds from a request's first byte to its last (http::ServerOptions::request_timeout).
  int request_timeout = 30;
  std::string docs_dir = "node_modules/swagger-ui-dist";
  std::string dashboard_data = "data/dashboard.json";
  std::string dashboard_dir = "web/dashboard";
  std::string chart_dir = "node_modules/chart.js/dist";
  std::string cors_origin;
  bool strict_input = false;
  bool wait_for_model = false;
  bool allow_unauthenticated = false;     // a non-loopback --host without LEADSCORE_API_KEY
  int follow_seconds = 0;                 // > 0: poll --model-uri's alias and reload when it moves
  int drift_window = 3600;                // seconds of scored leads drift is measured over; 0: off
  std::string score_log;                  // non-empty: append scores of identified leads here
  std::optional<double> alert_threshold;  // none: the model's threshold (model/alert_rule.h)
};

std::string EnvOrEmpty(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

// Waits for SIGHUP/SIGTERM/SIGINT (blocked in every thread, so only sigtimedwait sees them)
// until `done` is set.
void HandleSignals(const sigset_t& signals, http::Server& server, serve::Reloader& reloader,
                   const std::atomic<bool>& done) {
  const timespec poll = {0, 200'000'000};
  while (!done.load()) {
    const int signal = sigtimedwait(&signals, nullptr, &poll);
    if (signal == SIGHUP) {
      spdlog::info("SIGHUP: reloading the model");
      reloader.Request([](const Result<serve::ReloadOutcome>&) {});  // the observer logs it
    } else if (signal == SIGTERM || signal == SIGINT) {
      spdlog::info("{}: finishing in-flight requests, then exiting",
                   signal == SIGTERM ? "SIGTERM" : "SIGINT");
      server.Stop();
      return;
    }
  }
}

// The version `uri`'s alias points at now, read through the registry (nullopt: unset).
Result<std::optional<std::string>> AliasVersion(const RegisteredModelUri& uri,
                                                const std::string& tracking_uri) {
  MlflowOptions options;
  options.tracking_uri = tracking_uri;
  options.retries = 0;  // the next poll is the retry
  auto client = MlflowClient::Connect(options);
  if (!client.ok()) return client.status();
  auto version = client.value().GetVersionByAlias(uri.name, uri.alias);
  if (!version.ok()) return version.status();
  if (!version.value()) return std::optional<std::string>();
  return std::optional<std::string>(version.value()->version);
}

// --follow's alias: --model-uri must name one.
Result<RegisteredModelUri> FollowedAlias(const ServeFlags& flags) {
  auto uri = ParseRegisteredModelUri(flags.model_uri);
  if (flags.model_uri.empty() || !uri.ok() || uri.value().alias.empty()) {
    return Status::Error("--follow needs --model-uri models:/<name>@<alias> (an alias moves; a " +
                         std::string(flags.model_uri.empty() ? "model file" : "fixed version") +
                         " does not)");
  }
  return uri;
}

// --follow: the follower of `uri`'s alias. `serving`: the registry version the served model
// came from (a registry-loaded model is stamped with it), none when no model loaded.
std::unique_ptr<serve::RegistryFollower> StartFollowing(const ServeFlags& flags,
                                                        const RegisteredModelUri& uri,
                                                        serve::Reloader& reloader,
                                                        std::optional<std::string> serving) {
  const std::string tracking_uri = flags.tracking_uri;
  const std::string watched = flags.model_uri;
  auto lookup = [uri, tracking_uri] { return AliasVersion(uri, tracking_uri); };
  auto reload = [&reloader](std::function<void(bool)> done) {
    reloader.Request([done = std::move(done)](const Result<serve::ReloadOutcome>& outcome) {
      done(outcome.ok());
    });
  };
  // Runs on the follower thread only: logs state changes, not every poll.
  auto observe = [watched, unreachable = false](serve::RegistryFollower::Event event,
                                                const std::string& detail) mutable {
    using Event = serve::RegistryFollower::Event;
    if (event == Event::kLookupFailed) {
      if (!unreachable)
        spdlog::warn("--follow: cannot read {}: {}; still serving", watched, detail);
      unreachable = true;
      return;
    }
    if (unreachable) spdlog::info("--follow: {} readable again", watched);
    unreachable = false;
    if (event == Event::kMoved) spdlog::info("--follow: {} moved to version {}", watched, detail);
    if (event == Event::kReloadFailed) {
      spdlog::error(
          "--follow: version {} failed to load; the old model keeps serving, and it is "
          "not tried again until the alias moves",
          detail);
    }
  };
  return std::make_unique<serve::RegistryFollower>(
      lookup, reload, observe, std::chrono::seconds(flags.follow_seconds), std::move(serving));
}

Status Serve(const ServeFlags& flags) {
  if (flags.port < 0 || flags.port > 65535) {
    return Status::Error(fmt::format("--port {} is not a TCP port (0-65535)", flags.port));
  }
  // Decided before anything loads, so an unsafe start fails at once and changes nothing.
  auto access = serve::DecideAccess(flags.host, EnvOrEmpty("LEADSCORE_API_KEY"),
                                    EnvOrEmpty("LEADSCORE_ADMIN_KEY"), flags.allow_unauthenticated);
  if (!access.ok()) return access.status();
  if (!access.value().loopback && access.value().api_key.empty()) {
    spdlog::warn("--allow-unauthenticated: /score on {} answers anyone who can connect",
                 flags.host);
  }
  const size_t threads = flags.threads > 0 ? static_cast<size_t>(flags.threads)
                                           : std::max(1U, std::thread::hardware_concurrency());
  // Signals go to the signal thread only: block them before any thread starts (the
  // reloader's, the server's): a thread with them unblocked would take SIGTERM's default
  // action (exit) instead.
  sigset_t signals;
  sigemptyset(&signals);
  for (int signal : {SIGHUP, SIGTERM, SIGINT}) sigaddset(&signals, signal);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a client that hung up is an error value, not a signal

  serve::ModelSource source;
  source.file = flags.model;
  source.model_uri = flags.model_uri;
  source.tracking_uri = flags.tracking_uri;

  std::optional<RegisteredModelUri> followed;  // --follow's alias, checked before any load
  if (flags.follow_seconds > 0) {
    auto uri = FollowedAlias(flags);
    if (!uri.ok()) return uri.status();
    followed = std::move(uri).value();
  }
  serve::ModelStore store;
  auto first = serve::LoadModel(source);
  if (first.ok()) {
    store.Swap(first.value());
  } else if (!flags.wait_for_model) {
    return first.status().WithContext(
        "train one first (scripts/run), pass --model/--model-uri, or start with "
        "--wait-for-model and POST /admin/reload later");
  } else {
    spdlog::warn("{}; /ready answers 503 until POST /admin/reload or SIGHUP loads a model",
                 first.status().message());
  }

  serve::ServerMetrics metrics(threads);
  if (const auto model = store.Current()) {
    metrics.SetModel(model->metadata().model_version, model->metadata().feature_set);
  }
  serve::Reloader reloader(
      source, store,
      [&metrics](const Result<serve::ReloadOutcome>& outcome, const LeadModel* loaded) {
        metrics.CountReload(outcome.ok());
        if (outcome.ok()) {
          metrics.SetModel(loaded->metadata().model_version, loaded->metadata().feature_set);
          spdlog::info("reloaded: model version {} (was {})", outcome.value().model_version,
                       outcome.value().previous_version.value_or("none"));
        } else {
          spdlog::error("{}", outcome.status().message());
        }
      });

  serve::ServiceOptions options;
  options.workers = threads;
  options.access = std::move(access).value();
  options.cors_origin = flags.cors_origin;
  options.strict_input = flags.strict_input;
  options.drift_window = std::chrono::seconds(flags.drift_window);
  options.alert = AlertRule(flags.alert_threshold);
  if (flags.drift_window == 0) spdlog::info("--drift-window 0: drift monitoring is off");
  if (flags.strict_input) {
    spdlog::info("--strict-input: request values must have their exact JSON types");
  }
  std::unique_ptr<serve::ScoreLog> score_log;
  if (!flags.score_log.empty()) {
    auto opened = serve::ScoreLog::Open({.path = flags.score_log, .workers = threads},
                                        FeatureSpec::Builtin());
    if (!opened.ok()) return opened.status();
    score_log = std::move(opened).value();
    options.score_log = score_log.get();
    spdlog::info("recording the scores of leads with a lead_id or email in {}", flags.score_log);
  }
  options.version = LEADSCORE_VERSION;
  auto docs = serve::DocsAssets::Load(flags.docs_dir);
  if (docs.ok()) {
    options.docs = std::move(docs).value();
  } else {
    options.docs_problem = docs.status().message();
    spdlog::warn("/docs is unavailable: {}", options.docs_problem);
  }
  auto dashboard = serve::DashboardAssets::Load(flags.dashboard_dir, flags.chart_dir);
  if (dashboard.ok()) {
    options.dashboard = std::move(dashboard).value();
  } else {
    options.dashboard_problem = dashboard.status().message();
    spdlog::warn("/dashboard is unavailable: {}", options.dashboard_problem);
  }
  serve::DashboardData dashboard_data(flags.dashboard_data);
  if (const auto snapshot = dashboard_data.Current(); !snapshot.problem.empty()) {
    spdlog::warn("/dashboard shows no warehouse figures yet: {}", snapshot.problem);
  }
  options.dashboard_data = &dashboard_data;
  serve::ScoringService service(std::move(options), store, reloader, metrics);
  std::unique_ptr<serve::RegistryFollower> follower;
  if (followed) {
    const auto serving = store.Current();
    follower =
        StartFollowing(flags, *followed, reloader,
                       serving ? std::optional(serving->metadata().model_version) : std::nullopt);
  }

  http::ServerOptions server_options;
  server_options.host = flags.host;
  server_options.port = flags.port;
  server_options.threads = static_cast<int>(threads);
  server_options.request_timeout = std::chrono::seconds(flags.request_timeout);
  auto server = http::Server::Listen(
      server_options, [&service](http::Exchange& exchange) { service.Handle(exchange); },
      &serve::ScoringService::BodyLimit);
  if (!server.ok()) return server.status();

  const std::string url = fmt::format("http://{}:{}", flags.host, server.value()->port());
  const auto model = store.Current();
  std::cout << fmt::format(
                   "leadscore serve: model version {} on {} ({} thread{})\n"
                   "  docs:      {}/docs\n"
                   "  dashboard: {}/dashboard\n"
                   "  try:       curl -s -X POST {}/score -H 'Content-Type: application/json' "
                   "-d '{{\"sessions\": 5, \"engaged_sessions\": 3, \"page_views\": 12, "
                   "\"channel\": \"Paid Search\", \"is_first_visit\": false}}'\n",
                   model ? model->metadata().model_version : "none", url, threads,
                   threads == 1 ? "" : "s", url, url, url)
            << std::flush;

  std::atomic<bool> done = false;
  std::thread signal_thread([&] { HandleSignals(signals, *server.value(), reloader, done); });
  Status served = server.value()->Run();
  done = true;
  signal_thread.join();
  if (served.ok()) spdlog::info("stopped");
  return served;
}

}  // namespace

void RegisterServe(CLI::App& app, Status* result) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Serve the model over HTTP: POST /score (the seed's contract), /score/batch, /health, "
      "/ready, /model, /model/drift, /metrics, /openapi.json, /docs, /dashboard (+ "
      "/dashboard/data, "
      "/dashboard/live), POST /admin/reload (also SIGHUP). "
      "SIGTERM drains in-flight requests and exits 0. With LEADSCORE_API_KEY set in the "
      "environment, /score* require the header X-API-Key; a --host beyond loopback refuses to "
      "start without it (see --allow-unauthenticated). /admin/* take their own key, "
      "LEADSCORE_ADMIN_KEY, as X-Admin-Key; without one they are open on loopback and closed "
      "(403) elsewhere. docs/serving.md.");
  auto* model = cmd->add_option("--model", flags->model, "Model file written by leadscore train")
                    ->envname("LEADSCORE_MODEL")
                    ->capture_default_str();
  cmd->add_option("--model-uri", flags->model_uri,
                  "Serve a registered version instead: models:/<name>@<alias> or "
                  "models:/<name>/<version>, e.g. models:/lead-scoring@champion")
      ->envname("LEADSCORE_MODEL_URI")
      ->excludes(model);
  cmd->add_option("--tracking-uri", flags->tracking_uri, "MLflow server for --model-uri")
      ->envname("MLFLOW_TRACKING_URI")
      ->capture_default_str();
  cmd->add_option("--host", flags->host,
                  "Address to listen on (loopback by default; 0.0.0.0 exposes the API)")
      ->envname("LEADSCORE_HOST")
      ->capture_default_str();
  cmd->add_option("--port", flags->port, "TCP port (0: any free port)")
      ->envname("LEADSCORE_PORT")
      ->capture_default_str();
  cmd->add_option("--threads", flags->threads, "Worker threads (0: one per core)")
      ->envname("LEADSCORE_THREADS")
      ->capture_default_str();
  cmd->add_option("--request-timeout", flags->request_timeout,
                  "Seconds a client has to send a whole request (head and body) once it began; "
                  "slower ones get 408 and are disconnected. Idle keep-alive connections close "
                  "after 60 s regardless")
      ->envname("LEADSCORE_REQUEST_TIMEOUT")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  cmd->add_option("--drift-window", flags->drift_window,
                  "Seconds of scored leads that drift (PSI against the model's training "
                  "reference: /metrics, GET /model/drift) is measured over, a sliding window; "
                  "0 turns drift recording off")
      ->envname("LEADSCORE_DRIFT_WINDOW")
      ->check(CLI::Range(0, 7 * 24 * 3600))
      ->capture_default_str();
  cmd->add_option("--score-log", flags->score_log,
                  "Append every score of a lead that carries a lead_id or email to this JSONL "
                  "file (a background writer; /score never waits; scripts/load_duckdb "
                  "--score-logs loads it for realized accuracy). Default: not recorded")
      ->envname("LEADSCORE_SCORE_LOG");
  cmd->add_option("--alert-threshold", flags->alert_threshold,
                  "Explained scores (?explain=true) carry alert: true for grade A or a score "
                  "above this; default: the model's threshold (docs/automation.md)")
      ->envname("LEADSCORE_ALERT_THRESHOLD")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--docs-dir", flags->docs_dir,
                  "The swagger-ui-dist package (npm) that /docs serves")
      ->envname("LEADSCORE_DOCS_DIR")
      ->capture_default_str();
  cmd->add_option("--dashboard-data", flags->dashboard_data,
                  "Warehouse figures for /dashboard, written by scripts/build_dashboard; read "
                  "again whenever the file changes")
      ->envname("LEADSCORE_DASHBOARD_DATA")
      ->capture_default_str();
  cmd->add_option("--dashboard-dir", flags->dashboard_dir,
                  "The dashboard page's files (the repo's web/dashboard)")
      ->envname("LEADSCORE_DASHBOARD_DIR")
      ->capture_default_str();
  cmd->add_option("--chart-dir", flags->chart_dir,
                  "The chart.js package's dist directory (npm) that /dashboard loads")
      ->envname("LEADSCORE_CHART_DIR")
      ->capture_default_str();
  cmd->add_option("--cors-origin", flags->cors_origin,
                  "Allow browser calls from this origin (default: no CORS headers)")
      ->envname("LEADSCORE_CORS_ORIGIN");
  cmd->add_option("--follow", flags->follow_seconds,
                  "With --model-uri models:/<name>@<alias>: check the alias every SECONDS and "
                  "reload when it moves (the old model serves until the new one is validated); "
                  "0: never")
      ->envname("LEADSCORE_FOLLOW")
      ->check(CLI::Range(0, 86400))
      ->capture_default_str();
  cmd->add_flag("--allow-unauthenticated", flags->allow_unauthenticated,
                "Listen beyond loopback without LEADSCORE_API_KEY (only behind a gateway "
                "that authenticates)");
  cmd->add_flag("--strict-input", flags->strict_input,
                "Validate request bodies in pydantic's strict mode: counts only as JSON integers, "
                "is_first_visit only as true/false. By default values coerce like the seed's "
                "FastAPI service (\"5\", 5.0 and true for a count; 0/1, \"true\", \"no\" for a "
                "flag: docs/serving.md)")
      ->envname("LEADSCORE_STRICT_INPUT");
  cmd->add_flag("--wait-for-model", flags->wait_for_model,
                "Start even when the model cannot be loaded; /ready answers 503 until a "
                "reload succeeds");
  cmd->callback([flags, result] { *result = Serve(*flags); });
}

}  // namespace leadscore::cli
