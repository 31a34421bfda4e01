#include "tracking/mlflow_uri.h"

#include <array>
#include <string>

namespace leadscore {
namespace {

constexpr std::string_view kApiPrefix = "/api/2.0/mlflow/";
constexpr std::string_view kArtifactProxyPrefix = "/api/2.0/mlflow-artifacts/artifacts/";
constexpr std::string_view kProxyScheme = "mlflow-artifacts:";
constexpr std::string_view kModelTrainingView = "?workflowType=machine_learning";

// <tracking_uri>/#/experiments/<experiment_id>/<kind>/<id>?workflowType=machine_learning
std::string UiUrl(std::string_view tracking_uri, std::string_view experiment_id,
                  std::string_view kind, std::string_view id) {
  std::string url(tracking_uri);
  for (std::string_view part : {std::string_view("/#/experiments/"), experiment_id,
                                std::string_view("/"), kind, std::string_view("/")}) {
    url += part;
  }
  url += PercentEncode(id);
  url += kModelTrainingView;
  return url;
}

bool IsUnreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::string_view TrimSlashes(std::string_view text) {
  while (!text.empty() && text.front() == '/') text.remove_prefix(1);
  while (!text.empty() && text.back() == '/') text.remove_suffix(1);
  return text;
}

}  // namespace

std::string PercentEncode(std::string_view text, bool keep_slashes) {
  static constexpr std::array<char, 16> kHex = {'0', '1', '2', '3', '4', '5', '6', '7',
                                                '8', '9', 'A', 'B', 'C', 'D', 'E', 'F'};
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (IsUnreserved(c) || (keep_slashes && c == '/')) {
      out += c;
    } else {
      auto byte = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
  }
  return out;
}

Result<std::string> NormalizeTrackingUri(std::string_view uri) {
  std::string_view rest = uri;
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  bool http = StartsWith(rest, "http://") || StartsWith(rest, "https://");
  bool has_host = http && rest.size() > rest.find("://") + 3;
  if (!has_host) {
    return Status::Error("tracking URI '" + std::string(uri) +
                         "' is not an http(s) URL of an MLflow server (e.g. "
                         "http://127.0.0.1:5001); leadscore talks to MLflow over its REST API");
  }
  return std::string(rest);
}

std::string ApiUrl(std::string_view tracking_uri, std::string_view endpoint,
                   const QueryParams& query) {
  std::string url(tracking_uri);
  url += kApiPrefix;
  url += TrimSlashes(endpoint);
  char separator = '?';
  for (const auto& [key, value] : query) {
    url += separator;
    url += PercentEncode(key);
    url += '=';
    url += PercentEncode(value);
    separator = '&';
  }
  return url;
}

std::string JoinArtifactPath(std::string_view base, std::string_view relative) {
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  relative = TrimSlashes(relative);
  if (relative.empty()) return std::string(base);
  std::string joined(base);
  joined += '/';
  joined += relative;
  return joined;
}

Result<std::string> ArtifactProxyUrl(std::string_view tracking_uri, std::string_view artifact_uri) {
  if (StartsWith(artifact_uri, "http://") || StartsWith(artifact_uri, "https://")) {
    if (artifact_uri.find(kArtifactProxyPrefix) != std::string_view::npos) {
      return std::string(artifact_uri);
    }
  } else if (StartsWith(artifact_uri, kProxyScheme)) {
    std::string_view rest = artifact_uri.substr(kProxyScheme.size());
    std::string server(tracking_uri);
    if (StartsWith(rest, "//")) {  // mlflow-artifacts://authority/path (empty authority: here)
      rest.remove_prefix(2);
      size_t slash = rest.find('/');
      std::string_view authority = rest.substr(0, slash);
      rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
      if (!authority.empty()) {
        server = std::string(tracking_uri.substr(0, tracking_uri.find("://") + 3));
        server += authority;
      }
    }
    std::string url = server;
    url += kArtifactProxyPrefix;
    url += PercentEncode(TrimSlashes(rest), /*keep_slashes=*/true);
    return url;
  }
  return Status::Error(
      "artifact location '" + std::string(artifact_uri) +
      "' is not served by the tracking server's artifact proxy, the only way leadscore reads "
      "and writes artifacts: run the server with served artifacts (scripts/run_mlflow_server.sh "
      "does) and use an experiment that server created");
}

std::string UiRunUrl(std::string_view tracking_uri, std::string_view experiment_id,
                     std::string_view run_id) {
  return UiUrl(tracking_uri, PercentEncode(experiment_id), "runs", run_id);
}

std::string UiLoggedModelUrl(std::string_view tracking_uri, std::string_view experiment_id,
                             std::string_view model_id) {
  return UiUrl(tracking_uri, PercentEncode(experiment_id), "models", model_id);
}

Result<RegisteredModelUri> ParseRegisteredModelUri(std::string_view uri) {
  const auto fail = [&] {
    return Status::Error("model URI '" + std::string(uri) +
                         "' is not models:/<name>@<alias> or models:/<name>/<version>, e.g. "
                         "models:/lead-scoring@champion");
  };
  constexpr std::string_view kScheme = "models:/";
  if (!uri.starts_with(kScheme)) return fail();
  std::string_view rest = uri.substr(kScheme.size());
  RegisteredModelUri parsed;
  if (const size_t at = rest.find('@'); at != std::string_view::npos) {
    parsed.name = rest.substr(0, at);
    parsed.alias = rest.substr(at + 1);
    if (parsed.alias.empty() || parsed.alias.find('/') != std::string::npos) return fail();
  } else if (const size_t slash = rest.rfind('/'); slash != std::string_view::npos) {
    parsed.name = rest.substr(0, slash);
    parsed.version = rest.substr(slash + 1);
    if (parsed.version.empty() ||
        parsed.version.find_first_not_of("0123456789") != std::string::npos) {
      return fail();
    }
  } else {
    return fail();
  }
  if (parsed.name.empty() || parsed.name.find('/') != std::string::npos) return fail();
  return parsed;
}

}  // namespace leadscore
