// Differential fuzzing of the API's JSON layer against nlohmann::json as the reference:
//  - JsonScanner accepts exactly what nlohmann accepts, but for the documented differences
//    (our depth cap; nlohmann's refusal of lone surrogate escapes and of numbers beyond a
//    double; its skipping of a byte order mark; its reading NUL as the end of input);
//  - a valid top-level string decodes to the same bytes;
//  - EchoJsonValue of a valid value is valid JSON within its bound;
//  - JsonWriter::String of any bytes is valid JSON and reads back unchanged when they were
//    valid UTF-8; JsonWriter::Double reads back as the same double.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "api/json_echo.h"
#include "api/json_scanner.h"
#include "api/json_writer.h"
#include "api/utf8.h"

namespace leadscore::api {
namespace {

void Require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "invariant broken: %s\n", what);
  std::abort();
}

// nlohmann's verdict, and its message when it refuses.
bool ReferenceAccepts(std::string_view text, std::string& why) {
  try {
    (void)nlohmann::json::parse(text);
    return true;
  } catch (const nlohmann::json::exception& e) {
    why = e.what();
    return false;
  }
}

bool IsUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const size_t length = Utf8SequenceLength(text, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

void CheckScanner(std::string_view text) {
  JsonSyntaxError error;
  const bool ours = IsValidJson(text, &error);
  if (text.find('\0') != std::string_view::npos) {
    // NUL is never JSON; nlohmann's lexer takes it for the end of input, so it cannot judge.
    Require(!ours, "a NUL byte is invalid");
    return;
  }
  std::string why;
  const bool theirs = ReferenceAccepts(text, why);
  if (ours && !theirs) {
    Require(why.find("surrogate") != std::string::npos ||
                why.find("number overflow") != std::string::npos,
            "we accept only what nlohmann refuses for a documented reason");
  }
  if (theirs && !ours) {
    Require(error.reason == "Maximum nesting depth exceeded" || text.substr(0, 3) == "\xEF\xBB\xBF",
            "we refuse only what nlohmann accepts for a documented reason");
  }
  if (!ours) {
    Require(error.offset <= text.size(), "the error lies within the text");
    return;
  }
  const std::string echo = EchoJsonValue(text, 256);
  Require(echo.size() <= 256, "the echo is bounded");
  Require(nlohmann::json::accept(echo), "the echo is valid JSON");

  JsonScanner scanner(text);
  scanner.SkipWhitespace();
  JsonString string;
  if (theirs && scanner.Peek() == '"' && scanner.ScanString(string)) {
    std::string decoded;
    AppendDecodedJsonString(string.raw, decoded);
    Require(decoded == nlohmann::json::parse(text).get<std::string>(),
            "strings decode like nlohmann's");
  }
}

void CheckWriter(std::string_view bytes) {
  std::string out;
  JsonWriter(out).String(bytes);
  Require(nlohmann::json::accept(out), "String() writes valid JSON");
  if (IsUtf8(bytes)) {
    Require(nlohmann::json::parse(out).get<std::string>() == bytes, "String() round-trips");
  }
  if (bytes.size() >= sizeof(double)) {
    double value = 0;
    std::memcpy(&value, bytes.data(), sizeof(value));
    out.clear();
    JsonWriter(out).Double(value);
    if (out != "null") {
      const double back = nlohmann::json::parse(out).get<double>();
      Require(std::memcmp(&back, &value, sizeof(value)) == 0, "Double() round-trips");
    }
  }
}

}  // namespace
}  // namespace leadscore::api

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  leadscore::api::CheckScanner(text);
  leadscore::api::CheckWriter(text);
  return 0;
}
