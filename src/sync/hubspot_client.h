// The one way leadscore calls HubSpot's API: bearer private-app token, client-side rate limits
// (the private-app burst limit for every call, the search endpoints' own per-second limit),
// 429 answered by waiting Retry-After seconds, bounded retries with doubling backoff on 5xx
// and connection errors, and errors that name the call (method, path and query), the HTTP
// status and HubSpot's message, category and correlationId. 401/403 fail at once and say to
// check the token and its scopes.
// Thread-compatible: one client per thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/status.h"
#include "sync/rate_limiter.h"
#include "tracking/http_transport.h"

namespace leadscore {

struct RateLimit {
  int max_requests = 0;  // <= 0: unlimited
  std::chrono::milliseconds window{0};
};

struct HubSpotClientOptions {
  std::string base_url = "https://api.hubapi.com";
  std::string token;        // a private app's access token
  long timeout_ms = 30000;  // NOLINT(google-runtime-int): per HTTP exchange
  // Attempts per call when HubSpot answers 5xx or does not answer; then the call fails.
  int max_attempts = 5;
  // Wait before the first retry, doubled before each further one.
  std::chrono::milliseconds retry_backoff{1000};
  // 429s in a row for one call before it fails.
  int max_rate_limited = 10;
  // Used when a 429 carries no (readable) Retry-After header.
  std::chrono::milliseconds default_retry_after{10000};
  // Private apps: 100 requests per rolling 10 s (Free/Starter; more on higher tiers).
  RateLimit burst{100, std::chrono::milliseconds(10000)};
  // CRM search endpoints: 5 requests per second per account; one less leaves room for
  // other callers and clock differences.
  RateLimit search{4, std::chrono::milliseconds(1000)};
  // Null: libcurl with timeout_ms. Tests pass a fake.
  std::shared_ptr<HttpTransport> transport;
  SyncClock clock = SyncClock::Real();
  // Named in the 401/403 message: the scopes the caller's private app needs.
  std::string required_scopes = "crm.objects.contacts.read and crm.objects.deals.read";
};

// What the client did, for the sync's summary.
struct HubSpotCallStats {
  int requests = 0;                     // HTTP requests sent, retries included
  int rate_limited = 0;                 // 429 answers waited out
  int retried = 0;                      // retries after a 5xx or no answer
  std::chrono::milliseconds waited{0};  // slept for limits, Retry-After and backoff
};

enum class HubSpotEndpoint { kStandard, kSearch };

class HubSpotClient {
 public:
  explicit HubSpotClient(HubSpotClientOptions options);

  // GET `path_and_query` (e.g. "/crm/v3/objects/contacts?limit=100"): the 2xx body, or an
  // error as described above.
  Result<std::string> Get(const std::string& path_and_query);
  // POST a JSON body; kSearch calls also wait for the search limit.
  Result<std::string> Post(const std::string& path, const std::string& json_body,
                           HubSpotEndpoint endpoint = HubSpotEndpoint::kStandard);

  const HubSpotCallStats& stats() const { return stats_; }

 private:
  Result<std::string> Call(const std::string& method, const std::string& path,
                           const std::string& body, HubSpotEndpoint endpoint);
  void Sleep(std::chrono::milliseconds duration);

  HubSpotClientOptions options_;
  SlidingWindowLimiter burst_;
  SlidingWindowLimiter search_;
  HubSpotCallStats stats_;
};

// Percent-encodes a query parameter value (RFC 3986 unreserved characters stay as they are).
std::string EncodeQueryValue(const std::string& value);

}  // namespace leadscore
