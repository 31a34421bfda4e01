// One HTTP exchange at a time, behind an interface so the API clients (MLflow, HubSpot) can be
// tested with a fake and run for real over libcurl (MakeCurlTransport).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace leadscore {

struct HttpRequest {
  std::string method;  // "GET", "POST", "PATCH", "PUT", "DELETE"
  std::string url;     // absolute, already percent-encoded
  std::string body;    // sent when non-empty
  std::string content_type = "application/json";
  // Extra request headers, e.g. {"Authorization", "Bearer ..."}.
  std::vector<std::pair<std::string, std::string>> headers = {};
};

struct HttpResponse {
  long status = 0;  // NOLINT(google-runtime-int): libcurl's type for the status code
  std::string body;
  // Response headers with lower-case names (the last value when a header repeats).
  std::map<std::string, std::string> headers = {};
};

// Thread-compatible: one transport per thread.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Returns the response for any HTTP status (4xx and 5xx included); a non-OK Status only
  // when no response arrived (connection refused, DNS, timeout), with the cause in the message.
  virtual Result<HttpResponse> Send(const HttpRequest& request) = 0;
};

// A transport over one libcurl easy handle (connections are kept alive between calls).
// `timeout_ms` bounds each whole exchange.
std::unique_ptr<HttpTransport> MakeCurlTransport(long timeout_ms);  // NOLINT(google-runtime-int)

}  // namespace leadscore
