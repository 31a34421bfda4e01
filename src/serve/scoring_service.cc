#include "serve/scoring_service.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "api/feature_value_json.h"
#include "api/json_writer.h"
#include "api/lax_coercion.h"
#include "api/lead_identity.h"
#include "api/score_request.h"
#include "model/explain.h"
#include "model/lead_model.h"
#include "serve/model_info.h"
#include "serve/openapi.h"

namespace leadscore::serve {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::string_view kJson = "application/json";

// Compares in time independent of where the strings differ (and of the key's length, up to
// the length of the attempt), so response timing does not leak the key byte by byte.
bool ConstantTimeEquals(std::string_view attempt, std::string_view key) {
  unsigned char differ = attempt.size() == key.size() ? 0 : 1;
  for (size_t i = 0; i < attempt.size(); ++i) {
    const char expected = key.empty() ? '\0' : key[i % key.size()];
    differ |= static_cast<unsigned char>(attempt[i] ^ expected);
  }
  return differ == 0 && !key.empty();
}

// FastAPI's rule for a bool query parameter: pydantic's lax str -> bool.
std::optional<bool> ParseBoolParameter(std::string_view text) {
  bool value = false;
  if (api::BoolFromString(text, value) != api::Coercion::kValue) return std::nullopt;
  return value;
}

api::InputMode InputModeOf(const ServiceOptions& options) {
  return options.strict_input ? api::InputMode::kStrict : api::InputMode::kLax;
}

http::Response JsonResponse(int status, std::string body) {
  return http::Response::Json(std::move(body), status);
}

http::Response Detail(int status, std::string_view message) {
  return http::Response::Error(status, message);
}

bool IsJsonContentType(std::string_view value) {
  // "application/json", optionally with parameters ("; charset=utf-8"); case-insensitive.
  const size_t end = value.find(';');
  std::string_view type = value.substr(0, end);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  if (type.size() != kJson.size()) return false;
  for (size_t i = 0; i < type.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(type[i])) != kJson[i]) return false;
  }
  return true;
}

}  // namespace

struct ScoringService::Worker {
  Worker(size_t worker_index, const ModelStore& store, MetricsShard& shard,
         DriftMonitor::Shard& drift_shard)
      : index(worker_index), model(store), metrics(shard), drift(drift_shard) {}
  size_t index;  // the server's worker index: this worker's shards
  CachedModel model;
  MetricsShard& metrics;
  DriftMonitor::Shard& drift;
  Clock::time_point started;
  LeadValues values;
  std::vector<LeadValues> leads;
  api::LeadIdentity identity;                 // of /score's lead, for the score log
  std::vector<api::LeadIdentity> identities;  // of /score/batch's leads
  std::vector<float> matrix;
  std::string body;                                          // response body, reused
  std::vector<std::pair<std::string, std::string>> headers;  // with CORS, reused
};

ScoringService::ScoringService(ServiceOptions options, const ModelStore& store, Reloader& reloader,
                               ServerMetrics& metrics)
    : options_(std::move(options)),
      store_(store),
      reloader_(reloader),
      metrics_(metrics),
      openapi_(BuildOpenApiDocument(FeatureSpec::Builtin(),
                                    {.version = options_.version,
                                     .api_key_required = !options_.access.api_key.empty(),
                                     .strict_input = options_.strict_input,
                                     .admin_key_required = !options_.access.admin_key.empty(),
                                     .admin_closed = options_.access.admin_closed()})),
      drift_(std::max<size_t>(options_.workers, 1), FeatureSpec::Builtin(), options_.drift_window),
      started_(Clock::now()) {
  for (size_t i = 0; i < std::max<size_t>(options_.workers, 1); ++i) {
    workers_.push_back(std::make_unique<Worker>(i, store_, metrics_.Shard(i), drift_.shard(i)));
  }
}

ScoringService::~ScoringService() = default;

