// pydantic v2's lax-mode coercions (pydantic_core 2.x, `int` and `bool` fields), for the values
// Python's json produces: what FastAPI's default (non-strict) model makes of a string, a float
// or an integer where the field wants a different type, or which error type it reports.
// Ported from pydantic_core's src/input/shared.rs (str_as_int, clean_int_str, float_as_int,
// str_as_bool, int_as_bool) and checked case by case against pydantic itself
// (tests/e2e/test_serve_input_modes.py). Pure functions: no allocation, no exceptions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace leadscore::api {

// An integer as pydantic read it, before range checks; the magnitude saturates at UINT64_MAX.
struct LaxInt {
  bool negative = false;
  uint64_t magnitude = 0;
};

// The outcome of one coercion: a value, or the pydantic error type to report.
enum class Coercion : uint8_t {
  kValue,
  kIntParsing,      // int_parsing: "Input should be a valid integer, unable to parse string..."
  kIntParsingSize,  // int_parsing_size: "Unable to parse input string as an integer, ..."
  kIntFromFloat,    // int_from_float: "..., got a number with a fractional part"
  kFiniteNumber,    // finite_number: "Input should be a finite number"
  kBoolParsing,     // bool_parsing: "Input should be a valid boolean, unable to interpret input"
  kBoolType,        // bool_type: "Input should be a valid boolean"
};

// pydantic reads integer strings of at most this many digits (Python's int() limit).
inline constexpr size_t kMaxIntStringDigits = 4300;

// An int field given a string (`text` decoded, valid UTF-8): the string as a JSON integer
// (-?(0|[1-9][0-9]*); a longer run than kMaxIntStringDigits digits: kIntParsingSize), else
// cleaned first (surrounding Unicode whitespace, a '+', leading zeros, a fraction of zeros and
// single underscores between digits dropped) and read again (any failure: kIntParsing).
Coercion IntFromString(std::string_view text, LaxInt& out);

// An int field given a float: kFiniteNumber for ±inf, kIntFromFloat with a fractional part,
// kIntParsingSize outside (-2^63, 2^63); -0.0 is 0.
Coercion IntFromFloat(double value, LaxInt& out);

// A bool field given a string: "0" and "1", and case-insensitively (ASCII) "f" "n" "no" "off"
// "false" / "t" "y" "on" "yes" "true"; nothing else (kBoolParsing), whitespace included.
Coercion BoolFromString(std::string_view text, bool& out);

// A bool field given an integer: 0 and 1; any other int64 is kBoolParsing, beyond it kBoolType.
Coercion BoolFromInteger(const LaxInt& value, bool& out);

// A bool field given a float: 0.0 (either sign) and 1.0; other whole numbers in (-2^63, 2^63)
// are kBoolParsing, fractions, infinities and larger ones kBoolType.
Coercion BoolFromFloat(double value, bool& out);

// A JSON integer's digits (ScanNumber's text with is_integer), as Python's int reads them.
LaxInt ReadJsonInteger(std::string_view number);

}  // namespace leadscore::api
