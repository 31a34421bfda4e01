// `leadscore sync hubspot`: pull a HubSpot portal's contacts and deals into the raw folder
// (sync/hubspot_sync.h, docs/sources.md).
#include <fmt/format.h>

#include <chrono>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/hubspot_client_flags.h"
#include "sync/hubspot_sync.h"
#include "sync/iso_time.h"

namespace leadscore::cli {
namespace {

std::string Describe(const char* name, const ObjectSyncSummary& s) {
  return fmt::format("{}: {} pulled, {} new, {} updated, {} unchanged, {} removed; {} in the file",
                     name, s.fetched, s.merge.added, s.merge.updated, s.merge.unchanged,
                     s.merge.removed, s.total);
}

}  // namespace

void RegisterSync(CLI::App& app, Status* result) {
  struct Flags {
    HubSpotSyncOptions options;
    std::string out_dir = "data/raw";
    int overlap_seconds = 300;
    HubSpotClientFlags client;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* sync = app.add_subcommand("sync", "Pull raw data from the team's own tools.");
  sync->require_subcommand(1);
  CLI::App* cmd = sync->add_subcommand(
      "hubspot",
      "Pull a HubSpot portal's contacts and deals (CRM v3 objects) into OUT/hubspot/"
      "{contacts,deals}.jsonl.\n"
      "Needs HUBSPOT_TOKEN: the access token of a private app with the scopes\n"
      "crm.objects.contacts.read and crm.objects.deals.read. The first run lists everything;\n"
      "later runs fetch only objects modified since the last one (state in\n"
      "OUT/hubspot/.sync-state.json). Files and state change only when the whole sync succeeds.\n"
      "HUBSPOT_API_URL overrides https://api.hubapi.com (for tests). See docs/sources.md.");
  cmd->add_option("--out", flags->out_dir, "Raw data folder (files go to OUT/hubspot/)")
      ->envname("LEADSCORE_RAW_DIR")
      ->capture_default_str();
  cmd->add_flag("--full", flags->options.full,
                "List every object again instead of fetching the changes since the last sync");
  cmd->add_option("--contact-ga4-property", flags->options.contact_ga4_property,
                  "Contact property holding the GA4 client id (the _ga cookie's value)")
      ->envname("LEADSCORE_CONTACT_GA4_PROPERTY")
      ->capture_default_str();
  cmd->add_option("--overlap-seconds", flags->overlap_seconds,
                  "Incremental runs re-read objects modified this long before the last sync's "
                  "newest change (HubSpot's search index lags writes)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  flags->client.Add(*cmd, flags->options.client, "the sync fails");
  cmd->callback([flags, result] {
    HubSpotSyncOptions options = flags->options;
    options.out_dir = flags->out_dir;
    options.overlap = std::chrono::seconds(flags->overlap_seconds);
    flags->client.Apply(options.client);
    auto summary = SyncHubSpot(options);
    if (!summary.ok()) {
      *result = summary.status().WithContext("sync hubspot failed, previous files kept");
      return;
    }
    const HubSpotSyncSummary& s = summary.value();
    if (s.incremental) {
      std::cout << fmt::format("incremental sync: objects modified since {}\n",
                               FormatIsoMillis(s.since_ms));
    } else {
      std::cout << fmt::format("full sync ({})\n", s.full_reason);
    }
    std::cout << Describe("contacts", s.contacts) << "\n" << Describe("deals", s.deals) << "\n";
    std::cout << fmt::format("{} requests ({} rate-limited, {} retried) in {:.1f} s; wrote {}\n",
                             s.calls.requests, s.calls.rate_limited, s.calls.retried,
                             s.elapsed.count() / 1000.0, s.folder.string());
    *result = Status::Ok();
  });
}

}  // namespace leadscore::cli
