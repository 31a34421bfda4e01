#include "api/json_echo.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "api/json_scanner.h"

namespace leadscore::api {
namespace {

constexpr size_t kMax = 256;

TEST(JsonEcho, PrintsValuesAsFastApiEchoesThem) {
  // Expected texts are FastAPI 0.165's "input" for the same request values.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"5", "5"},
      {"-0", "0"},
      {"99999999999999999999999999", "99999999999999999999999999"},
      {"5.0", "5.0"},
      {"5.5", "5.5"},
      {"1e2", "100.0"},
      {"1e16", "1e+16"},
      {"0.0001", "0.0001"},
      {"1.5e-7", "1.5e-07"},
      {"-0.0", "-0.0"},
      {"1e-400", "0.0"},  // Python's float underflows to zero
      {"-1e-400", "-0.0"},
      {"0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000"
       "0000000000000000000000000000000000000000000000000000000000000000000000000000000000"
       "0000000000000000000000000000000000000000000000000000000000000000000000000000000000"
       "0000000000000000000000000000000000000000000000000000000000000000000000000000000000"
       "0000000000000000000000000000000000000000000000000000000000000000000000000000000000"
       "1",
       "0.0"},
      {"1e400", "null"},  // Python's inf, which JSON cannot carry (FastAPI answers 500)
      {"-1e400", "null"},
      {"true", "true"},
      {"null", "null"},
      {R"("Paid Search")", R"("Paid Search")"},
      {R"("\u00e9\ud83d\ude00\/\u0001")", "\"\xC3\xA9\xF0\x9F\x98\x80/\\u0001\""},
      {R"( [1, 2.50, "a"] )", R"([1,2.5,"a"])"},
      {R"({"engaged_sessions": 3, "x": {"b": 1, "a": [1, 2.50, "\u00e9"], "b": 2}})",
       "{\"engaged_sessions\":3,\"x\":{\"b\":2,\"a\":[1,2.5,\"\xC3\xA9\"]}}"},
      {R"({"sessions": 5, "sessions": 1, "channel": "x"})", R"({"sessions":1,"channel":"x"})"},
      {R"({"a\u0062": 1, "ab": 2})", R"({"ab":2})"},  // keys compare decoded
      {"{}", "{}"},
      {"[]", "[]"},
  };
  for (const auto& [value, expected] : cases) {
    EXPECT_EQ(EchoJsonValue(value, kMax), expected) << value;
  }
}

TEST(JsonEcho, ReplacesOversizedContainersWithEmptyOnes) {
  std::string object = "{";
  for (int i = 0; i < 100; ++i) object += "\"key" + std::to_string(i) + "\": 1, ";
  object += "\"end\": 0}";
  EXPECT_EQ(EchoJsonValue(object, kMax), "{}");
  std::string list = "[";
  for (int i = 0; i < 100; ++i) list += "12345, ";
  list += "0]";
  EXPECT_EQ(EchoJsonValue(list, kMax), "[]");
  // A huge nested string sinks its whole object.
  EXPECT_EQ(EchoJsonValue("{\"a\":\"" + std::string(10'000, 'x') + "\"}", kMax), "{}");
}

TEST(JsonEcho, FitsWhatItCanAndNoMore) {
  // Whitespace and repeated keys do not count: only the printed size does.
  std::string spaced = "{\"a\":" + std::string(3000, ' ') + "1}";
  EXPECT_EQ(EchoJsonValue(spaced, kMax), R"({"a":1})");
  std::string repeated = "{";
  for (int i = 0; i < 200; ++i) repeated += "\"a\":" + std::to_string(i) + ",";
  repeated += "\"a\":-1}";
  EXPECT_EQ(EchoJsonValue(repeated, kMax), R"({"a":-1})");
  // ...but a value beyond 16 times the limit is not even read.
  EXPECT_EQ(EchoJsonValue("{\"a\":" + std::string(16 * kMax, ' ') + "1}", kMax), "{}");
}

TEST(JsonEcho, CutsLongStringsAtACharacterBoundary) {
  const std::string long_text(1000, 'a');
  const std::string echoed = EchoJsonValue("\"" + long_text + "\"", kMax);
  EXPECT_EQ(echoed, "\"" + std::string(kMax - 2, 'a') + "\"");

  std::string accents;
  for (int i = 0; i < 300; ++i) accents += "\xC3\xA9";
  const std::string cut = EchoJsonValue("\"" + accents + "\"", kMax);
  EXPECT_LE(cut.size(), kMax);
  EXPECT_TRUE(IsValidJson(cut));
  EXPECT_EQ(cut, "\"" + accents.substr(0, 254) + "\"");

  // Escapes grow when printed (\u0001 is 6 bytes): still within the limit and valid.
  std::string controls = "\"";
  for (int i = 0; i < 300; ++i) controls += "\\u0001";
  const std::string escaped = EchoJsonValue(controls + "\"", kMax);
  EXPECT_LE(escaped.size(), kMax);
  EXPECT_GT(escaped.size(), kMax - 6);
  EXPECT_TRUE(IsValidJson(escaped));
}

TEST(JsonEcho, PrintsHugeIntegersAsNull) {
  EXPECT_EQ(EchoJsonValue(std::string(300, '9'), kMax), "null");
  EXPECT_EQ(EchoJsonValue(std::string(200, '9'), kMax), std::string(200, '9'));
}

}  // namespace
}  // namespace leadscore::api
