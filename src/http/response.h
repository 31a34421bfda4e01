// HTTP/1.1 responses: the Response value a handler fills in, and its serialization into a
// reusable output buffer (status line, Content-Type, Content-Length, Connection, Date and
// extra headers). Errors produced by the HTTP layer itself have FastAPI's JSON shape,
// {"detail":"Not Found"}. All functions are pure and thread-safe.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace leadscore::http {

struct Response {
  int status = 200;
  std::string content_type = "application/json";  // empty: no Content-Type header
  std::string body;
  // Further headers, e.g. {"Allow", "POST"} or {"Retry-After", "1"}. Content-Type, Content-
  // Length, Transfer-Encoding, Connection and Date are the server's and may not appear here.
  std::vector<std::pair<std::string, std::string>> headers;

  // 200 (or `status`) with an application/json body.
  static Response Json(std::string body, int status = 200);
  // `status` with the body {"detail":"<detail>"}, `detail` JSON-escaped.
  static Response Error(int status, std::string_view detail);
};

// A response made of views, so a handler can answer from buffers it keeps (for example a
// per-thread std::string) without building a Response.
struct ResponseView {
  int status = 200;
  std::string_view content_type;
  std::string_view body;
  std::span<const std::pair<std::string, std::string>> headers;

  ResponseView() = default;
  ResponseView(int status, std::string_view content_type, std::string_view body)
      : status(status), content_type(content_type), body(body) {}
  ResponseView(const Response& response)  // NOLINT: implicit by design
      : status(response.status),
        content_type(response.content_type),
        body(response.body),
        headers(response.headers) {}
};

struct WireOptions {
  bool keep_alive = true;  // "Connection: keep-alive" or "Connection: close"
  bool head = false;       // answer to HEAD: the headers of `body`, without it
  std::string_view date;   // an IMF-fixdate for the Date header; empty: no Date header
};

// Appends the response's bytes to *out. Fails, appending nothing, when the status is not
// 200–599 (1xx and 101 belong to the server), when an extra header has an invalid name, a CR,
// LF or NUL in its value, or is one the server writes itself, or when a 204 or 304 has a body.
Status AppendResponse(const ResponseView& response, const WireOptions& options, std::string* out);

// "OK", "Not Found", …; "Unknown" for codes without a registered phrase.
std::string_view ReasonPhrase(int status);

// Appends `text` as a JSON string literal (with the quotes): escapes quotes, backslashes and
// control characters and replaces bytes that are not valid UTF-8 with U+FFFD, so the output
// is always valid JSON.
void AppendJsonString(std::string_view text, std::string* out);

// {"detail":"<detail>"}: the body of every error the HTTP layer answers by itself.
std::string JsonDetail(std::string_view detail);

// Writes the IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT", 29 characters) of `unix_seconds`
// into `out`.
void FormatHttpDate(long long unix_seconds, std::span<char, 29> out);

}  // namespace leadscore::http