size_t ScoringService::BodyLimit(const http::Request& request) {
  return request.method() == "POST" && request.path() == "/score/batch" ? kMaxBatchBody
                                                                        : kMaxScoreBody;
}

void ScoringService::Handle(http::Exchange& exchange) {
  Worker& worker = *workers_[exchange.worker_index()];
  worker.started = Clock::now();
  const http::Request& request = exchange.request();
  const std::string_view path = request.path();
  const std::string_view method = request.method();

  struct Entry {
    std::string_view path;
    std::string_view method;
    Route route;
    void (ScoringService::*handler)(http::Exchange&, Worker&);
  };
  static constexpr std::array<Entry, 13> kRoutes = {{
      {"/score", "POST", Route::kScore, &ScoringService::Score},
      {"/score/batch", "POST", Route::kScoreBatch, &ScoringService::ScoreBatch},
      {"/health", "GET", Route::kHealth, &ScoringService::Health},
      {"/ready", "GET", Route::kReady, &ScoringService::Ready},
      {"/model", "GET", Route::kModel, &ScoringService::Model},
      {"/model/drift", "GET", Route::kModelDrift, &ScoringService::ModelDrift},
      {"/metrics", "GET", Route::kMetrics, &ScoringService::Metrics},
      {"/openapi.json", "GET", Route::kOpenApi, &ScoringService::OpenApi},
      {"/docs", "GET", Route::kDocs, &ScoringService::Docs},
      {"/admin/reload", "POST", Route::kAdminReload, &ScoringService::Reload},
      // Before /dashboard, whose entry also takes every other path under /dashboard/.
      {"/dashboard/data", "GET", Route::kDashboardData, &ScoringService::DashboardFigures},
      {"/dashboard/live", "GET", Route::kDashboardLive, &ScoringService::DashboardLive},
      {"/dashboard", "GET", Route::kDashboard, &ScoringService::DashboardPage},
  }};
  const bool docs_asset = path.starts_with("/docs/");
  const bool dashboard_asset = path.starts_with("/dashboard/");
  for (const Entry& entry : kRoutes) {
    if (path != entry.path && !(docs_asset && entry.route == Route::kDocs) &&
        !(dashboard_asset && entry.route == Route::kDashboard)) {
      continue;
    }
    if (!options_.cors_origin.empty() && method == "OPTIONS") {
      http::Response preflight;
      preflight.status = 204;
      preflight.content_type.clear();
      preflight.headers = {{"Access-Control-Allow-Origin", options_.cors_origin},
                           {"Access-Control-Allow-Methods", std::string(entry.method)},
                           {"Access-Control-Allow-Headers", "Content-Type, X-API-Key"},
                           {"Access-Control-Max-Age", "600"},
                           {"Vary", "Origin"}};
      Respond(exchange, worker, entry.route, preflight);
      return;
    }
    if (method != entry.method && !(entry.method == "GET" && method == "HEAD")) {
      http::Response response = Detail(405, "Method Not Allowed");
      response.headers.emplace_back("Allow", std::string(entry.method));
      Respond(exchange, worker, entry.route, response);
      return;
    }
    (this->*entry.handler)(exchange, worker);
    return;
  }
  Respond(exchange, worker, Route::kOther, Detail(404, "Not Found"));
}

void ScoringService::Respond(http::Exchange& exchange, Worker& worker, Route route,
                             http::ResponseView response) {
  if (!options_.cors_origin.empty() && route != Route::kOther) {
    worker.headers.assign(response.headers.begin(), response.headers.end());
    worker.headers.emplace_back("Access-Control-Allow-Origin", options_.cors_origin);
    worker.headers.emplace_back("Vary", "Origin");
    response.headers = worker.headers;
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - worker.started).count();
  worker.metrics.CountRequest(route, response.status, seconds);
  exchange.Respond(response);
}

