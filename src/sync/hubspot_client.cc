#include "sync/hubspot_client.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

namespace leadscore {
namespace {

// "message [category X, correlationId Y]" from HubSpot's error body, or the start of the body
// when it is not HubSpot's JSON.
std::string DescribeError(const std::string& body) {
  nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_object() && json.contains("message") && json["message"].is_string()) {
    std::string out = json["message"].get<std::string>();
    std::string extra;
    for (const char* key : {"category", "correlationId"}) {
      if (json.contains(key) && json[key].is_string()) {
        extra +=
            fmt::format("{}{} {}", extra.empty() ? "" : ", ", key, json[key].get<std::string>());
      }
    }
    return extra.empty() ? out : out + " [" + extra + "]";
  }
  if (body.empty()) return "(empty body)";
  constexpr size_t kShown = 200;
  return body.size() > kShown ? body.substr(0, kShown) + "..." : body;
}

// Seconds from a Retry-After header (delta-seconds; HubSpot sends whole seconds, a decimal is
// read too). std::nullopt for a missing or unreadable one (an HTTP-date included).
std::optional<std::chrono::milliseconds> RetryAfter(const HttpResponse& response) {
  auto found = response.headers.find("retry-after");
  if (found == response.headers.end()) return std::nullopt;
  const char* text = found->second.c_str();
  char* end = nullptr;
  double seconds = std::strtod(text, &end);
  if (end == text || *end != '\0' || !std::isfinite(seconds) || seconds < 0 || seconds > 3600) {
    return std::nullopt;
  }
  return std::chrono::milliseconds(static_cast<int64_t>(std::ceil(seconds * 1000)));
}

// What to do about a 401/403, naming the scopes the caller needs.
std::string TokenHelp(const std::string& scopes) {
  return "check HUBSPOT_TOKEN: it must be the access token of a HubSpot private app (Settings "
         "> Integrations > Private Apps) with the scopes " +
         scopes;
}

}  // namespace

std::string EncodeQueryValue(const std::string& value) {
  std::string out;
  for (unsigned char c : value) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

HubSpotClient::HubSpotClient(HubSpotClientOptions options)
    : options_(std::move(options)),
      burst_(options_.burst.max_requests, options_.burst.window, options_.clock),
      search_(options_.search.max_requests, options_.search.window, options_.clock) {
  while (!options_.base_url.empty() && options_.base_url.back() == '/')
    options_.base_url.pop_back();
  if (options_.transport == nullptr) options_.transport = MakeCurlTransport(options_.timeout_ms);
}

Result<std::string> HubSpotClient::Get(const std::string& path_and_query) {
  return Call("GET", path_and_query, "", HubSpotEndpoint::kStandard);
}

Result<std::string> HubSpotClient::Post(const std::string& path, const std::string& json_body,
                                        HubSpotEndpoint endpoint) {
  return Call("POST", path, json_body, endpoint);
}

void HubSpotClient::Sleep(std::chrono::milliseconds duration) {
  options_.clock.sleep(duration);
  stats_.waited += duration;
}

Result<std::string> HubSpotClient::Call(const std::string& method, const std::string& path,
                                        const std::string& body, HubSpotEndpoint endpoint) {
  const std::string call = "HubSpot " + method + " " + path;
  HttpRequest request;
  request.method = method;
  request.url = options_.base_url + path;
  request.body = body;
  request.headers = {{"Authorization", "Bearer " + options_.token}, {"Accept", "application/json"}};
  int failures = 0;
  int throttled = 0;
  std::chrono::milliseconds backoff = options_.retry_backoff;
  while (true) {
    stats_.waited += burst_.Acquire();
    if (endpoint == HubSpotEndpoint::kSearch) stats_.waited += search_.Acquire();
    ++stats_.requests;
    Result<HttpResponse> sent = options_.transport->Send(request);

    std::string failure;  // a retryable failure's description
    if (!sent.ok()) {
      failure = "no answer (" + sent.status().message() + ")";
    } else {
      const HttpResponse& response = sent.value();
      const long status = response.status;  // NOLINT(google-runtime-int)
      if (status >= 200 && status < 300) return response.body;
      if (status == 429) {
        if (++throttled > options_.max_rate_limited) {
          return Status::Error(fmt::format(
              "{}: HTTP 429 (rate limited) {} times in a row: {}; another integration may be "
              "using the portal's API limit, try again later",
              call, throttled, DescribeError(response.body)));
        }
        ++stats_.rate_limited;
        Sleep(RetryAfter(response).value_or(options_.default_retry_after));
        continue;
      }
      if (status == 401 || status == 403) {
        return Status::Error(fmt::format("{}: HTTP {} ({}): {}; {}", call, status,
                                         status == 401 ? "token not accepted" : "missing scope",
                                         DescribeError(response.body),
                                         TokenHelp(options_.required_scopes)));
      }
      if (status < 500) {
        return Status::Error(
            fmt::format("{}: HTTP {}: {}", call, status, DescribeError(response.body)));
      }
      failure = fmt::format("HTTP {}: {}", status, DescribeError(response.body));
    }
    if (++failures >= options_.max_attempts) {
      return Status::Error(
          fmt::format("{}: {} (gave up after {} attempts)", call, failure, failures));
    }
    ++stats_.retried;
    Sleep(backoff);
    backoff *= 2;
  }
}

}  // namespace leadscore
