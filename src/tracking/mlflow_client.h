// A client of MLflow's REST API (tracking server, artifact proxy and model registry), the
// one way leadscore talks to MLflow. Every error names the endpoint, the HTTP status and
// MLflow's error_code and message; an unreachable server says how to start one.
//
// Thread-compatible: use one client per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "tracking/http_transport.h"
#include "tracking/mlflow_uri.h"

namespace leadscore {

struct MlflowOptions {
  std::string tracking_uri = "http://127.0.0.1:5001";
  long timeout_ms = 15000;  // NOLINT(google-runtime-int): per HTTP exchange
  // Extra attempts after a connection error or an HTTP 5xx (never after a 4xx), waiting
  // retry_backoff, then twice that, and so on.
  int retries = 3;
  std::chrono::milliseconds retry_backoff{250};
  // How long CreateModelVersion waits for the server to finish registering a version.
  std::chrono::milliseconds registration_timeout{60000};
  // Appended to the "cannot reach the tracking server" error.
  std::string unreachable_hint =
      "start it with scripts/run_mlflow_server.sh, or pass --tracking-uri none";
  // Null: libcurl. Tests pass a fake.
  std::shared_ptr<HttpTransport> transport;
  // Milliseconds since the Unix epoch for run start/end times. Null: the system clock.
  std::function<int64_t()> now_ms;
};

struct RunInfo {
  std::string run_id;
  std::string experiment_id;
  std::string run_name;
  std::string artifact_uri;  // e.g. mlflow-artifacts:/1/<run_id>/artifacts
};

struct Experiment {
  std::string experiment_id;
  std::string name;
  std::map<std::string, std::string> tags;
};

struct Metric {
  std::string key;
  double value = 0.0;  // must be finite: MLflow's JSON API cannot carry NaN or infinity
  int64_t timestamp_ms = 0;
  int64_t step = 0;
  // MLflow 3: the logged model the metric measures and the dataset it was measured on; empty
  // for a metric of the run alone.
  std::string model_id;
  std::string dataset_name;
  std::string dataset_digest;
};

// MLflow's Dataset entity, as a run input. `source`, `schema` and `profile` are JSON texts
// (see tracking/mlflow_dataset.h for a local file's).
struct Dataset {
  std::string name;
  std::string digest;
  std::string source_type;  // e.g. "local"
  std::string source;       // e.g. {"uri": "/abs/path.csv"}
  std::string schema;       // e.g. {"mlflow_colspec": [...]}
  std::string profile;      // e.g. {"num_rows": 10, "num_elements": 80}
};

struct DatasetInput {
  Dataset dataset;
  std::map<std::string, std::string> tags;  // e.g. mlflow.data.context = train
};

// An MLflow 3 LoggedModel: a model with its own artifact location, linked to the run that
// produced it, its metrics and its registered versions.
struct LoggedModel {
  std::string model_id;  // "m-<32 hex digits>"
  std::string experiment_id;
  std::string name;
  std::string artifact_uri;  // e.g. mlflow-artifacts:/1/models/m-.../artifacts
  std::string status;        // LOGGED_MODEL_PENDING, LOGGED_MODEL_READY, LOGGED_MODEL_UPLOAD_FAILED
  std::string source_run_id;
  std::map<std::string, std::string> tags;
};

struct ModelVersion {
  std::string name;
  std::string version;
  std::string run_id;
  std::string source;
  std::string model_id;  // the logged model it was registered from (source models:/<id>), if any
  std::string status;    // READY, PENDING_REGISTRATION or FAILED_REGISTRATION
  std::string status_message;
  std::map<std::string, std::string> tags;
  std::vector<std::string> aliases;
};

struct RegisteredModel {
  std::string name;
  std::map<std::string, std::string> tags;
  std::map<std::string, std::string> aliases;  // alias -> version
};

class MlflowClient {
 public:
  // Checks that the server answers GET /health. Unreachable: an error naming the URI and
  // options.unreachable_hint.
  static Result<MlflowClient> Connect(MlflowOptions options);

  const std::string& tracking_uri() const { return base_; }

  // --- tracking
  // The experiment called `name` with its tags, created when missing. A deleted experiment of
  // that name is an error (MLflow keeps its name reserved until it is restored or purged).
  Result<Experiment> GetOrCreateExperiment(const std::string& name);
  Status SetExperimentTag(const std::string& experiment_id, const std::string& key,
                          const std::string& value);
  Result<RunInfo> CreateRun(const std::string& experiment_id, const std::string& run_name,
                            const std::map<std::string, std::string>& tags);
  Result<RunInfo> GetRun(const std::string& run_id);
  // Sent in as many requests as MLflow's limits need (100 params, 100 tags, 1000 entries).
  Status LogBatch(const std::string& run_id, const std::map<std::string, std::string>& params,
                  const std::vector<Metric>& metrics,
                  const std::map<std::string, std::string>& tags);
  // Marks the run FINISHED or FAILED with the current time as its end.
  Status FinishRun(const std::string& run_id, bool succeeded);
  // Records datasets the run read (runs/log-inputs).
  Status LogInputs(const std::string& run_id, const std::vector<DatasetInput>& datasets);

