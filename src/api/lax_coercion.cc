#include "api/lax_coercion.h"

#include <array>
#include <cmath>
#include <limits>

namespace leadscore::api {
namespace {

constexpr uint64_t kUint64Max = std::numeric_limits<uint64_t>::max();
// i64::MIN and i64::MAX as f64, pydantic's float_as_int bounds (both exclusive): ±2^63.
constexpr double kInt64Bound = 9223372036854775808.0;
constexpr uint64_t kInt64Max = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsNonZeroDigit(char c) { return c >= '1' && c <= '9'; }

void Accumulate(uint64_t& magnitude, char digit) {
  const auto d = static_cast<uint64_t>(digit - '0');
  magnitude = magnitude > (kUint64Max - d) / 10 ? kUint64Max : magnitude * 10 + d;
}

// Bytes of the whitespace character `s` starts with, or 0: Rust's char::is_whitespace (Unicode
// White_Space), what pydantic's str::trim() strips. `s` is valid UTF-8, so a matching lead
// byte starts a whole character.
size_t LeadingWhitespace(std::string_view s) {
  if (s.empty()) return 0;
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  const uint8_t lead = byte(0);
  if ((lead >= 0x09 && lead <= 0x0D) || lead == 0x20) return 1;
  if (s.size() >= 2 && lead == 0xC2 && (byte(1) == 0x85 || byte(1) == 0xA0)) return 2;
  if (s.size() < 3) return 0;
  if (lead == 0xE1 && byte(1) == 0x9A && byte(2) == 0x80) return 3;  // U+1680
  if (lead == 0xE2 && byte(1) == 0x80 &&
      (byte(2) <= 0x8A || byte(2) == 0xA8 || byte(2) == 0xA9 || byte(2) == 0xAF)) {
    return 3;  // U+2000..U+200A, U+2028, U+2029, U+202F
  }
  if (lead == 0xE2 && byte(1) == 0x81 && byte(2) == 0x9F) return 3;  // U+205F
  if (lead == 0xE3 && byte(1) == 0x80 && byte(2) == 0x80) return 3;  // U+3000
  return 0;
}

// Bytes of the whitespace character `s` ends with, or 0.
size_t TrailingWhitespace(std::string_view s) {
  for (size_t length = 1; length <= 3 && length <= s.size(); ++length) {
    if (LeadingWhitespace(s.substr(s.size() - length)) == length) return length;
  }
  return 0;
}

std::string_view Trim(std::string_view s) {
  while (const size_t n = LeadingWhitespace(s)) s.remove_prefix(n);
  while (const size_t n = TrailingWhitespace(s)) s.remove_suffix(n);
  return s;
}

enum class IntSyntax : uint8_t { kValid, kInvalid, kTooLong };

// jiter's NumberInt::from_bytes, pydantic's first try: -?(0|[1-9][0-9]*) and nothing else. A
// run of more than kMaxIntStringDigits digits is too long, whatever follows it.
IntSyntax ReadIntegerText(std::string_view s, LaxInt& out) {
  out = LaxInt{};
  size_t i = 0;
  if (i < s.size() && s[i] == '-') {
    out.negative = true;
    ++i;
  }
  if (i == s.size()) return IntSyntax::kInvalid;
  if (s[i] == '0') return i + 1 == s.size() ? IntSyntax::kValid : IntSyntax::kInvalid;
  if (!IsNonZeroDigit(s[i])) return IntSyntax::kInvalid;
  const size_t begin = i;
  for (; i < s.size() && IsDigit(s[i]); ++i) Accumulate(out.magnitude, s[i]);
  if (i - begin > kMaxIntStringDigits) return IntSyntax::kTooLong;
  return i == s.size() ? IntSyntax::kValid : IntSyntax::kInvalid;
}

// pydantic's second try: clean_int_str, then the cleaned text as a JSON integer. False on any
// failure (int_parsing), too many digits included.
bool ReadCleanedInteger(std::string_view s, LaxInt& out) {
  const size_t length_before = s.size();
  s = Trim(s);
  // One unary plus, not followed by a minus.
  if (!s.empty() && s[0] == '+') {
    if (s.size() > 1 && s[1] == '-') return false;
    s.remove_prefix(1);
  }
  // One unary minus, not followed by a sign; put back in front of the cleaned digits.
  bool negative = false;
  if (!s.empty() && s[0] == '-') {
    if (s.size() > 1 && (s[1] == '-' || s[1] == '+')) return false;
    negative = true;
    s.remove_prefix(1);
  }
  // Leading zeros, and underscores among them, go: up to the next digit or '-', keeping one
  // zero before a '.', and the last character of a string of nothing else.
  if (s.empty()) return false;
  if (s[0] == '0') {
    size_t i = 1;
    while (i < s.size() && (s[i] == '0' || s[i] == '_')) ++i;
    if (i == s.size()) {
      s = s.substr(s.size() - 1);
    } else if (IsNonZeroDigit(s[i]) || s[i] == '-') {
      s = s.substr(i);
    } else if (s[i] == '.') {
      s = s.substr(i - 1);
    } else {
      return false;
    }
  } else if (!IsNonZeroDigit(s[0]) && s[0] != '-') {
    return false;
  }
  // A fraction of zeros only goes.
  if (const size_t dot = s.find('.'); dot != std::string_view::npos) {
    const std::string_view fraction = s.substr(dot + 1);
    if (!fraction.empty() && fraction.find_first_not_of('0') == std::string_view::npos) {
      s = s.substr(0, dot);
    }
  }
  // Underscores go when none is first, last or next to another.
  const bool drop_underscores = s.find('_') != std::string_view::npos && s.front() != '_' &&
                                s.back() != '_' && s.find("__") == std::string_view::npos;
  // Nothing cleaned: the first try already read this text and failed.
  if (!drop_underscores && s.size() == length_before) return false;

  // The cleaned text, (negative ? "-" : "") + s without its underscores, as a JSON integer.
  out = LaxInt{negative, 0};
  size_t i = 0;
  const auto skip_underscores = [&] {
    while (drop_underscores && i < s.size() && s[i] == '_') ++i;
  };
  skip_underscores();
  if (i < s.size() && s[i] == '-') {
    if (negative) return false;  // "--"
    out.negative = true;
    ++i;
    skip_underscores();
  }
  if (i == s.size()) return false;
  if (s[i] == '0') {
    ++i;
    skip_underscores();
    return i == s.size();
  }
  if (!IsNonZeroDigit(s[i])) return false;
  size_t digits = 0;
  for (; i < s.size(); ++i) {
    if (drop_underscores && s[i] == '_') continue;
    if (!IsDigit(s[i]) || ++digits > kMaxIntStringDigits) return false;
    Accumulate(out.magnitude, s[i]);
  }
  return true;
}

// A float pydantic accepts as an integer: finite, whole, and inside (-2^63, 2^63).
Coercion WholeFloat(double value, LaxInt& out) {
  if (!std::isfinite(value)) return Coercion::kFiniteNumber;
  if (std::fmod(value, 1.0) != 0.0) return Coercion::kIntFromFloat;
  if (!(value > -kInt64Bound && value < kInt64Bound)) return Coercion::kIntParsingSize;
  out = LaxInt{value < 0, static_cast<uint64_t>(std::fabs(value))};
  return Coercion::kValue;
}

bool EqualsIgnoringAsciiCase(std::string_view text, std::string_view word) {
  if (text.size() != word.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != word[i]) return false;
  }
  return true;
}

bool IsAnyWord(std::string_view text, const std::array<std::string_view, 5>& words) {
  for (const std::string_view word : words) {
    if (EqualsIgnoringAsciiCase(text, word)) return true;
  }
  return false;
}

}  // namespace

