#include "http/response.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cstdint>

namespace leadscore::http {
namespace {

struct Reason {
  int status;
  std::string_view phrase;
};

// RFC 9110 §15 (and 429 from RFC 6585); sorted for binary search.
constexpr std::array kReasons = {
    Reason{100, "Continue"},
    Reason{101, "Switching Protocols"},
    Reason{200, "OK"},
    Reason{201, "Created"},
    Reason{202, "Accepted"},
    Reason{203, "Non-Authoritative Information"},
    Reason{204, "No Content"},
    Reason{205, "Reset Content"},
    Reason{206, "Partial Content"},
    Reason{300, "Multiple Choices"},
    Reason{301, "Moved Permanently"},
    Reason{302, "Found"},
    Reason{303, "See Other"},
    Reason{304, "Not Modified"},
    Reason{307, "Temporary Redirect"},
    Reason{308, "Permanent Redirect"},
    Reason{400, "Bad Request"},
    Reason{401, "Unauthorized"},
    Reason{402, "Payment Required"},
    Reason{403, "Forbidden"},
    Reason{404, "Not Found"},
    Reason{405, "Method Not Allowed"},
    Reason{406, "Not Acceptable"},
    Reason{407, "Proxy Authentication Required"},
    Reason{408, "Request Timeout"},
    Reason{409, "Conflict"},
    Reason{410, "Gone"},
    Reason{411, "Length Required"},
    Reason{412, "Precondition Failed"},
    Reason{413, "Content Too Large"},
    Reason{414, "URI Too Long"},
    Reason{415, "Unsupported Media Type"},
    Reason{416, "Range Not Satisfiable"},
    Reason{417, "Expectation Failed"},
    Reason{421, "Misdirected Request"},
    Reason{422, "Unprocessable Content"},
    Reason{426, "Upgrade Required"},
    Reason{428, "Precondition Required"},
    Reason{429, "Too Many Requests"},
    Reason{431, "Request Header Fields Too Large"},
    Reason{500, "Internal Server Error"},
    Reason{501, "Not Implemented"},
    Reason{502, "Bad Gateway"},
    Reason{503, "Service Unavailable"},
    Reason{504, "Gateway Timeout"},
    Reason{505, "HTTP Version Not Supported"},
};

bool IsTokenChar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           const auto lower = [](char c) {
             return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
           };
           return lower(x) == lower(y);
         });
}

Status CheckHeader(std::string_view name, std::string_view value) {
  if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) {
        return IsTokenChar(static_cast<unsigned char>(c));
      })) {
    return Status::Error("response header name '" + std::string(name) + "' is not a token");
  }
  for (const std::string_view reserved :
       {"content-type", "content-length", "transfer-encoding", "connection", "date"}) {
    if (EqualsIgnoreCase(name, reserved)) {
      return Status::Error("response header " + std::string(name) +
                           " is written by the server; set Response::content_type or leave it");
    }
  }
  // A CR or LF would let a value start a new header or the body (response splitting).
  if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) {
    return Status::Error("response header " + std::string(name) +
                         " has a CR, LF or NUL in its value");
  }
  return Status::Ok();
}

void AppendNumber(uint64_t value, std::string* out) {
  char digits[20];
  const auto result = std::to_chars(std::begin(digits), std::end(digits), value);
  out->append(digits, result.ptr);
}

// Length of the valid UTF-8 sequence at the start of `s`, or 0 if it is not valid
// (overlong forms, surrogates and code points above U+10FFFF are invalid, RFC 3629).
size_t Utf8SequenceLength(std::string_view s) {
  const auto byte = [&s](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(0);
  size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (s.size() < length) return 0;
  if (byte(1) < low || byte(1) > high) return 0;
  for (size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return length;
}

}  // namespace

Response Response::Json(std::string body, int status) {
  Response response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

Response Response::Error(int status, std::string_view detail) {
  return Json(JsonDetail(detail), status);
}

std::string_view ReasonPhrase(int status) {
  const auto* it = std::lower_bound(kReasons.begin(), kReasons.end(), status,
                                    [](const Reason& r, int s) { return r.status < s; });
  return (it != kReasons.end() && it->status == status) ? it->phrase : "Unknown";
}

void AppendJsonString(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      const size_t length = Utf8SequenceLength(text.substr(i));
      if (length == 0) {
        out->append("\\ufffd");
        ++i;
      } else {
        out->append(text.substr(i, length));
        i += length;
      }
      continue;
    }
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default:
        if (c < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 0xF]);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out->push_back('"');
}