bool ScoringService::HasKey(http::Exchange& exchange, Worker& worker, Route route,
                            std::string_view header, const std::string& key) {
  if (ConstantTimeEquals(exchange.request().Header(header).value_or(""), key)) return true;
  http::Response response = Detail(401, "Missing or wrong " + std::string(header) + " header");
  response.headers.emplace_back("WWW-Authenticate",
                                "ApiKey header=\"" + std::string(header) + "\"");
  Respond(exchange, worker, route, response);
  return false;
}

bool ScoringService::Authorized(http::Exchange& exchange, Worker& worker, Route route) {
  const std::string& key = options_.access.api_key;
  return key.empty() || HasKey(exchange, worker, route, "X-API-Key", key);
}

bool ScoringService::AdminAuthorized(http::Exchange& exchange, Worker& worker) {
  const AccessPolicy& access = options_.access;
  if (!access.admin_key.empty()) {
    return HasKey(exchange, worker, Route::kAdminReload, "X-Admin-Key", access.admin_key);
  }
  if (access.admin_open()) return true;
  Respond(exchange, worker, Route::kAdminReload,
          Detail(403,
                 "/admin is closed: this server listens beyond loopback and LEADSCORE_ADMIN_KEY "
                 "is not set. Restart it with LEADSCORE_ADMIN_KEY and send X-Admin-Key, or "
                 "reload with SIGHUP"));
  return false;
}

bool ScoringService::AcceptsJson(http::Exchange& exchange, Worker& worker, Route route) {
  if (IsJsonContentType(exchange.request().Header("content-type").value_or(""))) return true;
  Respond(exchange, worker, route,
          Detail(415,
                 "Unsupported Media Type: send the body as JSON with "
                 "Content-Type: application/json"));
  return false;
}

namespace {

// Reads ?explain=...; answers the 422 itself and returns nullopt when it is not a boolean.
std::optional<bool> ExplainParameter(const http::Request& request, std::string& error_body) {
  const std::optional<std::string_view> text = request.QueryParam("explain");
  if (!text) return false;
  if (auto value = ParseBoolParameter(*text)) return value;
  api::JsonWriter json(error_body);
  json.BeginObject();
  json.Key("detail");
  json.BeginArray();
  json.BeginObject();
  json.Key("type");
  json.String("bool_parsing");
  json.Key("loc");
  json.BeginArray();
  json.String("query");
  json.String("explain");
  json.EndArray();
  json.Key("msg");
  json.String("Input should be a valid boolean, unable to interpret input");
  json.Key("input");
  json.String(*text);
  json.EndObject();
  json.EndArray();
  json.EndObject();
  return std::nullopt;
}

// The seed's three fields; with an explanation (?explain=true) also the grade (null for a
// model without grade cut points), the alert verdict and the reasons.
void WriteScore(api::JsonWriter& json, const LeadModel& model, const AlertRule& alert, double score,
                const LeadValues* values, const Explanation* explanation) {
  const bool high = score > model.metadata().threshold;
  json.BeginObject();
  json.Key("score");
  json.Double(score);
  json.Key("label");
  json.String(high ? "high" : "low");
  json.Key("model_version");
  json.String(model.metadata().model_version);
  if (explanation != nullptr) {
    json.Key("grade");
    if (const std::optional<char> grade = model.Grade(score)) {
      json.String(std::string_view(&*grade, 1));
    } else {
      json.Null();
    }
    json.Key("alert");
    json.Bool(alert.Alerts(model, score));
    json.Key("reasons");
    json.BeginArray();
    for (const Reason& reason : explanation->reasons) {
      json.BeginObject();
      json.Key("feature");
      json.String(reason.feature);
      json.Key("value");
      const Feature* feature = model.spec().Find(reason.feature);
      const size_t index = static_cast<size_t>(feature - model.spec().features.data());
      api::WriteFeatureValue(json, *feature, (*values)[index]);
      json.Key("direction");
      json.String(reason.contribution > 0 ? "raises" : "lowers");
      json.Key("contribution");
      json.Double(reason.contribution);
      json.EndObject();
    }
    json.EndArray();
    json.Key("bias");
    json.Double(explanation->bias);
    json.Key("margin");
    json.Double(explanation->margin);
  }
  json.EndObject();
}

}  // namespace

