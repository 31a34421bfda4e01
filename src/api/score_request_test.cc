#include "api/score_request.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/json_scanner.h"

namespace leadscore::api {
namespace {

// The expected 422 bodies below are what FastAPI 0.165 + pydantic 2.14 answered for the same
// request bodies, with a model declaring the spec's features in spec order (counts
// Field(ge=0, le=1_000_000), channel Field(max_length=64), and a model validator raising
// ValueError("engaged_sessions must be less than or equal to sessions")): a plain model for lax
// mode, the default, and one with ConfigDict(strict=True) for the tests that pass kStrict.

const FeatureSpec& Spec() { return FeatureSpec::Builtin(); }

constexpr std::string_view kExample =
    R"({"sessions": 5, "engaged_sessions": 3, "page_views": 12, "channel": "Paid Search", )"
    R"("is_first_visit": false})";

// The 422 body for a /score request, or "OK".
std::string ScoreErrors(std::string_view body, InputMode mode = InputMode::kLax) {
  LeadValues values;
  const ParseOutcome outcome = ParseScoreRequest(body, Spec(), values, mode);
  return outcome.ok() ? "OK" : ValidationErrorBody(outcome.errors);
}

std::string BatchErrors(std::string_view body, InputMode mode = InputMode::kLax) {
  std::vector<LeadValues> leads;
  const ParseOutcome outcome = ParseBatchRequest(body, Spec(), leads, mode);
  return outcome.ok() ? "OK" : ValidationErrorBody(outcome.errors);
}

// The values of a /score request that must be valid.
LeadValues Values(std::string_view body, InputMode mode = InputMode::kLax) {
  LeadValues values;
  const ParseOutcome outcome = ParseScoreRequest(body, Spec(), values, mode);
  EXPECT_TRUE(outcome.ok()) << body << ": " << ValidationErrorBody(outcome.errors);
  return values;
}

std::string JsonInvalid(size_t position, std::string_view reason) {
  return R"({"detail":[{"type":"json_invalid","loc":["body",)" + std::to_string(position) +
         R"(],"msg":"JSON decode error","input":{},"ctx":{"error":")" + std::string(reason) +
         R"("}}]})";
}

uint16_t Channel(std::string_view name) { return CategoryIndex(*Spec().Find("channel"), name); }

std::string Lead(int sessions, int engaged, int views, bool first, std::string_view channel) {
  return R"({"sessions":)" + std::to_string(sessions) + R"(,"engaged_sessions":)" +
         std::to_string(engaged) + R"(,"page_views":)" + std::to_string(views) +
         R"(,"is_first_visit":)" + (first ? "true" : "false") + R"(,"channel":")" +
         std::string(channel) + R"("})";
}

TEST(ScoreRequest, ParsesTheExampleBodyIntoSpecOrderedValues) {
  LeadValues values;
  const ParseOutcome outcome = ParseScoreRequest(kExample, Spec(), values);
  ASSERT_TRUE(outcome.ok()) << ValidationErrorBody(outcome.errors);
  // The recency fields the seed's request leaves out: 0, the lead at its creation.
  EXPECT_EQ(values, (LeadValues{5, 3, 12, 0, static_cast<double>(Channel("Paid Search")), 0, 0}));
}

TEST(ScoreRequest, MissingRecencyFieldsMeanTheLeadAtItsCreation) {
  // The seed's five fields: days_since_last_session and days_since_created are 0.
  EXPECT_EQ(Values(kExample),
            (LeadValues{5, 3, 12, 0, static_cast<double>(Channel("Paid Search")), 0, 0}));
  const std::string later = std::string(kExample.substr(0, kExample.size() - 1)) +
                            R"(, "days_since_last_session": 2, "days_since_created": "30"})";
  EXPECT_EQ(Values(later),
            (LeadValues{5, 3, 12, 0, static_cast<double>(Channel("Paid Search")), 2, 30}));
}

TEST(ScoreRequest, SentRecencyFieldsAreValidatedLikeEveryCount) {
  const std::string body = std::string(kExample.substr(0, kExample.size() - 1)) +
                           R"(, "days_since_created": -1, "days_since_last_session": null})";
  EXPECT_EQ(ScoreErrors(body),
            R"({"detail":[{"type":"int_type","loc":["body","days_since_last_session"],)"
            R"("msg":"Input should be a valid integer","input":null},)"
            R"({"type":"greater_than_equal","loc":["body","days_since_created"],)"
            R"("msg":"Input should be greater than or equal to 0","input":-1,"ctx":{"ge":0}}]})");
}

TEST(ScoreRequest, MapsAnUnknownChannelToTheSpecsUnknownCategory) {
  LeadValues values;
  ASSERT_TRUE(ParseScoreRequest(Lead(1, 0, 1, true, "TikTok"), Spec(), values).ok());
  EXPECT_EQ(values[4], Channel("Unassigned"));
  EXPECT_EQ(values[3], 1);
  ASSERT_TRUE(ParseScoreRequest(Lead(1, 0, 1, true, ""), Spec(), values).ok());
  EXPECT_EQ(values[4], Channel("Unassigned"));
}

TEST(ScoreRequest, DecodesEscapedKeysAndValues) {
  LeadValues values;
  const ParseOutcome outcome =
      ParseScoreRequest(R"({"\u0073essions": 2, "engaged_sessions": 0, "page_views": 0, )"
                        R"("is_first_visit": true, "channel": "Paid\u0020Search"})",
                        Spec(), values);
  ASSERT_TRUE(outcome.ok()) << ValidationErrorBody(outcome.errors);
  EXPECT_EQ(values[0], 2);
  EXPECT_EQ(values[4], Channel("Paid Search"));
}

