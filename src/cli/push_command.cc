// `leadscore push hubspot`: write an outbox of contact property changes to HubSpot, resumable
// (sync/hubspot_push.h, docs/automation.md).
#include <fmt/format.h>

#include <cstdlib>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "sync/hubspot_push.h"

namespace leadscore::cli {

void RegisterPush(CLI::App& app, Status* result) {
  struct Flags {
    HubSpotPushOptions options;
    std::string outbox;
    std::string journal;
    int retry_backoff_ms = 1000;
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
  cmd->add_option("--attempts", flags->options.client.max_attempts,
                  "Attempts per batch on HTTP 5xx or no answer before the push stops")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--retry-backoff-ms", flags->retry_backoff_ms,
                  "Wait before the first retry, doubled before each further one")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->callback([flags, result] {
    HubSpotPushOptions options = flags->options;
    options.outbox = flags->outbox;
    options.journal = flags->journal;
    options.client.retry_backoff = std::chrono::milliseconds(flags->retry_backoff_ms);
    options.client.required_scopes = "crm.objects.contacts.write";
    if (const char* token = std::getenv("HUBSPOT_TOKEN")) options.client.token = token;
    if (const char* url = std::getenv("HUBSPOT_API_URL"); url != nullptr && *url != '\0') {
      options.client.base_url = url;
    }
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
