// Calendar arithmetic on UTC seconds since the Unix epoch, without the C library's time zone
// machinery, so formatting is identical on every machine (generated files are compared
// byte for byte).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace leadscore {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int year, unsigned month, unsigned day);

struct CivilDate {
  int64_t year = 1970;
  unsigned month = 1;
  unsigned day = 1;
};

// The date `days` after 1970-01-01 (negative: before); inverse of DaysFromCivil.
CivilDate CivilFromDays(int64_t days);

// floor(value / divisor) for divisor > 0, also for negative values.
int64_t FloorDiv(int64_t value, int64_t divisor);

// "YYYY-MM-DD HH:MM:SS" for `epoch_seconds` (UTC). Appends to `out` to avoid allocations
// on the generator's hot path.
void AppendTimestamp(int64_t epoch_seconds, std::string& out);
std::string FormatTimestamp(int64_t epoch_seconds);

// "YYYY-MM-DDTHH:MM:SS.mmmZ" (ISO 8601 UTC, milliseconds, as HubSpot's API writes them).
void AppendIsoMillis(int64_t epoch_millis, std::string& out);

// "YYYYMMDD" (GA4's event_date) of the day `epoch_days` after 1970-01-01.
void AppendCompactDate(int64_t epoch_days, std::string& out);

// Parses "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS" into UTC epoch seconds.
Result<int64_t> ParseTimestamp(std::string_view text);

}  // namespace leadscore
