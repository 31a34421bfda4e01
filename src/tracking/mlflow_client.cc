// MlflowClient: connection, retries and error mapping, tracking and artifacts. The registry
// calls are in mlflow_registry.cc.
#include "tracking/mlflow_client.h"

#include <algorithm>
#include <cmath>
#include <thread>
#include <utility>

#include "tracking/mlflow_wire.h"

namespace leadscore {
namespace {

// MLflow's per-request limits for runs/log-batch (mlflow/utils/validation.py).
constexpr size_t kMaxParamsPerBatch = 100;
constexpr size_t kMaxTagsPerBatch = 100;
constexpr size_t kMaxEntriesPerBatch = 1000;

std::vector<wire::KeyValue> ToWire(const std::map<std::string, std::string>& pairs) {
  std::vector<wire::KeyValue> out;
  out.reserve(pairs.size());
  for (const auto& [key, value] : pairs) out.push_back({key, value});
  return out;
}

std::map<std::string, std::string> FromWire(const std::vector<wire::KeyValue>& pairs) {
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : pairs) out[key] = value;
  return out;
}

RunInfo FromWire(const wire::RunInfo& info) {
  return {info.run_id, info.experiment_id, info.run_name, info.artifact_uri};
}

LoggedModel FromWire(const wire::LoggedModelInfo& info) {
  return {info.model_id, info.experiment_id, info.name,          info.artifact_uri,
          info.status,   info.source_run_id, FromWire(info.tags)};
}

// Splits "runs:/<run_id>/<path>" or "models:/<model_id>/<path>" into id and path.
std::pair<std::string, std::string> SplitIdAndPath(std::string_view rest) {
  while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return {std::string(rest), ""};
  return {std::string(rest.substr(0, slash)), std::string(rest.substr(slash + 1))};
}

}  // namespace

MlflowClient::MlflowClient(MlflowOptions options, std::string base)
    : options_(std::move(options)), base_(std::move(base)) {}

Result<MlflowClient> MlflowClient::Connect(MlflowOptions options) {
  auto base = NormalizeTrackingUri(options.tracking_uri);
  if (!base.ok()) return base.status();
  if (options.transport == nullptr) options.transport = MakeCurlTransport(options.timeout_ms);
  MlflowClient client(std::move(options), std::move(base).value());

  auto reply = client.Send("GET", client.base_ + "/health", {});
  if (!reply.ok()) {
    return Status::Error("cannot reach the MLflow tracking server at " + client.base_ + " (" +
                         reply.status().message() + "): " + client.options_.unreachable_hint);
  }
  if (!reply.value().ok()) {
    return Status::Error(
        client.base_ + " answered GET /health with HTTP " +
        std::to_string(reply.value().http_status) +
        ", so it is not a healthy MLflow tracking server: " + client.options_.unreachable_hint);
  }
  return client;
}

int64_t MlflowClient::NowMs() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<MlflowClient::Reply> MlflowClient::Send(const std::string& method, const std::string& url,
                                               std::string body, const std::string& content_type) {
  HttpRequest request{method, url, std::move(body), content_type};
  std::chrono::milliseconds backoff = options_.retry_backoff;
  Status last_error;
  for (int attempt = 0; attempt <= std::max(options_.retries, 0); ++attempt) {
    if (attempt > 0) {
      std::this_thread::sleep_for(backoff);
      backoff *= 2;
    }
    auto response = options_.transport->Send(request);
    if (!response.ok()) {  // no answer at all: the server may be restarting
      last_error = response.status();
      continue;
    }
    Reply reply{response.value().status, std::move(response.value().body), {}};
    if (!reply.ok()) {
      auto error = wire::Parse<wire::Error>("", reply.body);
      if (error.ok()) reply.error_code = error.value().error_code;
    }
    // 5xx: the server failed, not the request; the last one is returned if it persists.
    if (reply.http_status >= 500 && attempt < options_.retries) continue;
    return reply;
  }
  return Status::Error(last_error.message() + " (" + std::to_string(options_.retries + 1) +
                       " attempts)");
}

Result<MlflowClient::Reply> MlflowClient::Call(const std::string& method, std::string_view endpoint,
                                               const QueryParams& query, std::string body) {
  auto reply = Send(method, ApiUrl(base_, endpoint, query), std::move(body));
  if (!reply.ok()) {
    return Status::Error("MLflow " + method + " " + std::string(endpoint) + ": no response from " +
                         base_ + ": " + reply.status().message());
  }
  return reply;
}