TEST(ScoreRequest, AcceptsCountsAtTheirLimits) {
  LeadValues values;
  const ParseOutcome outcome =
      ParseScoreRequest(R"({"sessions": 1000000, "engaged_sessions": -0, "page_views": 0, )"
                        R"("is_first_visit": false, "channel": "Email"})",
                        Spec(), values);
  ASSERT_TRUE(outcome.ok()) << ValidationErrorBody(outcome.errors);
  EXPECT_EQ(values[0], kMaxCount);
  EXPECT_EQ(values[1], 0);
}

TEST(ScoreRequest, IgnoresUnknownFieldsButRequiresThemToBeJson) {
  EXPECT_EQ(ScoreErrors(R"({"lead_id": "L1", "extra": [1, {"a": null}], )" +
                        Lead(1, 0, 1, false, "x").substr(1)),
            "OK");
  EXPECT_EQ(ScoreErrors(R"({"extra": [1,], "sessions": 1})"), JsonInvalid(13, "Expecting value"));
}

TEST(ScoreRequest, TakesTheLastValueOfARepeatedKey) {
  EXPECT_EQ(ScoreErrors(R"({"sessions": "x", )" + Lead(5, 3, 12, false, "x").substr(1)), "OK");
  EXPECT_EQ(
      ScoreErrors(
          R"({"sessions": 5, "sessions": 1, "engaged_sessions": 3, "page_views": 12, "channel": "x", "is_first_visit": false})"),
      R"({"detail":[{"type":"value_error","loc":["body"],"msg":"Value error, engaged_sessions must be less than or equal to sessions","input":{"sessions":1,"engaged_sessions":3,"page_views":12,"channel":"x","is_first_visit":false},"ctx":{"error":{}}}]})");
}

TEST(ScoreRequest, StrictModeRejectsStringsFloatsAndNullForCountsAndNumbersForFlags) {
  EXPECT_EQ(
      ScoreErrors(
          R"({"sessions": "5", "engaged_sessions": 5.0, "page_views": null, "channel": 3, "is_first_visit": 1})",
          InputMode::kStrict),
      R"({"detail":[{"type":"int_type","loc":["body","sessions"],"msg":"Input should be a valid integer","input":"5"},{"type":"int_type","loc":["body","engaged_sessions"],"msg":"Input should be a valid integer","input":5.0},{"type":"int_type","loc":["body","page_views"],"msg":"Input should be a valid integer","input":null},{"type":"bool_type","loc":["body","is_first_visit"],"msg":"Input should be a valid boolean","input":1},{"type":"string_type","loc":["body","channel"],"msg":"Input should be a valid string","input":3}]})");
}

TEST(ScoreRequest, StrictModeRejectsBoolsAndContainersForCountsFlagsAndCategories) {
  EXPECT_EQ(
      ScoreErrors(
          R"({"sessions": true, "engaged_sessions": false, "page_views": [1], "channel": {"a":1}, "is_first_visit": [true]})",
          InputMode::kStrict),
      R"({"detail":[{"type":"int_type","loc":["body","sessions"],"msg":"Input should be a valid integer","input":true},{"type":"int_type","loc":["body","engaged_sessions"],"msg":"Input should be a valid integer","input":false},{"type":"int_type","loc":["body","page_views"],"msg":"Input should be a valid integer","input":[1]},{"type":"bool_type","loc":["body","is_first_visit"],"msg":"Input should be a valid boolean","input":[true]},{"type":"string_type","loc":["body","channel"],"msg":"Input should be a valid string","input":{"a":1}}]})");
  EXPECT_EQ(
      ScoreErrors(
          R"({"sessions": 1, "engaged_sessions": 0, "page_views": 1, "channel": null, "is_first_visit": null})"),
      R"({"detail":[{"type":"bool_type","loc":["body","is_first_visit"],"msg":"Input should be a valid boolean","input":null},{"type":"string_type","loc":["body","channel"],"msg":"Input should be a valid string","input":null}]})");
}

TEST(ScoreRequest, StrictModeEchoesFloatInputsAsPythonPrintsThem) {
  EXPECT_EQ(
      ScoreErrors(
          R"({"sessions": 5.5, "engaged_sessions": 0.0, "page_views": 1e2, "channel": "x", "is_first_visit": false})",
          InputMode::kStrict),
      R"({"detail":[{"type":"int_type","loc":["body","sessions"],"msg":"Input should be a valid integer","input":5.5},{"type":"int_type","loc":["body","engaged_sessions"],"msg":"Input should be a valid integer","input":0.0},{"type":"int_type","loc":["body","page_views"],"msg":"Input should be a valid integer","input":100.0}]})");
  EXPECT_EQ(
      ScoreErrors(
          R"({"sessions": 5, "engaged_sessions": -0, "page_views": -0.0, "channel": "x", "is_first_visit": false})",
          InputMode::kStrict),
      R"({"detail":[{"type":"int_type","loc":["body","page_views"],"msg":"Input should be a valid integer","input":-0.0}]})");
}

