// The champion: the registered version that serves. Registry alias "champion" names it, and
// the model file (ml/lead_scoring_model.json) holds its booster with the booster attribute
// `model_version` set to its registry version.
//
// Champion history: every move of the alias records the version it leaves in the registered
// model's tag "leadscore.champion_history", a JSON list of versions, oldest first (at most
// kMaxChampionHistory). Rollback takes the newest entry back off. A tag rather than a second
// alias, so that a rollback after a rollback keeps going back.
//
// Every move is all-or-nothing as far as one process can make it: the version is checked and
// its model file downloaded, rewritten and staged before the registry changes; the file is
// renamed into place only after alias and history are updated; a failure in between puts
// alias and history back (and says so if even that fails).
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "tracking/mlflow_client.h"

namespace leadscore {

inline constexpr std::string_view kChampionAlias = "champion";
inline constexpr std::string_view kChampionHistoryTag = "leadscore.champion_history";
inline constexpr size_t kMaxChampionHistory = 50;

struct ChampionChange {
  std::optional<std::string> from;  // the champion before; none when there was none
  std::string to;                   // the champion now
  std::filesystem::path model_file;
  std::string model_uri;  // where the installed model file came from
};

struct RegisteredModelFile {
  std::string version;
  std::string artifact_uri;  // where model.json was downloaded from
  std::string model_json;    // XGBoost JSON with booster attribute model_version = version
};

// Downloads model.json of registered `version` (which must be READY) and stamps it with the
// version. Changes nothing in the registry.
Result<RegisteredModelFile> FetchRegisteredModelFile(MlflowClient& client,
                                                     const std::string& model_name,
                                                     const std::string& version);

// Makes registered `version` of `model_name` the champion and installs its model file at
// `model_out`. The version must exist and be READY, and its artifacts must hold model.json.
// Promoting the current champion again only reinstalls its file.
Result<ChampionChange> PromoteChampion(MlflowClient& client, const std::string& model_name,
                                       const std::string& version,
                                       const std::filesystem::path& model_out);

// Makes the newest previous champion the champion again and installs its file. Fails,
// changing nothing, when the history is empty.
Result<ChampionChange> RollbackChampion(MlflowClient& client, const std::string& model_name,
                                        const std::filesystem::path& model_out);

// The history as stored in the tag, and back. An absent tag is an empty history; a tag that
// is not a JSON list of strings is an error naming the tag.
std::string EncodeChampionHistory(const std::vector<std::string>& versions);
Result<std::vector<std::string>> DecodeChampionHistory(std::string_view tag_value);

}  // namespace leadscore
