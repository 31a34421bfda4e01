#include "sync/iso_time.h"

#include <fmt/format.h>

#include "common/civil_time.h"

namespace leadscore {
namespace {

bool Digits(std::string_view text, size_t at, size_t count, int& out) {
  if (at + count > text.size()) return false;
  out = 0;
  for (size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

}  // namespace

Result<int64_t> ParseIsoMillis(std::string_view text) {
  auto bad = [&] {
    return Status::Error("'" + std::string(text) +
                         "' is not an ISO 8601 UTC time like 2017-06-01T12:34:56.789Z");
  };
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!Digits(text, 0, 4, year) || text.size() < 19 || text[4] != '-' ||
      !Digits(text, 5, 2, month) || text[7] != '-' || !Digits(text, 8, 2, day) || text[10] != 'T' ||
      !Digits(text, 11, 2, hour) || text[13] != ':' || !Digits(text, 14, 2, minute) ||
      text[16] != ':' || !Digits(text, 17, 2, second)) {
    return bad();
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return bad();
  }
  size_t at = 19;
  int64_t millis = 0;
  if (at < text.size() && text[at] == '.') {
    ++at;
    int scale = 100;
    size_t start = at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      millis += int64_t{text[at] - '0'} * scale;
      scale /= 10;
      ++at;
    }
    if (at == start) return bad();
  }
  std::string_view zone = text.substr(at);
  if (zone != "Z" && zone != "+00:00") return bad();
  int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return ((days * 24 + hour) * 60 + minute) * 60 * 1000 + int64_t{second} * 1000 + millis;
}

std::string FormatIsoMillis(int64_t epoch_ms) {
  int64_t seconds = epoch_ms / 1000;
  int64_t millis = epoch_ms % 1000;
  if (millis < 0) {
    millis += 1000;
    seconds -= 1;
  }
  std::string out = FormatTimestamp(seconds);  // "YYYY-MM-DD HH:MM:SS"
  out[10] = 'T';
  return out + fmt::format(".{:03d}Z", millis);
}

}  // namespace leadscore
