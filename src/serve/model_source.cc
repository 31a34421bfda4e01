#include "serve/model_source.h"

#include "tracking/champion.h"
#include "tracking/mlflow_client.h"
#include "tracking/mlflow_uri.h"

namespace leadscore::serve {
namespace {

Result<std::shared_ptr<const LeadModel>> LoadRegistered(const ModelSource& source) {
  auto uri = ParseRegisteredModelUri(source.model_uri);
  if (!uri.ok()) return uri.status();
  MlflowOptions options;
  options.tracking_uri = source.tracking_uri;
  options.unreachable_hint = "start it with scripts/run_mlflow_server.sh or serve a --model file";
  auto client = MlflowClient::Connect(options);
  if (!client.ok()) return client.status();
  std::string version = uri.value().version;
  if (version.empty()) {
    auto aliased = client.value().GetVersionByAlias(uri.value().name, uri.value().alias);
    if (!aliased.ok()) return aliased.status();
    if (!aliased.value()) {
      return Status::Error("registered model '" + uri.value().name + "' has no alias '" +
                           uri.value().alias +
                           "'; train a model that passes the gate or run "
                           "leadscore promote");
    }
    version = aliased.value()->version;
  }
  auto file = FetchRegisteredModelFile(client.value(), uri.value().name, version);
  if (!file.ok()) return file.status();
  auto model = LeadModel::FromJson(file.value().model_json);
  if (!model.ok()) return model.status().WithContext(file.value().artifact_uri);
  return model;
}

}  // namespace

std::string ModelSource::Describe() const {
  return model_uri.empty() ? file.string() : model_uri + " at " + tracking_uri;
}

Result<std::shared_ptr<const LeadModel>> LoadModel(const ModelSource& source) {
  auto model = source.model_uri.empty() ? LeadModel::LoadFile(source.file) : LoadRegistered(source);
  if (!model.ok()) return model.status().WithContext("cannot load model " + source.Describe());
  return model;
}

}  // namespace leadscore::serve
