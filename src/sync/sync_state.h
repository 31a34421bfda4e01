// hubspot/.sync-state.json: what the last successful sync reached, so the next one asks only
// for objects modified since. Written with the object files, all or nothing.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "common/status.h"

namespace leadscore {

struct ObjectSyncState {
  int64_t high_water_ms = 0;  // newest last-modified time among the objects pulled so far
  size_t count = 0;           // objects in the file after the sync
};

struct SyncState {
  std::string ga4_property;  // the contact property pulled as the GA4 client id
  int64_t synced_at_ms = 0;  // wall-clock time of the sync (for people; not used to filter)
  ObjectSyncState contacts;
  ObjectSyncState deals;
};

// std::nullopt when the file does not exist; an error naming the file when it is unreadable.
Result<std::optional<SyncState>> LoadSyncState(const std::filesystem::path& path);

// The file's content, pretty-printed JSON with a final newline.
std::string SerializeSyncState(const SyncState& state);

}  // namespace leadscore
