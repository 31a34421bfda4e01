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
  std::string model_id;  // MLflow 3; the three are sent only when set
  std::string dataset_name;
  std::string dataset_digest;
};
inline void to_json(nlohmann::json& json, const Metric& m) {
  json = {{"key", m.key}, {"value", m.value}, {"timestamp", m.timestamp}, {"step", m.step}};
  if (!m.model_id.empty()) json["model_id"] = m.model_id;
  if (!m.dataset_name.empty()) json["dataset_name"] = m.dataset_name;
  if (!m.dataset_digest.empty()) json["dataset_digest"] = m.dataset_digest;
}
inline void from_json(const nlohmann::json& json, Metric& m) {
  m.key = json.value("key", "");
  m.value = json.value("value", 0.0);
  m.timestamp = json.value("timestamp", int64_t{0});
  m.step = json.value("step", int64_t{0});
  m.model_id = json.value("model_id", "");
  m.dataset_name = json.value("dataset_name", "");
  m.dataset_digest = json.value("dataset_digest", "");
}

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
  std::vector<KeyValue> tags;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Experiment, experiment_id, name, artifact_location,
                                                lifecycle_stage, tags)

struct GetExperimentResponse {
  Experiment experiment;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(GetExperimentResponse, experiment)

struct SetExperimentTagRequest {
  std::string experiment_id;
  std::string key;
  std::string value;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SetExperimentTagRequest, experiment_id, key, value)

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

struct ModelOutput {
  std::string model_id;
  int64_t step = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ModelOutput, model_id, step)

struct RunOutputs {
  std::vector<ModelOutput> model_outputs;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RunOutputs, model_outputs)

struct Run {
  RunInfo info;
  RunOutputs outputs;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Run, info, outputs)

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

// --- run inputs and outputs
struct Dataset {
  std::string name;
  std::string digest;
  std::string source_type;
  std::string source;
  std::string schema;
  std::string profile;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Dataset, name, digest, source_type, source, schema, profile)

struct DatasetInput {
  std::vector<KeyValue> tags;  // InputTag
  Dataset dataset;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(DatasetInput, tags, dataset)

struct LogInputsRequest {
  std::string run_id;
  std::vector<DatasetInput> datasets;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(LogInputsRequest, run_id, datasets)

struct LogOutputsRequest {
  std::string run_id;
  std::vector<ModelOutput> models;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(LogOutputsRequest, run_id, models)

// --- MLflow 3 logged models (models:/m-... sources)
struct CreateLoggedModelRequest {
  std::string experiment_id;
  std::string name;
  std::string source_run_id;  // sent only when set
  std::vector<KeyValue> params;
  std::vector<KeyValue> tags;
};
inline void to_json(nlohmann::json& json, const CreateLoggedModelRequest& r) {
  json = {
      {"experiment_id", r.experiment_id}, {"name", r.name}, {"params", r.params}, {"tags", r.tags}};
  if (!r.source_run_id.empty()) json["source_run_id"] = r.source_run_id;
}

struct LogLoggedModelParamsRequest {
  std::string model_id;
  std::vector<KeyValue> params;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(LogLoggedModelParamsRequest, model_id, params)

struct FinalizeLoggedModelRequest {
  std::string model_id;
  std::string status;  // the LoggedModelStatus enum by name, as protobuf's JSON allows
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(FinalizeLoggedModelRequest, model_id, status)

struct LoggedModelInfo {
  std::string model_id;
  std::string experiment_id;
  std::string name;
  std::string artifact_uri;
  std::string status;
  std::string source_run_id;
  std::vector<KeyValue> tags;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LoggedModelInfo, model_id, experiment_id, name,
                                                artifact_uri, status, source_run_id, tags)

struct LoggedModel {
  LoggedModelInfo info;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LoggedModel, info)

struct LoggedModelResponse {  // logged-models create, get and finalize
  LoggedModel model;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LoggedModelResponse, model)

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
  std::string model_id;  // sent only when set
};
inline void to_json(nlohmann::json& json, const CreateModelVersionRequest& r) {
  json = {{"name", r.name}, {"source", r.source}, {"run_id", r.run_id}};
  if (!r.model_id.empty()) json["model_id"] = r.model_id;
}

struct ModelVersion {
  std::string name;
  std::string version;
  std::string source;
  std::string run_id;
  std::string model_id;
  std::string status;
  std::string status_message;
  std::vector<KeyValue> tags;
  std::vector<std::string> aliases;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ModelVersion, name, version, source, run_id,
                                                model_id, status, status_message, tags, aliases)

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
