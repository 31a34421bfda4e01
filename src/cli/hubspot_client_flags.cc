#include "cli/hubspot_client_flags.h"

#include <chrono>
#include <cstdlib>

namespace leadscore::cli {

void HubSpotClientFlags::Add(CLI::App& cmd, HubSpotClientOptions& client,
                             const std::string& gives_up) {
  cmd.add_option("--attempts", client.max_attempts,
                 "Attempts per API call on HTTP 5xx or no answer before " + gives_up)
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd.add_option("--retry-backoff-ms", retry_backoff_ms,
                 "Wait before the first retry, doubled before each further one")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
}

void HubSpotClientFlags::Apply(HubSpotClientOptions& client) const {
  client.retry_backoff = std::chrono::milliseconds(retry_backoff_ms);
  if (const char* token = std::getenv("HUBSPOT_TOKEN")) client.token = token;
  if (const char* url = std::getenv("HUBSPOT_API_URL"); url != nullptr && *url != '\0') {
    client.base_url = url;
  }
}

}  // namespace leadscore::cli
