// Internal to tracking/*.cc (never include it from a public header): MLflow's REST messages
// as typed structs, in the JSON form of MLflow's protobufs. Responses omit fields that hold
// their default value, hence the _WITH_DEFAULT variants for everything the server sends.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace leadscore::wire {

struct KeyValue {  // RunTag, Param, RegisteredModelTag, ModelVersionTag
  std::string key;
  std::string value;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(KeyValue, key, value)

struct Metric {
  std::string key;
  double value = 0.0;
  int64_t timestamp = 0;
  int64_t step = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Metric, key, value, timestamp, step)

struct Error {
  std::string error_code;
  std::string message;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Error, error_code, message)

// --- experiments
struct CreateExperimentRequest {
  std::string name;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CreateExperimentRequest, name)

struct CreateExperimentResponse {
  std::string experiment_id;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CreateExperimentResponse, experiment_id)

struct Experiment {
  std::string experiment_id;
  std::string name;
  std::string artifact_location;
  std::string lifecycle_stage;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Experiment, experiment_id, name, artifact_location,
                                                lifecycle_stage)

struct GetExperimentResponse {
  Experiment experiment;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(GetExperimentResponse, experiment)

// --- runs
struct CreateRunRequest {
  std::string experiment_id;
  std::string run_name;
  int64_t start_time = 0;
  std::vector<KeyValue> tags;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CreateRunRequest, experiment_id, run_name, start_time, tags)

struct RunInfo {
  std::string run_id;
  std::string experiment_id;
  std::string run_name;
  std::string artifact_uri;
  std::string status;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RunInfo, run_id, experiment_id, run_name,
                                                artifact_uri, status)

struct Run {
  RunInfo info;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Run, info)

struct RunResponse {  // runs/create and runs/get
  Run run;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RunResponse, run)

struct LogBatchRequest {
  std::string run_id;
  std::vector<Metric> metrics;
  std::vector<KeyValue> params;
  std::vector<KeyValue> tags;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(LogBatchRequest, run_id, metrics, params, tags)

struct UpdateRunRequest {
  std::string run_id;
  std::string status;  // FINISHED or FAILED
  int64_t end_time = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(UpdateRunRequest, run_id, status, end_time)

// --- MLflow 3 logged models (models:/m-... sources)
struct LoggedModelInfo {
  std::string model_id;
  std::string artifact_uri;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LoggedModelInfo, model_id, artifact_uri)

struct LoggedModel {
  LoggedModelInfo info;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LoggedModel, info)

struct GetLoggedModelResponse {
  LoggedModel model;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(GetLoggedModelResponse, model)

// --- registry
struct NameRequest {  // registered-models/create
  std::string name;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(NameRequest, name)

struct Alias {
  std::string alias;
  std::string version;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Alias, alias, version)

struct RegisteredModel {
  std::string name;
  std::vector<KeyValue> tags;
  std::vector<Alias> aliases;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RegisteredModel, name, tags, aliases)

struct RegisteredModelResponse {
  RegisteredModel registered_model;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RegisteredModelResponse, registered_model)

struct CreateModelVersionRequest {
  std::string name;
  std::string source;
  std::string run_id;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CreateModelVersionRequest, name, source, run_id)

struct ModelVersion {
  std::string name;
  std::string version;
  std::string source;
  std::string run_id;
  std::string status;
  std::string status_message;
  std::vector<KeyValue> tags;
  std::vector<std::string> aliases;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ModelVersion, name, version, source, run_id, status,
                                                status_message, tags, aliases)

struct ModelVersionResponse {
  ModelVersion model_version;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ModelVersionResponse, model_version)

struct SetAliasRequest {
  std::string name;
  std::string alias;
  std::string version;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SetAliasRequest, name, alias, version)

struct DeleteAliasRequest {
  std::string name;
  std::string alias;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(DeleteAliasRequest, name, alias)

struct SetModelVersionTagRequest {
  std::string name;
  std::string version;
  std::string key;
  std::string value;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SetModelVersionTagRequest, name, version, key, value)

struct SetRegisteredModelTagRequest {
  std::string name;
  std::string key;
  std::string value;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SetRegisteredModelTagRequest, name, key, value)

struct DownloadUriResponse {
  std::string artifact_uri;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DownloadUriResponse, artifact_uri)

// Parses a response body into T. The JSON library reports type mismatches by exception;
// this is the one place they are caught, and they become a Status naming `what`.
template <typename T>
Result<T> Parse(std::string_view what, std::string_view body) {
  nlohmann::json json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) {
    return Status::Error("MLflow " + std::string(what) +
                         ": the response is not JSON: " + std::string(body.substr(0, 200)));
  }
  try {
    return json.get<T>();
  } catch (const nlohmann::json::exception& e) {
    return Status::Error("MLflow " + std::string(what) +
                         ": unexpected response shape: " + e.what());
  }
}

// Invalid UTF-8 (say, from a tag value) is replaced rather than thrown about.
template <typename T>
std::string Dump(const T& message) {
  return nlohmann::json(message).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace leadscore::wire
