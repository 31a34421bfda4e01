// UTF-8 checks shared by the JSON scanner and writer. Header-only: they sit in hot loops.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace leadscore::api {

// Length (1-4) of the well-formed UTF-8 sequence starting at text[pos], or 0 when it is
// ill-formed or truncated: Unicode's table 3-7, so no overlong forms, no encoded surrogates,
// nothing above U+10FFFF. `pos` must be < text.size().
inline size_t Utf8SequenceLength(std::string_view text, size_t pos) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[pos + i]); };
  const auto continuation = [&](size_t i) { return (byte(i) & 0xC0) == 0x80; };
  const size_t available = text.size() - pos;
  const uint8_t lead = byte(0);
  if (lead < 0x80) return 1;
  if (lead < 0xC2) return 0;  // a continuation byte, or an overlong two-byte form
  if (lead < 0xE0) return available >= 2 && continuation(1) ? 2 : 0;
  if (lead < 0xF0) {
    if (available < 3) return 0;
    const uint8_t low = lead == 0xE0 ? 0xA0 : 0x80;   // E0 80..9F would be overlong
    const uint8_t high = lead == 0xED ? 0x9F : 0xBF;  // ED A0..BF would be a surrogate
    return byte(1) >= low && byte(1) <= high && continuation(2) ? 3 : 0;
  }
  if (lead < 0xF5) {
    if (available < 4) return 0;
    const uint8_t low = lead == 0xF0 ? 0x90 : 0x80;   // F0 80..8F would be overlong
    const uint8_t high = lead == 0xF4 ? 0x8F : 0xBF;  // F4 90.. would be above U+10FFFF
    return byte(1) >= low && byte(1) <= high && continuation(2) && continuation(3) ? 4 : 0;
  }
  return 0;
}

// Writes code point `cp` (at most U+10FFFF) as UTF-8 to `out`, which has room for 4 bytes;
// returns the number of bytes written.
inline size_t EncodeUtf8(uint32_t cp, char* out) {
  if (cp < 0x80) {
    out[0] = static_cast<char>(cp);
    return 1;
  }
  if (cp < 0x800) {
    out[0] = static_cast<char>(0xC0 | (cp >> 6));
    out[1] = static_cast<char>(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = static_cast<char>(0xE0 | (cp >> 12));
    out[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out[2] = static_cast<char>(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = static_cast<char>(0xF0 | (cp >> 18));
  out[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
  out[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  out[3] = static_cast<char>(0x80 | (cp & 0x3F));
  return 4;
}

}  // namespace leadscore::api
