// A small typed JSON writer for API responses. It prints what Starlette's JSONResponse prints
// (Python's json.dumps with ensure_ascii=False and separators (",", ":")), so our bodies are
// byte-for-byte those of the FastAPI service clients were written against: compact, non-ASCII
// text as UTF-8, control characters as \n-style or \u00XX (lowercase hex) escapes, and floats
// as Python's repr (0.84, 1.0, 1e-05, 1e+16).
// The caller's calls must form one document (a Key before each member value, Begin/End
// balanced); the writer adds separators but does not check the structure. No exceptions
// beyond std::bad_alloc; not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace leadscore::api {

class JsonWriter {
 public:
  // Appends to `out`, which must outlive the writer. Reusing one string across requests
  // (clear() keeps its capacity) avoids allocating per response.
  explicit JsonWriter(std::string& out) : out_(out) {}

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  void Key(std::string_view key);

  // Writes UTF-8 text as a JSON string; each byte of an ill-formed UTF-8 sequence becomes
  // U+FFFD, so the output is always valid JSON.
  void String(std::string_view text);
  void Int(int64_t value);
  // Python's repr: the shortest text that reads back as the same double. JSON has no NaN or
  // infinity; those write null.
  void Double(double value);
  void Bool(bool value);
  void Null();
  // Appends `json` (surrounding whitespace trimmed) when it is exactly one valid JSON value
  // (see json_scanner.h) and returns true; otherwise writes null and returns false.
  [[nodiscard]] bool Raw(std::string_view json);

  const std::string& out() const { return out_; }

 private:
  // A comma when a value follows another at the same level.
  void Separate();

  std::string& out_;
  bool need_comma_ = false;
};

}  // namespace leadscore::api
