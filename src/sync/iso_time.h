// HubSpot's datetime strings ("2017-06-01T12:34:56.789Z", "2017-06-15T09:00:01Z") as
// milliseconds since the Unix epoch, and back.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace leadscore {

// Accepts YYYY-MM-DDTHH:MM:SS with optional fraction (up to any digits, read to the
// millisecond) and a "Z" or "+00:00" suffix; other offsets are refused.
Result<int64_t> ParseIsoMillis(std::string_view text);

// "YYYY-MM-DDTHH:MM:SS.mmmZ".
std::string FormatIsoMillis(int64_t epoch_ms);

}  // namespace leadscore
