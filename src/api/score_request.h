// Parses and validates scoring request bodies (POST /score, POST /score/batch) against the
// feature spec, and describes invalid ones exactly as the seed's FastAPI + pydantic v2 service
// did, so clients written against it see the same 422 bodies.
//
// The spec is the request model: every feature is a field, in spec order, required unless the
// spec gives it a default (the recency features: missing means the default, 0, the value at
// the lead's creation, so the seed's five-field requests keep their meaning). By default
// (InputMode::kLax) the fields coerce like the seed's model, plain pydantic fields in pydantic's
// default lax mode, for the values Python's json produces (lax_coercion.h has the exact rules):
// a count takes a JSON integer, true/false, a whole float (5.0, 1e2) or an integer string ("5",
// " 5 ", "+5", "05", "5.0", "5_000"), else int_type, int_parsing ("5.5", "abc", "1e3"),
// int_from_float (5.5), int_parsing_size or finite_number; then it must lie in [0, kMaxCount].
// A flag takes true/false, 0 and 1 (ints or floats) and the strings "0" "1" "t" "f" "y" "n"
// "on" "off" "yes" "no" "true" "false" in any ASCII case, else bool_parsing (2, "maybe") or
// bool_type (null, 0.5). In InputMode::kStrict (pydantic's strict=True) a count is a JSON integer
// and a flag true or false, anything else int_type / bool_type. In both modes a category is a
// string of at most kMaxCategoryLength characters (numbers are string_type); an unknown
// category value is valid and maps to the spec's `unknown` value. A count's `at_most` bound is
// checked on the coerced values once every field is valid, like a pydantic model validator.
// Fields the spec does not name are ignored (FastAPI's default) but must still be valid JSON;
// a repeated key takes its last value, like Python's json.
//
// Deliberate differences from the Python service, all on input it mishandled: NaN and Infinity
// are invalid JSON, and a number beyond the double range (1e400, which Python reads as inf)
// echoes as null (FastAPI answered 500 when echoing them); invalid UTF-8 and nesting deeper
// than kMaxJsonDepth are `json_invalid` (FastAPI answered 400); a lone surrogate escape reads as
// U+FFFD (FastAPI answered 500); `input` echoes are bounded by kMaxInputEchoBytes (see
// json_echo.h); with several `at_most` bounds violated only the first (spec order) is reported.
//
// The parse functions allocate nothing on a valid single lead beyond growing `values` to the
// spec's size (reuse it across calls; a count sent as a string of over 128 bytes with escapes
// excepted), do not throw, and are safe to call concurrently with distinct outputs. About
// 0.3 µs for the example body on the 2-core dev machine, 5-8x less than a nlohmann::json parse
// of it (bench/request/results.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "api/json_writer.h"
#include "features/feature_spec.h"
#include "model/feature_encoder.h"

namespace leadscore::api {

// The largest count a request may carry (sessions, page views): far above any real visitor,
// low enough that nothing downstream overflows.
inline constexpr int64_t kMaxCount = 1'000'000;
inline constexpr size_t kMaxCategoryLength = 64;  // Unicode code points, like Python's len()
inline constexpr size_t kMaxBatchLeads = 10'000;
// An error's `input` echo is at most this many bytes of JSON (json_echo.h).
inline constexpr size_t kMaxInputEchoBytes = 256;

// How strictly field values must match their types (see above).
enum class InputMode : uint8_t {
  kLax,     // pydantic's default mode, the seed's: "5" and 5.0 are counts, 1 and "yes" flags
  kStrict,  // pydantic's strict mode: JSON integers for counts, true/false for flags
};

// One element of an error location: a key ("body", "sessions") or a list index (the lead's
// position in a batch, or the character position of a JSON syntax error).
using LocPart = std::variant<std::string, size_t>;

// One error as FastAPI lists it in a 422 body.
struct FieldError {
  std::vector<LocPart> loc;  // starts with "body"
  std::string type;          // pydantic's error type: "int_type", "missing", ...
  std::string msg;           // pydantic's message: "Input should be a valid integer", ...
  std::string input;         // the offending value as compact JSON, never empty
  std::string ctx;           // a JSON object such as {"ge":0}, or empty when pydantic has none
};

struct ParseOutcome {
  std::vector<FieldError> errors;  // in pydantic's order; empty when the request is valid
  bool ok() const { return errors.empty(); }
};

// POST /score: parses one lead object in `mode`. On success `values` (resized to
// spec.features.size()) holds the lead as FeatureEncoder takes it: the number for counts and
// flags (coerced: "5" is 5, "yes" is 1), the vocabulary index for categories. On failure `values`
// is unspecified and the outcome lists every error. An empty body is a `missing` body error; a
// syntax error is the only error reported.
ParseOutcome ParseScoreRequest(std::string_view body, const FeatureSpec& spec, LeadValues& values,
                               InputMode mode = InputMode::kLax);

// POST /score/batch: {"leads": [lead, ...]} with at most kMaxBatchLeads leads; an empty list is
// valid and yields no leads. On success `leads` holds one LeadValues per lead, in order (inner
// vectors are reused when `leads` is). Errors of a lead are located at ["body","leads",i,...];
// a list over the limit reports only `too_long`, as pydantic does.
ParseOutcome ParseBatchRequest(std::string_view body, const FeatureSpec& spec,
                               std::vector<LeadValues>& leads, InputMode mode = InputMode::kLax);

// Whether FastAPI would parse a body sent with this Content-Type header value as JSON:
// application/json or application/<anything>+json, case-insensitive, parameters (charset)
// ignored. A missing header ("") is not JSON.
bool IsJsonContentType(std::string_view content_type);

// The errors FastAPI gives a body it did not parse as JSON (see IsJsonContentType): the raw
// body refused as a model, echoed as a string (model_attributes_type), or a missing body when
// it is empty.
ParseOutcome RejectNonJsonBody(std::string_view body);

// The 422 body: {"detail":[{"type":...,"loc":[...],"msg":...,"input":...,"ctx":...}, ...]},
// key order and spelling as FastAPI writes them ("ctx" only when present).
void WriteValidationErrors(JsonWriter& writer, const std::vector<FieldError>& errors);
std::string ValidationErrorBody(const std::vector<FieldError>& errors);

}  // namespace leadscore::api
