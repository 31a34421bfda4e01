#include "sync/sync_state.h"

#include <nlohmann/json.hpp>

#include "common/whole_file.h"
#include "sync/iso_time.h"

namespace leadscore {
namespace {

using Json = nlohmann::ordered_json;

Json ToJson(const ObjectSyncState& state) {
  return Json{{"high_water_mark", FormatIsoMillis(state.high_water_ms)}, {"count", state.count}};
}

Result<ObjectSyncState> FromJson(const Json& json, const char* key) {
  auto bad = [&] {
    return Status::Error(std::string(key) + " needs high_water_mark (ISO 8601) and count");
  };
  if (!json.contains(key) || !json[key].is_object()) return bad();
  const Json& object = json[key];
  if (!object.contains("high_water_mark") || !object["high_water_mark"].is_string() ||
      !object.contains("count") || !object["count"].is_number_unsigned()) {
    return bad();
  }
  auto mark = ParseIsoMillis(object["high_water_mark"].get<std::string>());
  if (!mark.ok()) return mark.status().WithContext(std::string(key) + ".high_water_mark");
  return ObjectSyncState{mark.value(), object["count"].get<size_t>()};
}

}  // namespace

Result<std::optional<SyncState>> LoadSyncState(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return std::optional<SyncState>();
  const std::string hint = "; delete it (or run with --full) to pull everything again";
  auto text = ReadWholeFile(path);
  if (!text.ok()) return Status::Error("sync state: " + text.status().message() + hint);
  Json json = Json::parse(text.value(), nullptr, false);
  if (!json.is_object() || !json.contains("ga4_property") || !json["ga4_property"].is_string()) {
    return Status::Error(path.string() + ": not a sync state (JSON with ga4_property)" + hint);
  }
  SyncState state;
  state.ga4_property = json["ga4_property"].get<std::string>();
  if (json.contains("synced_at") && json["synced_at"].is_string()) {
    auto synced = ParseIsoMillis(json["synced_at"].get<std::string>());
    if (synced.ok()) state.synced_at_ms = synced.value();
  }
  auto contacts = FromJson(json, "contacts");
  auto deals = FromJson(json, "deals");
  if (!contacts.ok())
    return Status::Error(path.string() + ": " + contacts.status().message() + hint);
  if (!deals.ok()) return Status::Error(path.string() + ": " + deals.status().message() + hint);
  state.contacts = contacts.value();
  state.deals = deals.value();
  return std::optional<SyncState>(state);
}

std::string SerializeSyncState(const SyncState& state) {
  Json json{{"ga4_property", state.ga4_property},
            {"synced_at", FormatIsoMillis(state.synced_at_ms)},
            {"contacts", ToJson(state.contacts)},
            {"deals", ToJson(state.deals)}};
  return json.dump(2) + "\n";
}

}  // namespace leadscore