Result<std::string> MlflowClient::CallOk(const std::string& method, std::string_view endpoint,
                                         const QueryParams& query, std::string body) {
  auto reply = Call(method, endpoint, query, std::move(body));
  if (!reply.ok()) return reply.status();
  if (!reply.value().ok()) return ReplyError(method + " " + std::string(endpoint), reply.value());
  return std::move(reply.value().body);
}

Status MlflowClient::ReplyError(std::string_view what, const Reply& reply) {
  std::string message =
      "MLflow " + std::string(what) + ": HTTP " + std::to_string(reply.http_status);
  auto error = wire::Parse<wire::Error>(what, reply.body);
  if (error.ok() && !error.value().error_code.empty()) {
    message += " " + error.value().error_code + ": " + error.value().message;
  } else if (!reply.body.empty()) {
    message += ": " + reply.body.substr(0, 300);
  }
  return Status::Error(message);
}

// --- tracking -------------------------------------------------------------------------------

Result<Experiment> MlflowClient::GetOrCreateExperiment(const std::string& name) {
  constexpr std::string_view kGet = "experiments/get-by-name";
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto reply = Call("GET", kGet, {{"experiment_name", name}});
    if (!reply.ok()) return reply.status();
    if (reply.value().ok()) {
      auto found = wire::Parse<wire::GetExperimentResponse>(kGet, reply.value().body);
      if (!found.ok()) return found.status();
      const wire::Experiment& experiment = found.value().experiment;
      if (experiment.lifecycle_stage == "deleted") {
        return Status::Error("MLflow experiment '" + name + "' (id " + experiment.experiment_id +
                             ") is deleted: restore it with `mlflow experiments restore "
                             "--experiment-id " +
                             experiment.experiment_id + "` or choose another experiment name");
      }
      return Experiment{experiment.experiment_id, experiment.name, FromWire(experiment.tags)};
    }
    if (reply.value().error_code != "RESOURCE_DOES_NOT_EXIST") {
      return ReplyError("GET " + std::string(kGet), reply.value());
    }
    auto created =
        Call("POST", "experiments/create", {}, wire::Dump(wire::CreateExperimentRequest{name}));
    if (!created.ok()) return created.status();
    if (created.value().ok()) {
      auto response =
          wire::Parse<wire::CreateExperimentResponse>("experiments/create", created.value().body);
      if (!response.ok()) return response.status();
      return Experiment{response.value().experiment_id, name, {}};
    }
    // Someone else created it between our two calls: look it up again.
    if (created.value().error_code != "RESOURCE_ALREADY_EXISTS") {
      return ReplyError("POST experiments/create", created.value());
    }
  }
  return Status::Error("MLflow experiment '" + name + "' could neither be found nor created");
}

Status MlflowClient::SetExperimentTag(const std::string& experiment_id, const std::string& key,
                                      const std::string& value) {
  return CallOk("POST", "experiments/set-experiment-tag", {},
                wire::Dump(wire::SetExperimentTagRequest{experiment_id, key, value}))
      .status();
}

Result<RunInfo> MlflowClient::CreateRun(const std::string& experiment_id,
                                        const std::string& run_name,
                                        const std::map<std::string, std::string>& tags) {
  wire::CreateRunRequest request{experiment_id, run_name, NowMs(), ToWire(tags)};
  auto body = CallOk("POST", "runs/create", {}, wire::Dump(request));
  if (!body.ok()) return body.status();
  auto response = wire::Parse<wire::RunResponse>("runs/create", body.value());
  if (!response.ok()) return response.status();
  return FromWire(response.value().run.info);
}

Result<RunInfo> MlflowClient::GetRun(const std::string& run_id) {
  auto body = CallOk("GET", "runs/get", {{"run_id", run_id}});
  if (!body.ok()) return body.status();
  auto response = wire::Parse<wire::RunResponse>("runs/get", body.value());
  if (!response.ok()) return response.status();
  return FromWire(response.value().run.info);
}

