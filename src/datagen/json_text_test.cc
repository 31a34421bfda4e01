#include "datagen/json_text.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace leadscore {
namespace {

TEST(JsonText, EscapedStringsParseBackToTheSameBytes) {
  const std::string nasty = std::string("quote \" backslash \\ tab \t nl \n cr \r bell \x07 nul ") +
                            '\0' + " São Paulo \x1f end";
  std::string out = "[";
  AppendJsonString(nasty, out);
  out += "]";
  const auto parsed = nlohmann::json::parse(out);
  EXPECT_EQ(parsed[0].get<std::string>(), nasty);
  EXPECT_NE(out.find("\\u0007"), std::string::npos) << out;
  EXPECT_NE(out.find("São"), std::string::npos) << "UTF-8 passes through unescaped";
}

TEST(JsonText, IntegersAreQuotedAsBigQueryExportsInt64) {
  std::string out;
  AppendQuotedInt(1496275200123456, out);
  out.push_back(' ');
  AppendQuotedInt(-5, out);
  out.push_back(' ');
  AppendInt(0, out);
  EXPECT_EQ(out, "\"1496275200123456\" \"-5\" 0");
}

TEST(JsonText, CentsAreDecimalStringsWithTwoDigits) {
  std::string out;
  AppendQuotedCents(295000, out);
  AppendQuotedCents(7, out);
  AppendQuotedCents(1010, out);
  EXPECT_EQ(out, "\"2950.00\"\"0.07\"\"10.10\"");
}

}  // namespace
}  // namespace leadscore
