// libFuzzer target for the HTTP request parser (src/http/request_parser.cc).
// The first three input bytes choose the header limit, the body limit and a first buffer
// size; the rest is the byte stream a client sends. It is parsed twice: in one piece, and in
// pieces of pseudo-random sizes through PrepareInput/CommitInput (as the server reads it) into
// a buffer that starts tiny, so it grows and compacts all the time. Both must give the same
// requests and the same final error, and every request must respect the limits; anything
// else traps.
// Build: clang++-14 -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
//          fuzz/http_request_parser_fuzzer.cc src/http/request_parser.cc -o /tmp/fuzz_parser
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "http/request_parser.h"

namespace {

using leadscore::http::ParserOptions;
using leadscore::http::Request;
using leadscore::http::RequestParser;

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

// Everything observable about one outcome, flattened into a string for comparison.
std::string Describe(const RequestParser& parser, RequestParser::Event event, size_t max_header,
                     size_t body_limit) {
  if (event == RequestParser::Event::kError) {
    const int status = parser.error().status;
    Check(status == 400 || status == 413 || status == 414 || status == 417 || status == 431 ||
          status == 501 || status == 505);
    Check(!parser.error().detail.empty());
    return "error " + std::to_string(status) + "\n";
  }
  const Request& r = parser.request();
  Check(r.target().size() < max_header);
  Check(r.body().size() <= body_limit);
  Check(r.path().size() <= r.target().size() || r.path() == "/");
  std::string out =
      std::string(event == RequestParser::Event::kContinue ? "continue " : "request ");
  out.append(r.method()).append(" ").append(r.target()).append(" ").append(r.path());
  out.append("?").append(r.query());
  out.append(r.keep_alive() ? " ka" : " close");
  out.append(r.version_minor() == 1 ? " 1.1" : " 1.0");
  for (size_t i = 0; i < r.header_count(); ++i) {
    out.append("\n").append(r.header(i).name).append(": ").append(r.header(i).value);
    Check(r.Header(r.header(i).name).has_value());
  }
  // Exercise the lookups on names taken from the query itself.
  const std::string_view query = r.query();
  (void)r.QueryParam(query.substr(0, query.find('=')));
  out.append("\nbody ").append(r.body()).append("\n");
  return out;
}

ParserOptions Options(size_t max_header, size_t body_limit, size_t initial_buffer) {
  ParserOptions options;
  options.max_header_bytes = max_header;
  options.initial_buffer_bytes = initial_buffer;
  options.body_limit = [body_limit](const Request& request) {
    Check(!request.method().empty());
    return body_limit;
  };
  return options;
}

// Drains the parser; returns false once it reported an error.
bool Drain(RequestParser& parser, std::string& log, size_t max_header, size_t body_limit) {
  while (true) {
    const RequestParser::Event event = parser.Next();
    if (event == RequestParser::Event::kNeedMore) return true;
    log += Describe(parser, event, max_header, body_limit);
    if (event == RequestParser::Event::kError) return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const size_t max_header = 64 + static_cast<size_t>(data[0]) * 16;
  const size_t body_limit = static_cast<size_t>(data[1]) * 4;
  const size_t initial_buffer = 1 + data[2] % 64;
  const std::string_view input(reinterpret_cast<const char*>(data) + 3, size - 3);

  std::string whole_log;
  {
    RequestParser parser(Options(max_header, body_limit, size_t{16} * 1024));
    parser.Append(input);
    Drain(parser, whole_log, max_header, body_limit);
  }

  std::string split_log;
  {
    RequestParser parser(Options(max_header, body_limit, initial_buffer));
    uint32_t state = 2166136261U;  // FNV-1a of the input seeds the piece sizes
    for (const char c : input) state = (state ^ static_cast<uint8_t>(c)) * 16777619U;
    size_t fed = 0;
    bool ok = true;
    while (ok && fed < input.size()) {
      state = state * 1103515245U + 12345U;
      const size_t piece = std::min<size_t>(input.size() - fed, 1 + (state >> 16) % 23);
      const std::span<char> space = parser.PrepareInput(1 + (state >> 8) % 7);
      const size_t n = std::min(piece, space.size());
      Check(n > 0);
      std::memcpy(space.data(), input.data() + fed, n);
      parser.CommitInput(n);
      fed += n;
      ok = Drain(parser, split_log, max_header, body_limit);
    }
  }
  Check(whole_log == split_log);
  return 0;
}
