#include "api/json_scanner.h"

#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <system_error>

#include "api/utf8.h"

namespace leadscore::api {
namespace {

// Python json's messages (CPython Modules/_json.c), which FastAPI returns as ctx.error.
constexpr std::string_view kExpectingValue = "Expecting value";
constexpr std::string_view kExpectingPropertyName =
    "Expecting property name enclosed in double quotes";
constexpr std::string_view kExpectingColon = "Expecting ':' delimiter";
constexpr std::string_view kExpectingComma = "Expecting ',' delimiter";
constexpr std::string_view kUnterminatedString = "Unterminated string starting at";
constexpr std::string_view kControlCharacter = "Invalid control character at";
constexpr std::string_view kInvalidEscape = "Invalid \\escape";
constexpr std::string_view kInvalidUnicodeEscape = "Invalid \\uXXXX escape";
constexpr std::string_view kExtraData = "Extra data";
// Ours: Python answers these with a 400 or a RecursionError instead of a decode error.
constexpr std::string_view kInvalidUtf8 = "Invalid UTF-8";
constexpr std::string_view kTooDeep = "Maximum nesting depth exceeded";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The value of four hex digits at text[pos], or -1.
int32_t Hex4(std::string_view text, size_t pos) {
  int32_t value = 0;
  for (size_t i = pos; i < pos + 4; ++i) {
    const char c = text[i];
    int32_t digit = 0;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return -1;
    }
    value = value * 16 + digit;
  }
  return value;
}

bool IsHighSurrogate(int32_t cp) { return cp >= 0xD800 && cp <= 0xDBFF; }
bool IsLowSurrogate(int32_t cp) { return cp >= 0xDC00 && cp <= 0xDFFF; }

// The byte an escape like \n stands for, or -1 for \u and invalid escapes.
int SimpleEscape(char c) {
  switch (c) {
    case '"':
      return '"';
    case '\\':
      return '\\';
    case '/':
      return '/';
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    default:
      return -1;
  }
}

// Plain string bytes: printable ASCII other than the quote and the backslash. A table, as
// this test runs once per byte of every string in every request.
constexpr auto kPlainBytes = [] {
  std::array<bool, 256> plain{};
  for (int byte = 0x20; byte < 0x80; ++byte) plain[byte] = byte != '"' && byte != '\\';
  return plain;
}();

bool IsPlain(char c) { return kPlainBytes[static_cast<uint8_t>(c)]; }

// Calls `sink(bytes, length)` for each decoded piece of a scanned string's raw content; the
// one decoder behind both DecodeJsonString and AppendDecodedJsonString. Pairs surrogates
// exactly where ScanString did (the second escape lies inside `raw` in both).
template <typename Sink>
bool DecodeInto(std::string_view raw, Sink&& sink) {
  size_t i = 0;
  while (i < raw.size()) {
    const size_t plain_begin = i;
    while (i < raw.size() && raw[i] != '\\') ++i;
    if (i > plain_begin && !sink(raw.data() + plain_begin, i - plain_begin)) return false;
    if (i >= raw.size()) break;
    const char kind = raw[i + 1];
    if (kind != 'u') {
      // Four bytes like a \u escape's, though one is used: GCC 12 at -O3 otherwise warns
      // (falsely) that DecodeJsonString's back-off reads past it.
      const char escaped[4] = {static_cast<char>(SimpleEscape(kind))};
      if (!sink(escaped, 1)) return false;
      i += 2;
      continue;
    }
    int32_t cp = Hex4(raw, i + 2);
    i += 6;
    if (IsHighSurrogate(cp) && i + 6 <= raw.size() && raw[i] == '\\' && raw[i + 1] == 'u') {
      const int32_t low = Hex4(raw, i + 2);
      if (IsLowSurrogate(low)) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        i += 6;
      }
    }
    if (cp < 0 || IsHighSurrogate(cp) || IsLowSurrogate(cp)) cp = 0xFFFD;
    char utf8[4];
    if (!sink(utf8, EncodeUtf8(static_cast<uint32_t>(cp), utf8))) return false;
  }
  return true;
}

