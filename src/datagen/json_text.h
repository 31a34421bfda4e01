// Appends JSON tokens to a string for the generator's hot path, where building a
// nlohmann::json per row would cost more than the rest of the generator. Output is exact
// JSON (RFC 8259): strings escaped, integers through std::to_chars (locale-free).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace leadscore {

// `"text"` with '"', '\\' and control characters escaped; other bytes (UTF-8) pass through.
void AppendJsonString(std::string_view text, std::string& out);

// The decimal digits of `value`, unquoted.
void AppendInt(int64_t value, std::string& out);

// `"123"`: an INT64 as BigQuery's JSON export writes it (a string).
void AppendQuotedInt(int64_t value, std::string& out);

// `"12.34"`: cents as a decimal string (HubSpot's amount); value >= 0.
void AppendQuotedCents(int64_t cents, std::string& out);

}  // namespace leadscore
