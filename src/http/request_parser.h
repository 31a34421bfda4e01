// An incremental HTTP/1.1 request parser (RFC 9112) that is a pure function of the bytes fed
// to it: no sockets, clocks or logging, so it can be unit-tested at every byte boundary and
// fuzzed. It owns one reusable input buffer; requests are views into it (no copies), chunked
// bodies are decoded in place, and several pipelined requests may sit in the buffer at once.
// Framing is refused (400) wherever Node's llhttp in strict mode refuses it — repeated or
// malformed Content-Length, Transfer-Encoding other than a final "chunked", chunk lines not
// ended by CRLF, whitespace in chunk lines, framing fields in trailers — so that a proxy in
// front cannot read a request's end differently (docs/serving.md, "HTTP framing"). The one
// leniency: a bare LF ends a line of the head (RFC 9112 §2.2).
// Not thread-safe: one parser per connection, used by one thread at a time.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leadscore::http {

inline constexpr size_t kDefaultMaxHeaderBytes = size_t{16} * 1024;
inline constexpr size_t kDefaultMaxBodyBytes = size_t{1024} * 1024;

struct HeaderField {
  std::string_view name;   // as sent (lookups ignore case)
  std::string_view value;  // without surrounding whitespace
};

// One parsed request. Every view points into the parser's buffer and stays valid until the
// parser's next Next(), PrepareInput(), Append() or Reset().
class Request {
 public:
  std::string_view method() const { return View(method_); }  // case-sensitive, e.g. "POST"
  std::string_view target() const { return View(target_); }  // as sent: "/score?explain=1"
  // The target's path without the query ("/score"); "/" for an absolute-form target without
  // one ("http://host"). Not percent-decoded.
  std::string_view path() const;
  std::string_view query() const { return View(query_); }  // after '?', "" if none
  int version_minor() const { return version_minor_; }     // HTTP/1.0 → 0, HTTP/1.1 → 1
  // Whether the connection may carry another request after this one: HTTP/1.1 unless
  // "Connection: close", HTTP/1.0 only with "Connection: keep-alive".
  bool keep_alive() const { return keep_alive_; }
  bool expects_continue() const { return expects_continue_; }  // "Expect: 100-continue"
  bool chunked() const { return chunked_; }                    // "Transfer-Encoding: chunked"

  // The first header named `name` (ASCII case-insensitive), or nullopt.
  std::optional<std::string_view> Header(std::string_view name) const;
  size_t header_count() const { return fields_.size(); }
  HeaderField header(size_t index) const;

  // The raw value of the first query parameter named exactly `name` ("" for "?explain" or
  // "?explain="), or nullopt. Neither names nor values are percent-decoded.
  std::optional<std::string_view> QueryParam(std::string_view name) const;

  std::string_view body() const { return View(body_); }  // decoded if it came chunked

 private:
  friend class RequestParser;
  struct Span {
    size_t offset = 0;  // from the request's first byte
    size_t length = 0;
  };
  struct Field {
    Span name;
    Span value;
  };
  std::string_view View(Span span) const { return {base_ + span.offset, span.length}; }
  void Clear();

  // Offsets rather than pointers, so the parser may move the buffer while a request is
  // incomplete and only re-point `base_`.
  const char* base_ = nullptr;
  Span method_, target_, path_, query_, body_;
  int version_minor_ = 1;
  bool keep_alive_ = true;
  bool expects_continue_ = false;
  bool chunked_ = false;
  std::vector<Field> fields_;
};

// Why a request was rejected: the status the server should answer with (400, 413, 414, 417,
// 431, 501 or 505) and a sentence for the client. The connection must be closed afterwards,
// because the rest of the bytes cannot be framed.
struct ParseError {
  int status = 0;
  std::string detail;
};

// The largest body, in bytes, the server accepts for a request, decided from its head (method,
// path, headers) before any body byte is read.
using BodyLimit = std::function<size_t(const Request&)>;

struct ParserOptions {
  size_t max_header_bytes = kDefaultMaxHeaderBytes;  // request line + headers; over it → 431
  BodyLimit body_limit;  // empty: kDefaultMaxBodyBytes for every request
  // The input buffer's first size; it grows (and compacts) as needed. Tests and the fuzzer
  // make it tiny so that every input moves the buffer.
  size_t initial_buffer_bytes = size_t{16} * 1024;
};

class RequestParser {
 public:
  enum class Event {
    kNeedMore,  // feed more bytes, then call Next() again
    // The head of a request with "Expect: 100-continue" and an acceptable body has arrived;
    // request() shows its headers (not yet its body). Send "HTTP/1.1 100 Continue" and call
    // Next() again.
    kContinue,
    kRequest,  // request() is complete
    kError,    // error() says why; every later Next() returns kError again
  };

  explicit RequestParser(ParserOptions options = {});

  // Writable space of at least `min_bytes` at the end of the buffer (the buffer grows or
  // compacts as needed); write into it, then CommitInput() the bytes actually written.
  std::span<char> PrepareInput(size_t min_bytes);
  void CommitInput(size_t bytes);
  // PrepareInput + copy + CommitInput.
  void Append(std::string_view bytes);

  // Parses what has been fed so far. Releases the request returned by the previous kRequest.
  Event Next();

  // The request of the last kRequest (or its head after kContinue).
  const Request& request() const { return request_; }
  const ParseError& error() const { return error_; }

  // True when no byte of an unfinished request is buffered (between requests).
  bool idle() const;
  // Bytes held from the current request on (for memory accounting and its tests).
  size_t buffered_bytes() const { return size_ - begin_; }
  // Forgets all bytes and state (for a new connection); keeps a moderately sized buffer.
  void Reset();

 private:
  enum class State {
    kHead,
    kBody,          // Content-Length bytes
    kChunkSize,     // a chunk-size line
    kChunkData,     // `remaining_` bytes of chunk data
    kChunkDataEnd,  // the CRLF after chunk data
    kTrailers,      // trailer fields after the last chunk
    kDone,          // request_ returned; released on the next Next()
    kError,
  };

  Event ParseHead();
  Event ParseBody();
  Event ParseChunked();
  bool ParseRequestLine(std::string_view line);
  bool ParseFields(std::string_view lines);
  bool InterpretFields();
  Event Fail(int status, std::string detail);
  bool Reject(int status, std::string detail) {  // Fail() for the bool-returning steps
    Fail(status, std::move(detail));
    return false;
  }
  Event Complete();
  void Rebase() { request_.base_ = buffer_.get() + begin_; }

  ParserOptions options_;
  std::unique_ptr<char[]> buffer_;
  size_t capacity_ = 0;
  size_t size_ = 0;   // bytes fed
  size_t begin_ = 0;  // first byte of the current request
  size_t pos_ = 0;    // first byte not yet parsed (body states)
  size_t scan_ = 0;   // where the search for the end of the head resumes
  State state_ = State::kHead;
  size_t body_limit_ = 0;
  size_t body_end_ = 0;  // end of the (in-place decoded) body so far
  size_t content_length_ = 0;
  size_t remaining_ = 0;  // bytes left of the Content-Length body or of the current chunk
  size_t trailers_ = 0;   // trailer bytes so far
  Request request_;
  ParseError error_;
};

}  // namespace leadscore::http
