#include "api/json_writer.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>

#include "api/json_scanner.h"
#include "api/utf8.h"

namespace leadscore::api {
namespace {

// What Python's json escapes with ensure_ascii=False (control characters, quote, backslash),
// and non-ASCII bytes, which are not escaped but checked for well-formed UTF-8. A table, as
// this test runs once per byte of every string written.
constexpr auto kSpecialBytes = [] {
  std::array<bool, 256> special{};
  for (int byte = 0; byte < 256; ++byte) {
    special[byte] = byte < 0x20 || byte == '"' || byte == '\\' || byte >= 0x80;
  }
  return special;
}();

bool NeedsEscape(char c) { return kSpecialBytes[static_cast<uint8_t>(c)]; }

void AppendEscaped(std::string_view text, std::string& out) {
  out.push_back('"');
  size_t i = 0;
  while (i < text.size()) {
    const size_t run = i;
    while (i < text.size() && !NeedsEscape(text[i])) ++i;
    out.append(text.data() + run, i - run);
    if (i >= text.size()) break;
    const char c = text[i];
    if (static_cast<uint8_t>(c) >= 0x80) {
      const size_t length = Utf8SequenceLength(text, i);
      if (length == 0) {
        out.append("\xEF\xBF\xBD");  // U+FFFD for the ill-formed byte
        ++i;
      } else {
        out.append(text.data() + i, length);
        i += length;
      }
      continue;
    }
    ++i;
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      default: {
        constexpr char kHex[] = "0123456789abcdef";
        const auto byte = static_cast<uint8_t>(c);
        const char escape[] = {'\\', 'u', '0', '0', kHex[byte >> 4], kHex[byte & 0xF]};
        out.append(escape, sizeof(escape));
      }
    }
  }
  out.push_back('"');
}

// Python's float repr (format 'r'): the shortest round-trip digits, in positional notation
// when the decimal exponent is in [-4, 16), else d.ddde+XX; integral values keep ".0".
void AppendPythonFloat(double value, std::string& out) {
  char buffer[32];
  // Shortest round-trip digits as "-d.ddde+XX"; we only re-place the decimal point.
  const auto result =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
  const std::string_view text(buffer, static_cast<size_t>(result.ptr - buffer));
  const size_t e = text.find('e');
  std::string_view mantissa = text.substr(0, e);
  int exponent = 0;
  std::from_chars(text.data() + e + (text[e + 1] == '+' ? 2 : 1), text.data() + text.size(),
                  exponent);
  if (!mantissa.empty() && mantissa[0] == '-') {
    out.push_back('-');
    mantissa.remove_prefix(1);
  }
  char digits[24];
  size_t count = 0;
  for (char c : mantissa) {
    if (c != '.') digits[count++] = c;
  }
  const std::string_view all(digits, count);
  const int point = exponent + 1;  // digits before the decimal point
  if (point > -4 && point <= 16) {
    if (point <= 0) {
      out.append("0.");
      out.append(static_cast<size_t>(-point), '0');
      out.append(all);
    } else if (static_cast<size_t>(point) >= count) {
      out.append(all);
      out.append(static_cast<size_t>(point) - count, '0');
      out.append(".0");
    } else {
      out.append(all.substr(0, static_cast<size_t>(point)));
      out.push_back('.');
      out.append(all.substr(static_cast<size_t>(point)));
    }
    return;
  }
  out.push_back(all[0]);
  if (count > 1) {
    out.push_back('.');
    out.append(all.substr(1));
  }
  out.push_back('e');
  out.push_back(exponent < 0 ? '-' : '+');
  const int magnitude = exponent < 0 ? -exponent : exponent;
  if (magnitude < 10) out.push_back('0');
  char exponent_digits[8];
  const auto written =
      std::to_chars(exponent_digits, exponent_digits + sizeof(exponent_digits), magnitude);
  out.append(exponent_digits, written.ptr);
}

}  // namespace

void JsonWriter::Separate() {
  if (need_comma_) out_.push_back(',');
}

void JsonWriter::BeginObject() {
  Separate();
  out_.push_back('{');
  need_comma_ = false;
}

void JsonWriter::EndObject() {
  out_.push_back('}');
  need_comma_ = true;
}

void JsonWriter::BeginArray() {
  Separate();
  out_.push_back('[');
  need_comma_ = false;
}

void JsonWriter::EndArray() {
  out_.push_back(']');
  need_comma_ = true;
}

void JsonWriter::Key(std::string_view key) {
  Separate();
  AppendEscaped(key, out_);
  out_.push_back(':');
  need_comma_ = false;
}

void JsonWriter::String(std::string_view text) {
  Separate();
  AppendEscaped(text, out_);
  need_comma_ = true;
}

void JsonWriter::Int(int64_t value) {
  Separate();
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out_.append(buffer, result.ptr);
  need_comma_ = true;
}

void JsonWriter::Double(double value) {
  Separate();
  if (std::isfinite(value)) {
    AppendPythonFloat(value, out_);
  } else {
    out_.append("null");
  }
  need_comma_ = true;
}

void JsonWriter::Bool(bool value) {
  Separate();
  out_.append(value ? "true" : "false");
  need_comma_ = true;
}

void JsonWriter::Null() {
  Separate();
  out_.append("null");
  need_comma_ = true;
}

bool JsonWriter::Raw(std::string_view json) {
  if (!IsValidJson(json)) {
    Null();
    return false;
  }
  const size_t first = json.find_first_not_of(" \t\n\r");
  const size_t last = json.find_last_not_of(" \t\n\r");
  Separate();
  out_.append(json.substr(first, last + 1 - first));
  need_comma_ = true;
  return true;
}

}  // namespace leadscore::api
