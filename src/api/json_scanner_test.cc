#include "api/json_scanner.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace leadscore::api {
namespace {

struct SyntaxCase {
  std::string text;
  size_t position;  // Python's JSONDecodeError.pos
  std::string reason;
};

// Python's message and character position for `text`, or {npos, ""} when it is valid.
std::pair<size_t, std::string> Check(std::string_view text) {
  JsonSyntaxError error;
  if (IsValidJson(text, &error)) return {std::string::npos, ""};
  return {CodePointOffset(text, error.offset), std::string(error.reason)};
}

TEST(JsonScanner, ReportsSyntaxErrorsWithPythonsMessageAndPosition) {
  // Each expectation is what Python 3.11's json.loads raised for the same text.
  const std::vector<SyntaxCase> cases = {
      {"", 0, "Expecting value"},
      {"   ", 3, "Expecting value"},
      {"[", 1, "Expecting value"},
      {"[1,]", 3, "Expecting value"},
      {"[1 ,]", 4, "Expecting value"},
      {"[1,2", 4, "Expecting ',' delimiter"},
      {"[1 2]", 3, "Expecting ',' delimiter"},
      {R"(["a" : 1])", 5, "Expecting ',' delimiter"},
      {"{", 1, "Expecting property name enclosed in double quotes"},
      {"{,}", 1, "Expecting property name enclosed in double quotes"},
      {R"({"a":1, })", 8, "Expecting property name enclosed in double quotes"},
      {R"({"a":1,,})", 7, "Expecting property name enclosed in double quotes"},
      {R"({"a")", 4, "Expecting ':' delimiter"},
      {R"({"a" :1 ,"b"})", 12, "Expecting ':' delimiter"},
      {R"({"a":)", 5, "Expecting value"},
      {R"({"a":1)", 6, "Expecting ',' delimiter"},
      {R"({"sessions": 5 "a": 1})", 15, "Expecting ',' delimiter"},
      {"-", 0, "Expecting value"},
      {"-a", 0, "Expecting value"},
      {"+1", 0, "Expecting value"},
      {".5", 0, "Expecting value"},
      {"01", 1, "Extra data"},
      {"1.e5", 1, "Extra data"},
      {"1e+", 1, "Extra data"},
      {"1E5x", 3, "Extra data"},
      {"nul", 0, "Expecting value"},
      {"nulll", 4, "Extra data"},
      {"[tru]", 1, "Expecting value"},
      {"[] []", 3, "Extra data"},
      {R"({"a": 1} x)", 9, "Extra data"},
      {"NaN", 0, "Expecting value"},        // Python accepts it; JSON does not
      {"-Infinity", 0, "Expecting value"},  // likewise
      {"\"a", 0, "Unterminated string starting at"},
      {"\"a\\", 0, "Unterminated string starting at"},
      {R"({"a": "x\)", 6, "Unterminated string starting at"},
      {"\"a\\x\"", 2, "Invalid \\escape"},
      {std::string("\"a\0\"", 4), 2, "Invalid control character at"},
      {"\"a\nb\"", 2, "Invalid control character at"},
      {R"("\u12)", 2, "Invalid \\uXXXX escape"},
      {R"("\u1234)", 2, "Invalid \\uXXXX escape"},  // Python wants a byte after the digits
      {R"("\u12g4")", 2, "Invalid \\uXXXX escape"},
      {R"("\ud800\u12")", 8, "Invalid \\uXXXX escape"},
      {R"("\ud800\uzzzz")", 8, "Invalid \\uXXXX escape"},
      {R"("\ud800\u)", 8, "Invalid \\uXXXX escape"},
      // Positions count characters, not bytes, as Python's do.
      {"{\"\xC3\xA9\xC3\xA9\": x}", 7, "Expecting value"},
  };
  for (const SyntaxCase& c : cases) {
    EXPECT_EQ(Check(c.text), std::make_pair(c.position, c.reason)) << c.text;
  }
}

TEST(JsonScanner, AcceptsWhatRfc8259Allows) {
  const std::vector<std::string> valid = {
      "0",
      "-0",
      "-0.0e-0",
      "1E+5",
      "123456789012345678901234567890",
      "true",
      "false",
      "null",
      "\"\"",
      " \t\r\n[ ] ",
      "{}",
      R"({"a":{"b":[1,{"c":null}]},"a":2})",
      R"("\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00")",
      "\"\x7f \xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF\"",
  };
  for (const std::string& text : valid) {
    EXPECT_TRUE(IsValidJson(text)) << text;
    EXPECT_TRUE(nlohmann::json::accept(text)) << text;  // the reference agrees
  }
  EXPECT_TRUE(IsValidJson("1e999"));  // beyond double, still JSON (nlohmann refuses it)
}

TEST(JsonScanner, RejectsIllFormedUtf8InStrings) {
  const std::vector<std::string> invalid = {
      "\"\xFF\"",              // never valid
      "\"\x80\"",              // a lone continuation byte
      "\"\xC0\xAF\"",          // overlong '/'
      "\"\xE0\x80\xAF\"",      // overlong
      "\"\xED\xA0\x80\"",      // an encoded surrogate
      "\"\xF4\x90\x80\x80\"",  // above U+10FFFF
      "\"\xC3\"",              // truncated before the quote
      "\"\xE2\x82\"",
  };
  for (const std::string& text : invalid) {
    JsonSyntaxError error;
    EXPECT_FALSE(IsValidJson(text, &error)) << text;
    EXPECT_EQ(error.reason, "Invalid UTF-8") << text;
    EXPECT_EQ(error.offset, 1u) << text;
  }
  // Outside strings, any non-ASCII byte is simply not JSON.
  EXPECT_EQ(Check("[\xC3\xA9]"), std::make_pair(size_t{1}, std::string("Expecting value")));
}

TEST(JsonScanner, CapsNestingDepth) {
  const std::string ok = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  EXPECT_TRUE(IsValidJson(ok));
  const std::string deep =
      std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']');
  EXPECT_EQ(Check(deep),
            std::make_pair(size_t{kMaxJsonDepth}, std::string("Maximum nesting depth exceeded")));
  std::string objects;
  for (int i = 0; i <= kMaxJsonDepth; ++i) objects += "{\"a\":";
  EXPECT_EQ(Check(objects + "1" + std::string(kMaxJsonDepth + 1, '}')).second,
            "Maximum nesting depth exceeded");
  // Depth is released when a container closes: siblings do not add up.
  std::string siblings = "[";
  for (int i = 0; i < 200; ++i) siblings += "[[]],";
  EXPECT_TRUE(IsValidJson(siblings + "1]"));
}

