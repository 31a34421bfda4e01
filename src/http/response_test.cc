#include "http/response.h"

#include <gtest/gtest.h>

#include <array>
#include <string>

namespace leadscore::http {
namespace {

std::string Serialize(const ResponseView& response, WireOptions options = {}) {
  std::string out;
  const Status status = AppendResponse(response, options, &out);
  EXPECT_TRUE(status.ok()) << status.message();
  return out;
}

TEST(Response, SerializesStatusLineHeadersAndBody) {
  Response response = Response::Json("{\"score\":0.5}");
  response.headers = {{"Retry-After", "1"}};
  EXPECT_EQ(Serialize(response, {true, false, "D"}),
            "HTTP/1.1 200 OK\r\nDate: D\r\nContent-Type: application/json\r\n"
            "Content-Length: 13\r\nRetry-After: 1\r\nConnection: keep-alive\r\n\r\n"
            "{\"score\":0.5}");
}

TEST(Response, AppendsToWhatIsAlreadyInTheBuffer) {
  std::string out = "previous";
  ASSERT_TRUE(AppendResponse(ResponseView(404, "", ""), {false, false, {}}, &out).ok());
  EXPECT_EQ(out,
            "previousHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
}

TEST(Response, OmitsTheBodyForHeadButKeepsItsLength) {
  EXPECT_EQ(Serialize(ResponseView(200, "text/plain", "hello"), {true, true, {}}),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
            "Connection: keep-alive\r\n\r\n");
}

TEST(Response, SendsNoContentLengthFor204) {
  EXPECT_EQ(Serialize(ResponseView(204, "", "")),
            "HTTP/1.1 204 No Content\r\nConnection: keep-alive\r\n\r\n");
}

TEST(Response, RejectsWhatWouldCorruptTheStream) {
  std::string out = "kept";
  const auto fails = [&out](const Response& response) {
    return !AppendResponse(response, {}, &out).ok();
  };
  Response split;
  split.headers = {{"X-Note", "a\r\nSet-Cookie: b"}};
  EXPECT_TRUE(fails(split));
  Response bad_name;
  bad_name.headers = {{"Bad Name", "x"}};
  EXPECT_TRUE(fails(bad_name));
  Response managed;
  managed.headers = {{"content-length", "3"}};
  EXPECT_TRUE(fails(managed));
  Response informational;
  informational.status = 100;
  EXPECT_TRUE(fails(informational));
  Response no_content;
  no_content.status = 204;
  no_content.body = "x";
  EXPECT_TRUE(fails(no_content));
  Response content_type;
  content_type.content_type = "text/plain\r\nX: y";
  EXPECT_TRUE(fails(content_type));
  EXPECT_EQ(out, "kept");  // nothing appended on failure
}

TEST(Response, NamesReasonPhrases) {
  EXPECT_EQ(ReasonPhrase(200), "OK");
  EXPECT_EQ(ReasonPhrase(413), "Content Too Large");
  EXPECT_EQ(ReasonPhrase(422), "Unprocessable Content");
  EXPECT_EQ(ReasonPhrase(505), "HTTP Version Not Supported");
  EXPECT_EQ(ReasonPhrase(599), "Unknown");
}

TEST(Response, BuildsFastApiShapedErrors) {
  const Response error = Response::Error(404, "Not Found");
  EXPECT_EQ(error.status, 404);
  EXPECT_EQ(error.content_type, "application/json");
  EXPECT_EQ(error.body, "{\"detail\":\"Not Found\"}");
}

TEST(Response, EscapesJsonStrings) {
  EXPECT_EQ(JsonDetail("say \"hi\" \\ bye"), R"({"detail":"say \"hi\" \\ bye"})");
  EXPECT_EQ(JsonDetail("line\nfeed\ttab\r\b\f"), R"({"detail":"line\nfeed\ttab\r\b\f"})");
  EXPECT_EQ(JsonDetail(std::string("nul\0\x1f", 5)), R"({"detail":"nul\u0000\u001f"})");
  EXPECT_EQ(JsonDetail("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "{\"detail\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}");  // UTF-8 kept
}

TEST(Response, ReplacesInvalidUtf8InJsonStrings) {
  // A lone continuation byte, a truncated sequence, an overlong '/', a surrogate.
  EXPECT_EQ(JsonDetail("a\x80z"), R"({"detail":"a\ufffdz"})");
  EXPECT_EQ(JsonDetail("\xe2\x82"), R"({"detail":"\ufffd\ufffd"})");
  EXPECT_EQ(JsonDetail("\xc0\xaf"), R"({"detail":"\ufffd\ufffd"})");
  EXPECT_EQ(JsonDetail("\xed\xa0\x80"), R"({"detail":"\ufffd\ufffd\ufffd"})");
}

TEST(Response, FormatsImfFixdates) {
  std::array<char, 29> date{};
  FormatHttpDate(784111777, date);  // RFC 9110's example
  EXPECT_EQ(std::string(date.data(), date.size()), "Sun, 06 Nov 1994 08:49:37 GMT");
  FormatHttpDate(951782400, date);  // leap day
  EXPECT_EQ(std::string(date.data(), date.size()), "Tue, 29 Feb 2000 00:00:00 GMT");
}

}  // namespace
}  // namespace leadscore::http