Status MlflowClient::LogBatch(const std::string& run_id,
                              const std::map<std::string, std::string>& params,
                              const std::vector<Metric>& metrics,
                              const std::map<std::string, std::string>& tags) {
  for (const Metric& metric : metrics) {
    if (!std::isfinite(metric.value)) {
      return Status::Error("metric '" + metric.key + "' is " + std::to_string(metric.value) +
                           ": MLflow's REST API accepts only finite numbers; leave it out");
    }
  }
  std::vector<wire::KeyValue> all_params = ToWire(params);
  std::vector<wire::KeyValue> all_tags = ToWire(tags);
  size_t next_param = 0;
  size_t next_tag = 0;
  size_t next_metric = 0;
  // Always at least one request, so an empty batch still checks that the run exists.
  do {
    wire::LogBatchRequest request{run_id, {}, {}, {}};
    size_t n = std::min(kMaxParamsPerBatch, all_params.size() - next_param);
    request.params.assign(all_params.begin() + next_param, all_params.begin() + next_param + n);
    next_param += n;
    n = std::min(kMaxTagsPerBatch, all_tags.size() - next_tag);
    request.tags.assign(all_tags.begin() + next_tag, all_tags.begin() + next_tag + n);
    next_tag += n;
    n = std::min(kMaxEntriesPerBatch - request.params.size() - request.tags.size(),
                 metrics.size() - next_metric);
    for (size_t i = next_metric; i < next_metric + n; ++i) {
      const Metric& m = metrics[i];
      request.metrics.push_back(
          {m.key, m.value, m.timestamp_ms, m.step, m.model_id, m.dataset_name, m.dataset_digest});
    }
    next_metric += n;
    auto body = CallOk("POST", "runs/log-batch", {}, wire::Dump(request));
    if (!body.ok()) return body.status();
  } while (next_param < all_params.size() || next_tag < all_tags.size() ||
           next_metric < metrics.size());
  return Status::Ok();
}

Status MlflowClient::FinishRun(const std::string& run_id, bool succeeded) {
  wire::UpdateRunRequest request{run_id, succeeded ? "FINISHED" : "FAILED", NowMs()};
  return CallOk("POST", "runs/update", {}, wire::Dump(request)).status();
}

Status MlflowClient::LogInputs(const std::string& run_id,
                               const std::vector<DatasetInput>& datasets) {
  wire::LogInputsRequest request{run_id, {}};
  for (const DatasetInput& input : datasets) {
    const Dataset& d = input.dataset;
    request.datasets.push_back(
        {ToWire(input.tags), {d.name, d.digest, d.source_type, d.source, d.schema, d.profile}});
  }
  return CallOk("POST", "runs/log-inputs", {}, wire::Dump(request)).status();
}

// --- MLflow 3 logged models -----------------------------------------------------------------

Result<std::string> MlflowClient::LoggedModelCall(const std::string& method,
                                                  const std::string& endpoint, std::string body) {
  auto reply = Call(method, endpoint, {}, std::move(body));
  if (!reply.ok()) return reply.status();
  if (reply.value().ok()) return std::move(reply.value().body);
  // MLflow 2 has no such routes: its web server answers 404 without an MLflow error.
  if (reply.value().http_status == 404 &&
      (reply.value().error_code.empty() || reply.value().error_code == "ENDPOINT_NOT_FOUND")) {
    return Status::Error("MLflow " + method + " " + endpoint + ": HTTP 404: the server at " +
                         base_ +
                         " has no logged-models API, so it is older than MLflow 3; leadscore "
                         "logs every model as an MLflow 3 LoggedModel: run MLflow 3 (this "
                         "repository pins it in requirements.txt; scripts/run_mlflow_server.sh "
                         "starts it)");
  }
  return ReplyError(method + " " + endpoint, reply.value());
}

Result<LoggedModel> MlflowClient::CreateLoggedModel(
    const std::string& experiment_id, const std::string& name, const std::string& source_run_id,
    const std::map<std::string, std::string>& params,
    const std::map<std::string, std::string>& tags) {
  std::vector<wire::KeyValue> all_params = ToWire(params);
  const size_t first = std::min(kMaxParamsPerBatch, all_params.size());
  wire::CreateLoggedModelRequest request{
      experiment_id, name, source_run_id,
      std::vector<wire::KeyValue>(all_params.begin(), all_params.begin() + first), ToWire(tags)};
  auto body = LoggedModelCall("POST", "logged-models", wire::Dump(request));
  if (!body.ok()) return body.status();
  auto created = wire::Parse<wire::LoggedModelResponse>("logged-models", body.value());
  if (!created.ok()) return created.status();
  LoggedModel model = FromWire(created.value().model.info);
  // The rest of the params, 100 at a time, as MLflow's own client sends them.
  const std::string params_endpoint = "logged-models/" + PercentEncode(model.model_id) + "/params";
  for (size_t next = first; next < all_params.size(); next += kMaxParamsPerBatch) {
    const size_t end = std::min(all_params.size(), next + kMaxParamsPerBatch);
    wire::LogLoggedModelParamsRequest more{
        model.model_id,
        std::vector<wire::KeyValue>(all_params.begin() + next, all_params.begin() + end)};
    auto logged = LoggedModelCall("POST", params_endpoint, wire::Dump(more));
    if (!logged.ok()) return logged.status();
  }
  return model;
}