TEST(JsonScanner, ScansStringsWithTheirCodePointCount) {
  JsonScanner scanner(R"("ab\n\u00e9\ud83d\ude00\ud800x" 1)");
  JsonString text;
  ASSERT_TRUE(scanner.ScanString(text));
  EXPECT_EQ(text.raw, R"(ab\n\u00e9\ud83d\ude00\ud800x)");
  EXPECT_TRUE(text.has_escapes);
  EXPECT_EQ(text.code_points, 7u);  // a, b, \n, é, 😀 (a pair), lone \ud800, x
  EXPECT_EQ(scanner.offset(), 31u);

  JsonScanner plain("\"caf\xC3\xA9\"");
  ASSERT_TRUE(plain.ScanString(text));
  EXPECT_FALSE(text.has_escapes);
  EXPECT_EQ(text.code_points, 4u);
}

TEST(JsonScanner, ScansNumbersAsPythonSplitsIntAndFloat) {
  const std::vector<std::pair<std::string, bool>> cases = {
      {"0", true},    {"-0", true},    {"12", true},    {"1.0", false}, {"5.0", false},
      {"1e2", false}, {"1E-2", false}, {"-0.0", false}, {"7x", true},  // the number is "7"; the x
                                                                       // is the caller's problem
  };
  for (const auto& [text, is_integer] : cases) {
    JsonScanner scanner(text);
    JsonNumber number;
    ASSERT_TRUE(scanner.ScanNumber(number)) << text;
    EXPECT_EQ(number.is_integer, is_integer) << text;
  }
  JsonScanner scanner("-12.5e+3,");
  JsonNumber number;
  ASSERT_TRUE(scanner.ScanNumber(number));
  EXPECT_EQ(number.text, "-12.5e+3");
  EXPECT_EQ(scanner.Peek(), ',');
}

TEST(JsonScanner, DecodesEscapesAndPairsSurrogates) {
  std::string out;
  AppendDecodedJsonString(R"(a\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00)", out);
  EXPECT_EQ(out, "a\"\\/\b\f\n\r\t\xC3\xA9\xF0\x9F\x98\x80");
}

