#include "sync/hubspot_sync.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "common/atomic_files.h"
#include "sync/sync_state.h"

namespace leadscore {
namespace {

bool IsPropertyName(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

int64_t SystemMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct TypeResult {
  ObjectLines lines;
  ObjectSyncSummary summary;
  ObjectSyncState state;
};

// Pulls one object type, fully or since the previous state, merged into `previous`.
Result<TypeResult> SyncType(HubSpotClient& client, const CrmObjectType& type, ObjectLines previous,
                            const std::optional<ObjectSyncState>& since,
                            const HubSpotSyncOptions& options) {
  TypeResult result;
  const size_t previous_count = previous.size();
  std::vector<CrmObject> fetched;
  std::vector<std::string> archived;
  int64_t high_water = 0;
  if (since) {
    high_water = since->high_water_ms;
    auto changed = SearchModifiedSince(client, type, since->high_water_ms - options.overlap.count(),
                                       options.read);
    if (!changed.ok()) return changed.status();
    fetched = std::move(changed.value());
    auto gone = ListArchivedIds(client, type, options.read);
    if (!gone.ok()) return gone.status();
    archived = std::move(gone.value());
    result.lines = std::move(previous);
  } else {
    auto all = ListAllObjects(client, type, options.read);
    if (!all.ok()) return all.status();
    fetched = std::move(all.value());
    // Compare with the previous file for the summary, but keep only what HubSpot has now.
    for (const CrmObject& object : fetched) {
      auto old = previous.find(object.id);
      if (old != previous.end()) result.lines.emplace(object.id, old->second);
    }
  }
  for (const CrmObject& object : fetched) high_water = std::max(high_water, object.modified_ms);
  const size_t kept = result.lines.size();
  result.summary.fetched = fetched.size();
  result.summary.merge = MergeObjects(result.lines, fetched, archived);
  // A full pull drops whatever HubSpot no longer lists.
  if (!since) result.summary.merge.removed = previous_count - kept;
  result.summary.total = result.lines.size();
  result.state = ObjectSyncState{high_water, result.lines.size()};
  return result;
}

}  // namespace

Result<HubSpotSyncSummary> SyncHubSpot(const HubSpotSyncOptions& options) {
  if (options.client.token.empty()) {
    return Status::Error(
        "HUBSPOT_TOKEN is not set. Create a private app in your HubSpot portal (Settings > "
        "Integrations > Private Apps > Create a private app), give it the scopes "
        "crm.objects.contacts.read and crm.objects.deals.read, and export its access token: "
        "HUBSPOT_TOKEN=pat-... leadscore sync hubspot");
  }
  if (!IsPropertyName(options.contact_ga4_property)) {
    return Status::Error("--contact-ga4-property '" + options.contact_ga4_property +
                         "' is not a HubSpot property's internal name (lower-case letters, "
                         "digits and _)");
  }
  HubSpotSyncSummary summary;
  summary.folder = options.out_dir / "hubspot";
  LEADSCORE_RETURN_IF_ERROR(EnsureWritableDirectory(summary.folder));
  const auto started = options.client.clock.now();
  const std::filesystem::path contacts_path = summary.folder / "contacts.jsonl";
  const std::filesystem::path deals_path = summary.folder / "deals.jsonl";
  const std::filesystem::path state_path = summary.folder / ".sync-state.json";

  auto loaded = LoadSyncState(state_path);
  if (!loaded.ok()) return loaded.status();
  const std::optional<SyncState>& state = loaded.value();
  std::error_code error;
  if (options.full) {
    summary.full_reason = "--full";
  } else if (!state) {
    summary.full_reason = "no previous sync in " + state_path.string();
  } else if (state->ga4_property != options.contact_ga4_property) {
    summary.full_reason = "the GA4 property changed from " + state->ga4_property;
  } else if (!std::filesystem::exists(contacts_path, error) ||
             !std::filesystem::exists(deals_path, error)) {
    summary.full_reason = "an object file is missing";
  } else {
    summary.incremental = true;
    summary.since_ms = state->contacts.high_water_ms - options.overlap.count();
  }

  auto previous_contacts = ReadObjectLines(contacts_path);
  if (!previous_contacts.ok()) return previous_contacts.status();
  auto previous_deals = ReadObjectLines(deals_path);
  if (!previous_deals.ok()) return previous_deals.status();

  HubSpotClient client(options.client);
  std::optional<ObjectSyncState> contacts_since;
  std::optional<ObjectSyncState> deals_since;
  if (summary.incremental) {
    contacts_since = state->contacts;
    deals_since = state->deals;
  }
  auto contacts = SyncType(client, ContactsType(options.contact_ga4_property),
                           std::move(previous_contacts.value()), contacts_since, options);
  if (!contacts.ok()) return contacts.status();
  auto deals =
      SyncType(client, DealsType(), std::move(previous_deals.value()), deals_since, options);
  if (!deals.ok()) return deals.status();

  SyncState next;
  next.ga4_property = options.contact_ga4_property;
  next.synced_at_ms = options.wall_clock_ms ? options.wall_clock_ms() : SystemMillis();
  next.contacts = contacts.value().state;
  next.deals = deals.value().state;

  AtomicFileSet files;
  auto contacts_file = files.Open(contacts_path);
  if (!contacts_file.ok()) return contacts_file.status();
  WriteObjectLines(contacts.value().lines, *contacts_file.value());
  auto deals_file = files.Open(deals_path);
  if (!deals_file.ok()) return deals_file.status();
  WriteObjectLines(deals.value().lines, *deals_file.value());
  auto state_file = files.Open(state_path);
  if (!state_file.ok()) return state_file.status();
  state_file.value()->Append(SerializeSyncState(next));
  LEADSCORE_RETURN_IF_ERROR(files.Commit());

  summary.contacts = contacts.value().summary;
  summary.deals = deals.value().summary;
  summary.calls = client.stats();
  summary.elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(options.client.clock.now() - started);
  return summary;
}

}  // namespace leadscore
