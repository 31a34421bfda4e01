// MlflowClient: the model registry calls (registered models, versions, aliases, tags).
#include <algorithm>
#include <thread>

#include "tracking/mlflow_client.h"
#include "tracking/mlflow_wire.h"

namespace leadscore {
namespace {

std::map<std::string, std::string> FromWire(const std::vector<wire::KeyValue>& pairs) {
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : pairs) out[key] = value;
  return out;
}

// MLflow 3.17's server does not send a version's model_id; its source models:/<model_id>
// names the logged model all the same.
std::string ModelIdOf(const wire::ModelVersion& v) {
  constexpr std::string_view kPrefix = "models:/m-";
  if (!v.model_id.empty() || !std::string_view(v.source).starts_with(kPrefix)) return v.model_id;
  std::string_view id = std::string_view(v.source).substr(kPrefix.size() - 2);
  return std::string(id.substr(0, id.find('/')));
}

ModelVersion FromWire(const wire::ModelVersion& v) {
  return {v.name,   v.version,        v.run_id,         v.source, ModelIdOf(v),
          v.status, v.status_message, FromWire(v.tags), v.aliases};
}

}  // namespace

Status MlflowClient::EnsureRegisteredModel(const std::string& name) {
  auto reply = Call("POST", "registered-models/create", {}, wire::Dump(wire::NameRequest{name}));
  if (!reply.ok()) return reply.status();
  if (reply.value().ok() || reply.value().error_code == "RESOURCE_ALREADY_EXISTS") {
    return Status::Ok();
  }
  return ReplyError("POST registered-models/create", reply.value());
}

Result<RegisteredModel> MlflowClient::GetRegisteredModel(const std::string& name) {
  auto body = CallOk("GET", "registered-models/get", {{"name", name}});
  if (!body.ok()) return body.status();
  auto response = wire::Parse<wire::RegisteredModelResponse>("registered-models/get", body.value());
  if (!response.ok()) return response.status();
  const wire::RegisteredModel& model = response.value().registered_model;
  RegisteredModel out{model.name, FromWire(model.tags), {}};
  for (const wire::Alias& alias : model.aliases) out.aliases[alias.alias] = alias.version;
  return out;
}

Result<ModelVersion> MlflowClient::CreateModelVersion(const std::string& name,
                                                      const std::string& source,
                                                      const std::string& run_id,
                                                      const std::string& model_id) {
  auto body = CallOk("POST", "model-versions/create", {},
                     wire::Dump(wire::CreateModelVersionRequest{name, source, run_id, model_id}));
  if (!body.ok()) return body.status();
  auto created = wire::Parse<wire::ModelVersionResponse>("model-versions/create", body.value());
  if (!created.ok()) return created.status();
  ModelVersion version = FromWire(created.value().model_version);

  // Registration may finish asynchronously (e.g. when the server copies files).
  auto deadline = std::chrono::steady_clock::now() + options_.registration_timeout;
  std::chrono::milliseconds poll{100};
  while (version.status == "PENDING_REGISTRATION") {
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::Error("MLflow model '" + name + "' version " + version.version +
                           " is still PENDING_REGISTRATION after " +
                           std::to_string(options_.registration_timeout.count()) +
                           " ms: check the tracking server's log");
    }
    std::this_thread::sleep_for(poll);
    poll = std::min(poll * 2, std::chrono::milliseconds(2000));
    auto current = GetModelVersion(name, version.version);
    if (!current.ok()) return current.status();
    version = std::move(current).value();
  }
  if (version.status != "READY") {
    return Status::Error("MLflow model '" + name + "' version " + version.version + " is " +
                         version.status + ": " + version.status_message);
  }
  return version;
}

Result<ModelVersion> MlflowClient::GetModelVersion(const std::string& name,
                                                   const std::string& version) {
  auto body = CallOk("GET", "model-versions/get", {{"name", name}, {"version", version}});
  if (!body.ok()) return body.status();
  auto response = wire::Parse<wire::ModelVersionResponse>("model-versions/get", body.value());
  if (!response.ok()) return response.status();
  return FromWire(response.value().model_version);
}

// Reads the alias from the registered model rather than from GET registered-models/alias:
// that endpoint answers a missing alias with INVALID_PARAMETER_VALUE, which would also
// cover real mistakes, while the model's alias list is unambiguous.
Result<std::optional<ModelVersion>> MlflowClient::GetVersionByAlias(const std::string& name,
                                                                    const std::string& alias) {
  auto model = GetRegisteredModel(name);
  if (!model.ok()) return model.status();
  auto found = model.value().aliases.find(alias);
  if (found == model.value().aliases.end()) return std::optional<ModelVersion>();
  auto version = GetModelVersion(name, found->second);
  if (!version.ok()) return version.status();
  return std::optional<ModelVersion>(std::move(version).value());
}

Status MlflowClient::SetAlias(const std::string& name, const std::string& alias,
                              const std::string& version) {
  return CallOk("POST", "registered-models/alias", {},
                wire::Dump(wire::SetAliasRequest{name, alias, version}))
      .status();
}

Status MlflowClient::DeleteAlias(const std::string& name, const std::string& alias) {
  // DELETE carries its fields in a JSON body, like every non-GET MLflow call.
  return CallOk("DELETE", "registered-models/alias", {},
                wire::Dump(wire::DeleteAliasRequest{name, alias}))
      .status();
}

Result<std::string> MlflowClient::GetModelVersionDownloadUri(const std::string& name,
                                                             const std::string& version) {
  constexpr std::string_view kEndpoint = "model-versions/get-download-uri";
  auto body = CallOk("GET", kEndpoint, {{"name", name}, {"version", version}});
  if (!body.ok()) return body.status();
  auto response = wire::Parse<wire::DownloadUriResponse>(kEndpoint, body.value());
  if (!response.ok()) return response.status();
  return response.value().artifact_uri;
}

Status MlflowClient::SetModelVersionTag(const std::string& name, const std::string& version,
                                        const std::string& key, const std::string& value) {
  return CallOk("POST", "model-versions/set-tag", {},
                wire::Dump(wire::SetModelVersionTagRequest{name, version, key, value}))
      .status();
}

Status MlflowClient::SetRegisteredModelTag(const std::string& name, const std::string& key,
                                           const std::string& value) {
  return CallOk("POST", "registered-models/set-tag", {},
                wire::Dump(wire::SetRegisteredModelTagRequest{name, key, value}))
      .status();
}

Result<std::map<std::string, std::string>> MlflowClient::GetRegisteredModelTags(
    const std::string& name) {
  auto model = GetRegisteredModel(name);
  if (!model.ok()) return model.status();
  return std::move(model.value().tags);
}

}  // namespace leadscore
