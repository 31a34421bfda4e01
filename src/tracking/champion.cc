#include "tracking/champion.h"

#include <nlohmann/json.hpp>

#include "common/atomic_files.h"
#include "model/lead_model.h"
#include "model/xgboost_adapter.h"

namespace leadscore {
namespace {

constexpr std::string_view kModelFileName = "model.json";  // mlflow.xgboost, JSON format

// Everything a move needs, gathered (and the new model file prepared) before the registry
// is touched.
struct Move {
  std::string model_name;
  std::optional<std::string> current;  // champion before the move
  std::string target;                  // champion after it
  std::vector<std::string> old_history;
  std::vector<std::string> new_history;
  std::string model_uri;
  std::string model_bytes;  // with model_version = target
};

struct RegistryState {
  std::optional<std::string> champion;
  std::vector<std::string> history;
};

Result<RegistryState> ReadRegistryState(MlflowClient& client, const std::string& model_name) {
  auto model = client.GetRegisteredModel(model_name);
  if (!model.ok()) return model.status();
  RegistryState state;
  auto alias = model.value().aliases.find(std::string(kChampionAlias));
  if (alias != model.value().aliases.end()) state.champion = alias->second;
  auto tag = model.value().tags.find(std::string(kChampionHistoryTag));
  if (tag != model.value().tags.end()) {
    auto history = DecodeChampionHistory(tag->second);
    if (!history.ok()) return history.status();
    state.history = std::move(history).value();
  }
  return state;
}

// Downloads the version's model.json stamped with the version (FetchRegisteredModelFile).
Status FetchModel(MlflowClient& client, Move& move) {
  auto file = FetchRegisteredModelFile(client, move.model_name, move.target);
  if (!file.ok()) return file.status();
  move.model_uri = std::move(file.value().artifact_uri);
  move.model_bytes = std::move(file.value().model_json);
  return Status::Ok();
}

// Puts alias and history back as they were before `move`; used when a later step failed.
Status Undo(MlflowClient& client, const Move& move, bool alias_moved, bool history_changed) {
  Status status;
  if (alias_moved) {
    status = move.current
                 ? client.SetAlias(move.model_name, std::string(kChampionAlias), *move.current)
                 : client.DeleteAlias(move.model_name, std::string(kChampionAlias));
  }
  if (history_changed && status.ok()) {
    status = client.SetRegisteredModelTag(move.model_name, std::string(kChampionHistoryTag),
                                          EncodeChampionHistory(move.old_history));
  }
  return status;
}

Status WithUndo(const Status& failure, MlflowClient& client, const Move& move, bool alias_moved,
                bool history_changed) {
  Status undo = Undo(client, move, alias_moved, history_changed);
  if (undo.ok()) return failure.WithContext("nothing was changed");
  return Status::Error(failure.message() + "; restoring the registry also failed (" +
                       undo.message() + "): check alias '" + std::string(kChampionAlias) +
                       "' and tag '" + std::string(kChampionHistoryTag) + "' of '" +
                       move.model_name + "'");
}

Result<ChampionChange> Apply(MlflowClient& client, const Move& move,
                             const std::filesystem::path& model_out) {
  std::filesystem::path dir = model_out.parent_path().empty() ? "." : model_out.parent_path();
  LEADSCORE_RETURN_IF_ERROR(EnsureWritableDirectory(dir));
  AtomicFileSet files;
  auto file = files.Open(model_out);
  if (!file.ok()) return file.status();
  file.value()->Append(move.model_bytes);

  const bool history_changed = move.new_history != move.old_history;
  const bool alias_moves = move.current != move.target;
  if (history_changed) {
    LEADSCORE_RETURN_IF_ERROR(
        client.SetRegisteredModelTag(move.model_name, std::string(kChampionHistoryTag),
                                     EncodeChampionHistory(move.new_history)));
  }
  if (alias_moves) {
    Status moved = client.SetAlias(move.model_name, std::string(kChampionAlias), move.target);
    if (!moved.ok()) return WithUndo(moved, client, move, false, history_changed);
  }
  Status committed = files.Commit();
  if (!committed.ok()) return WithUndo(committed, client, move, alias_moves, history_changed);
  return ChampionChange{move.current, move.target, model_out, move.model_uri};
}

}  // namespace

Result<RegisteredModelFile> FetchRegisteredModelFile(MlflowClient& client,
                                                     const std::string& model_name,
                                                     const std::string& version) {
  auto info = client.GetModelVersion(model_name, version);
  if (!info.ok()) return info.status();
  if (info.value().status != "READY") {
    return Status::Error("version " + version + " of '" + model_name + "' is " +
                         info.value().status + ", not READY; wait for it or pick another");
  }
  auto dir = client.GetModelVersionDownloadUri(model_name, version);
  if (!dir.ok()) return dir.status();
  RegisteredModelFile file;
  file.version = version;
  file.artifact_uri = JoinArtifactPath(dir.value(), kModelFileName);
  auto bytes = client.DownloadArtifact(file.artifact_uri);
  if (!bytes.ok()) {
    return bytes.status().WithContext(
        "version " + version + " has no readable " + std::string(kModelFileName) +
        " (leadscore installs models logged in MLflow's xgboost flavor in JSON format)");
  }
  auto stamped = WithModelVersion(bytes.value(), version);
  if (!stamped.ok()) return stamped.status().WithContext(file.artifact_uri);
  file.model_json = std::move(stamped).value();
  return file;
}

Result<ChampionChange> PromoteChampion(MlflowClient& client, const std::string& model_name,
                                       const std::string& version,
                                       const std::filesystem::path& model_out) {
  const std::string context = "promoting version " + version + " of '" + model_name + "'";
  auto state = ReadRegistryState(client, model_name);
  if (!state.ok()) return state.status().WithContext(context);

  Move move{model_name, state.value().champion, version, state.value().history, {}, {}, {}};
  move.new_history = move.old_history;
  if (move.current && *move.current != version) {
    move.new_history.push_back(*move.current);
    if (move.new_history.size() > kMaxChampionHistory) {
      move.new_history.erase(move.new_history.begin());
    }
  }
  Status fetched = FetchModel(client, move);
  if (!fetched.ok()) return fetched.WithContext(context);
  auto change = Apply(client, move, model_out);
  if (!change.ok()) return change.status().WithContext(context);
  return change;
}

Result<ChampionChange> RollbackChampion(MlflowClient& client, const std::string& model_name,
                                        const std::filesystem::path& model_out) {
  const std::string context = "rolling back the champion of '" + model_name + "'";
  auto state = ReadRegistryState(client, model_name);
  if (!state.ok()) return state.status().WithContext(context);

  std::vector<std::string> history = state.value().history;
  const std::optional<std::string>& current = state.value().champion;
  while (!history.empty() && history.back() == current) history.pop_back();
  if (history.empty()) {
    return Status::Error(context + ": there is no previous champion to go back to (tag '" +
                         std::string(kChampionHistoryTag) + "' is empty" +
                         (current ? "; the champion is version " + *current : std::string()) +
                         "); choose a version with `leadscore promote VERSION`");
  }
  Move move{model_name, current, history.back(), state.value().history, {}, {}, {}};
  history.pop_back();
  move.new_history = std::move(history);

  Status fetched = FetchModel(client, move);
  if (!fetched.ok()) return fetched.WithContext(context + " to version " + move.target);
  auto change = Apply(client, move, model_out);
  if (!change.ok()) return change.status().WithContext(context);
  return change;
}

std::string EncodeChampionHistory(const std::vector<std::string>& versions) {
  return nlohmann::json(versions).dump();
}

Result<std::vector<std::string>> DecodeChampionHistory(std::string_view tag_value) {
  if (tag_value.empty()) return std::vector<std::string>();
  nlohmann::json json = nlohmann::json::parse(tag_value, nullptr, /*allow_exceptions=*/false);
  bool valid = !json.is_discarded() && json.is_array();
  if (valid) {
    for (const nlohmann::json& item : json) valid = valid && item.is_string();
  }
  if (!valid) {
    return Status::Error("registered-model tag '" + std::string(kChampionHistoryTag) +
                         "' is not a JSON list of versions: " + std::string(tag_value) +
                         "; fix or delete it in the MLflow UI");
  }
  return json.get<std::vector<std::string>>();
}

}  // namespace leadscore