const LeadModel* ScoringService::BeginScoring(http::Exchange& exchange, Worker& worker, Route route,
                                              std::optional<bool>& explain) {
  if (!Authorized(exchange, worker, route) || !AcceptsJson(exchange, worker, route)) {
    return nullptr;
  }
  worker.body.clear();
  explain = ExplainParameter(exchange.request(), worker.body);
  if (!explain) {
    Respond(exchange, worker, route, {422, kJson, worker.body});
    return nullptr;
  }
  const std::shared_ptr<const LeadModel>& model = worker.model.Get();
  if (!model) Respond(exchange, worker, route, Detail(503, "No model loaded yet"));
  return model.get();
}

void ScoringService::Score(http::Exchange& exchange, Worker& worker) {
  constexpr Route kRoute = Route::kScore;
  std::optional<bool> explain;
  const LeadModel* model = BeginScoring(exchange, worker, kRoute, explain);
  if (model == nullptr) return;
  std::string& body = worker.body;

  const api::ParseOutcome parsed = api::ParseScoreRequest(
      exchange.request().body(), FeatureSpec::Builtin(), worker.values, InputModeOf(options_));
  if (!parsed.ok()) {
    return Respond(exchange, worker, kRoute,
                   JsonResponse(422, api::ValidationErrorBody(parsed.errors)));
  }
  const FeatureEncoder& encoder = model->encoder();
  worker.matrix.resize(encoder.width());
  encoder.Encode(worker.values, worker.matrix);
  const double score = model->ScoreRow(worker.matrix);
  worker.metrics.CountScore(score, score > model->metadata().threshold);
  if (const auto& reference = model->metadata().drift_reference) {
    worker.drift.Record(worker.started, worker.model.generation(), *reference, worker.values,
                        score);
  }

  if (options_.score_log != nullptr) {
    api::ReadLeadIdentity(exchange.request().body(), worker.identity);
    if (!worker.identity.empty()) LogScore(worker, *model, worker.identity, worker.values, score);
  }

  std::optional<Explanation> explanation;
  if (*explain) {
    auto explained = Explain(*model, worker.matrix, 1);
    if (!explained.ok()) {
      return Respond(exchange, worker, kRoute, Detail(500, explained.status().message()));
    }
    explanation = std::move(explained.value().front());
  }
  api::JsonWriter json(body);
  WriteScore(json, *model, options_.alert, score, &worker.values,
             explanation ? &*explanation : nullptr);
  Respond(exchange, worker, kRoute, {200, kJson, body});
}

