// The HubSpot connection settings `leadscore sync hubspot` and `leadscore push hubspot` share:
// the retry flags and the environment (HUBSPOT_TOKEN, HUBSPOT_API_URL), set up one way for both.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "sync/hubspot_client.h"

namespace leadscore::cli {

struct HubSpotClientFlags {
  int retry_backoff_ms = 1000;  // CLI11 stores ints; Apply turns it into a duration

  // Adds --attempts and --retry-backoff-ms to `cmd`, storing into `client` and this;
  // `gives_up` ends the --attempts help ("the sync fails", "the push stops").
  void Add(CLI::App& cmd, HubSpotClientOptions& client, const std::string& gives_up);
  // Sets the backoff, and the token and base URL from the environment when they are set.
  void Apply(HubSpotClientOptions& client) const;
};

}  // namespace leadscore::cli