  // --- MLflow 3 logged models. A server without them (MLflow 2) fails with an error saying
  // that MLflow 3 is needed.
  // Creates a PENDING logged model in the experiment, produced by `source_run_id` (may be
  // empty), with its params (sent in batches of 100) and tags.
  Result<LoggedModel> CreateLoggedModel(const std::string& experiment_id, const std::string& name,
                                        const std::string& source_run_id,
                                        const std::map<std::string, std::string>& params,
                                        const std::map<std::string, std::string>& tags);
  Result<LoggedModel> GetLoggedModel(const std::string& model_id);
  // Sets the model LOGGED_MODEL_READY (its files are complete) or LOGGED_MODEL_UPLOAD_FAILED.
  Status FinalizeLoggedModel(const std::string& model_id, bool ready);
  // Links the model to the run as one of its outputs at `step` (runs/outputs).
  Status LogOutputs(const std::string& run_id, const std::string& model_id, int64_t step = 0);

  // --- artifacts, always through the server's artifact proxy
  // Stores `bytes` as `artifact_path` (e.g. "reliability.csv") of the run.
  Status UploadArtifact(const RunInfo& run, const std::string& artifact_path,
                        std::string_view bytes);
  // Stores `bytes` as `artifact_path` under `root_uri`, an artifact URI the proxy serves
  // (a run's or a logged model's artifact_uri).
  Status UploadArtifact(std::string_view root_uri, const std::string& artifact_path,
                        std::string_view bytes);
  // The bytes of one artifact file. Accepts mlflow-artifacts: URIs, proxy URLs,
  // runs:/<run_id>/<path> and models:/<model_id>/<path> (MLflow 3 logged models). As in
  // MLflow 3, runs:/<run_id>/<name>/... reads logged model <name> of the run when the run
  // has one by that name, and the run's own artifacts otherwise.
  Result<std::string> DownloadArtifact(const std::string& artifact_uri);

  // --- model registry
  // Creates the registered model unless it exists.
  Status EnsureRegisteredModel(const std::string& name);
  // Fails with RESOURCE_DOES_NOT_EXIST in the message when there is no such model.
  Result<RegisteredModel> GetRegisteredModel(const std::string& name);
  // Registers `source` as a new version and waits until it is READY
  // (options.registration_timeout). `source` is models:/<model_id> with that `model_id` for a
  // logged model (MLflow 3), or an artifact URI of the model directory with `model_id` empty.
  Result<ModelVersion> CreateModelVersion(const std::string& name, const std::string& source,
                                          const std::string& run_id,
                                          const std::string& model_id = "");
  Result<ModelVersion> GetModelVersion(const std::string& name, const std::string& version);
  // std::nullopt when the registered model exists but the alias is not set.
  Result<std::optional<ModelVersion>> GetVersionByAlias(const std::string& name,
                                                        const std::string& alias);
  Status SetAlias(const std::string& name, const std::string& alias, const std::string& version);
  Status DeleteAlias(const std::string& name, const std::string& alias);
  // Where the version's files are, resolved by the server (e.g. models:/m-... becomes the
  // logged model's mlflow-artifacts: location); feed it to DownloadArtifact.
  Result<std::string> GetModelVersionDownloadUri(const std::string& name,
                                                 const std::string& version);
  Status SetModelVersionTag(const std::string& name, const std::string& version,
                            const std::string& key, const std::string& value);
  Status SetRegisteredModelTag(const std::string& name, const std::string& key,
                               const std::string& value);
  Result<std::map<std::string, std::string>> GetRegisteredModelTags(const std::string& name);

 private:
  // An HTTP response from the API, with MLflow's error_code when it sent one.
  struct Reply {
    long http_status = 0;  // NOLINT(google-runtime-int)
    std::string body;
    std::string error_code;
    bool ok() const { return http_status >= 200 && http_status < 300; }
  };

  MlflowClient(MlflowOptions options, std::string base);

  // One request, retried on connection errors and 5xx. A non-OK Status only when no
  // response arrived at all.
  Result<Reply> Send(const std::string& method, const std::string& url, std::string body,
                     const std::string& content_type = "application/json");
  // An API call under /api/2.0/mlflow/; any HTTP status is returned as a Reply.
  Result<Reply> Call(const std::string& method, std::string_view endpoint, const QueryParams& query,
                     std::string body = {});
  // Like Call, but a non-2xx reply becomes the error Status; returns the body.
  Result<std::string> CallOk(const std::string& method, std::string_view endpoint,
                             const QueryParams& query, std::string body = {});
  // "MLflow <what>: HTTP <status> <error_code>: <message>".
  static Status ReplyError(std::string_view what, const Reply& reply);
  // runs:/<run_id>/<path> as an artifact URI the proxy serves.
  Result<std::string> ResolveRunsUri(std::string_view uri);
  // CallOk for the logged-models API, whose absence (MLflow 2) it names as such.
  Result<std::string> LoggedModelCall(const std::string& method, const std::string& endpoint,
                                      std::string body);
  int64_t NowMs() const;

  MlflowOptions options_;
  std::string base_;
};

}  // namespace leadscore