TEST(ScoreRequest, RejectsNegativeAndAbsurdCounts) {
  EXPECT_EQ(
      ScoreErrors(
          R"({"sessions": -1, "engaged_sessions": 3, "page_views": 1000001, "channel": "x", "is_first_visit": "true"})",
          InputMode::kStrict),
      R"({"detail":[{"type":"greater_than_equal","loc":["body","sessions"],"msg":"Input should be greater than or equal to 0","input":-1,"ctx":{"ge":0}},{"type":"less_than_equal","loc":["body","page_views"],"msg":"Input should be less than or equal to 1000000","input":1000001,"ctx":{"le":1000000}},{"type":"bool_type","loc":["body","is_first_visit"],"msg":"Input should be a valid boolean","input":"true"}]})");
}

TEST(ScoreRequest, ReportsIntegersBeyondInt64WithoutOverflow) {
  EXPECT_EQ(
      ScoreErrors(
          R"({"sessions": 99999999999999999999999999, "engaged_sessions": -99999999999999999999999, "page_views": 18446744073709551616, "channel": "x", "is_first_visit": false})"),
      R"({"detail":[{"type":"less_than_equal","loc":["body","sessions"],"msg":"Input should be less than or equal to 1000000","input":99999999999999999999999999,"ctx":{"le":1000000}},{"type":"greater_than_equal","loc":["body","engaged_sessions"],"msg":"Input should be greater than or equal to 0","input":-99999999999999999999999,"ctx":{"ge":0}},{"type":"less_than_equal","loc":["body","page_views"],"msg":"Input should be less than or equal to 1000000","input":18446744073709551616,"ctx":{"le":1000000}}]})");
}

TEST(ScoreRequest, RejectsEngagedAboveSessionsAsAModelError) {
  EXPECT_EQ(
      ScoreErrors(
          R"({"sessions": 2, "engaged_sessions": 3, "page_views": 12, "channel": "Paid Search", "is_first_visit": false})"),
      R"({"detail":[{"type":"value_error","loc":["body"],"msg":"Value error, engaged_sessions must be less than or equal to sessions","input":{"sessions":2,"engaged_sessions":3,"page_views":12,"channel":"Paid Search","is_first_visit":false},"ctx":{"error":{}}}]})");
  EXPECT_EQ(ScoreErrors(Lead(3, 3, 0, false, "x")), "OK");
}

TEST(ScoreRequest, ChecksAtMostOnlyWhenEveryFieldIsValid) {
  // pydantic runs the model validator only on a valid model.
  EXPECT_EQ(
      ScoreErrors(
          R"({"sessions": 1, "engaged_sessions": 3, "page_views": -1, "channel": "x", "is_first_visit": false})"),
      R"({"detail":[{"type":"greater_than_equal","loc":["body","page_views"],"msg":"Input should be greater than or equal to 0","input":-1,"ctx":{"ge":0}}]})");
}

TEST(ScoreRequest, LimitsChannelToSixtyFourCharacters) {
  std::string e64;
  for (int i = 0; i < 64; ++i) e64 += "\xC3\xA9";  // 128 bytes, 64 characters
  EXPECT_EQ(ScoreErrors(Lead(1, 0, 1, false, e64)), "OK");
  EXPECT_EQ(ScoreErrors(Lead(1, 0, 1, false, "\\u00e9" + e64.substr(2))), "OK");
  const std::string e65 = e64 + "\xC3\xA9";
  EXPECT_EQ(
      ScoreErrors(Lead(1, 0, 1, false, e65)),
      R"({"detail":[{"type":"string_too_long","loc":["body","channel"],"msg":"String should have at most 64 characters","input":")" +
          e65 + R"(","ctx":{"max_length":64}}]})");
  // A surrogate pair is one character, as in Python.
  std::string emoji;
  for (int i = 0; i < 64; ++i) emoji += "\\ud83d\\ude00";
  EXPECT_EQ(ScoreErrors(Lead(1, 0, 1, false, emoji)), "OK");
}

TEST(ScoreRequest, ReportsEveryMissingFieldEchoingTheObject) {
  EXPECT_EQ(
      ScoreErrors(R"({"engaged_sessions": 3, "x": {"b": 1, "a": [1, 2.50, "\u00e9"], "b": 2}})"),
      "{\"detail\":[{\"type\":\"missing\",\"loc\":[\"body\",\"sessions\"],\"msg\":\"Field "
      "required\",\"input\":{\"engaged_sessions\":3,\"x\":{\"b\":2,\"a\":[1,2.5,\"\xC3\xA9\"]}}},"
      "{\"type\":\"missing\",\"loc\":[\"body\",\"page_views\"],\"msg\":\"Field "
      "required\",\"input\":{\"engaged_sessions\":3,\"x\":{\"b\":2,\"a\":[1,2.5,\"\xC3\xA9\"]}}},"
      "{\"type\":\"missing\",\"loc\":[\"body\",\"is_first_visit\"],\"msg\":\"Field "
      "required\",\"input\":{\"engaged_sessions\":3,\"x\":{\"b\":2,\"a\":[1,2.5,\"\xC3\xA9\"]}}},"
      "{\"type\":\"missing\",\"loc\":[\"body\",\"channel\"],\"msg\":\"Field "
      "required\",\"input\":{\"engaged_sessions\":3,\"x\":{\"b\":2,\"a\":[1,2.5,\"\xC3\xA9\"]}}}"
      "]}");
  EXPECT_EQ(
      ScoreErrors("{}"),
      R"({"detail":[{"type":"missing","loc":["body","sessions"],"msg":"Field required","input":{}},{"type":"missing","loc":["body","engaged_sessions"],"msg":"Field required","input":{}},{"type":"missing","loc":["body","page_views"],"msg":"Field required","input":{}},{"type":"missing","loc":["body","is_first_visit"],"msg":"Field required","input":{}},{"type":"missing","loc":["body","channel"],"msg":"Field required","input":{}}]})");
}

