// The application behind `leadscore serve`: routes, authentication, content-type checks,
// request validation (FastAPI's 422 shape), scoring with the current model snapshot,
// explanations, batch scoring, metrics, the OpenAPI document, Swagger UI, model reload and
// the dashboard (its page, its warehouse and model figures, its live serving figures).
// The HTTP mechanics (sockets, parsing, keep-alive, draining) are http::Server's.
//
// Thread safety: Handle() runs on the server's worker threads; each worker index has its own
// scratch buffers, cached model snapshot and metrics shard, so workers share nothing on the
// hot path but the ModelStore's generation counter.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/server.h"
#include "model/alert_rule.h"
#include "serve/access_policy.h"
#include "serve/dashboard_assets.h"
#include "serve/dashboard_data.h"
#include "serve/docs_assets.h"
#include "serve/drift_monitor.h"
#include "serve/model_store.h"
#include "serve/reloader.h"
#include "serve/score_log.h"
#include "serve/server_metrics.h"

namespace leadscore::serve {

// Bodies above these answer 413 before they are read.
inline constexpr size_t kMaxScoreBody = size_t{64} * 1024;
inline constexpr size_t kMaxBatchBody = size_t{8} * 1024 * 1024;

struct ServiceOptions {
  size_t workers = 1;              // the server's thread count (worker indices 0..workers-1)
  AccessPolicy access;             // the keys of /score* and /admin/* (access_policy.h)
  std::string cors_origin;         // non-empty: allow this browser origin (else no CORS headers)
  std::string version;             // leadscore's version, for the OpenAPI document
  std::optional<DocsAssets> docs;  // none: /docs answers 503 saying how to install them
  std::string docs_problem;        // why docs is none
  std::optional<DashboardAssets> dashboard;  // none: /dashboard answers 503 saying why
  std::string dashboard_problem;             // why dashboard is none
  // The warehouse figures of /dashboard/data; must outlive the service. Null: none.
  DashboardData* dashboard_data = nullptr;
  // Request bodies in pydantic's strict mode ("5" is not a count, 1 not a flag) instead of the
  // seed's lax mode (api::InputMode).
  bool strict_input = false;
  // Drift monitoring's sliding window (serve/drift_monitor.h); 0 turns recording off.
  std::chrono::seconds drift_window{3600};
  // Where scores of leads with an identity are recorded (serve/score_log.h); must outlive the
  // service. Null: not recorded.
  ScoreLog* score_log = nullptr;
  // Decides the `alert` of explained scores (model/alert_rule.h).
  AlertRule alert;
};

class ScoringService {
 public:
  // `store`, `reloader` and `metrics` must outlive the service.
  ScoringService(ServiceOptions options, const ModelStore& store, Reloader& reloader,
                 ServerMetrics& metrics);
  ~ScoringService();
  ScoringService(const ScoringService&) = delete;
  ScoringService& operator=(const ScoringService&) = delete;

  // The http::Server handler.
  void Handle(http::Exchange& exchange);
  // The http::Server body limit: 8 MiB for POST /score/batch, 64 KiB otherwise.
  static size_t BodyLimit(const http::Request& request);

 private:
  struct Worker;
  struct RouteEntry;

  void Score(http::Exchange& exchange, Worker& worker);
  void ScoreBatch(http::Exchange& exchange, Worker& worker);
  void Health(http::Exchange& exchange, Worker& worker);
  void Ready(http::Exchange& exchange, Worker& worker);
  void Model(http::Exchange& exchange, Worker& worker);
  void ModelDrift(http::Exchange& exchange, Worker& worker);
  void Metrics(http::Exchange& exchange, Worker& worker);
  void OpenApi(http::Exchange& exchange, Worker& worker);
  void Docs(http::Exchange& exchange, Worker& worker);
  void Reload(http::Exchange& exchange, Worker& worker);
  void DashboardPage(http::Exchange& exchange, Worker& worker);
  void DashboardFigures(http::Exchange& exchange, Worker& worker);
  void DashboardLive(http::Exchange& exchange, Worker& worker);

  // The checks /score and /score/batch share (key, content type, ?explain, a loaded model):
  // the model to score with (alive in the worker's cache), or nullptr when already answered.
  const LeadModel* BeginScoring(http::Exchange& exchange, Worker& worker, Route route,
                                std::optional<bool>& explain);
  // Shared checks of the scoring routes; false when they already answered.
  // Whether `header` holds `key` (constant time); answers 401 naming the header otherwise.
  bool HasKey(http::Exchange& exchange, Worker& worker, Route route, std::string_view header,
              const std::string& key);
  bool Authorized(http::Exchange& exchange, Worker& worker, Route route);
  // /admin/*: X-Admin-Key when an admin key is set, else open only on a loopback host.
  bool AdminAuthorized(http::Exchange& exchange, Worker& worker);
  bool AcceptsJson(http::Exchange& exchange, Worker& worker, Route route);
  void Respond(http::Exchange& exchange, Worker& worker, Route route, http::ResponseView response);
  // Hands the score of a lead with an identity to the score log (never waits).
  void LogScore(Worker& worker, const LeadModel& model, const api::LeadIdentity& identity,
                const LeadValues& values, double score);

  const ServiceOptions options_;
  const ModelStore& store_;
  Reloader& reloader_;
  ServerMetrics& metrics_;
  const std::string openapi_;
  DriftMonitor drift_;
  const std::chrono::steady_clock::time_point started_;  // for the live figures' uptime
  std::vector<std::unique_ptr<Worker>> workers_;
};

}  // namespace leadscore::serve
