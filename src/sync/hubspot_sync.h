// `leadscore sync hubspot`: pulls a HubSpot portal's contacts and deals into
// DIR/hubspot/{contacts,deals}.jsonl (docs/sources.md). The first run, or --full, lists every
// object; later runs search for objects modified since the last run's high-water mark (minus
// an overlap), read the changed deals' contact associations, drop archived objects, and merge
// by id. Output is all or nothing: the two files and hubspot/.sync-state.json are renamed into
// place together only after both object types synced completely, so a failure leaves the
// previous files and state as they were.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "common/status.h"
#include "sync/crm_reader.h"
#include "sync/hubspot_client.h"
#include "sync/jsonl_store.h"

namespace leadscore {

struct HubSpotSyncOptions {
  std::filesystem::path out_dir = "data/raw";  // files go to out_dir/hubspot/
  bool full = false;                           // list everything even when a state exists
  std::string contact_ga4_property = "ga_client_id";
  // Incremental runs search from the high-water mark minus this, for objects HubSpot's search
  // index had not caught up with (it lags writes by seconds).
  std::chrono::milliseconds overlap{std::chrono::minutes(5)};
  HubSpotClientOptions client;
  CrmReadOptions read;
  // Wall-clock milliseconds since the epoch for the state's synced_at. Null: system clock.
  std::function<int64_t()> wall_clock_ms;
};

struct ObjectSyncSummary {
  size_t fetched = 0;  // objects HubSpot returned
  MergeCounts merge;
  size_t total = 0;  // objects in the file now
};

struct HubSpotSyncSummary {
  bool incremental = false;
  std::string full_reason;  // why a full pull ran ("first sync", "--full", ...)
  int64_t since_ms = 0;     // incremental: contacts' search start
  ObjectSyncSummary contacts;
  ObjectSyncSummary deals;
  HubSpotCallStats calls;
  std::chrono::milliseconds elapsed{0};
  std::filesystem::path folder;  // out_dir/hubspot
};

Result<HubSpotSyncSummary> SyncHubSpot(const HubSpotSyncOptions& options);

}  // namespace leadscore