TEST(ScoreRequest, EchoesALargeObjectAsEmpty) {
  const std::string body = R"({"notes": ")" + std::string(1000, 'n') + R"("})";
  LeadValues values;
  const ParseOutcome outcome = ParseScoreRequest(body, Spec(), values);
  ASSERT_EQ(outcome.errors.size(), 5u);
  EXPECT_EQ(outcome.errors[0].type, "missing");
  EXPECT_EQ(outcome.errors[0].input, "{}");
}

TEST(ScoreRequest, RejectsABodyThatIsNotAnObject) {
  const std::string msg = "Input should be a valid dictionary or object to extract fields from";
  for (const std::string input : {"[]", "[1,2]", "5", "\"x\"", "null"}) {
    std::string expected = R"({"detail":[{"type":"model_attributes_type","loc":["body"],"msg":")";
    expected += msg;
    expected += R"(","input":)";
    expected += input;
    expected += "}]}";
    EXPECT_EQ(ScoreErrors(input), expected);
  }
}

TEST(ScoreRequest, ReportsAnEmptyBodyAsMissing) {
  EXPECT_EQ(
      ScoreErrors(""),
      R"({"detail":[{"type":"missing","loc":["body"],"msg":"Field required","input":null}]})");
  EXPECT_EQ(
      BatchErrors(""),
      R"({"detail":[{"type":"missing","loc":["body"],"msg":"Field required","input":null}]})");
}

TEST(ScoreRequest, ReportsMalformedJsonAsPythonsDecodeError) {
  EXPECT_EQ(ScoreErrors("   "), JsonInvalid(3, "Expecting value"));
  EXPECT_EQ(ScoreErrors(R"({"sessions": 5,})"),
            JsonInvalid(15, "Expecting property name enclosed in double quotes"));
  EXPECT_EQ(ScoreErrors(R"({"sessions" 5})"), JsonInvalid(12, "Expecting ':' delimiter"));
  EXPECT_EQ(ScoreErrors(R"({"sessions": 5)"), JsonInvalid(14, "Expecting ',' delimiter"));
  EXPECT_EQ(ScoreErrors(R"({"sessions)"), JsonInvalid(1, "Unterminated string starting at"));
  EXPECT_EQ(ScoreErrors(R"({"se\qssions": 1})"), JsonInvalid(4, "Invalid \\\\escape"));
  EXPECT_EQ(ScoreErrors(R"({"a": 1} x)"), JsonInvalid(9, "Extra data"));
  EXPECT_EQ(ScoreErrors("{\"se\x01ssions\": 1}"), JsonInvalid(4, "Invalid control character at"));
  // Positions count characters after a UTF-8 byte order mark, which Python drops.
  EXPECT_EQ(ScoreErrors("\xEF\xBB\xBF{\"a\": x}"), JsonInvalid(6, "Expecting value"));
  EXPECT_EQ(ScoreErrors("{\"\xC3\xA9\xC3\xA9\": x}"), JsonInvalid(7, "Expecting value"));
  EXPECT_EQ(ScoreErrors("{\"channel\": \"\xFF\"}"), JsonInvalid(13, "Invalid UTF-8"));
  EXPECT_EQ(ScoreErrors(R"({"sessions": NaN})"), JsonInvalid(13, "Expecting value"));
}

TEST(ScoreRequest, ReportsOnlyTheSyntaxErrorWhenThereAreBoth) {
  EXPECT_EQ(ScoreErrors(R"({"sessions": "x", "page_views": -1, "a": })"),
            JsonInvalid(41, "Expecting value"));
}

TEST(ScoreRequest, RejectsNestingBeyondTheDepthCap) {
  const std::string deep =
      R"({"x": )" + std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']') + "}";
  EXPECT_EQ(ScoreErrors(deep),
            JsonInvalid(6 + kMaxJsonDepth - 1, "Maximum nesting depth exceeded"));
}

TEST(ScoreRequest, FollowsTheSpecItIsGiven) {
  auto spec = FeatureSpec::FromJson(R"({
    "version": 1, "id": "id", "label": "won", "columns": ["id", "won"],
    "feature_sets": {"all": ["visits", "clicks", "segment"]},
    "features": [
      {"name": "visits", "type": "count"},
      {"name": "clicks", "type": "count", "at_most": "visits"},
      {"name": "segment", "type": "category", "values": ["a", "b", "other"], "unknown": "other"}
    ]})");
  ASSERT_TRUE(spec.ok()) << spec.status().message();
  LeadValues values;
  ParseOutcome outcome =
      ParseScoreRequest(R"({"visits": 4, "clicks": 2, "segment": "b"})", spec.value(), values);
  ASSERT_TRUE(outcome.ok()) << ValidationErrorBody(outcome.errors);
  EXPECT_EQ(values, (LeadValues{4, 2, 1}));
  outcome =
      ParseScoreRequest(R"({"visits": 1, "clicks": 2, "segment": "z"})", spec.value(), values);
  ASSERT_EQ(outcome.errors.size(), 1u);
  EXPECT_EQ(outcome.errors[0].msg, "Value error, clicks must be less than or equal to visits");
  outcome = ParseScoreRequest(R"({"sessions": 1})", spec.value(), values);
  ASSERT_EQ(outcome.errors.size(), 3u);
  EXPECT_EQ(outcome.errors[2].loc, (std::vector<LocPart>{std::string("body"), "segment"}));
}