void ScoringService::ScoreBatch(http::Exchange& exchange, Worker& worker) {
  constexpr Route kRoute = Route::kScoreBatch;
  std::optional<bool> explain;
  const LeadModel* model = BeginScoring(exchange, worker, kRoute, explain);
  if (model == nullptr) return;
  std::string& body = worker.body;

  const api::ParseOutcome parsed = api::ParseBatchRequest(
      exchange.request().body(), FeatureSpec::Builtin(), worker.leads, InputModeOf(options_));
  if (!parsed.ok()) {
    return Respond(exchange, worker, kRoute,
                   JsonResponse(422, api::ValidationErrorBody(parsed.errors)));
  }
  const FeatureEncoder& encoder = model->encoder();
  const size_t rows = worker.leads.size();
  worker.matrix.resize(rows * encoder.width());
  for (size_t i = 0; i < rows; ++i) {
    encoder.Encode(worker.leads[i],
                   std::span<float>(worker.matrix).subspan(i * encoder.width(), encoder.width()));
  }
  auto scores = model->Score(worker.matrix, rows);
  if (!scores.ok())
    return Respond(exchange, worker, kRoute, Detail(500, scores.status().message()));
  std::vector<Explanation> explanations;
  if (*explain && rows > 0) {
    auto explained = Explain(*model, worker.matrix, rows);
    if (!explained.ok()) {
      return Respond(exchange, worker, kRoute, Detail(500, explained.status().message()));
    }
    explanations = std::move(explained).value();
  }
  body.reserve(rows * 64 + 16);
  api::JsonWriter json(body);
  json.BeginObject();
  json.Key("scores");
  json.BeginArray();
  const double threshold = model->metadata().threshold;
  const std::optional<DriftReference>& reference = model->metadata().drift_reference;
  if (options_.score_log != nullptr) {
    api::ReadBatchIdentities(exchange.request().body(), worker.identities);
  }
  for (size_t i = 0; i < rows; ++i) {
    const double score = scores.value()[i];
    worker.metrics.CountScore(score, score > threshold);
    if (reference) {
      worker.drift.Record(worker.started, worker.model.generation(), *reference, worker.leads[i],
                          score);
    }
    if (options_.score_log != nullptr && i < worker.identities.size() &&
        !worker.identities[i].empty()) {
      LogScore(worker, *model, worker.identities[i], worker.leads[i], score);
    }
    WriteScore(json, *model, options_.alert, score, &worker.leads[i],
               *explain ? &explanations[i] : nullptr);
  }
  json.EndArray();
  json.EndObject();
  Respond(exchange, worker, kRoute, {200, kJson, body});
}

void ScoringService::LogScore(Worker& worker, const LeadModel& model,
                              const api::LeadIdentity& identity, const LeadValues& values,
                              double score) {
  const ModelMetadata& metadata = model.metadata();
  const auto auc = metadata.metrics.find("auc");
  options_.score_log->shard(worker.index)
      .Append({.scored_at = std::chrono::system_clock::now(),
               .identity = &identity,
               .model_version = &metadata.model_version,
               .model_test_auc = auc == metadata.metrics.end()
                                     ? std::numeric_limits<double>::quiet_NaN()
                                     : auc->second,
               .score = score,
               .grade = model.Grade(score).value_or(0),
               .values = &values});
}

void ScoringService::Health(http::Exchange& exchange, Worker& worker) {
  Respond(exchange, worker, Route::kHealth, {200, kJson, R"({"status":"ok"})"});
}

void ScoringService::Ready(http::Exchange& exchange, Worker& worker) {
  const std::shared_ptr<const LeadModel>& model = worker.model.Get();
  if (!model) return Respond(exchange, worker, Route::kReady, Detail(503, "No model loaded yet"));
  std::string& body = worker.body;
  body.clear();
  api::JsonWriter json(body);
  json.BeginObject();
  json.Key("status");
  json.String("ready");
  json.Key("model_version");
  json.String(model->metadata().model_version);
  json.EndObject();
  Respond(exchange, worker, Route::kReady, {200, kJson, body});
}

void ScoringService::Model(http::Exchange& exchange, Worker& worker) {
  const std::shared_ptr<const LeadModel>& model = worker.model.Get();
  if (!model) return Respond(exchange, worker, Route::kModel, Detail(503, "No model loaded yet"));
  // NaN metrics (e.g. a ratio over an empty slice) are not JSON: nlohmann writes null.
  Respond(exchange, worker, Route::kModel,
          JsonResponse(200, ModelInfoJson(*model, options_.alert).dump()));
}

