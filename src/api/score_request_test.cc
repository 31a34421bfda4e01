#include "api/score_request.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/json_scanner.h"

namespace leadscore::api {
namespace {

// The expected 422 bodies below are what FastAPI 0.165 + pydantic 2.14 answered for the same
// request bodies, with a strict model declaring the spec's features in spec order
// (counts Field(ge=0, le=1_000_000), channel Field(max_length=64), and a model validator
// raising ValueError("engaged_sessions must be less than or equal to sessions")).

const FeatureSpec& Spec() { return FeatureSpec::Builtin(); }

constexpr std::string_view kExample =
    R"({"sessions": 5, "engaged_sessions": 3, "page_views": 12, "channel": "Paid Search", )"
    R"("is_first_visit": false})";

// The 422 body for a /score request, or "OK".
std::string ScoreErrors(std::string_view body) {
  LeadValues values;
  const ParseOutcome outcome = ParseScoreRequest(body, Spec(), values);
  return outcome.ok() ? "OK" : ValidationErrorBody(outcome.errors);
}

std::string BatchErrors(std::string_view body) {
  std::vector<LeadValues> leads;
  const ParseOutcome outcome = ParseBatchRequest(body, Spec(), leads);
  return outcome.ok() ? "OK" : ValidationErrorBody(outcome.errors);
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
  EXPECT_EQ(values, (LeadValues{5, 3, 12, 0, static_cast<double>(Channel("Paid Search"))}));
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

TEST(ScoreRequest, RejectsStringsFloatsAndNullForCountsAndNumbersForFlags) {
  EXPECT_EQ(
      ScoreErrors(
          R"({"sessions": "5", "engaged_sessions": 5.0, "page_views": null, "channel": 3, "is_first_visit": 1})"),
      R"({"detail":[{"type":"int_type","loc":["body","sessions"],"msg":"Input should be a valid integer","input":"5"},{"type":"int_type","loc":["body","engaged_sessions"],"msg":"Input should be a valid integer","input":5.0},{"type":"int_type","loc":["body","page_views"],"msg":"Input should be a valid integer","input":null},{"type":"bool_type","loc":["body","is_first_visit"],"msg":"Input should be a valid boolean","input":1},{"type":"string_type","loc":["body","channel"],"msg":"Input should be a valid string","input":3}]})");
}

TEST(ScoreRequest, RejectsBoolsAndContainersForCountsFlagsAndCategories) {
  EXPECT_EQ(
      ScoreErrors(
          R"({"sessions": true, "engaged_sessions": false, "page_views": [1], "channel": {"a":1}, "is_first_visit": [true]})"),
      R"({"detail":[{"type":"int_type","loc":["body","sessions"],"msg":"Input should be a valid integer","input":true},{"type":"int_type","loc":["body","engaged_sessions"],"msg":"Input should be a valid integer","input":false},{"type":"int_type","loc":["body","page_views"],"msg":"Input should be a valid integer","input":[1]},{"type":"bool_type","loc":["body","is_first_visit"],"msg":"Input should be a valid boolean","input":[true]},{"type":"string_type","loc":["body","channel"],"msg":"Input should be a valid string","input":{"a":1}}]})");
  EXPECT_EQ(
      ScoreErrors(
          R"({"sessions": 1, "engaged_sessions": 0, "page_views": 1, "channel": null, "is_first_visit": null})"),
      R"({"detail":[{"type":"bool_type","loc":["body","is_first_visit"],"msg":"Input should be a valid boolean","input":null},{"type":"string_type","loc":["body","channel"],"msg":"Input should be a valid string","input":null}]})");
}

TEST(ScoreRequest, EchoesFloatInputsAsPythonPrintsThem) {
  EXPECT_EQ(
      ScoreErrors(
          R"({"sessions": 5.5, "engaged_sessions": 0.0, "page_views": 1e2, "channel": "x", "is_first_visit": false})"),
      R"({"detail":[{"type":"int_type","loc":["body","sessions"],"msg":"Input should be a valid integer","input":5.5},{"type":"int_type","loc":["body","engaged_sessions"],"msg":"Input should be a valid integer","input":0.0},{"type":"int_type","loc":["body","page_views"],"msg":"Input should be a valid integer","input":100.0}]})");
  EXPECT_EQ(
      ScoreErrors(
          R"({"sessions": 5, "engaged_sessions": -0, "page_views": -0.0, "channel": "x", "is_first_visit": false})"),
      R"({"detail":[{"type":"int_type","loc":["body","page_views"],"msg":"Input should be a valid integer","input":-0.0}]})");
}

TEST(ScoreRequest, RejectsNegativeAndAbsurdCounts) {
  EXPECT_EQ(
      ScoreErrors(
          R"({"sessions": -1, "engaged_sessions": 3, "page_views": 1000001, "channel": "x", "is_first_visit": "true"})"),
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
    EXPECT_EQ(ScoreErrors(input),
              R"({"detail":[{"type":"model_attributes_type","loc":["body"],"msg":")" + msg +
                  R"(","input":)" + input + "}]}");
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
  EXPECT_EQ(leads[0], (LeadValues{5, 3, 12, 0, static_cast<double>(Channel("Paid Search"))}));
  EXPECT_EQ(leads[1], (LeadValues{1, 0, 2, 1, static_cast<double>(Channel("Email"))}));
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
          R"({"leads": [{"sessions": 1, "engaged_sessions": 3, "page_views": 1, "channel": "x", "is_first_visit": false}, 5, {"sessions": -1, "engaged_sessions": 0, "page_views": 1, "channel": "x", "is_first_visit": 0}, {"sessions": 1, "engaged_sessions": 0, "page_views": 1, "channel": "x", "is_first_visit": true}]})"),
      R"({"detail":[{"type":"value_error","loc":["body","leads",0],"msg":"Value error, engaged_sessions must be less than or equal to sessions","input":{"sessions":1,"engaged_sessions":3,"page_views":1,"channel":"x","is_first_visit":false},"ctx":{"error":{}}},{"type":"model_attributes_type","loc":["body","leads",1],"msg":"Input should be a valid dictionary or object to extract fields from","input":5},{"type":"greater_than_equal","loc":["body","leads",2,"sessions"],"msg":"Input should be greater than or equal to 0","input":-1,"ctx":{"ge":0}},{"type":"bool_type","loc":["body","leads",2,"is_first_visit"],"msg":"Input should be a valid boolean","input":0}]})");
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
    const LeadValues expected = {static_cast<double>(i % 50 + 1), static_cast<double>(i % 50),
                                 static_cast<double>(i), i % 2 == 0 ? 1.0 : 0.0,
                                 static_cast<double>(Channel(i % 3 == 0 ? "Direct" : "Referral"))};
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
      Spec(), values);
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