// --- lax mode (the default): pydantic's coercions ------------------------------------------

TEST(ScoreRequest, LaxModeCoercesCountsFromStringsWholeFloatsAndBooleans) {
  const double paid_search = Channel("Paid Search");
  EXPECT_EQ(
      Values(
          R"({"sessions": " +0_5.00 ", "engaged_sessions": 3.0, "page_views": "1_200", "is_first_visit": false, "channel": "Paid Search"})"),
      (LeadValues{5, 3, 1200, 0, paid_search, 0, 0}));
  EXPECT_EQ(
      Values(
          R"({"sessions": true, "engaged_sessions": false, "page_views": 1e2, "is_first_visit": false, "channel": "Paid Search"})"),
      (LeadValues{1, 0, 100, 0, paid_search, 0, 0}));
  EXPECT_EQ(
      Values(
          R"({"sessions": "\u0035", "engaged_sessions": "-0", "page_views": -0.0, "is_first_visit": false, "channel": "Paid Search"})"),
      (LeadValues{5, 0, 0, 0, paid_search, 0, 0}));
  EXPECT_EQ(
      Values(
          R"({"sessions": "1000000", "engaged_sessions": 1e-400, "page_views": "\u3000 12\n", "is_first_visit": false, "channel": "Paid Search"})"),
      (LeadValues{1'000'000, 0, 12, 0, paid_search, 0, 0}));
}

TEST(ScoreRequest, LaxModeCoercesFlagsFromZeroOneAndPydanticsWords) {
  const std::string prefix = R"({"sessions": 1, "engaged_sessions": 0, "page_views": 1, )"
                             R"("channel": "x", "is_first_visit": )";
  for (const char* yes : {"1", "1.0", "1e0", R"("1")", R"("t")", R"("Y")", R"("on")", R"("YES")",
                          R"("True")", R"("\u0074rue")"}) {
    EXPECT_EQ(Values(prefix + yes + "}")[3], 1) << yes;
  }
  for (const char* no : {"0", "-0", "0.0", "-0.0", R"("0")", R"("F")", R"("n")", R"("Off")",
                         R"("no")", R"("false")"}) {
    EXPECT_EQ(Values(prefix + no + "}")[3], 0) << no;
  }
}

TEST(ScoreRequest, LaxModeReportsWhatPydanticCannotCoerce) {
  EXPECT_EQ(
      ScoreErrors(
          R"({"sessions": "5", "engaged_sessions": 5.0, "page_views": null, "channel": 3, "is_first_visit": 1})"),
      R"({"detail":[{"type":"int_type","loc":["body","page_views"],"msg":"Input should be a valid integer","input":null},{"type":"string_type","loc":["body","channel"],"msg":"Input should be a valid string","input":3}]})");
  EXPECT_EQ(
      ScoreErrors(
          R"({"sessions": true, "engaged_sessions": false, "page_views": [1], "channel": {"a":1}, "is_first_visit": [true]})"),
      R"({"detail":[{"type":"int_type","loc":["body","page_views"],"msg":"Input should be a valid integer","input":[1]},{"type":"bool_type","loc":["body","is_first_visit"],"msg":"Input should be a valid boolean","input":[true]},{"type":"string_type","loc":["body","channel"],"msg":"Input should be a valid string","input":{"a":1}}]})");
  EXPECT_EQ(
      ScoreErrors(
          R"({"sessions": "5.5", "engaged_sessions": "abc", "page_views": "", "channel": "x", "is_first_visit": "maybe"})"),
      R"({"detail":[{"type":"int_parsing","loc":["body","sessions"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"5.5"},{"type":"int_parsing","loc":["body","engaged_sessions"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"abc"},{"type":"int_parsing","loc":["body","page_views"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":""},{"type":"bool_parsing","loc":["body","is_first_visit"],"msg":"Input should be a valid boolean, unable to interpret input","input":"maybe"}]})");
  EXPECT_EQ(
      ScoreErrors(
          R"({"sessions": "1e3", "engaged_sessions": 2.5, "page_views": 1e19, "channel": "x", "is_first_visit": 2})"),
      R"({"detail":[{"type":"int_parsing","loc":["body","sessions"],"msg":"Input should be a valid integer, unable to parse string as an integer","input":"1e3"},{"type":"int_from_float","loc":["body","engaged_sessions"],"msg":"Input should be a valid integer, got a number with a fractional part","input":2.5},{"type":"int_parsing_size","loc":["body","page_views"],"msg":"Unable to parse input string as an integer, exceeded maximum size","input":1e+19},{"type":"bool_parsing","loc":["body","is_first_visit"],"msg":"Input should be a valid boolean, unable to interpret input","input":2}]})");
  EXPECT_EQ(
      ScoreErrors(
          R"({"sessions": 5.5, "engaged_sessions": 0.0, "page_views": 1e2, "channel": "x", "is_first_visit": false})"),
      R"({"detail":[{"type":"int_from_float","loc":["body","sessions"],"msg":"Input should be a valid integer, got a number with a fractional part","input":5.5}]})");
}