void ScoringService::ModelDrift(http::Exchange& exchange, Worker& worker) {
  constexpr Route kRoute = Route::kModelDrift;
  const std::shared_ptr<const LeadModel>& model = worker.model.Get();
  if (!model) return Respond(exchange, worker, kRoute, Detail(503, "No model loaded yet"));
  if (!drift_.enabled()) {
    return Respond(exchange, worker, kRoute,
                   Detail(503,
                          "drift monitoring is off (--drift-window 0); restart with a window in "
                          "seconds, e.g. --drift-window 3600"));
  }
  const ModelMetadata& metadata = model->metadata();
  if (!metadata.drift_reference) {
    return Respond(
        exchange, worker, kRoute,
        Detail(409, "model " + metadata.model_version +
                        " cannot be monitored for drift: " + metadata.drift_reference_problem));
  }
  const DriftMonitor::Counts counts =
      drift_.Window(Clock::now(), worker.model.generation(), *metadata.drift_reference);
  static const std::pair<std::string, std::string> kNoStore[] = {{"Cache-Control", "no-store"}};
  const std::string text =
      DriftReportJson(*metadata.drift_reference, counts, drift_.window(), metadata.model_version)
          .dump();
  http::ResponseView response(200, kJson, text);
  response.headers = kNoStore;
  Respond(exchange, worker, kRoute, response);
}

void ScoringService::Metrics(http::Exchange& exchange, Worker& worker) {
  http::Response response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = metrics_.RenderPrometheus();
  if (options_.score_log != nullptr) response.body += options_.score_log->RenderPrometheus();
  const std::shared_ptr<const LeadModel>& model = worker.model.Get();
  if (drift_.enabled() && model && model->metadata().drift_reference) {
    const DriftReference& reference = *model->metadata().drift_reference;
    response.body += DriftPrometheus(
        reference, drift_.Window(Clock::now(), worker.model.generation(), reference));
  }
  Respond(exchange, worker, Route::kMetrics, response);
}

void ScoringService::OpenApi(http::Exchange& exchange, Worker& worker) {
  Respond(exchange, worker, Route::kOpenApi, {200, kJson, openapi_});
}

void ScoringService::Docs(http::Exchange& exchange, Worker& worker) {
  if (!options_.docs)
    return Respond(exchange, worker, Route::kDocs, Detail(503, options_.docs_problem));
  const std::string_view path = exchange.request().path();
  const StaticAsset* asset =
      path == "/docs" ? &options_.docs->page() : options_.docs->Find(path.substr(6));
  if (asset == nullptr) return Respond(exchange, worker, Route::kDocs, Detail(404, "Not Found"));
  static const std::pair<std::string, std::string> kCache[] = {
      {"Cache-Control", "public, max-age=3600"}};
  http::ResponseView response(200, asset->content_type, asset->body);
  response.headers = kCache;
  Respond(exchange, worker, Route::kDocs, response);
}

void ScoringService::DashboardPage(http::Exchange& exchange, Worker& worker) {
  if (!options_.dashboard) {
    return Respond(exchange, worker, Route::kDashboard, Detail(503, options_.dashboard_problem));
  }
  const std::string_view path = exchange.request().path();
  const bool page = path == "/dashboard";
  const StaticAsset* asset =
      page ? &options_.dashboard->page()
           : options_.dashboard->Find(path.substr(std::string_view("/dashboard/").size()));
  if (asset == nullptr) {
    return Respond(exchange, worker, Route::kDashboard, Detail(404, "Not Found"));
  }
  // The page revalidates every time (it names the assets); the assets may be cached a while.
  static const std::pair<std::string, std::string> kPageCache[] = {{"Cache-Control", "no-cache"}};
  static const std::pair<std::string, std::string> kAssetCache[] = {
      {"Cache-Control", "public, max-age=3600"}};
  http::ResponseView response(200, asset->content_type, asset->body);
  if (page) {
    response.headers = kPageCache;
  } else {
    response.headers = kAssetCache;
  }
  Respond(exchange, worker, Route::kDashboard, response);
}