// For a number std::from_chars found out of range: true when it is tiny (Python reads 0.0),
// false when it is huge (Python reads inf). Compares the decimal exponent of its first
// significant digit with zero.
bool IsUnderflow(std::string_view number) {
  size_t i = number[0] == '-' ? 1 : 0;
  int64_t magnitude = 0;
  bool significant = false;
  for (; i < number.size() && IsDigit(number[i]); ++i) {
    if (significant || number[i] != '0') {
      magnitude += significant ? 1 : 0;
      significant = true;
    }
  }
  if (i < number.size() && number[i] == '.') {
    for (++i; i < number.size() && IsDigit(number[i]); ++i) {
      if (!significant) {
        --magnitude;
        significant = number[i] != '0';
      }
    }
  }
  int64_t exponent = 0;
  if (i < number.size() && (number[i] == 'e' || number[i] == 'E')) {
    ++i;
    const bool negative = number[i] == '-';
    if (number[i] == '-' || number[i] == '+') ++i;
    for (; i < number.size(); ++i) {
      if (exponent < 1'000'000'000) exponent = exponent * 10 + (number[i] - '0');
    }
    if (negative) exponent = -exponent;
  }
  return magnitude + exponent < 0;
}

}  // namespace

void JsonScanner::SkipWhitespace() {
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t') break;
    ++pos_;
  }
}

bool JsonScanner::Fail(size_t offset, std::string_view reason) {
  if (!failed_) {
    failed_ = true;
    error_ = JsonSyntaxError{offset, reason};
  }
  return false;
}

bool JsonScanner::ScanString(JsonString& out) {
  const size_t quote = pos_;
  const size_t begin = quote + 1;
  const size_t size = text_.size();
  size_t p = begin;
  size_t code_points = 0;
  bool has_escapes = false;
  while (true) {
    while (p < size && IsPlain(text_[p])) {
      ++p;
      ++code_points;
    }
    if (p >= size) return Fail(quote, kUnterminatedString);
    const char c = text_[p];
    if (c == '"') break;
    if (static_cast<uint8_t>(c) < 0x20) return Fail(p, kControlCharacter);
    if (c != '\\') {  // a non-ASCII character
      const size_t length = Utf8SequenceLength(text_, p);
      if (length == 0) return Fail(p, kInvalidUtf8);
      p += length;
      ++code_points;
      continue;
    }
    has_escapes = true;
    ++code_points;
    if (p + 1 >= size) return Fail(quote, kUnterminatedString);
    if (text_[p + 1] != 'u') {
      if (SimpleEscape(text_[p + 1]) < 0) return Fail(p, kInvalidEscape);
      p += 2;
      continue;
    }
    // Python wants at least one byte after the four digits (the closing quote, at least)
    // and reports \u errors at the 'u'.
    const size_t u = p + 1;
    if (u + 5 >= size) return Fail(u, kInvalidUnicodeEscape);
    const int32_t cp = Hex4(text_, u + 1);
    if (cp < 0) return Fail(u, kInvalidUnicodeEscape);
    p = u + 5;
    if (IsHighSurrogate(cp) && p + 6 < size && text_[p] == '\\' && text_[p + 1] == 'u') {
      const int32_t low = Hex4(text_, p + 2);
      if (low < 0) return Fail(p + 1, kInvalidUnicodeEscape);
      if (IsLowSurrogate(low)) p += 6;  // else the next escape is scanned on its own
    }
  }
  out = JsonString{text_.substr(begin, p - begin), has_escapes, code_points};
  pos_ = p + 1;
  return true;
}

bool JsonScanner::ScanNumber(JsonNumber& out) {
  // Python's longest match of -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?; what follows
  // (as in "01" or "1.") is the caller's delimiter error, at the same byte as Python's.
  const size_t start = pos_;
  const size_t size = text_.size();
  size_t p = start;
  if (p < size && text_[p] == '-') ++p;
  if (p < size && text_[p] >= '1' && text_[p] <= '9') {
    while (p < size && IsDigit(text_[p])) ++p;
  } else if (p < size && text_[p] == '0') {
    ++p;
  } else {
    return Fail(start, kExpectingValue);
  }
  bool is_integer = true;
  if (p + 1 < size && text_[p] == '.' && IsDigit(text_[p + 1])) {
    p += 2;
    while (p < size && IsDigit(text_[p])) ++p;
    is_integer = false;
  }
  if (p < size && (text_[p] == 'e' || text_[p] == 'E')) {
    size_t q = p + 1;
    if (q < size && (text_[q] == '+' || text_[q] == '-')) ++q;
    if (q < size && IsDigit(text_[q])) {
      while (q < size && IsDigit(text_[q])) ++q;
      p = q;
      is_integer = false;
    }
  }
  out = JsonNumber{text_.substr(start, p - start), is_integer};
  pos_ = p;
  return true;
}

