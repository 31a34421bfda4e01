// A strict RFC 8259 JSON scanner over a byte buffer, for request bodies: no allocation, no
// exceptions. It reports the first syntax error with the message and position Python's json
// module gives (FastAPI parses bodies with it), so malformed requests are answered exactly
// like the FastAPI service clients were written against. Deliberate differences from Python:
// NaN/Infinity are rejected (not JSON), invalid UTF-8 inside strings and nesting deeper than
// kMaxJsonDepth are syntax errors (Python answers 400 or recurses), and a lone \uD800-style
// surrogate escape is accepted but decodes to U+FFFD (UTF-8 cannot carry it).
// A scanner is a cursor over text it does not own; not thread-safe, cheap to create.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace leadscore::api {

// Objects and arrays nested deeper than this are a syntax error; the top-level value is depth 1.
inline constexpr int kMaxJsonDepth = 64;

struct JsonSyntaxError {
  size_t offset = 0;        // byte offset into the scanned text
  std::string_view reason;  // Python json's message, e.g. "Expecting value"; static storage
};

// A scanned string. `raw` is the text between the quotes, escapes not decoded; it is valid
// UTF-8 with well-formed escapes (ScanString checked them), ready for DecodeJsonString.
struct JsonString {
  std::string_view raw;
  bool has_escapes = false;
  size_t code_points = 0;  // of the decoded string; a \u surrogate pair counts once
};

// A scanned number. `is_integer`: no fraction and no exponent, so Python's json reads an int.
struct JsonNumber {
  std::string_view text;
  bool is_integer = false;
};

class JsonScanner {
 public:
  explicit JsonScanner(std::string_view text) : text_(text) {}

  size_t offset() const { return pos_; }
  bool AtEnd() const { return pos_ >= text_.size(); }
  // The byte at the cursor, or '\0' at the end.
  char Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  std::string_view text() const { return text_; }

  // Skips JSON whitespace (space, tab, LF, CR).
  void SkipWhitespace();

  // The Scan* calls expect the cursor on the value's first byte and leave it just after the
  // value. Each returns false after recording a syntax error (see error()).
  bool ScanString(JsonString& out);
  bool ScanNumber(JsonNumber& out);
  // `word` is "true", "false" or "null".
  bool ScanLiteral(std::string_view word);
  // Validates and skips one value of any kind; nested containers count toward kMaxJsonDepth.
  bool SkipValue();

  // Containers, walked like Python's json walks them so errors land on the same byte:
  //   if (!s.EnterObject()) ...;  // cursor on '{'
  //   for (size_t i = 0;; ++i) {
  //     bool more; JsonString key;
  //     if (!s.NextMember(i, more, key)) ...;  // consumes ',' key ':' and whitespace
  //     if (!more) break;                      // consumed '}'
  //     ... scan or skip the member's value ...
  //   }
  // Arrays likewise with EnterArray/NextElement. Enter* fail beyond kMaxJsonDepth.
  bool EnterObject();
  bool NextMember(size_t index, bool& more, JsonString& key);
  bool EnterArray();
  bool NextElement(size_t index, bool& more);

  // After the top-level value: skips whitespace and fails with "Extra data" unless at the end.
  bool ExpectEnd();

  // Records `reason` at `offset` unless an error is already recorded; returns false so
  // callers can `return scanner.Fail(...)`. `reason` must have static storage.
  bool Fail(size_t offset, std::string_view reason);
  bool failed() const { return failed_; }
  const JsonSyntaxError& error() const { return error_; }

 private:
  // The part NextMember and NextElement share: at `close` ends the container (more =
  // false); otherwise, after the first item, consumes the ',' (more = true).
  bool CloseOrSeparator(size_t index, char close, bool& more);

  std::string_view text_;
  size_t pos_ = 0;
  int depth_ = 0;
  bool failed_ = false;
  JsonSyntaxError error_;
};

// True when `text` is exactly one JSON value, optionally surrounded by whitespace, within
// kMaxJsonDepth. On false, `error` (when given) says what and where.
bool IsValidJson(std::string_view text, JsonSyntaxError* error = nullptr);

// Decodes the `raw` content of a JsonString (as ScanString accepted it) to UTF-8. Lone
// surrogate escapes become U+FFFD.
void AppendDecodedJsonString(std::string_view raw, std::string& out);
// Decodes into `buffer` without allocating, whole characters only, as many as fit in
// `capacity` bytes; `complete` says whether all of them did.
struct DecodedPrefix {
  size_t length = 0;
  bool complete = false;
};
DecodedPrefix DecodeJsonString(std::string_view raw, char* buffer, size_t capacity);

// The float Python's json reads for a JSON number with a fraction or exponent (`number` as
// ScanNumber accepted it): correctly rounded, ±inf beyond the double range, ±0.0 below it.
double JsonNumberToDouble(std::string_view number);

// The position Python reports for a byte offset: code points before it. `text` must be valid
// UTF-8 up to `byte_offset` (the scanner guarantees that for the offsets it reports).
size_t CodePointOffset(std::string_view text, size_t byte_offset);

}  // namespace leadscore::api