Coercion IntFromString(std::string_view text, LaxInt& out) {
  switch (ReadIntegerText(text, out)) {
    case IntSyntax::kValid:
      return Coercion::kValue;
    case IntSyntax::kTooLong:
      return Coercion::kIntParsingSize;
    case IntSyntax::kInvalid:
      break;
  }
  return ReadCleanedInteger(text, out) ? Coercion::kValue : Coercion::kIntParsing;
}

Coercion IntFromFloat(double value, LaxInt& out) { return WholeFloat(value, out); }

Coercion BoolFromString(std::string_view text, bool& out) {
  static constexpr std::array<std::string_view, 5> kFalseWords = {"f", "n", "no", "off", "false"};
  static constexpr std::array<std::string_view, 5> kTrueWords = {"t", "y", "on", "yes", "true"};
  if (text == "0" || IsAnyWord(text, kFalseWords)) {
    out = false;
    return Coercion::kValue;
  }
  if (text == "1" || IsAnyWord(text, kTrueWords)) {
    out = true;
    return Coercion::kValue;
  }
  return Coercion::kBoolParsing;
}

Coercion BoolFromInteger(const LaxInt& value, bool& out) {
  // Beyond int64 pydantic tries the int as a float, which is then beyond float_as_int's range.
  const bool in_int64 =
      value.negative ? value.magnitude <= kInt64Max + 1 : value.magnitude <= kInt64Max;
  if (!in_int64) return Coercion::kBoolType;
  if (value.magnitude > 1 || (value.negative && value.magnitude == 1)) {
    return Coercion::kBoolParsing;
  }
  out = value.magnitude == 1;
  return Coercion::kValue;
}

Coercion BoolFromFloat(double value, bool& out) {
  LaxInt whole;
  if (WholeFloat(value, whole) != Coercion::kValue) return Coercion::kBoolType;
  return BoolFromInteger(whole, out);
}

LaxInt ReadJsonInteger(std::string_view number) {
  LaxInt out;
  (void)ReadIntegerText(number, out);  // valid JSON integer text: only its length can fail
  return out;
}

}  // namespace leadscore::api
