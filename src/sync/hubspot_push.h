// `leadscore push hubspot`: writes an outbox of contact property changes (sync/push_outbox.h)
// to HubSpot through CRM v3 `POST /crm/v3/objects/contacts/batch/update` (contacts keyed by
// record id; batch/upsert would need a unique idProperty and could create contacts), one
// batch of up to 100 contacts per call, through HubSpotClient (rate limit, 429 Retry-After,
// 5xx backoff). Batches already in the journal are skipped; each batch HubSpot acknowledges
// is journaled (fsync) before the next is sent, so a rerun after a failure or a crash sends
// only the batches that were not acknowledged. An empty outbox sends nothing.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>

#include "common/status.h"
#include "sync/hubspot_client.h"

namespace leadscore {

inline constexpr size_t kHubSpotBatchLimit = 100;  // inputs per batch call, HubSpot's maximum

struct HubSpotPushOptions {
  std::filesystem::path outbox;
  std::filesystem::path journal;  // empty: outbox + ".acked"
  size_t batch_size = kHubSpotBatchLimit;
  HubSpotClientOptions client;
};

struct HubSpotPushSummary {
  size_t contacts = 0;       // in the outbox
  size_t batches = 0;        // the outbox's batches
  size_t already_acked = 0;  // batches skipped: acknowledged by an earlier run
  size_t sent = 0;           // batches acknowledged by this run
  size_t rejected = 0;       // contacts HubSpot rejected inside a 2xx (e.g. deleted contacts)
  HubSpotCallStats calls;
  std::chrono::milliseconds elapsed{0};
  std::filesystem::path journal;
};

// The journal path of `options` (its default included).
std::filesystem::path JournalPath(const HubSpotPushOptions& options);

// Sends every batch not yet journaled. On error, the batches acknowledged so far are in the
// journal; the message names the batch, its contacts and the call, and says to rerun.
Result<HubSpotPushSummary> PushToHubSpot(const HubSpotPushOptions& options);

}  // namespace leadscore
