// The `input` of a 422 error: the offending request value, printed as FastAPI prints it after
// Python's json parsed it (pydantic echoes the parsed value, not the request's bytes).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace leadscore::api {

// Re-serialises `value`, one valid JSON value (as JsonScanner accepted it), the way FastAPI
// echoes it: compact, duplicate object keys resolved like a Python dict (the last value, at the
// first key's position), strings decoded and re-escaped, "-0" as 0, fractions and exponents as
// Python's float repr (1e2 -> 100.0). A float beyond the double range echoes as null (Python
// reads inf, which JSON cannot carry; FastAPI answers 500 there).
// Bounded: a result longer than `max_bytes`, or a value longer than 16 * `max_bytes`, becomes
// a placeholder of the same kind: an object {}, an array [], a string cut at a character
// boundary to fit, a number null.
std::string EchoJsonValue(std::string_view value, size_t max_bytes);

}  // namespace leadscore::api