bool JsonScanner::ScanLiteral(std::string_view word) {
  if (text_.substr(pos_, word.size()) != word) return Fail(pos_, kExpectingValue);
  pos_ += word.size();
  return true;
}

bool JsonScanner::SkipValue() {
  switch (Peek()) {
    case '"': {
      JsonString ignored;
      return ScanString(ignored);
    }
    case '{': {
      if (!EnterObject()) return false;
      for (size_t i = 0;; ++i) {
        bool more = false;
        JsonString key;
        if (!NextMember(i, more, key)) return false;
        if (!more) return true;
        if (!SkipValue()) return false;
      }
    }
    case '[': {
      if (!EnterArray()) return false;
      for (size_t i = 0;; ++i) {
        bool more = false;
        if (!NextElement(i, more)) return false;
        if (!more) return true;
        if (!SkipValue()) return false;
      }
    }
    case 't':
      return ScanLiteral("true");
    case 'f':
      return ScanLiteral("false");
    case 'n':
      return ScanLiteral("null");
    default: {
      JsonNumber ignored;
      return ScanNumber(ignored);  // "Expecting value" unless a number starts here
    }
  }
}

bool JsonScanner::EnterObject() {
  if (++depth_ > kMaxJsonDepth) return Fail(pos_, kTooDeep);
  ++pos_;
  SkipWhitespace();
  return true;
}

bool JsonScanner::EnterArray() { return EnterObject(); }

bool JsonScanner::CloseOrSeparator(size_t index, char close, bool& more) {
  if (index > 0) SkipWhitespace();
  if (Peek() == close) {
    ++pos_;
    --depth_;
    more = false;
    return true;
  }
  if (index > 0) {
    if (Peek() != ',') return Fail(pos_, kExpectingComma);
    ++pos_;
    SkipWhitespace();
  }
  more = true;
  return true;
}

bool JsonScanner::NextMember(size_t index, bool& more, JsonString& key) {
  if (!CloseOrSeparator(index, '}', more)) return false;
  if (!more) return true;
  if (Peek() != '"') return Fail(pos_, kExpectingPropertyName);
  if (!ScanString(key)) return false;
  SkipWhitespace();
  if (Peek() != ':') return Fail(pos_, kExpectingColon);
  ++pos_;
  SkipWhitespace();
  return true;
}

bool JsonScanner::NextElement(size_t index, bool& more) {
  return CloseOrSeparator(index, ']', more);
}

bool JsonScanner::ExpectEnd() {
  SkipWhitespace();
  return AtEnd() || Fail(pos_, kExtraData);
}

bool IsValidJson(std::string_view text, JsonSyntaxError* error) {
  JsonScanner scanner(text);
  scanner.SkipWhitespace();
  const bool valid = scanner.SkipValue() && scanner.ExpectEnd();
  if (!valid && error != nullptr) *error = scanner.error();
  return valid;
}

void AppendDecodedJsonString(std::string_view raw, std::string& out) {
  DecodeInto(raw, [&](const char* bytes, size_t length) {
    out.append(bytes, length);
    return true;
  });
}

DecodedPrefix DecodeJsonString(std::string_view raw, char* buffer, size_t capacity) {
  size_t used = 0;
  const bool complete = DecodeInto(raw, [&](const char* bytes, size_t length) {
    size_t fit = length <= capacity - used ? length : capacity - used;
    // A plain run may hold several characters: keep the ones that fit whole.
    if (fit < length) {
      while (fit > 0 && (static_cast<uint8_t>(bytes[fit]) & 0xC0) == 0x80) --fit;
    }
    for (size_t i = 0; i < fit; ++i) buffer[used + i] = bytes[i];
    used += fit;
    return fit == length;
  });
  return DecodedPrefix{used, complete};
}

double JsonNumberToDouble(std::string_view number) {
  double value = 0;
  const auto parsed = std::from_chars(number.data(), number.data() + number.size(), value);
  if (parsed.ec == std::errc()) return value;
  const double limit = IsUnderflow(number) ? 0.0 : std::numeric_limits<double>::infinity();
  return number[0] == '-' ? -limit : limit;
}

size_t CodePointOffset(std::string_view text, size_t byte_offset) {
  size_t count = 0;
  for (size_t i = 0; i < byte_offset && i < text.size(); ++i) {
    if ((static_cast<uint8_t>(text[i]) & 0xC0) != 0x80) ++count;
  }
  return count;
}

}  // namespace leadscore::api
