#include "api/json_echo.h"

#include <cmath>
#include <cstdint>
#include <vector>

#include "api/json_scanner.h"
#include "api/json_writer.h"

namespace leadscore::api {
namespace {

// Writes one value from a scanner over already-validated JSON; false on overflow of
// `max_bytes` (or, defensively, on a scan error).
class Echo {
 public:
  Echo(size_t max_bytes, std::string& out) : max_bytes_(max_bytes), out_(out), writer_(out) {}

  bool Value(JsonScanner& scanner) {
    switch (scanner.Peek()) {
      case '{':
        return Object(scanner);
      case '[':
        return Array(scanner);
      case '"': {
        JsonString text;
        if (!scanner.ScanString(text)) return false;
        std::string decoded;
        AppendDecodedJsonString(text.raw, decoded);
        writer_.String(decoded);
        return Fits();
      }
      case 't':
        writer_.Bool(true);
        return scanner.ScanLiteral("true");
      case 'f':
        writer_.Bool(false);
        return scanner.ScanLiteral("false");
      case 'n':
        writer_.Null();
        return scanner.ScanLiteral("null");
      default:
        return Number(scanner);
    }
  }

 private:
  bool Fits() const { return out_.size() <= max_bytes_; }

  bool Object(JsonScanner& scanner) {
    struct Member {
      std::string key;
      std::string_view value;
    };
    std::vector<Member> members;
    if (!scanner.EnterObject()) return false;
    for (size_t i = 0;; ++i) {
      bool more = false;
      JsonString key;
      if (!scanner.NextMember(i, more, key)) return false;
      if (!more) break;
      const size_t begin = scanner.offset();
      if (!scanner.SkipValue()) return false;
      const std::string_view value = scanner.text().substr(begin, scanner.offset() - begin);
      std::string name;
      AppendDecodedJsonString(key.raw, name);
      // Like a Python dict: a repeated key keeps its first position and takes the last value.
      bool repeated = false;
      for (Member& member : members) {
        if (member.key == name) {
          member.value = value;
          repeated = true;
          break;
        }
      }
      if (!repeated) members.push_back(Member{std::move(name), value});
      // Each distinct member prints at least `"":0,`, so many of them cannot fit.
      if (members.size() * 5 + 1 > max_bytes_) return false;
    }
    writer_.BeginObject();
    for (const Member& member : members) {
      writer_.Key(member.key);
      JsonScanner value(member.value);
      if (!Fits() || !Value(value)) return false;
    }
    writer_.EndObject();
    return Fits();
  }

  bool Array(JsonScanner& scanner) {
    if (!scanner.EnterArray()) return false;
    writer_.BeginArray();
    for (size_t i = 0;; ++i) {
      bool more = false;
      if (!scanner.NextElement(i, more)) return false;
      if (!more) break;
      if (!Value(scanner) || !Fits()) return false;
    }
    writer_.EndArray();
    return Fits();
  }

  bool Number(JsonScanner& scanner) {
    JsonNumber number;
    if (!scanner.ScanNumber(number)) return false;
    if (number.is_integer) {
      if (number.text == "-0") {
        writer_.Int(0);  // Python's int has no negative zero
      } else if (!writer_.Raw(number.text)) {
        return false;
      }
      return Fits();
    }
    const double value = JsonNumberToDouble(number.text);
    if (std::isinf(value)) {
      // Python's inf: JSON has no such number, and echoing the digits would make strict
      // clients (nlohmann, say) refuse the whole 422 body.
      writer_.Null();
    } else {
      writer_.Double(value);
    }
    return Fits();
  }

  size_t max_bytes_;
  std::string& out_;
  JsonWriter writer_;
};

// A string value too long to echo: its first characters, as many as fit in `max_bytes`.
std::string TruncatedString(std::string_view value, size_t max_bytes) {
  JsonScanner scanner(value);
  JsonString text;
  if (!scanner.ScanString(text)) return "null";
  std::string prefix(max_bytes, '\0');
  prefix.resize(DecodeJsonString(text.raw, prefix.data(), prefix.size()).length);
  std::string out;
  while (true) {
    out.clear();
    JsonWriter(out).String(prefix);
    if (out.size() <= max_bytes || prefix.empty()) return out;
    // Escapes made it longer: drop the last character and try again.
    size_t cut = prefix.size() - 1;
    while (cut > 0 && (static_cast<uint8_t>(prefix[cut]) & 0xC0) == 0x80) --cut;
    prefix.resize(cut);
  }
}

}  // namespace

std::string EchoJsonValue(std::string_view value, size_t max_bytes) {
  const size_t first = value.find_first_not_of(" \t\n\r");
  if (first == std::string_view::npos) return "null";
  value.remove_prefix(first);
  if (value.size() <= 16 * max_bytes) {
    std::string out;
    Echo echo(max_bytes, out);
    JsonScanner scanner(value);
    if (echo.Value(scanner) && out.size() <= max_bytes) return out;
  }
  switch (value[0]) {
    case '{':
      return "{}";
    case '[':
      return "[]";
    case '"':
      return TruncatedString(value, max_bytes);
    default:
      return "null";
  }
}

}  // namespace leadscore::api
