#include "http/request_parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace leadscore::http {
namespace {

using Event = RequestParser::Event;
using namespace std::string_literals;  // "...\0..."s below

// What the parser made of one request (or of the error that ended the stream), as values so
// the outcomes of different ways of feeding the same bytes can be compared.
struct Parsed {
  int error_status = 0;  // 0: a request
  std::string method, target, path, query, body;
  int version_minor = 0;
  bool keep_alive = false;
  bool expects_continue = false;
  std::vector<std::pair<std::string, std::string>> headers;
  int continues = 0;  // kContinue events seen for this request

  bool operator==(const Parsed&) const = default;
};

void PrintTo(const Parsed& p, std::ostream* os) {
  if (p.error_status != 0) {
    *os << "error " << p.error_status;
    return;
  }
  *os << p.method << " " << p.target << " HTTP/1." << p.version_minor
      << " keep_alive=" << p.keep_alive << " continues=" << p.continues << " body[" << p.body.size()
      << "]=" << p.body.substr(0, 40);
}

Parsed Snapshot(const RequestParser& parser, int continues) {
  const Request& r = parser.request();
  Parsed p;
  p.method = r.method();
  p.target = r.target();
  p.path = r.path();
  p.query = r.query();
  p.body = r.body();
  p.version_minor = r.version_minor();
  p.keep_alive = r.keep_alive();
  p.expects_continue = r.expects_continue();
  for (size_t i = 0; i < r.header_count(); ++i) {
    p.headers.emplace_back(r.header(i).name, r.header(i).value);
  }
  p.continues = continues;
  return p;
}

// Feeds `pieces` one after the other, draining the parser after each, and returns every
// request and a final error, if any.
std::vector<Parsed> ParsePieces(const std::vector<std::string>& pieces,
                                ParserOptions options = {}) {
  RequestParser parser(std::move(options));
  std::vector<Parsed> out;
  int continues = 0;
  for (const std::string& piece : pieces) {
    parser.Append(piece);
    while (true) {
      const Event event = parser.Next();
      if (event == Event::kNeedMore) break;
      if (event == Event::kContinue) {
        ++continues;
        continue;
      }
      if (event == Event::kError) {
        Parsed error;
        error.error_status = parser.error().status;
        out.push_back(error);
        return out;
      }
      out.push_back(Snapshot(parser, continues));
      continues = 0;
    }
  }
  return out;
}

std::vector<Parsed> Parse(const std::string& input, ParserOptions options = {}) {
  return ParsePieces({input}, std::move(options));
}

// The single outcome of `input`, which must be exactly one request or error.
Parsed ParseOne(const std::string& input, ParserOptions options = {}) {
  const std::vector<Parsed> all = Parse(input, std::move(options));
  EXPECT_EQ(all.size(), 1U) << input;
  return all.empty() ? Parsed{} : all.front();
}

int ErrorOf(const std::string& input, ParserOptions options = {}) {
  return ParseOne(input, std::move(options)).error_status;
}

ParserOptions WithBodyLimit(size_t limit) {
  ParserOptions options;
  options.body_limit = [limit](const Request&) { return limit; };
  return options;
}

TEST(RequestParser, ParsesRequestLineHeadersAndBody) {
  const Parsed p = ParseOne(
      "POST /score?explain=1 HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
      "Content-Length: 11\r\n\r\n{\"a\":12345}");
  EXPECT_EQ(p.error_status, 0);
  EXPECT_EQ(p.method, "POST");
  EXPECT_EQ(p.target, "/score?explain=1");
  EXPECT_EQ(p.path, "/score");
  EXPECT_EQ(p.query, "explain=1");
  EXPECT_EQ(p.version_minor, 1);
  EXPECT_TRUE(p.keep_alive);
  EXPECT_EQ(p.body, "{\"a\":12345}");
  const std::vector<std::pair<std::string, std::string>> headers = {
      {"Host", "localhost"}, {"Content-Type", "application/json"}, {"Content-Length", "11"}};
  EXPECT_EQ(p.headers, headers);
}

TEST(RequestParser, LooksUpHeadersIgnoringCaseAndTrimsValues) {
  RequestParser parser;
  parser.Append("GET / HTTP/1.1\r\nHost: a\r\nX-Thing: \t first \t\r\nx-thing: second\r\n\r\n");
  ASSERT_EQ(parser.Next(), Event::kRequest);
  const Request& r = parser.request();
  EXPECT_EQ(r.Header("x-THING"), "first");  // the first of repeated headers
  EXPECT_EQ(r.Header("host"), "a");
  EXPECT_EQ(r.Header("content-type"), std::nullopt);
  EXPECT_EQ(r.body(), "");
}

TEST(RequestParser, LooksUpRawQueryParameters) {
  RequestParser parser;
  parser.Append("GET /score?a=1&explain&b=&a=2&c=x%20y HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_EQ(parser.Next(), Event::kRequest);
  const Request& r = parser.request();
  EXPECT_EQ(r.QueryParam("a"), "1");
  EXPECT_EQ(r.QueryParam("explain"), "");
  EXPECT_EQ(r.QueryParam("b"), "");
  EXPECT_EQ(r.QueryParam("c"), "x%20y");  // not percent-decoded
  EXPECT_EQ(r.QueryParam("expl"), std::nullopt);
  EXPECT_EQ(r.QueryParam("d"), std::nullopt);
}

TEST(RequestParser, HasNoQueryWithoutQuestionMark) {
  const Parsed p = ParseOne("GET /health HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_EQ(p.path, "/health");
  EXPECT_EQ(p.query, "");
}

TEST(RequestParser, AcceptsAbsoluteFormTargets) {
  Parsed p =
      ParseOne("GET http://example.com:8080/score?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n");
  EXPECT_EQ(p.path, "/score");
  EXPECT_EQ(p.query, "x=1");
  p = ParseOne("GET HTTP://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n");
  EXPECT_EQ(p.path, "/");
  EXPECT_EQ(ErrorOf("GET ftp://example.com/ HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
  EXPECT_EQ(ErrorOf("GET http:///x HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
}

TEST(RequestParser, AcceptsAsteriskOnlyForOptions) {
  EXPECT_EQ(ParseOne("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n").path, "*");
  EXPECT_EQ(ErrorOf("GET * HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
}

TEST(RequestParser, DecodesChunkedBodyWithExtensionsAndTrailers) {
  const Parsed p = ParseOne(
      "POST /s HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n"
      "5;name=value\r\nhello\r\n1A;a=\"q \\\" ;\";b\r\n0123456789abcdefghijklmnop\r\n"
      "0\r\nX-Trailer: t\r\n\r\n");
  EXPECT_EQ(p.error_status, 0);
  EXPECT_EQ(p.body, "hello0123456789abcdefghijklmnop");
}

TEST(RequestParser, DecodesEmptyChunkedBody) {
  const Parsed p =
      ParseOne("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  EXPECT_EQ(p.error_status, 0);
  EXPECT_EQ(p.body, "");
}

TEST(RequestParser, ParsesPipelinedRequestsFromOneBuffer) {
  const std::vector<Parsed> all = Parse(
      "GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
      "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz"
      "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"
      "GET /d HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  ASSERT_EQ(all.size(), 4U);
  EXPECT_EQ(all[0].path, "/a");
  EXPECT_EQ(all[1].path, "/b");
  EXPECT_EQ(all[1].body, "xyz");
  EXPECT_EQ(all[2].path, "/c");
  EXPECT_EQ(all[2].body, "ok");
  EXPECT_EQ(all[3].path, "/d");
  EXPECT_FALSE(all[3].keep_alive);
}

TEST(RequestParser, WaitsForTheWholeBody) {
  RequestParser parser;
  parser.Append("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nabc");
  EXPECT_EQ(parser.Next(), Event::kNeedMore);
  EXPECT_FALSE(parser.idle());
  parser.Append("d");
  ASSERT_EQ(parser.Next(), Event::kRequest);
  EXPECT_EQ(parser.request().body(), "abcd");
  EXPECT_EQ(parser.Next(), Event::kNeedMore);
  EXPECT_TRUE(parser.idle());
}

// Inputs covering every parser state, with what each must give (0 for a request, else the
// error status); the result may not depend on how the bytes are split.
struct SplitCase {
  std::string input;
  std::vector<int> outcomes;
};

const std::vector<SplitCase>& SplitCorpus() {
  static const std::vector<SplitCase> kCorpus = {
      {"GET /a?b=c HTTP/1.1\r\nHost: h\r\nX: y\r\n\r\n"
       "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789"
       "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
       "3;x=y\r\nabc\r\nA\r\n0123456789\r\n0\r\nT: 1\r\n\r\n"
       "\r\nGET /d HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
       {0, 0, 0, 0}},
      {"POST /e HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nxyz"
       "POST /f HTTP/1.1\nHost: h\nTransfer-Encoding: chunked\nExpect: 100-Continue\n\n"
       "1\r\nq\r\n0\r\n\r\n",
       {0, 0}},
      {"GET / HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\nHost : h\r\n\r\n", {0, 400}},
      {"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcdefg\r\n", {400}},
      // Chunked framing takes CRLF only: a bare LF after the size, after the data, after the
      // last chunk.
      {"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\nab\r\n", {400}},
      {"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\n0\r\n\r\n", {400}},
      {"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\n", {400}},
      {"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n41\r\n", {413}},
      {"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 65\r\n\r\n", {413}},
      {"GET /" + std::string(200, 'x') + " HTTP/1.1\r\nHost: h\r\n\r\n", {414}},
      {"GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(200, 'x') + "\r\n\r\n", {431}},
  };
  return kCorpus;
}

ParserOptions SplitOptions() {
  ParserOptions options = WithBodyLimit(64);
  options.max_header_bytes = 128;
  return options;
}

std::vector<int> Outcomes(const std::vector<Parsed>& parsed) {
  std::vector<int> outcomes;
  outcomes.reserve(parsed.size());
  for (const Parsed& p : parsed) outcomes.push_back(p.error_status);
  return outcomes;
}

TEST(RequestParser, GivesTheSameResultForEverySplitOfTheInput) {
  for (const SplitCase& c : SplitCorpus()) {
    const std::vector<Parsed> whole = Parse(c.input, SplitOptions());
    ASSERT_EQ(Outcomes(whole), c.outcomes) << c.input;
    for (size_t cut = 0; cut <= c.input.size(); ++cut) {
      const std::vector<Parsed> split =
          ParsePieces({c.input.substr(0, cut), c.input.substr(cut)}, SplitOptions());
      ASSERT_EQ(split, whole) << "cut at byte " << cut << " of\n" << c.input;
    }
  }
}

TEST(RequestParser, GivesTheSameResultFedByteByByte) {
  // A one-byte first buffer: the buffer grows and compacts all along the way.
  ParserOptions tiny_buffer = SplitOptions();
  tiny_buffer.initial_buffer_bytes = 1;
  for (const SplitCase& c : SplitCorpus()) {
    std::vector<std::string> bytes;
    for (const char ch : c.input) bytes.emplace_back(1, ch);
    EXPECT_EQ(ParsePieces(bytes, SplitOptions()), Parse(c.input, SplitOptions())) << c.input;
    EXPECT_EQ(ParsePieces(bytes, tiny_buffer), Parse(c.input, SplitOptions())) << c.input;
  }
}

TEST(RequestParser, ReadsALargeBodyThroughPrepareInput) {
  std::string body(1 << 20, '\0');
  for (size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>('a' + i % 26);
  const std::string input =
      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
      body;
  RequestParser parser(WithBodyLimit(body.size()));
  size_t fed = 0;
  Event event = Event::kNeedMore;
  while (event == Event::kNeedMore && fed < input.size()) {
    const std::span<char> space = parser.PrepareInput(1000);
    const size_t n = std::min({space.size(), input.size() - fed, size_t{3000}});
    std::copy_n(input.data() + fed, n, space.data());
    parser.CommitInput(n);
    fed += n;
    event = parser.Next();
  }
  ASSERT_EQ(event, Event::kRequest);
  EXPECT_EQ(fed, input.size());
  EXPECT_EQ(parser.request().body(), body);
}

TEST(RequestParser, KeepAliveFollowsVersionAndConnectionHeader) {
  struct Case {
    std::string head;
    bool keep_alive;
  };
  const std::vector<Case> cases = {
      {"GET / HTTP/1.1\r\nHost: h\r\n", true},
      {"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n", false},
      {"GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, CLOSE\r\n", false},
      {"GET / HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\n", true},
      {"GET / HTTP/1.0\r\n", false},
      {"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n", true},
      {"GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n", false},
  };
  for (const Case& c : cases) {
    const Parsed p = ParseOne(c.head + "\r\n");
    EXPECT_EQ(p.error_status, 0) << c.head;
    EXPECT_EQ(p.keep_alive, c.keep_alive) << c.head;
  }
}

TEST(RequestParser, ReadsHigherMinorVersionAsHttp11) {
  const Parsed p = ParseOne("GET / HTTP/1.7\r\nHost: h\r\n\r\n");
  EXPECT_EQ(p.error_status, 0);
  EXPECT_EQ(p.version_minor, 1);
}

TEST(RequestParser, RejectsOtherMajorVersionsWith505) {
  EXPECT_EQ(ErrorOf("GET / HTTP/2.0\r\nHost: h\r\n\r\n"), 505);
  EXPECT_EQ(ErrorOf("GET / HTTP/0.9\r\n\r\n"), 505);
}

TEST(RequestParser, SkipsEmptyLinesBeforeTheRequestLine) {
  const Parsed p = ParseOne("\r\n\n\r\nGET /x HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_EQ(p.path, "/x");
}

// RFC 9112 §2.2 lets a recipient take a bare LF as the end of a head line; llhttp (strict)
// refuses it, and docs/serving.md says why we do not.
TEST(RequestParser, AcceptsBareLineFeedsInTheHead) {
  const Parsed p = ParseOne("POST /x HTTP/1.1\nHost: h\nContent-Length: 2\n\nok");
  EXPECT_EQ(p.error_status, 0);
  EXPECT_EQ(p.body, "ok");
}

TEST(RequestParser, RejectsMalformedRequestsWith400) {
  const std::vector<std::string> inputs = {
      "GET\r\n\r\n",
      "GET /\r\nHost: h\r\n\r\n",
      "GET  / HTTP/1.1\r\nHost: h\r\n\r\n",
      "GET / HTTP/1.1 \r\nHost: h\r\n\r\n",
      "GET / http/1.1\r\nHost: h\r\n\r\n",
      "GET / HTTP/1.x\r\nHost: h\r\n\r\n",
      "G(T / HTTP/1.1\r\nHost: h\r\n\r\n",
      "GET /a\x01 HTTP/1.1\r\nHost: h\r\n\r\n",
      "GET noslash HTTP/1.1\r\nHost: h\r\n\r\n",
      "\rGET / HTTP/1.1\r\nHost: h\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\nNo colon\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\nBad Name: x\r\n\r\n",
      "GET / HTTP/1.1\r\nHost : h\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\n: empty name\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n folded\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\nX: a\0b\r\n\r\n"s,
      "GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n",
      "GET / HTTP/1.1\r\n\r\n",                        // no Host
      "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",  // two Hosts
      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1x\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: \r\n\r\n",
      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1, 1\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab",
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
      std::string("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n") +
          "Transfer-Encoding: chunked\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: \r\n\r\n",
      "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2 x\r\n",
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\rX",
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + std::string(2000, '0'),
  };
  for (const std::string& input : inputs) {
    EXPECT_EQ(ErrorOf(input), 400) << input;
  }
}

// The forms below were accepted until issue 15 and are refused by Node's llhttp in strict mode;
// a proxy that frames them differently can smuggle a request past it
// (tests/e2e/test_http_framing.py sends them to both).

TEST(RequestParser, RejectsRepeatedContentLengthEvenWhenEqual) {
  EXPECT_EQ(
      ErrorOf("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nok"),
      400);
  EXPECT_EQ(
      ErrorOf("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nContent-Length: 02\r\n\r\nok"),
      400);
}

TEST(RequestParser, RejectsATabAfterContentLengthOrChunked) {
  EXPECT_EQ(ErrorOf("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\t\r\n\r\nok"), 400);
  EXPECT_EQ(ErrorOf("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2 \t \r\n\r\nok"), 400);
  EXPECT_EQ(ErrorOf("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\t\r\n\r\n0\r\n\r\n"),
            400);
  EXPECT_EQ(ErrorOf("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked \t\r\n\r\n0\r\n\r\n"),
            400);
  // Spaces after the value, and tabs before it, are fine.
  EXPECT_EQ(ParseOne("POST / HTTP/1.1\r\nHost: h\r\nContent-Length:\t2  \r\n\r\nok").body, "ok");
  EXPECT_EQ(ParseOne("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding:\t chunked  \r\n\r\n"
                     "2\r\nok\r\n0\r\n\r\n")
                .body,
            "ok");
}

TEST(RequestParser, RejectsAnythingAfterChunked) {
  const std::string head = "POST / HTTP/1.1\r\nHost: h\r\n";
  const std::string body = "\r\n0\r\n\r\n";
  EXPECT_EQ(ErrorOf(head + "Transfer-Encoding: chunked,\r\n" + body), 400);
  EXPECT_EQ(ErrorOf(head + "Transfer-Encoding: chunked , \r\n" + body), 400);
  EXPECT_EQ(ErrorOf(head + "Transfer-Encoding: chunked, identity\r\n" + body), 400);
  EXPECT_EQ(ErrorOf(head + "Transfer-Encoding: chunked\r\nTransfer-Encoding: ,\r\n" + body), 400);
  EXPECT_EQ(ErrorOf(head + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n" + body),
            400);
  // Empty list elements before it are allowed (RFC 9110 §5.6.1), as Node allows them.
  EXPECT_EQ(ParseOne(head + "Transfer-Encoding: , chunked\r\n" + body).error_status, 0);
}

TEST(RequestParser, RejectsWhitespaceAndMalformedChunkExtensions) {
  const std::string head = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::vector<std::string> size_lines = {
      "2 ",      "2\t",        "2 ;a",        "2; a",         "2;a =b",       "2;a= b",
      "2;a=b ",  "2;",         "2;;a",        "2;a=",         "2;=b",         "2;a=b c",
      "2;a=\"x", "2;a=\"x\"y", "2;a=\"x\\\"", "2;a\x01",      "2;a=\"\x01\"", "2;a=\"\\\x01\"",
      "2;a@b",   "2\r",        "2\rx",        "2;a=\"\r\n\"",
  };
  for (const std::string& line : size_lines) {
    EXPECT_EQ(ErrorOf(head + line + "\r\nok\r\n0\r\n\r\n"), 400) << line;
  }
}

TEST(RequestParser, AcceptsChunkExtensionsOfTokensAndQuotedStrings) {
  const std::string head = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::vector<std::string> size_lines = {
      "2;a", "2;a=b;c", "2;a=\"\"", "2;a=\"x y;\\\"z\\\\\";b=c", "2;a=\"\t\x80\"", "02;A-b=C.d",
  };
  for (const std::string& line : size_lines) {
    EXPECT_EQ(ParseOne(head + line + "\r\nok\r\n0\r\n\r\n").body, "ok") << line;
  }
}

TEST(RequestParser, RejectsBareLineFeedsInChunkedFraming) {
  const std::string head = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::vector<std::string> bodies = {
      "2\nok\r\n0\r\n\r\n",          // after the chunk size
      "2;a=b\nok\r\n0\r\n\r\n",      // after an extension
      "2\r\nok\n0\r\n\r\n",          // after the chunk data
      "2\r\nok\r\n0\n\r\n",          // after the last chunk
      "2\r\nok\r\n0\r\n\n",          // ending the trailer section
      "2\r\nok\r\n0\r\nX: y\n\r\n",  // ending a trailer field
  };
  for (const std::string& body : bodies) {
    EXPECT_EQ(ErrorOf(head + body), 400) << body;
    std::vector<std::string> bytes;
    for (const char ch : head + body) bytes.emplace_back(1, ch);
    const std::vector<Parsed> fed = ParsePieces(bytes);
    ASSERT_EQ(fed.size(), 1U) << body;
    EXPECT_EQ(fed.front().error_status, 400) << body;
  }
}

TEST(RequestParser, RejectsABareCrAfterChunkData) {
  EXPECT_EQ(ErrorOf("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "2\r\nok\r0\r\n\r\n"),
            400);
}

TEST(RequestParser, RejectsFramingFieldsInTrailers) {
  const std::string head =
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n";
  EXPECT_EQ(ErrorOf(head + "Content-Length: 2\r\n\r\n"), 400);
  EXPECT_EQ(ErrorOf(head + "transfer-encoding: chunked\r\n\r\n"), 400);
  EXPECT_EQ(ParseOne(head + "X-Checksum: 1\r\n\r\n").body, "ok");
}

TEST(RequestParser, RejectsNonAsciiBytesInTheTarget) {
  EXPECT_EQ(ErrorOf("GET /caf\xc3\xa9 HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
  EXPECT_EQ(ErrorOf("GET /?q=\x80 HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
  EXPECT_EQ(ParseOne("GET /caf%C3%A9 HTTP/1.1\r\nHost: h\r\n\r\n").path, "/caf%C3%A9");
}

TEST(RequestParser, RejectsUnsupportedTransferCodingWith501) {
  EXPECT_EQ(ErrorOf("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"), 501);
  EXPECT_EQ(ErrorOf("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n"),
            501);
}

TEST(RequestParser, RejectsHeaderSectionOverTheLimitWith431) {
  ParserOptions options;
  options.max_header_bytes = 64;
  const std::string head = "GET / HTTP/1.1\r\nHost: h\r\nX: ";  // 28 bytes
  const std::string fits = head + std::string(64 - 28 - 4, 'x') + "\r\n\r\n";
  ASSERT_EQ(fits.size(), 64U);
  EXPECT_EQ(ParseOne(fits, options).error_status, 0);
  EXPECT_EQ(ErrorOf(head + std::string(64 - 28 - 3, 'x') + "\r\n\r\n", options), 431);
  // Without the end of the head in sight, the error comes as soon as the limit is passed.
  RequestParser parser(options);
  parser.Append(head + std::string(36, 'x'));
  EXPECT_EQ(parser.Next(), Event::kError);
  EXPECT_EQ(parser.error().status, 431);
  EXPECT_NE(parser.error().detail.find("64 bytes"), std::string::npos) << parser.error().detail;
}

TEST(RequestParser, DefaultsTo16KiBHeaderSection) {
  const std::string head = "GET / HTTP/1.1\r\nHost: h\r\nX: ";
  EXPECT_EQ(ErrorOf(head + std::string(size_t{16} * 1024, 'x') + "\r\n\r\n"), 431);
  EXPECT_EQ(ParseOne(head + std::string(size_t{15} * 1024, 'x') + "\r\n\r\n").error_status, 0);
}

TEST(RequestParser, RejectsOverlongRequestLineWith414) {
  ParserOptions options;
  options.max_header_bytes = 64;
  EXPECT_EQ(ErrorOf("GET /" + std::string(100, 'a'), options), 414);
}

TEST(RequestParser, RefusesContentLengthOverTheLimitBeforeTheBody) {
  RequestParser parser(WithBodyLimit(100));
  parser.Append("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 101\r\n\r\n");
  ASSERT_EQ(parser.Next(), Event::kError);  // no body byte needed
  EXPECT_EQ(parser.error().status, 413);
  EXPECT_EQ(parser.error().detail, "request body is larger than the limit of 100 bytes");
  EXPECT_EQ(
      ParseOne("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n" + std::string(100, 'b'),
               WithBodyLimit(100))
          .body.size(),
      100U);
}

TEST(RequestParser, RefusesContentLengthBeyondSizeTWith413) {
  EXPECT_EQ(
      ErrorOf("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999\r\n\r\n"),
      413);
}

TEST(RequestParser, DefaultBodyLimitIsOneMebibyte) {
  EXPECT_EQ(ErrorOf("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1048577\r\n\r\n"), 413);
}

TEST(RequestParser, AsksTheBodyLimitWithTheRequestHead) {
  ParserOptions options;
  std::vector<std::string> asked;
  options.body_limit = [&asked](const Request& request) -> size_t {
    asked.emplace_back(std::string(request.path()) + " " +
                       std::string(request.Header("content-type").value_or("-")));
    return request.path() == "/big" ? 1000 : 10;
  };
  const std::vector<Parsed> all = Parse(
      "GET /none HTTP/1.1\r\nHost: h\r\n\r\n"
      "POST /big HTTP/1.1\r\nHost: h\r\nContent-Type: a/b\r\nContent-Length: 20\r\n\r\n"
      "01234567890123456789"
      "POST /small HTTP/1.1\r\nHost: h\r\nContent-Length: 20\r\n\r\n",
      options);
  ASSERT_EQ(all.size(), 3U);
  EXPECT_EQ(all[1].body.size(), 20U);
  EXPECT_EQ(all[2].error_status, 413);
  // Not asked for a request without a body.
  EXPECT_EQ(asked, (std::vector<std::string>{"/big a/b", "/small -"}));
}

TEST(RequestParser, RefusesChunkedBodyOnceItExceedsTheLimit) {
  RequestParser parser(WithBodyLimit(10));
  parser.Append("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n");
  EXPECT_EQ(parser.Next(), Event::kNeedMore);  // 6 of 10 bytes: fine so far
  parser.Append("5\r\n");                      // 11 announced: refused before the data
  ASSERT_EQ(parser.Next(), Event::kError);
  EXPECT_EQ(parser.error().status, 413);

  const Parsed exact = ParseOne(
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n"
      "4\r\nghij\r\n0\r\n\r\n",
      WithBodyLimit(10));
  EXPECT_EQ(exact.body, "abcdefghij");
  EXPECT_EQ(ErrorOf("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "fffffffffffffffffffff\r\n",
                    WithBodyLimit(10)),
            413);
}

TEST(RequestParser, NeedsNoMoreMemoryThanTheBodyForTinyChunks) {
  RequestParser parser(WithBodyLimit(size_t{1} << 20));
  parser.Append("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
  // 10,000 one-byte chunks, each with 200 bytes of chunk extension: 2 MB on the wire.
  const std::string chunk = "1;" + std::string(200, 'e') + "\r\nx\r\n";
  size_t most_buffered = 0;
  for (int i = 0; i < 10'000; ++i) {
    parser.Append(chunk);
    ASSERT_EQ(parser.Next(), Event::kNeedMore);
    most_buffered = std::max(most_buffered, parser.buffered_bytes());
  }
  parser.Append("0\r\n\r\n");
  ASSERT_EQ(parser.Next(), Event::kRequest);
  EXPECT_EQ(parser.request().body(), std::string(10'000, 'x'));
  EXPECT_LT(most_buffered, size_t{64} * 1024);  // the body, the head, one buffer's slack
}

TEST(RequestParser, SignalsContinueBeforeTheBody) {
  RequestParser parser(WithBodyLimit(100));
  parser.Append("PUT /x HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  ASSERT_EQ(parser.Next(), Event::kContinue);
  EXPECT_TRUE(parser.request().expects_continue());
  EXPECT_EQ(parser.request().path(), "/x");
  EXPECT_EQ(parser.Next(), Event::kNeedMore);
  parser.Append("hello");
  ASSERT_EQ(parser.Next(), Event::kRequest);
  EXPECT_EQ(parser.request().body(), "hello");
}

TEST(RequestParser, SignalsContinueOnlyWhenABodyIsExpected) {
  EXPECT_EQ(ParseOne("GET / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n\r\n").continues, 0);
  EXPECT_EQ(ParseOne("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 0"
                     "\r\n\r\n")
                .continues,
            0);
  // HTTP/1.0 clients cannot wait for it (RFC 9110 §10.1.1).
  EXPECT_EQ(
      ParseOne("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx").continues,
      0);
  EXPECT_EQ(ParseOne("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
                .continues,
            1);
}

TEST(RequestParser, RefusesOversizedBodyInsteadOfContinue) {
  RequestParser parser(WithBodyLimit(4));
  parser.Append("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  ASSERT_EQ(parser.Next(), Event::kError);
  EXPECT_EQ(parser.error().status, 413);
}

TEST(RequestParser, RejectsUnknownExpectationWith417) {
  EXPECT_EQ(ErrorOf("POST / HTTP/1.1\r\nHost: h\r\nExpect: magic\r\nContent-Length: 0\r\n\r\n"),
            417);
}

TEST(RequestParser, StaysInTheErrorStateAfterAnError) {
  RequestParser parser;
  parser.Append("GET / HTTP/1.1\r\nHost: h\r\n\r\nBAD\r\n\r\n");
  EXPECT_EQ(parser.Next(), Event::kRequest);
  EXPECT_EQ(parser.Next(), Event::kError);
  EXPECT_EQ(parser.error().status, 400);
  parser.Append("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_EQ(parser.Next(), Event::kError);
}

TEST(RequestParser, ResetForgetsEverythingForTheNextConnection) {
  RequestParser parser;
  parser.Append("GARBAGE\r\n\r\n");
  EXPECT_EQ(parser.Next(), Event::kError);
  parser.Reset();
  EXPECT_TRUE(parser.idle());
  parser.Append("GET /again HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_EQ(parser.Next(), Event::kRequest);
  EXPECT_EQ(parser.request().path(), "/again");
}

TEST(RequestParser, IsIdleOnlyBetweenRequests) {
  RequestParser parser;
  EXPECT_TRUE(parser.idle());
  parser.Append("GET / HTTP/1.1\r\nHo");
  EXPECT_EQ(parser.Next(), Event::kNeedMore);
  EXPECT_FALSE(parser.idle());
  parser.Append("st: h\r\n\r\n");
  EXPECT_EQ(parser.Next(), Event::kRequest);
  EXPECT_TRUE(parser.idle());
  EXPECT_EQ(parser.Next(), Event::kNeedMore);
  EXPECT_TRUE(parser.idle());
}

}  // namespace
}  // namespace leadscore::http