TEST(ScoreRequest, LaxModeTellsBoolParsingFromBoolTypeLikePydantic) {
  const std::string prefix = R"({"sessions": 1, "engaged_sessions": 0, "page_views": 1, )"
                             R"("channel": "x", "is_first_visit": )";
  EXPECT_EQ(
      ScoreErrors(prefix + "9223372036854775808}"),
      R"({"detail":[{"type":"bool_type","loc":["body","is_first_visit"],"msg":"Input should be a valid boolean","input":9223372036854775808}]})");
  EXPECT_EQ(
      ScoreErrors(prefix + "2.0}"),
      R"({"detail":[{"type":"bool_parsing","loc":["body","is_first_visit"],"msg":"Input should be a valid boolean, unable to interpret input","input":2.0}]})");
}

TEST(ScoreRequest, LaxModeRangeChecksTheCoercedValueEchoingTheInput) {
  EXPECT_EQ(
      ScoreErrors(
          R"({"sessions": "-1", "engaged_sessions": -1.0, "page_views": "1_000_001", "channel": "x", "is_first_visit": 0.5})"),
      R"({"detail":[{"type":"greater_than_equal","loc":["body","sessions"],"msg":"Input should be greater than or equal to 0","input":"-1","ctx":{"ge":0}},{"type":"greater_than_equal","loc":["body","engaged_sessions"],"msg":"Input should be greater than or equal to 0","input":-1.0,"ctx":{"ge":0}},{"type":"less_than_equal","loc":["body","page_views"],"msg":"Input should be less than or equal to 1000000","input":"1_000_001","ctx":{"le":1000000}},{"type":"bool_type","loc":["body","is_first_visit"],"msg":"Input should be a valid boolean","input":0.5}]})");
  EXPECT_EQ(
      ScoreErrors(
          R"({"sessions": "99999999999999999999999", "engaged_sessions": "-0", "page_views": 1000000.0, "channel": "x", "is_first_visit": " true"})"),
      R"({"detail":[{"type":"less_than_equal","loc":["body","sessions"],"msg":"Input should be less than or equal to 1000000","input":"99999999999999999999999","ctx":{"le":1000000}},{"type":"bool_parsing","loc":["body","is_first_visit"],"msg":"Input should be a valid boolean, unable to interpret input","input":" true"}]})");
}

TEST(ScoreRequest, LaxModeChecksAtMostOnTheCoercedValues) {
  EXPECT_EQ(
      ScoreErrors(
          R"({"sessions": "2", "engaged_sessions": 3.0, "page_views": "12", "channel": "Paid Search", "is_first_visit": "yes"})"),
      R"({"detail":[{"type":"value_error","loc":["body"],"msg":"Value error, engaged_sessions must be less than or equal to sessions","input":{"sessions":"2","engaged_sessions":3.0,"page_views":"12","channel":"Paid Search","is_first_visit":"yes"},"ctx":{"error":{}}}]})");
  EXPECT_EQ(ScoreErrors(R"({"sessions": "3", "engaged_sessions": 3.0, "page_views": "12", )"
                        R"("channel": "x", "is_first_visit": "no"})"),
            "OK");
}

TEST(ScoreRequest, LaxModeEchoesAnInfiniteFloatAsNull) {
  // Python reads 1e400 as inf (finite_number for an int, bool_type for a bool); FastAPI then
  // failed to print it (500). We answer the same errors with the input as null.
  EXPECT_EQ(
      ScoreErrors(
          R"({"sessions": 1e400, "engaged_sessions": 0, "page_views": 1, "channel": "x", "is_first_visit": -1e400})"),
      R"({"detail":[{"type":"finite_number","loc":["body","sessions"],"msg":"Input should be a finite number","input":null},{"type":"bool_type","loc":["body","is_first_visit"],"msg":"Input should be a valid boolean","input":null}]})");
}

TEST(ScoreRequest, LaxModeReadsLongCountStringsWhole) {
  // Escaped strings beyond the parser's stack buffer are decoded whole.
  std::string zeros;
  for (int i = 0; i < 200; ++i) zeros += "\\u0030";
  const std::string body = R"({"sessions": ")" + zeros +
                           R"(7", "engaged_sessions": 0, )"
                           R"("page_views": 1, "channel": "x", "is_first_visit": true})";
  EXPECT_EQ(Values(body)[0], 7);
  const std::string huge = R"({"sessions": ")" + std::string(4301, '1') +
                           R"(", "engaged_sessions": 0, "page_views": 1, "channel": "x", )"
                           R"("is_first_visit": true})";
  LeadValues values;
  const ParseOutcome outcome = ParseScoreRequest(huge, Spec(), values);
  ASSERT_EQ(outcome.errors.size(), 1u);
  EXPECT_EQ(outcome.errors[0].type, "int_parsing_size");
}

TEST(ScoreRequest, ReusesTheCallersValues) {
  LeadValues values;
  values.reserve(8);
  const double* storage = values.data();
  ASSERT_TRUE(ParseScoreRequest(kExample, Spec(), values).ok());
  EXPECT_EQ(values.data(), storage);
  EXPECT_EQ(values.size(), Spec().features.size());
}

