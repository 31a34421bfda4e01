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

// "YYYY-MM-DD HH:MM:SS" for `epoch_seconds` (UTC). Appends to `out` to avoid allocations
// on the generator's hot path.
void AppendTimestamp(int64_t epoch_seconds, std::string& out);
std::string FormatTimestamp(int64_t epoch_seconds);

// Parses "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS" into UTC epoch seconds.
Result<int64_t> ParseTimestamp(std::string_view text);

}  // namespace leadscore