std::string JsonDetail(std::string_view detail) {
  // A one-field object escaped by AppendJsonString: the HTTP layer stays free of a JSON
  // library (the fuzzer and the floor server link it alone).
  std::string body = "{\"detail\":";
  AppendJsonString(detail, &body);
  body.push_back('}');
  return body;
}

void FormatHttpDate(long long unix_seconds, std::span<char, 29> out) {
  using std::chrono::days;
  using std::chrono::floor;
  using std::chrono::seconds;
  using std::chrono::sys_days;
  using std::chrono::sys_seconds;
  static constexpr std::string_view kWeekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const sys_seconds time{seconds{unix_seconds}};
  const sys_days day = floor<days>(time);
  const std::chrono::year_month_day date{day};
  const std::chrono::hh_mm_ss clock{time - day};
  char* cursor = out.data();
  const auto put = [&cursor](std::string_view text) {
    cursor = std::copy(text.begin(), text.end(), cursor);
  };
  const auto two_digits = [&cursor](long long value) {
    *cursor++ = static_cast<char>('0' + value / 10);
    *cursor++ = static_cast<char>('0' + value % 10);
  };
  const int year = static_cast<int>(date.year());
  put(kWeekdays[std::chrono::weekday{day}.c_encoding()]);
  put(", ");
  two_digits(static_cast<unsigned>(date.day()));
  put(" ");
  put(kMonths[static_cast<unsigned>(date.month()) - 1]);
  put(" ");
  two_digits(year / 100);
  two_digits(year % 100);
  put(" ");
  two_digits(clock.hours().count());
  put(":");
  two_digits(clock.minutes().count());
  put(":");
  two_digits(clock.seconds().count());
  put(" GMT");
}

Status AppendResponse(const ResponseView& response, const WireOptions& options, std::string* out) {
  const int status = response.status;
  if (status < 200 || status > 599) {
    return Status::Error("response status " + std::to_string(status) +
                         " is not a final status (200-599)");
  }
  // RFC 9110 §6.4.1: these never carry content, not even a Content-Length of 0.
  const bool bodiless = status == 204 || status == 304;
  if (bodiless && !response.body.empty()) {
    return Status::Error("a " + std::to_string(status) + " response cannot have a body");
  }
  for (const auto& [name, value] : response.headers) {
    LEADSCORE_RETURN_IF_ERROR(CheckHeader(name, value));
  }
  if (response.content_type.find_first_of(std::string_view("\r\n\0", 3)) !=
      std::string_view::npos) {
    return Status::Error("response content type has a CR, LF or NUL");
  }

  const std::string_view reason = ReasonPhrase(status);
  out->reserve(out->size() + 128 + reason.size() + response.content_type.size() +
               (options.head ? 0 : response.body.size()));
  out->append("HTTP/1.1 ");
  AppendNumber(static_cast<uint64_t>(status), out);
  out->push_back(' ');
  out->append(reason);
  out->append("\r\n");
  if (!options.date.empty()) {
    out->append("Date: ");
    out->append(options.date);
    out->append("\r\n");
  }
  if (!response.content_type.empty()) {
    out->append("Content-Type: ");
    out->append(response.content_type);
    out->append("\r\n");
  }
  if (!bodiless) {
    out->append("Content-Length: ");
    AppendNumber(response.body.size(), out);
    out->append("\r\n");
  }
  for (const auto& [name, value] : response.headers) {
    out->append(name);
    out->append(": ");
    out->append(value);
    out->append("\r\n");
  }
  out->append(options.keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n");
  if (!options.head) out->append(response.body);
  return Status::Ok();
}

}  // namespace leadscore::http