TEST(BatchRequest, ParsesEveryLeadInOrder) {
  std::vector<LeadValues> leads;
  const ParseOutcome outcome = ParseBatchRequest(R"({"model": "ignored", "leads": [)" +
                                                     Lead(5, 3, 12, false, "Paid Search") + ", " +
                                                     Lead(1, 0, 2, true, "Email") + "]}",
                                                 Spec(), leads);
  ASSERT_TRUE(outcome.ok()) << ValidationErrorBody(outcome.errors);
  ASSERT_EQ(leads.size(), 2u);
  EXPECT_EQ(leads[0], (LeadValues{5, 3, 12, 0, static_cast<double>(Channel("Paid Search")), 0, 0}));
  EXPECT_EQ(leads[1], (LeadValues{1, 0, 2, 1, static_cast<double>(Channel("Email")), 0, 0}));
}

TEST(BatchRequest, AcceptsAnEmptyList) {
  std::vector<LeadValues> leads(3);
  EXPECT_TRUE(ParseBatchRequest(R"({"leads": []})", Spec(), leads).ok());
  EXPECT_TRUE(leads.empty());
}

TEST(BatchRequest, RequiresALeadsList) {
  EXPECT_EQ(
      BatchErrors("{}"),
      R"({"detail":[{"type":"missing","loc":["body","leads"],"msg":"Field required","input":{}}]})");
  EXPECT_EQ(
      BatchErrors(R"({"leads": null})"),
      R"({"detail":[{"type":"list_type","loc":["body","leads"],"msg":"Input should be a valid list","input":null}]})");
  EXPECT_EQ(
      BatchErrors(R"({"leads": {"a": 1}})"),
      R"({"detail":[{"type":"list_type","loc":["body","leads"],"msg":"Input should be a valid list","input":{"a":1}}]})");
  EXPECT_EQ(
      BatchErrors(R"({"leads": "abc"})"),
      R"({"detail":[{"type":"list_type","loc":["body","leads"],"msg":"Input should be a valid list","input":"abc"}]})");
  EXPECT_EQ(
      BatchErrors("[]"),
      R"({"detail":[{"type":"model_attributes_type","loc":["body"],"msg":"Input should be a valid dictionary or object to extract fields from","input":[]}]})");
}

TEST(BatchRequest, LocatesEachLeadsErrorsByIndex) {
  EXPECT_EQ(
      BatchErrors(
          R"({"leads": [{"sessions": 1, "engaged_sessions": 3, "page_views": 1, "channel": "x", "is_first_visit": false}, 5, {"sessions": -1, "engaged_sessions": 0, "page_views": 1, "channel": "x", "is_first_visit": 0}, {"sessions": 1, "engaged_sessions": 0, "page_views": 1, "channel": "x", "is_first_visit": true}]})",
          InputMode::kStrict),
      R"({"detail":[{"type":"value_error","loc":["body","leads",0],"msg":"Value error, engaged_sessions must be less than or equal to sessions","input":{"sessions":1,"engaged_sessions":3,"page_views":1,"channel":"x","is_first_visit":false},"ctx":{"error":{}}},{"type":"model_attributes_type","loc":["body","leads",1],"msg":"Input should be a valid dictionary or object to extract fields from","input":5},{"type":"greater_than_equal","loc":["body","leads",2,"sessions"],"msg":"Input should be greater than or equal to 0","input":-1,"ctx":{"ge":0}},{"type":"bool_type","loc":["body","leads",2,"is_first_visit"],"msg":"Input should be a valid boolean","input":0}]})");
}

TEST(BatchRequest, CoercesEveryLeadInLaxModeOnly) {
  const std::string body =
      R"({"leads": [{"sessions": "4", "engaged_sessions": 1.0, "page_views": "0", "channel": "x", "is_first_visit": "on"}, {"sessions": 2, "engaged_sessions": 0, "page_views": 1, "channel": "x", "is_first_visit": 0}]})";
  std::vector<LeadValues> leads;
  ASSERT_TRUE(ParseBatchRequest(body, Spec(), leads).ok());
  ASSERT_EQ(leads.size(), 2u);
  EXPECT_EQ(leads[0][0], 4);
  EXPECT_EQ(leads[0][3], 1);
  EXPECT_EQ(leads[1][3], 0);
  EXPECT_EQ(
      BatchErrors(body, InputMode::kStrict),
      R"({"detail":[{"type":"int_type","loc":["body","leads",0,"sessions"],"msg":"Input should be a valid integer","input":"4"},{"type":"int_type","loc":["body","leads",0,"engaged_sessions"],"msg":"Input should be a valid integer","input":1.0},{"type":"int_type","loc":["body","leads",0,"page_views"],"msg":"Input should be a valid integer","input":"0"},{"type":"bool_type","loc":["body","leads",0,"is_first_visit"],"msg":"Input should be a valid boolean","input":"on"},{"type":"bool_type","loc":["body","leads",1,"is_first_visit"],"msg":"Input should be a valid boolean","input":0}]})");
}

TEST(BatchRequest, TakesTheLastLeadsListOfARepeatedKey) {
  std::vector<LeadValues> leads;
  const ParseOutcome outcome = ParseBatchRequest(
      R"({"leads": [1, 2], "leads": [)" + Lead(2, 1, 1, true, "SMS") + "]}", Spec(), leads);
  ASSERT_TRUE(outcome.ok()) << ValidationErrorBody(outcome.errors);
  ASSERT_EQ(leads.size(), 1u);
  EXPECT_EQ(leads[0][0], 2);
}