TEST(JsonScanner, DecodesLoneSurrogatesAsReplacementCharacters) {
  // Python keeps them as lone surrogates, which UTF-8 cannot carry.
  std::string out;
  AppendDecodedJsonString(R"(\ud800x\udc00\ud800\u0041)", out);
  EXPECT_EQ(out,
            "\xEF\xBF\xBDx\xEF\xBF\xBD\xEF\xBF\xBD"
            "A");
}

TEST(JsonScanner, DecodesIntoABufferWholeCharactersOnly) {
  char buffer[8];
  const DecodedPrefix whole = DecodeJsonString(R"(ab\u00e9)", buffer, sizeof(buffer));
  EXPECT_TRUE(whole.complete);
  EXPECT_EQ(std::string_view(buffer, whole.length), "ab\xC3\xA9");

  // "abcdef" + "é" (2 bytes) + "g" in 7 bytes: the é would be cut, so it stops before it.
  const DecodedPrefix cut = DecodeJsonString("abcdef\xC3\xA9g", buffer, 7);
  EXPECT_FALSE(cut.complete);
  EXPECT_EQ(std::string_view(buffer, cut.length), "abcdef");
  const DecodedPrefix escaped = DecodeJsonString(R"(abcdef\u00e9)", buffer, 7);
  EXPECT_FALSE(escaped.complete);
  EXPECT_EQ(std::string_view(buffer, escaped.length), "abcdef");
}

TEST(JsonScanner, WalksObjectsMemberByMember) {
  JsonScanner scanner(R"( {"a" : 1 , "b\u0021":[true]} )");
  scanner.SkipWhitespace();
  ASSERT_TRUE(scanner.EnterObject());
  std::vector<std::string> keys;
  for (size_t i = 0;; ++i) {
    bool more = false;
    JsonString key;
    ASSERT_TRUE(scanner.NextMember(i, more, key));
    if (!more) break;
    std::string name;
    AppendDecodedJsonString(key.raw, name);
    keys.push_back(name);
    ASSERT_TRUE(scanner.SkipValue());
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"a", "b!"}));
  EXPECT_TRUE(scanner.ExpectEnd());
}

TEST(JsonScanner, KeepsTheFirstError) {
  JsonScanner scanner("x");
  EXPECT_FALSE(scanner.Fail(3, "first"));
  EXPECT_FALSE(scanner.Fail(1, "second"));
  EXPECT_TRUE(scanner.failed());
  EXPECT_EQ(scanner.error().offset, 3u);
  EXPECT_EQ(scanner.error().reason, "first");
}

TEST(JsonScanner, CountsCodePointsForPositions) {
  EXPECT_EQ(CodePointOffset("a\xC3\xA9\xF0\x9F\x98\x80z", 0), 0u);
  EXPECT_EQ(CodePointOffset("a\xC3\xA9\xF0\x9F\x98\x80z", 3), 2u);
  EXPECT_EQ(CodePointOffset("a\xC3\xA9\xF0\x9F\x98\x80z", 7), 3u);
  EXPECT_EQ(CodePointOffset("ab", 10), 2u);
}

TEST(JsonScanner, ReadsFloatsAsPythonsFloatDoes) {
  EXPECT_EQ(JsonNumberToDouble("5.0"), 5.0);
  EXPECT_EQ(JsonNumberToDouble("1E2"), 100.0);
  EXPECT_EQ(JsonNumberToDouble("0.1"), 0.1);
  EXPECT_EQ(JsonNumberToDouble("5.000000000000000001"), 5.0);  // correctly rounded
  EXPECT_EQ(JsonNumberToDouble("5e-324"), std::numeric_limits<double>::denorm_min());
  EXPECT_EQ(JsonNumberToDouble("1e400"), std::numeric_limits<double>::infinity());
  EXPECT_EQ(JsonNumberToDouble("-1e400"), -std::numeric_limits<double>::infinity());
  EXPECT_EQ(JsonNumberToDouble("1e-400"), 0.0);
  EXPECT_TRUE(std::signbit(JsonNumberToDouble("-1e-400")));
  EXPECT_EQ(JsonNumberToDouble("0.0000001e-400"), 0.0);
  EXPECT_EQ(JsonNumberToDouble("100000000000000000000e300"),
            std::numeric_limits<double>::infinity());
}

}  // namespace
}  // namespace leadscore::api
