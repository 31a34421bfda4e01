#include "api/lax_coercion.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <string_view>

namespace leadscore::api {
namespace {

// Every expectation below is what pydantic 2.14 (pydantic_core 2.50) made of the same value in
// lax mode: TypeAdapter(int) or TypeAdapter(bool).validate_python(value). The end-to-end tests
// compare whole requests with FastAPI itself (tests/e2e/test_serve_input_modes.py).

constexpr uint64_t kSaturated = std::numeric_limits<uint64_t>::max();
constexpr double kInf = std::numeric_limits<double>::infinity();

struct IntCase {
  std::string_view text;
  Coercion coercion;
  bool negative = false;
  uint64_t magnitude = 0;
};

// The integer a LaxInt stands for compared as pydantic's: zero has no sign.
void ExpectInt(const LaxInt& got, bool negative, uint64_t magnitude, std::string_view what) {
  EXPECT_EQ(got.magnitude, magnitude) << what;
  EXPECT_EQ(got.negative && got.magnitude != 0, negative) << what;
}

TEST(LaxCoercion, ReadsIntegerStringsLikePydantic) {
  const IntCase cases[] = {
      {"5", Coercion::kValue, false, 5u},
      {"-5", Coercion::kValue, true, 5u},
      {"0", Coercion::kValue, false, 0u},
      {"-0", Coercion::kValue, false, 0u},
      {"00", Coercion::kValue, false, 0u},
      {"-00", Coercion::kValue, false, 0u},
      {"+0", Coercion::kValue, false, 0u},
      {"05", Coercion::kValue, false, 5u},
      {"-05", Coercion::kValue, true, 5u},
      {"+5", Coercion::kValue, false, 5u},
      {"+05.0", Coercion::kValue, false, 5u},
      {" 5 ", Coercion::kValue, false, 5u},
      {"\t5\n", Coercion::kValue, false, 5u},
      {"\u00a05\u3000", Coercion::kValue, false, 5u},
      {"\u20285\u2029", Coercion::kValue, false, 5u},
      {"\u00855", Coercion::kValue, false, 5u},
      {"\u16805", Coercion::kValue, false, 5u},
      {"\u202f5\u205f", Coercion::kValue, false, 5u},
      {"\v5\f", Coercion::kValue, false, 5u},
      {"5.0", Coercion::kValue, false, 5u},
      {"5.00", Coercion::kValue, false, 5u},
      {"00.0", Coercion::kValue, false, 0u},
      {"-0.0", Coercion::kValue, false, 0u},
      {"1_000", Coercion::kValue, false, 1000u},
      {"1_0_0", Coercion::kValue, false, 100u},
      {"0_5", Coercion::kValue, false, 5u},
      {"0_0", Coercion::kValue, false, 0u},
      {"0__0", Coercion::kValue, false, 0u},
      {"5_0.0", Coercion::kValue, false, 50u},
      {"9223372036854775807", Coercion::kValue, false, 9223372036854775807u},
      {"18446744073709551616", Coercion::kValue, false, kSaturated},
      {"-18446744073709551616", Coercion::kValue, true, kSaturated},
      {"", Coercion::kIntParsing},
      {" ", Coercion::kIntParsing},
      {"+", Coercion::kIntParsing},
      {"-", Coercion::kIntParsing},
      {".", Coercion::kIntParsing},
      {"5.", Coercion::kIntParsing},
      {".0", Coercion::kIntParsing},
      {"0.", Coercion::kIntParsing},
      {"5.5", Coercion::kIntParsing},
      {"5.10", Coercion::kIntParsing},
      {"5.0_0", Coercion::kIntParsing},
      {"1e3", Coercion::kIntParsing},
      {"1E3", Coercion::kIntParsing},
      {"0x10", Coercion::kIntParsing},
      {"0b1", Coercion::kIntParsing},
      {"1 000", Coercion::kIntParsing},
      {"_5", Coercion::kIntParsing},
      {"5_", Coercion::kIntParsing},
      {"1__0", Coercion::kIntParsing},
      {"_0", Coercion::kIntParsing},
      {"0_", Coercion::kIntParsing},
      {"0_.0", Coercion::kIntParsing},
      {"+-5", Coercion::kIntParsing},
      {"-+5", Coercion::kIntParsing},
      {"++5", Coercion::kIntParsing},
      {"--5", Coercion::kIntParsing},
      {"-_5", Coercion::kIntParsing},
      {"0-5", Coercion::kValue, true, 5u},
      {"-0-5", Coercion::kIntParsing},
      {"0_-5", Coercion::kValue, true, 5u},
      {"0.-5", Coercion::kIntParsing},
      {"abc", Coercion::kIntParsing},
      {"\u0665", Coercion::kIntParsing},
      {"\u200b5", Coercion::kIntParsing},
      {"\ufeff5", Coercion::kIntParsing},
      {"\u001c5", Coercion::kIntParsing},
      {"\u180e5", Coercion::kIntParsing},
  };
  for (const IntCase& c : cases) {
    LaxInt got;
    const std::string what = "\"" + std::string(c.text) + "\"";
    ASSERT_EQ(IntFromString(c.text, got), c.coercion) << what;
    if (c.coercion == Coercion::kValue) ExpectInt(got, c.negative, c.magnitude, what);
  }
}

TEST(LaxCoercion, LimitsIntegerStringsToPythonsDigitCount) {
  // More than 4300 digits is int_parsing_size when the string is a plain JSON integer, whatever
  // follows the digits, and int_parsing when it had to be cleaned first (as pydantic does).
  const std::string digits(kMaxIntStringDigits, '7');
  LaxInt got;
  EXPECT_EQ(IntFromString(digits, got), Coercion::kValue);
  EXPECT_EQ(got.magnitude, kSaturated);
  EXPECT_EQ(IntFromString("-" + digits, got), Coercion::kValue);
  EXPECT_EQ(IntFromString(digits + "7", got), Coercion::kIntParsingSize);
  EXPECT_EQ(IntFromString("-" + digits + "7", got), Coercion::kIntParsingSize);
  EXPECT_EQ(IntFromString(digits + "7x", got), Coercion::kIntParsingSize);
  EXPECT_EQ(IntFromString(digits + "x", got), Coercion::kIntParsing);
  EXPECT_EQ(IntFromString(digits + ".0", got), Coercion::kValue);
  EXPECT_EQ(IntFromString(digits + "7.0", got), Coercion::kIntParsingSize);
  EXPECT_EQ(IntFromString("+" + digits, got), Coercion::kValue);
  EXPECT_EQ(IntFromString("+" + digits + "7", got), Coercion::kIntParsing);
  EXPECT_EQ(IntFromString(" " + digits + "7", got), Coercion::kIntParsing);
  EXPECT_EQ(IntFromString(std::string(5000, '0') + "5", got), Coercion::kValue);
  EXPECT_EQ(got.magnitude, 5u);
  EXPECT_EQ(IntFromString(digits + "_7", got), Coercion::kIntParsing);
  EXPECT_EQ(IntFromString(digits.substr(1) + "_7", got), Coercion::kValue);
}

struct BoolCase {
  std::string_view text;
  Coercion coercion;
  bool value = false;
};

TEST(LaxCoercion, ReadsBooleanStringsLikePydantic) {
  const BoolCase cases[] = {
      {"0", Coercion::kValue, false},
      {"1", Coercion::kValue, true},
      {"f", Coercion::kValue, false},
      {"F", Coercion::kValue, false},
      {"n", Coercion::kValue, false},
      {"no", Coercion::kValue, false},
      {"NO", Coercion::kValue, false},
      {"off", Coercion::kValue, false},
      {"Off", Coercion::kValue, false},
      {"false", Coercion::kValue, false},
      {"FaLsE", Coercion::kValue, false},
      {"t", Coercion::kValue, true},
      {"T", Coercion::kValue, true},
      {"y", Coercion::kValue, true},
      {"on", Coercion::kValue, true},
      {"ON", Coercion::kValue, true},
      {"yes", Coercion::kValue, true},
      {"Yes", Coercion::kValue, true},
      {"true", Coercion::kValue, true},
      {"TRUE", Coercion::kValue, true},
      {"", Coercion::kBoolParsing, false},
      {" true", Coercion::kBoolParsing, false},
      {"true ", Coercion::kBoolParsing, false},
      {"01", Coercion::kBoolParsing, false},
      {"1.0", Coercion::kBoolParsing, false},
      {"+1", Coercion::kBoolParsing, false},
      {"-0", Coercion::kBoolParsing, false},
      {"truee", Coercion::kBoolParsing, false},
      {"nope", Coercion::kBoolParsing, false},
      {"2", Coercion::kBoolParsing, false},
      {"\u0131", Coercion::kBoolParsing, false},
      {"o", Coercion::kBoolParsing, false},
  };
  for (const BoolCase& c : cases) {
    bool got = !c.value;
    ASSERT_EQ(BoolFromString(c.text, got), c.coercion) << "\"" << c.text << "\"";
    if (c.coercion == Coercion::kValue) EXPECT_EQ(got, c.value) << "\"" << c.text << "\"";
  }
}

struct FloatIntCase {
  double value;
  Coercion coercion;
  bool negative = false;
  uint64_t magnitude = 0;
};

TEST(LaxCoercion, TakesWholeFloatsAsIntegersLikePydantic) {
  const FloatIntCase cases[] = {
      {5.0, Coercion::kValue, false, 5u},
      {-0.0, Coercion::kValue, false, 0u},
      {0.0, Coercion::kValue, false, 0u},
      {100.0, Coercion::kValue, false, 100u},
      {-3.0, Coercion::kValue, true, 3u},
      {5.5, Coercion::kIntFromFloat, false, 0u},
      {-0.5, Coercion::kIntFromFloat, false, 0u},
      {1e-300, Coercion::kIntFromFloat, false, 0u},
      {9.223372036854775e+18, Coercion::kValue, false, 9223372036854774784u},
      {9.223372036854776e+18, Coercion::kIntParsingSize, false, 0u},
      {-9.223372036854775e+18, Coercion::kValue, true, 9223372036854774784u},
      {-9.223372036854776e+18, Coercion::kIntParsingSize, false, 0u},
      {1e+300, Coercion::kIntParsingSize, false, 0u},
      {kInf, Coercion::kFiniteNumber, false, 0u},
      {-kInf, Coercion::kFiniteNumber, false, 0u},
  };
  for (const FloatIntCase& c : cases) {
    LaxInt got;
    const std::string what = std::to_string(c.value);
    ASSERT_EQ(IntFromFloat(c.value, got), c.coercion) << what;
    if (c.coercion == Coercion::kValue) ExpectInt(got, c.negative, c.magnitude, what);
  }
}

struct FloatBoolCase {
  double value;
  Coercion coercion;
  bool flag = false;
};

TEST(LaxCoercion, TakesZeroAndOneFloatsAsBooleansLikePydantic) {
  const FloatBoolCase cases[] = {
      {0.0, Coercion::kValue, false},
      {-0.0, Coercion::kValue, false},
      {1.0, Coercion::kValue, true},
      {2.0, Coercion::kBoolParsing, false},
      {-1.0, Coercion::kBoolParsing, false},
      {0.5, Coercion::kBoolType, false},
      {1e+300, Coercion::kBoolType, false},
      {9.223372036854775e+18, Coercion::kBoolParsing, false},
      {9.223372036854776e+18, Coercion::kBoolType, false},
      {kInf, Coercion::kBoolType, false},
  };
  for (const FloatBoolCase& c : cases) {
    bool got = !c.flag;
    ASSERT_EQ(BoolFromFloat(c.value, got), c.coercion) << c.value;
    if (c.coercion == Coercion::kValue) EXPECT_EQ(got, c.flag) << c.value;
  }
}

TEST(LaxCoercion, TakesZeroAndOneIntegersAsBooleansLikePydantic) {
  const BoolCase cases[] = {
      {"0", Coercion::kValue, false},
      {"1", Coercion::kValue, true},
      {"2", Coercion::kBoolParsing, false},
      {"-1", Coercion::kBoolParsing, false},
      {"9223372036854775807", Coercion::kBoolParsing, false},
      {"-9223372036854775808", Coercion::kBoolParsing, false},
      {"9223372036854775808", Coercion::kBoolType, false},
      {"-9223372036854775809", Coercion::kBoolType, false},
      {"1000000000000000000000000000000", Coercion::kBoolType, false},
  };
  for (const BoolCase& c : cases) {
    bool got = !c.value;
    ASSERT_EQ(BoolFromInteger(ReadJsonInteger(c.text), got), c.coercion) << c.text;
    if (c.coercion == Coercion::kValue) EXPECT_EQ(got, c.value) << c.text;
  }
}

TEST(LaxCoercion, ReadsJsonIntegersSaturating) {
  EXPECT_EQ(ReadJsonInteger("0").magnitude, 0u);
  EXPECT_TRUE(ReadJsonInteger("-12").negative);
  EXPECT_EQ(ReadJsonInteger("-12").magnitude, 12u);
  EXPECT_EQ(ReadJsonInteger("18446744073709551615").magnitude, kSaturated);
  EXPECT_EQ(ReadJsonInteger("18446744073709551616").magnitude, kSaturated);
  EXPECT_EQ(ReadJsonInteger(std::string(5000, '9')).magnitude, kSaturated);
}

}  // namespace
}  // namespace leadscore::api