Result<LoggedModel> MlflowClient::GetLoggedModel(const std::string& model_id) {
  const std::string endpoint = "logged-models/" + PercentEncode(model_id);
  auto body = LoggedModelCall("GET", endpoint, {});
  if (!body.ok()) return body.status();
  auto model = wire::Parse<wire::LoggedModelResponse>(endpoint, body.value());
  if (!model.ok()) return model.status();
  return FromWire(model.value().model.info);
}

Status MlflowClient::FinalizeLoggedModel(const std::string& model_id, bool ready) {
  wire::FinalizeLoggedModelRequest request{
      model_id, ready ? "LOGGED_MODEL_READY" : "LOGGED_MODEL_UPLOAD_FAILED"};
  return LoggedModelCall("PATCH", "logged-models/" + PercentEncode(model_id), wire::Dump(request))
      .status();
}

Status MlflowClient::LogOutputs(const std::string& run_id, const std::string& model_id,
                                int64_t step) {
  wire::LogOutputsRequest request{run_id, {{model_id, step}}};
  return LoggedModelCall("POST", "runs/outputs", wire::Dump(request)).status();
}

// --- artifacts ------------------------------------------------------------------------------

Status MlflowClient::UploadArtifact(const RunInfo& run, const std::string& artifact_path,
                                    std::string_view bytes) {
  return UploadArtifact(run.artifact_uri, artifact_path, bytes);
}

Status MlflowClient::UploadArtifact(std::string_view root_uri, const std::string& artifact_path,
                                    std::string_view bytes) {
  auto url = ArtifactProxyUrl(base_, JoinArtifactPath(root_uri, artifact_path));
  if (!url.ok()) return url.status().WithContext("uploading " + artifact_path);
  auto reply = Send("PUT", url.value(), std::string(bytes), "application/octet-stream");
  if (!reply.ok()) {
    return Status::Error("MLflow PUT " + url.value() + ": " + reply.status().message());
  }
  if (!reply.value().ok()) return ReplyError("PUT " + url.value(), reply.value());
  return Status::Ok();
}

Result<std::string> MlflowClient::ResolveRunsUri(std::string_view uri) {
  auto [run_id, path] = SplitIdAndPath(uri.substr(6));
  auto body = CallOk("GET", "runs/get", {{"run_id", run_id}});
  if (!body.ok()) return body.status();
  auto run = wire::Parse<wire::RunResponse>("runs/get", body.value());
  if (!run.ok()) return run.status();
  // MLflow 3 keeps a run's models apart, as logged models; runs:/<run>/<name>/... names one
  // by its name (mlflow's RunsArtifactRepository does the same).
  const std::string_view name = std::string_view(path).substr(0, path.find('/'));
  for (const wire::ModelOutput& output : run.value().run.outputs.model_outputs) {
    if (name.empty()) break;
    auto model = GetLoggedModel(output.model_id);
    if (!model.ok()) return model.status();
    if (model.value().name == name) {
      return JoinArtifactPath(model.value().artifact_uri,
                              std::string_view(path).substr(name.size()));
    }
  }
  return JoinArtifactPath(run.value().run.info.artifact_uri, path);
}

Result<std::string> MlflowClient::DownloadArtifact(const std::string& artifact_uri) {
  std::string resolved = artifact_uri;
  std::string_view uri = artifact_uri;
  if (uri.starts_with("runs:/")) {
    auto run_path = ResolveRunsUri(uri);
    if (!run_path.ok()) return run_path.status().WithContext("resolving " + artifact_uri);
    resolved = std::move(run_path).value();
  } else if (uri.starts_with("models:/m-")) {
    auto [model_id, path] = SplitIdAndPath(uri.substr(8));
    auto model = GetLoggedModel(model_id);
    if (!model.ok()) return model.status().WithContext("resolving " + artifact_uri);
    resolved = JoinArtifactPath(model.value().artifact_uri, path);
  }
  auto url = ArtifactProxyUrl(base_, resolved);
  if (!url.ok()) return url.status().WithContext("downloading " + artifact_uri);
  auto reply = Send("GET", url.value(), {});
  if (!reply.ok()) {
    return Status::Error("MLflow GET " + url.value() + ": " + reply.status().message());
  }
  if (!reply.value().ok()) {
    return ReplyError("GET " + url.value() + " (artifact " + artifact_uri + ")", reply.value());
  }
  return std::move(reply.value().body);
}

}  // namespace leadscore
