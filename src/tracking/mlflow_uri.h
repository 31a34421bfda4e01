// URLs of MLflow's REST API: endpoints under /api/2.0/mlflow/ and the artifact proxy under
// /api/2.0/mlflow-artifacts/artifacts/; and links into its web UI. Pure functions, so they are
// tested without a server.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace leadscore {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Percent-encodes every byte except RFC 3986 unreserved characters (and '/', when
// `keep_slashes`, for artifact paths).
std::string PercentEncode(std::string_view text, bool keep_slashes = false);

// "http://host:port" without a trailing slash. Fails, saying what is accepted, for anything
// but an http(s) URI: leadscore talks to MLflow only through its REST API.
Result<std::string> NormalizeTrackingUri(std::string_view uri);

// `tracking_uri`/api/2.0/mlflow/`endpoint`?k=v&... (values percent-encoded).
std::string ApiUrl(std::string_view tracking_uri, std::string_view endpoint,
                   const QueryParams& query = {});

// `base`/`relative` with exactly one slash between them.
std::string JoinArtifactPath(std::string_view base, std::string_view relative);

// The artifact-proxy URL of an artifact URI that the server serves: "mlflow-artifacts:/p"
// (this server), "mlflow-artifacts://host:port/p" (that server, same scheme), or an
// http(s) URL already under /api/2.0/mlflow-artifacts/artifacts/. Anything else (file:,
// s3:, ...) fails with what to do: leadscore moves artifacts only through the proxy.
Result<std::string> ArtifactProxyUrl(std::string_view tracking_uri, std::string_view artifact_uri);

// Links to a run and to a logged model in MLflow's web UI, opened in its model-training view:
// MLflow 3.17's UI chooses between GenAI and model training with a sidebar switch it remembers
// per browser (GenAI by default) unless the link says workflowType=machine_learning.
// `tracking_uri` as NormalizeTrackingUri returns it.
std::string UiRunUrl(std::string_view tracking_uri, std::string_view experiment_id,
                     std::string_view run_id);
std::string UiLoggedModelUrl(std::string_view tracking_uri, std::string_view experiment_id,
                             std::string_view model_id);

// A registered model reference: "models:/<name>@<alias>" or "models:/<name>/<version>".
struct RegisteredModelUri {
  std::string name;
  std::string alias;    // set for models:/name@alias
  std::string version;  // set for models:/name/version
};
// Parses the two forms above (MLflow's own syntax); anything else fails saying what is
// accepted.
Result<RegisteredModelUri> ParseRegisteredModelUri(std::string_view uri);

}  // namespace leadscore