std::string LeadList(size_t count) {
  std::string body = R"({"leads": [)";
  for (size_t i = 0; i < count; ++i) {
    if (i > 0) body += ", ";
    body += Lead(static_cast<int>(i % 50 + 1), static_cast<int>(i % 50), static_cast<int>(i),
                 i % 2 == 0, i % 3 == 0 ? "Direct" : "Referral");
  }
  return body + "]}";
}

TEST(BatchRequest, ParsesTenThousandLeads) {
  std::vector<LeadValues> leads;
  const ParseOutcome outcome = ParseBatchRequest(LeadList(kMaxBatchLeads), Spec(), leads);
  ASSERT_TRUE(outcome.ok()) << ValidationErrorBody(outcome.errors);
  ASSERT_EQ(leads.size(), kMaxBatchLeads);
  for (size_t i = 0; i < leads.size(); ++i) {
    const LeadValues expected = {static_cast<double>(i % 50 + 1),
                                 static_cast<double>(i % 50),
                                 static_cast<double>(i),
                                 i % 2 == 0 ? 1.0 : 0.0,
                                 static_cast<double>(Channel(i % 3 == 0 ? "Direct" : "Referral")),
                                 0,
                                 0};
    ASSERT_EQ(leads[i], expected) << "lead " << i;
  }
}

TEST(BatchRequest, ReportsOnlyTooLongBeyondTenThousandLeads) {
  std::string body = LeadList(kMaxBatchLeads + 1);
  body.replace(body.find(R"("sessions":1)"), 12, R"("sessions":-1)");  // pydantic ignores it
  std::vector<LeadValues> leads;
  const ParseOutcome outcome = ParseBatchRequest(body, Spec(), leads);
  ASSERT_EQ(outcome.errors.size(), 1u);
  const FieldError& error = outcome.errors[0];
  EXPECT_EQ(error.type, "too_long");
  EXPECT_EQ(error.loc, (std::vector<LocPart>{std::string("body"), std::string("leads")}));
  EXPECT_EQ(error.msg, "List should have at most 10000 items after validation, not 10001");
  EXPECT_EQ(error.ctx, R"({"field_type":"List","max_length":10000,"actual_length":10001})");
  EXPECT_EQ(error.input, "[]");  // the list is far beyond the echo limit
}

TEST(ContentType, IsJsonOnlyForApplicationJsonAndItsSuffixes) {
  for (const char* type :
       {"application/json", "Application/JSON", "application/json; charset=utf-8",
        " application/json ; charset=x", "application/problem+json", "application/+json"}) {
    EXPECT_TRUE(IsJsonContentType(type)) << type;
  }
  for (const char* type : {"", "json", "text/plain", "application/jsonx",
                           "application/x-www-form-urlencoded", "text/json"}) {
    EXPECT_FALSE(IsJsonContentType(type)) << type;
  }
}

TEST(ContentType, RejectsANonJsonBodyEchoingItAsText) {
  EXPECT_EQ(
      ValidationErrorBody(RejectNonJsonBody(R"({"sessions": 5})").errors),
      R"({"detail":[{"type":"model_attributes_type","loc":["body"],"msg":"Input should be a valid dictionary or object to extract fields from","input":"{\"sessions\": 5}"}]})");
  EXPECT_EQ(
      ValidationErrorBody(RejectNonJsonBody("").errors),
      R"({"detail":[{"type":"missing","loc":["body"],"msg":"Field required","input":null}]})");
  const ParseOutcome long_body = RejectNonJsonBody(std::string(5000, 'x'));
  ASSERT_EQ(long_body.errors.size(), 1u);
  EXPECT_EQ(long_body.errors[0].input, "\"" + std::string(kMaxInputEchoBytes - 2, 'x') + "\"");
}

TEST(ValidationErrorBody, IsValidJsonInFastApisShape) {
  LeadValues values;
  const ParseOutcome outcome = ParseScoreRequest(
      "{\"sessions\": \"a\\\"b\\u0001\", \"engaged_sessions\": -5, \"channel\": \"" +
          std::string(70, 'x') + "\", \"is_first_visit\": 1}",
      Spec(), values, InputMode::kStrict);
  ASSERT_EQ(outcome.errors.size(), 5u);
  const std::string body = ValidationErrorBody(outcome.errors);
  EXPECT_TRUE(IsValidJson(body));
  const nlohmann::json doc = nlohmann::json::parse(body);
  ASSERT_EQ(doc.at("detail").size(), 5u);
  const nlohmann::json& first = doc["detail"][0];
  EXPECT_EQ(first.at("type"), "int_type");
  EXPECT_EQ(first.at("loc"), nlohmann::json::parse(R"(["body", "sessions"])"));
  EXPECT_EQ(first.at("input"), "a\"b\x01");
  EXPECT_FALSE(first.contains("ctx"));
  EXPECT_EQ(doc["detail"][1].at("ctx"), nlohmann::json::parse(R"({"ge": 0})"));
  EXPECT_EQ(doc["detail"][2].at("type"), "missing");
  EXPECT_EQ(doc["detail"][3].at("type"), "bool_type");
  EXPECT_EQ(doc["detail"][4].at("input"), std::string(70, 'x'));

  const std::string invalid = ScoreErrors(R"({"a": "\ud800)");
  const nlohmann::json syntax = nlohmann::json::parse(invalid);
  EXPECT_EQ(syntax["detail"][0].at("loc"), nlohmann::json::parse(R"(["body", 8])"));
}

}  // namespace
}  // namespace leadscore::api
