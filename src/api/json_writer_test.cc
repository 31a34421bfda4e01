#include "api/json_writer.h"

#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace leadscore::api {
namespace {

std::string DoubleText(double value) {
  std::string out;
  JsonWriter(out).Double(value);
  return out;
}

std::string StringText(std::string_view text) {
  std::string out;
  JsonWriter(out).String(text);
  return out;
}

TEST(JsonWriter, PrintsDoublesAsPythonsRepr) {
  // Expected texts from Python 3.11's json.dumps.
  const std::vector<std::pair<double, std::string>> cases = {
      {0.84, "0.84"},
      {1.0, "1.0"},
      {0.0, "0.0"},
      {-0.0, "-0.0"},
      {1e-05, "1e-05"},
      {0.0001, "0.0001"},
      {0.00012345, "0.00012345"},
      {1e16, "1e+16"},
      {1234567890123456.0, "1234567890123456.0"},
      {1.5e-07, "1.5e-07"},
      {0.1 + 0.2, "0.30000000000000004"},
      {5e-324, "5e-324"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {123456.789, "123456.789"},
      {1e22, "1e+22"},
      {100.0, "100.0"},
      {0.5, "0.5"},
      {-2.5e-10, "-2.5e-10"},
  };
  for (const auto& [value, expected] : cases) EXPECT_EQ(DoubleText(value), expected);
}

TEST(JsonWriter, DoublesReadBackExactly) {
  for (double value : {0.1, 1.0 / 3, 2.0 / 3, 0.8000000000000002, 1e-300, 6.02214076e23}) {
    EXPECT_EQ(nlohmann::json::parse(DoubleText(value)).get<double>(), value);
  }
}

TEST(JsonWriter, WritesNullForNonFiniteDoubles) {
  EXPECT_EQ(DoubleText(std::numeric_limits<double>::quiet_NaN()), "null");
  EXPECT_EQ(DoubleText(std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(DoubleText(-std::numeric_limits<double>::infinity()), "null");
}

TEST(JsonWriter, EscapesStringsLikePythonWithEnsureAsciiOff) {
  // json.dumps('a"b\\c\n\r\t\b\f\x01\x1f\x7f é 😀 \u2028', ensure_ascii=False)
  EXPECT_EQ(StringText("a\"b\\c\n\r\t\b\f\x01\x1f\x7f \xC3\xA9 \xF0\x9F\x98\x80 \xE2\x80\xA8"),
            "\"a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001f\x7f \xC3\xA9 \xF0\x9F\x98\x80 "
            "\xE2\x80\xA8\"");
  EXPECT_EQ(StringText(std::string_view("\0", 1)), "\"\\u0000\"");
  EXPECT_EQ(StringText("/"), "\"/\"");
}

TEST(JsonWriter, ReplacesIllFormedUtf8WithReplacementCharacters) {
  EXPECT_EQ(StringText("a\xFF"
                       "b"),
            "\"a\xEF\xBF\xBD"
            "b\"");
  EXPECT_EQ(StringText("\xED\xA0\x80"),  // an encoded surrogate: three bad bytes
            "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_EQ(StringText("\xC3"), "\"\xEF\xBF\xBD\"");  // truncated sequence
  EXPECT_TRUE(nlohmann::json::accept(StringText("\xC0\xAF\xF5\x80\x80\x80")));
}

TEST(JsonWriter, SeparatesMembersAndElements) {
  std::string out;
  JsonWriter writer(out);
  writer.BeginObject();
  writer.Key("a");
  writer.Int(-3);
  writer.Key("b");
  writer.BeginArray();
  writer.Bool(true);
  writer.Null();
  writer.BeginObject();
  writer.EndObject();
  writer.BeginArray();
  writer.EndArray();
  writer.String("x");
  writer.EndArray();
  writer.Key("c");
  writer.Int(std::numeric_limits<int64_t>::min());
  writer.EndObject();
  EXPECT_EQ(out, R"({"a":-3,"b":[true,null,{},[],"x"],"c":-9223372036854775808})");
}

TEST(JsonWriter, AppendsToTheCallersString) {
  std::string out = "prefix:";
  JsonWriter writer(out);
  writer.Int(1);
  EXPECT_EQ(out, "prefix:1");
  EXPECT_EQ(&writer.out(), &out);
}

TEST(JsonWriter, RawAppendsOnlyValidJson) {
  std::string out;
  JsonWriter writer(out);
  writer.BeginArray();
  EXPECT_TRUE(writer.Raw(R"( {"a": [1, 2]} )"));
  EXPECT_FALSE(writer.Raw("{"));
  EXPECT_FALSE(writer.Raw("1 2"));
  EXPECT_FALSE(writer.Raw(""));
  EXPECT_FALSE(writer.Raw("NaN"));
  EXPECT_TRUE(writer.Raw("-0.5e3"));
  writer.EndArray();
  EXPECT_EQ(out, R"([{"a": [1, 2]},null,null,null,null,-0.5e3])");
}

}  // namespace
}  // namespace leadscore::api