void ScoringService::DashboardFigures(http::Exchange& exchange, Worker& worker) {
  nlohmann::ordered_json body;
  const std::shared_ptr<const LeadModel>& model = worker.model.Get();
  if (model) {
    const ModelMetadata& metadata = model->metadata();
    body["model"] = {{"model_version", metadata.model_version},
                     {"feature_set", metadata.feature_set},
                     {"threshold", metadata.threshold},
                     {"trained_at", metadata.trained_at},
                     {"metrics", metadata.metrics},
                     {"reliability", ReliabilityJson(metadata.reliability)}};
    body["model_problem"] = nullptr;
  } else {
    body["model"] = nullptr;
    body["model_problem"] = "No model loaded yet";
  }
  if (options_.dashboard_data != nullptr) {
    const serve::DashboardData::Snapshot snapshot = options_.dashboard_data->Current();
    body["warehouse"] = snapshot.data ? nlohmann::ordered_json(*snapshot.data) : nullptr;
    body["warehouse_problem"] = snapshot.problem.empty() ? nlohmann::ordered_json(nullptr)
                                                         : nlohmann::ordered_json(snapshot.problem);
  } else {
    body["warehouse"] = nullptr;
    body["warehouse_problem"] = "no dashboard data configured (--dashboard-data)";
  }
  static const std::pair<std::string, std::string> kNoStore[] = {{"Cache-Control", "no-store"}};
  const std::string text = body.dump();
  http::ResponseView response(200, kJson, text);
  response.headers = kNoStore;
  Respond(exchange, worker, Route::kDashboardData, response);
}

void ScoringService::DashboardLive(http::Exchange& exchange, Worker& worker) {
  const ServerMetrics::Totals totals = metrics_.Sum();
  const std::shared_ptr<const LeadModel>& model = worker.model.Get();
  nlohmann::ordered_json body;
  body["uptime_seconds"] = std::chrono::duration<double>(Clock::now() - started_).count();
  body["model_version"] = model ? nlohmann::ordered_json(model->metadata().model_version)
                                : nlohmann::ordered_json(nullptr);
  body["requests_total"] = totals.requests;
  body["score_requests_total"] = totals.score_requests;
  body["scored_total"] = totals.scored;
  body["high_total"] = totals.high;
  body["latency_bounds_seconds"] = kLatencyBuckets;
  body["score_latency_counts"] = totals.score_latency;
  // Since start; the page computes the recent p99 from the difference of two polls.
  body["score_p99_seconds"] = HistogramQuantile(totals.score_latency, 0.99);  // NaN: null
  static const std::pair<std::string, std::string> kNoStore[] = {{"Cache-Control", "no-store"}};
  const std::string text = body.dump();
  http::ResponseView response(200, kJson, text);
  response.headers = kNoStore;
  Respond(exchange, worker, Route::kDashboardLive, response);
}

void ScoringService::Reload(http::Exchange& exchange, Worker& worker) {
  if (!AdminAuthorized(exchange, worker)) return;
  // Loading takes milliseconds to seconds (a registry download): answer from the reloader
  // thread so this worker keeps serving.
  auto deferred = std::make_shared<http::DeferredResponse>(exchange.Defer());
  const Clock::time_point started = worker.started;
  ServerMetrics* metrics = &metrics_;
  const std::string cors_origin = options_.cors_origin;
  reloader_.Request(
      [deferred, started, metrics, cors_origin](const Result<ReloadOutcome>& outcome) {
        http::Response response;
        if (outcome.ok()) {
          nlohmann::ordered_json body;
          body["status"] = "reloaded";
          body["model_version"] = outcome.value().model_version;
          body["previous_model_version"] =
              outcome.value().previous_version
                  ? nlohmann::ordered_json(*outcome.value().previous_version)
                  : nlohmann::ordered_json(nullptr);
          response = JsonResponse(200, body.dump());
        } else {
          response = Detail(500, outcome.status().message());
        }
        if (!cors_origin.empty())
          response.headers.emplace_back("Access-Control-Allow-Origin", cors_origin);
        metrics->CountDeferred(Route::kAdminReload, response.status,
                               std::chrono::duration<double>(Clock::now() - started).count());
        deferred->Send(std::move(response));
      });
}

}  // namespace leadscore::serve
