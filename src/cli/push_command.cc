// `leadscore push hubspot`: write an outbox of contact property changes to HubSpot, resumable
// (sync/hubspot_push.h, docs/automation.md).
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/hubspot_client_flags.h"
#include "sync/hubspot_push.h"

namespace leadscore::cli {

void RegisterPush(CLI::App& app, Status* result) {
  struct Flags {
    HubSpotPushOptions options;
    std::string outbox;
    std::string journal;
    HubSpotClientFlags client;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* push = app.add_subcommand("push", "Write scores back to the team's own tools.");
  push->require_subcommand(1);
  CLI::App* cmd = push->add_subcommand(
      "hubspot",
      "Write an outbox of contact property changes to HubSpot (CRM v3 batch/update by record\n"
      "id, up to 100 contacts per call; rate limit, 429 Retry-After and 5xx backoff).\n"
      "OUTBOX has one contact per line: {\"id\": \"<record id>\", \"properties\": {...}}.\n"
      "Each acknowledged batch is appended to the journal (OUTBOX.acked) before the next is\n"
      "sent; a rerun skips acknowledged batches, so a crash or failure resumes without writing\n"
      "a batch twice. An empty outbox makes no call. Needs HUBSPOT_TOKEN (a private app with\n"
      "crm.objects.contacts.write); HUBSPOT_API_URL overrides https://api.hubapi.com (tests).\n"
      "scripts/writeback prepares the outbox from the warehouse; see docs/automation.md.");
  cmd->add_option("--outbox", flags->outbox, "The changes to write (JSON lines)")->required();
  cmd->add_option("--journal", flags->journal,
                  "Journal of acknowledged batches [default: OUTBOX.acked]");
  cmd->add_option("--batch-size", flags->options.batch_size, "Contacts per batch call (1-100)")
      ->check(CLI::Range(1, 100))
      ->capture_default_str();
  flags->client.Add(*cmd, flags->options.client, "the push stops");
  cmd->callback([flags, result] {
    HubSpotPushOptions options = flags->options;
    options.outbox = flags->outbox;
    options.journal = flags->journal;
    options.client.required_scopes = "crm.objects.contacts.write";
    flags->client.Apply(options.client);
    auto summary = PushToHubSpot(options);
    if (!summary.ok()) {
      *result = summary.status().WithContext("push hubspot stopped");
      return;
    }
    const HubSpotPushSummary& s = summary.value();
    std::cout << fmt::format(
        "pushed {} contacts in {} batches: {} sent now, {} acknowledged before; {} rejected by "
        "HubSpot; {} requests ({} rate-limited, {} retried) in {:.1f} s; journal {}\n",
        s.contacts, s.batches, s.sent, s.already_acked, s.rejected, s.calls.requests,
        s.calls.rate_limited, s.calls.retried, s.elapsed.count() / 1000.0, s.journal.string());
    *result = Status::Ok();
  });
}

}  // namespace leadscore::cli
