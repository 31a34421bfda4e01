#include "http/request_parser.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>

// Deliberately free of logging, formatting and JSON libraries: the fuzzer links this file
// alone (fuzz/http_request_parser_fuzzer.cc).

namespace leadscore::http {
namespace {

// Reset() keeps a buffer up to this size for the next connection and frees a larger one, so
// one big upload does not pin its memory to the connection slot forever.
constexpr size_t kKeptBufferBytes = size_t{64} * 1024;
// A chunk-size line with extensions; real clients send "1a2b\r\n".
constexpr size_t kMaxChunkSizeLine = 1024;

// RFC 9110 §5.6.2 token characters.
constexpr bool IsTokenChar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':  // NOLINT
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':  // NOLINT
      return true;
    default:
      return false;
  }
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return IsTokenChar(static_cast<unsigned char>(c)); });
}

// Field values may hold visible ASCII, spaces, tabs and obs-text (bytes >= 0x80), never
// other control characters (a CR or NUL there is how request smuggling starts).
constexpr bool IsFieldValueChar(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

bool IsFieldValue(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return IsFieldValueChar(static_cast<unsigned char>(c)); });
}

// The length of the run of token characters at the start of `s`.
size_t TokenLength(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && IsTokenChar(static_cast<unsigned char>(s[n]))) ++n;
  return n;
}

// The length of the quoted-string (RFC 9110 §5.6.4) at the start of `s`, or 0 if it does not
// start with a complete one.
size_t QuotedStringLength(std::string_view s) {
  if (s.empty() || s.front() != '"') return 0;
  for (size_t i = 1; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"') return i + 1;
    if (c == '\\') {  // quoted-pair: a backslash and any field-value character
      ++i;
      if (i == s.size() || !IsFieldValueChar(static_cast<unsigned char>(s[i]))) return 0;
    } else if (!IsFieldValueChar(c)) {
      return 0;
    }
  }
  return 0;
}

// Chunk extensions after the chunk size (RFC 9112 §7.1.1) without the optional whitespace
// around ';' and '=' that the grammar allows and llhttp (Node) refuses:
// *( ";" token [ "=" ( token / quoted-string ) ] ).
bool IsChunkExtensions(std::string_view s) {
  while (!s.empty()) {
    if (s.front() != ';') return false;
    s.remove_prefix(1);
    const size_t name = TokenLength(s);
    if (name == 0) return false;
    s.remove_prefix(name);
    if (s.empty() || s.front() == ';') continue;
    if (s.front() != '=') return false;
    s.remove_prefix(1);
    const size_t value = s.empty() || s.front() != '"' ? TokenLength(s) : QuotedStringLength(s);
    if (value == 0) return false;
    s.remove_prefix(value);
  }
  return true;
}

constexpr char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

std::string_view TrimWhitespace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls `fn` for each non-empty element of a comma-separated list (RFC 9110 §5.6.1).
template <typename Fn>
void ForEachListElement(std::string_view list, Fn fn) {
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view element = TrimWhitespace(list.substr(0, comma));
    if (!element.empty()) fn(element);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

// Strips the CR of a CRLF line ending (in the head a bare LF also ends a line, RFC 9112 §2.2).
std::string_view WithoutCr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// Whether the whitespace that trimming removed after `value`, a trimmed field value in the
// head, holds a tab. Reads past the view: a value in the head is always followed by its
// line's end.
bool FollowedByTab(std::string_view value) {
  const char* p = value.data() + value.size();
  while (*p == ' ') ++p;
  return *p == '\t';
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  const char lower = AsciiLower(c);
  if (lower >= 'a' && lower <= 'f') return lower - 'a' + 10;
  return -1;
}

std::string TooLargeDetail(size_t limit) {
  return "request body is larger than the limit of " + std::to_string(limit) + " bytes";
}

}  // namespace

// ---- Request ---------------------------------------------------------------------------

std::string_view Request::path() const {
  if (path_.length == 0) return "/";
  return View(path_);
}

std::optional<std::string_view> Request::Header(std::string_view name) const {
  for (const Field& field : fields_) {
    if (field.name.length == name.size() && EqualsIgnoreCase(View(field.name), name)) {
      return View(field.value);
    }
  }
  return std::nullopt;
}

HeaderField Request::header(size_t index) const {
  const Field& field = fields_[index];
  return {View(field.name), View(field.value)};
}

std::optional<std::string_view> Request::QueryParam(std::string_view name) const {
  std::string_view rest = query();
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

void Request::Clear() {
  method_ = target_ = path_ = query_ = body_ = Span{};
  version_minor_ = 1;
  keep_alive_ = true;
  expects_continue_ = false;
  chunked_ = false;
  fields_.clear();  // keeps capacity: no allocation per request once warm
}

// ---- RequestParser: buffer -------------------------------------------------------------

RequestParser::RequestParser(ParserOptions options) : options_(std::move(options)) {}

std::span<char> RequestParser::PrepareInput(size_t min_bytes) {
  size_t want = std::max<size_t>(min_bytes, 1);
  if (state_ == State::kBody) {
    // Room for the whole declared body at once (it was checked against the limit), so a
    // large upload is read with few system calls and copied once.
    const size_t buffered = size_ - pos_;
    if (remaining_ > buffered) want = std::max(want, remaining_ - buffered);
  }
  const bool chunked = state_ == State::kChunkSize || state_ == State::kChunkData ||
                       state_ == State::kChunkDataEnd || state_ == State::kTrailers;
  if (capacity_ - size_ < want && chunked && pos_ > body_end_) {
    // Drop the chunk framing already decoded away (the gap between the body and the parse
    // position), so a body sent as many tiny chunks needs no more memory than the body.
    std::memmove(buffer_.get() + body_end_, buffer_.get() + pos_, size_ - pos_);
    size_ -= pos_ - body_end_;
    pos_ = body_end_;
  }
  if (capacity_ - size_ < want && begin_ > 0) {
    // Move the unfinished request to the front; offsets before begin_ are released.
    std::memmove(buffer_.get(), buffer_.get() + begin_, size_ - begin_);
    const auto shift = [this](size_t& offset) { offset = offset > begin_ ? offset - begin_ : 0; };
    shift(size_);
    shift(pos_);
    shift(scan_);
    shift(body_end_);
    begin_ = 0;
  }
  if (capacity_ - size_ < want) {
    const size_t capacity = std::max({capacity_ * 2, size_ + want, options_.initial_buffer_bytes});
    auto grown = std::make_unique_for_overwrite<char[]>(capacity);
    if (size_ > 0) std::memcpy(grown.get(), buffer_.get(), size_);
    buffer_ = std::move(grown);
    capacity_ = capacity;
  }
  Rebase();
  return {buffer_.get() + size_, capacity_ - size_};
}

void RequestParser::CommitInput(size_t bytes) { size_ += std::min(bytes, capacity_ - size_); }

void RequestParser::Append(std::string_view bytes) {
  if (bytes.empty()) return;
  std::span<char> space = PrepareInput(bytes.size());
  std::memcpy(space.data(), bytes.data(), bytes.size());
  CommitInput(bytes.size());
}

bool RequestParser::idle() const {
  if (state_ == State::kDone) return pos_ == size_;
  return state_ == State::kHead && begin_ == size_;
}

void RequestParser::Reset() {
  state_ = State::kHead;
  size_ = begin_ = pos_ = scan_ = body_end_ = remaining_ = trailers_ = body_limit_ = 0;
  request_.Clear();
  error_ = ParseError{};
  if (capacity_ > kKeptBufferBytes) {
    buffer_.reset();
    capacity_ = 0;
  }
  Rebase();
}

// ---- RequestParser: parsing ------------------------------------------------------------

RequestParser::Event RequestParser::Next() {
  if (state_ == State::kError) return Event::kError;
  if (state_ == State::kDone) {
    // Release the previous request; the next one starts right after it.
    begin_ = scan_ = pos_;
    state_ = State::kHead;
    request_.Clear();
    if (begin_ == size_) begin_ = scan_ = pos_ = size_ = 0;
  }
  if (state_ == State::kHead) return ParseHead();
  Rebase();
  if (state_ == State::kBody) return ParseBody();
  return ParseChunked();
}

RequestParser::Event RequestParser::Fail(int status, std::string detail) {
  state_ = State::kError;
  error_ = ParseError{status, std::move(detail)};
  return Event::kError;
}

RequestParser::Event RequestParser::Complete() {
  state_ = State::kDone;
  Rebase();
  return Event::kRequest;
}

RequestParser::Event RequestParser::ParseHead() {
  const char* data = buffer_.get();
  // RFC 9112 §2.2: ignore empty lines before a request line (some clients send a CRLF after
  // a POST body).
  while (begin_ < size_ && (data[begin_] == '\n' || data[begin_] == '\r')) {
    if (data[begin_] == '\r') {
      if (begin_ + 1 == size_) break;
      if (data[begin_ + 1] != '\n') return Fail(400, "bare CR before the request line");
      ++begin_;
    }
    ++begin_;
  }
  scan_ = std::max(scan_, begin_);
  if (begin_ == size_) {
    begin_ = scan_ = pos_ = size_ = 0;
    return Event::kNeedMore;
  }
  if (data[begin_] == '\r') return Event::kNeedMore;  // a lone CR so far

  // Find the empty line that ends the head, resuming where the last call stopped, and never
  // looking past the header limit.
  const size_t search_end = std::min(size_, begin_ + options_.max_header_bytes);
  size_t head_end = 0;
  while (scan_ < search_end) {
    const void* found = std::memchr(data + scan_, '\n', search_end - scan_);
    if (found == nullptr) {
      scan_ = search_end;
      break;
    }
    const size_t lf = static_cast<size_t>(static_cast<const char*>(found) - data);
    scan_ = lf + 1;
    if ((lf >= begin_ + 1 && data[lf - 1] == '\n') ||
        (lf >= begin_ + 2 && data[lf - 1] == '\r' && data[lf - 2] == '\n')) {
      head_end = lf + 1;
      break;
    }
  }
  if (head_end == 0) {
    if (size_ - begin_ < options_.max_header_bytes) return Event::kNeedMore;
    const std::string limit = std::to_string(options_.max_header_bytes);
    if (std::memchr(data + begin_, '\n', options_.max_header_bytes) == nullptr) {
      return Fail(414, "request line is longer than the limit of " + limit + " bytes");
    }
    return Fail(431, "request header section is larger than the limit of " + limit + " bytes");
  }

  Rebase();
  request_.Clear();
  const std::string_view head(data + begin_, head_end - begin_);
  const size_t line_end = head.find('\n');
  if (!ParseRequestLine(WithoutCr(head.substr(0, line_end)))) return Event::kError;
  if (!ParseFields(head.substr(line_end + 1))) return Event::kError;
  if (!InterpretFields()) return Event::kError;

  const size_t head_bytes = head_end - begin_;
  pos_ = body_end_ = head_end;
  request_.body_ = Request::Span{head_bytes, 0};
  if (!request_.chunked_ && content_length_ == 0) return Complete();

  // The application decides the limit from the head, before any body byte is read, so an
  // oversized upload is refused without receiving it.
  body_limit_ = options_.body_limit ? options_.body_limit(request_) : kDefaultMaxBodyBytes;
  if (request_.chunked_) {
    state_ = State::kChunkSize;
  } else {
    if (content_length_ > body_limit_) return Fail(413, TooLargeDetail(body_limit_));
    state_ = State::kBody;
    remaining_ = content_length_;
  }
  if (request_.expects_continue_) return Event::kContinue;
  return request_.chunked_ ? ParseChunked() : ParseBody();
}

bool RequestParser::ParseRequestLine(std::string_view line) {
  constexpr const char* kShape = "malformed request line; expected 'METHOD /path HTTP/1.1'";
  const size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return Reject(400, kShape);
  const size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return Reject(400, kShape);
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (!IsToken(method)) return Reject(400, "malformed request method");
  if (target.empty()) return Reject(400, kShape);
  for (const char ch : target) {
    const auto c = static_cast<unsigned char>(ch);
    // Controls, spaces and bytes beyond ASCII (a URI has none; clients percent-encode them).
    if (c <= 0x20 || c >= 0x7f) return Reject(400, "invalid character in request target");
  }
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.' ||
      version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9') {
    return Reject(400, "malformed HTTP version; expected HTTP/1.1");
  }
  if (version[5] != '1') {
    return Reject(
        505, "HTTP version " + std::string(version.substr(5)) + " is not supported; use HTTP/1.1");
  }
  // RFC 9112 §2.3: a higher 1.x minor version is read as the highest one we implement.
  request_.version_minor_ = version[7] == '0' ? 0 : 1;

  // Offsets are from the request's first byte, which is where `line` starts.
  const auto span = [&line](std::string_view part) {
    return Request::Span{static_cast<size_t>(part.data() - line.data()), part.size()};
  };
  request_.method_ = span(method);
  request_.target_ = span(target);

  std::string_view path_and_query;
  if (target.front() == '/') {
    path_and_query = target;  // origin-form, what every client sends to a server
  } else if (target == "*") {
    if (method != "OPTIONS") return Reject(400, "request target '*' is only valid for OPTIONS");
    path_and_query = target;
  } else {
    // absolute-form ("http://host/path?q"), which servers must accept (RFC 9112 §3.2.2).
    const size_t scheme_end = target.find("://");
    const std::string_view scheme = target.substr(0, scheme_end);
    if (scheme_end == std::string_view::npos ||
        !(EqualsIgnoreCase(scheme, "http") || EqualsIgnoreCase(scheme, "https"))) {
      return Reject(400, "request target must be a path starting with '/'");
    }
    const std::string_view rest = target.substr(scheme_end + 3);
    const size_t authority_end = rest.find_first_of("/?");
    if (authority_end == 0 || rest.empty()) {
      return Reject(400, "request target has an empty host");
    }
    path_and_query = authority_end == std::string_view::npos ? rest.substr(rest.size())
                                                             : rest.substr(authority_end);
  }
  const size_t question = path_and_query.find('?');
  request_.path_ = span(path_and_query.substr(0, question));
  if (question != std::string_view::npos)
    request_.query_ = span(path_and_query.substr(question + 1));
  return true;
}

bool RequestParser::ParseFields(std::string_view lines) {
  const char* base = buffer_.get() + begin_;
  const auto span = [base](std::string_view part) {
    return Request::Span{static_cast<size_t>(part.data() - base), part.size()};
  };
  while (true) {
    const size_t lf = lines.find('\n');  // the head ends with an empty line, so one exists
    const std::string_view line = WithoutCr(lines.substr(0, lf));
    lines.remove_prefix(lf + 1);
    if (line.empty()) return true;
    if (line.front() == ' ' || line.front() == '\t') {
      return Reject(400, "obsolete header line folding is not accepted");
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return Reject(400, "header line without ':'");
    const std::string_view name = line.substr(0, colon);
    if (!IsToken(name)) return Reject(400, "invalid header name");
    const std::string_view value = TrimWhitespace(line.substr(colon + 1));
    if (!IsFieldValue(value)) {
      return Reject(400, "invalid character in the value of header " + std::string(name));
    }
    request_.fields_.push_back({span(name), span(value)});
  }
}

bool RequestParser::InterpretFields() {
  constexpr const char* kChunkedNotLast =
      "Transfer-Encoding must end with chunked and nothing after it; send "
      "'Transfer-Encoding: chunked'";
  bool has_length = false;
  content_length_ = 0;
  int hosts = 0;
  int transfer_encodings = 0;
  bool chunked = false;
  std::string_view other_coding;
  bool close = false;
  bool keep_alive = false;
  bool expect_continue = false;
  bool expect_other = false;

  for (const Request::Field& field : request_.fields_) {
    const std::string_view name = request_.View(field.name);
    const std::string_view value = request_.View(field.value);
    if (EqualsIgnoreCase(name, "content-length")) {
      // RFC 9110 §8.6 lets a recipient take repeated equal values as one, but llhttp refuses
      // them, and so do we: a proxy that reads another of them frames the body differently.
      if (has_length) return Reject(400, "more than one Content-Length header; send one");
      if (value.empty() || value.find_first_not_of("0123456789") != std::string_view::npos) {
        return Reject(400, "invalid Content-Length '" + std::string(value) + "'");
      }
      if (FollowedByTab(value)) {
        return Reject(400, "Content-Length is followed by a tab; send the digits alone");
      }
      size_t length = 0;
      for (const char c : value) {
        const auto digit = static_cast<size_t>(c - '0');
        // Saturate: a length beyond size_t is refused as too large, not as malformed.
        if (length > (std::numeric_limits<size_t>::max() - digit) / 10) {
          length = std::numeric_limits<size_t>::max();
          break;
        }
        length = length * 10 + digit;
      }
      has_length = true;
      content_length_ = length;
    } else if (EqualsIgnoreCase(name, "transfer-encoding")) {
      // chunked must be the very last thing: no coding, empty list element, trailing tab or
      // further Transfer-Encoding field after it (llhttp's rule; a proxy may read any of them
      // as "not chunked").
      if (chunked) return Reject(400, kChunkedNotLast);
      ++transfer_encodings;
      bool after_chunked = false;
      ForEachListElement(value, [&](std::string_view coding) {
        after_chunked = after_chunked || chunked;
        if (EqualsIgnoreCase(coding, "chunked")) {
          chunked = true;
        } else if (other_coding.empty()) {
          other_coding = coding;
        }
      });
      if (chunked && (after_chunked || value.back() == ',' || FollowedByTab(value))) {
        return Reject(400, kChunkedNotLast);
      }
    } else if (EqualsIgnoreCase(name, "connection")) {
      ForEachListElement(value, [&](std::string_view option) {
        if (EqualsIgnoreCase(option, "close")) close = true;
        if (EqualsIgnoreCase(option, "keep-alive")) keep_alive = true;
      });
    } else if (EqualsIgnoreCase(name, "expect")) {
      if (EqualsIgnoreCase(value, "100-continue")) {
        expect_continue = true;
      } else {
        expect_other = true;
      }
    } else if (EqualsIgnoreCase(name, "host")) {
      ++hosts;
    }
  }

  const bool http11 = request_.version_minor_ == 1;
  if (http11 && hosts == 0) return Reject(400, "HTTP/1.1 request without a Host header");
  if (hosts > 1) return Reject(400, "more than one Host header");
  if (transfer_encodings > 0) {
    // RFC 9112 §6.1–6.3: these framings are ambiguous, and ambiguity between us and a proxy
    // in front of us is how requests get smuggled; refuse rather than guess.
    if (!http11) {
      return Reject(400, "Transfer-Encoding is not allowed in an HTTP/1.0 request");
    }
    if (has_length) {
      return Reject(400, "both Content-Length and Transfer-Encoding are present; send one");
    }
    if (!chunked) return Reject(400, "Transfer-Encoding must end with chunked");
    if (!other_coding.empty()) {
      return Reject(501, "transfer coding '" + std::string(other_coding) +
                             "' is not supported; send the body with Content-Length or plain "
                             "chunked");
    }
    request_.chunked_ = true;
  }
  // RFC 9110 §10.1.1: an HTTP/1.0 client cannot wait for 100 Continue, so ignore it there.
  if (http11 && expect_other) {
    return Reject(417, "only the expectation 100-continue is supported");
  }
  request_.expects_continue_ = http11 && expect_continue;
  request_.keep_alive_ = !close && (http11 || keep_alive);
  return true;
}

RequestParser::Event RequestParser::ParseBody() {
  if (size_ - pos_ < remaining_) return Event::kNeedMore;
  request_.body_ = Request::Span{pos_ - begin_, remaining_};
  pos_ += remaining_;
  remaining_ = 0;
  return Complete();
}

RequestParser::Event RequestParser::ParseChunked() {
  char* data = buffer_.get();
  const size_t body_start = begin_ + request_.body_.offset;
  while (true) {
    switch (state_) {
      case State::kChunkSize: {
        const size_t search_end = std::min(size_, pos_ + kMaxChunkSizeLine);
        const void* found = std::memchr(data + pos_, '\n', search_end - pos_);
        if (found == nullptr) {
          if (size_ - pos_ >= kMaxChunkSizeLine) return Fail(400, "chunk-size line is too long");
          return Event::kNeedMore;
        }
        const size_t lf = static_cast<size_t>(static_cast<const char*>(found) - data);
        // Chunk framing takes CRLF only (RFC 9112 §7.1): a bare LF here is read differently by
        // proxies, and a request hides in the difference.
        if (lf == pos_ || data[lf - 1] != '\r') {
          return Fail(400, "chunk-size line must end with CRLF, not a bare LF");
        }
        const std::string_view line(data + pos_, lf - 1 - pos_);
        size_t digits = 0;
        size_t chunk = 0;
        bool overflow = false;
        for (; digits < line.size() && HexValue(line[digits]) >= 0; ++digits) {
          if (chunk > (std::numeric_limits<size_t>::max() >> 4)) overflow = true;
          chunk = (chunk << 4) | static_cast<size_t>(HexValue(line[digits]));
        }
        if (digits == 0 || !IsChunkExtensions(line.substr(digits))) {
          return Fail(400,
                      "invalid chunk-size line; expected hex digits, then optional "
                      "';name=value' extensions without spaces, then CRLF");
        }
        pos_ = lf + 1;
        if (chunk == 0 && !overflow) {
          state_ = State::kTrailers;
          trailers_ = 0;
          break;
        }
        if (overflow || chunk > body_limit_ - (body_end_ - body_start)) {
          return Fail(413, TooLargeDetail(body_limit_));
        }
        remaining_ = chunk;
        state_ = State::kChunkData;
        break;
      }
      case State::kChunkData: {
        const size_t n = std::min(size_ - pos_, remaining_);
        if (n == 0) return Event::kNeedMore;
        // Decode in place: the body grows behind the parse position, never past it.
        if (body_end_ != pos_) std::memmove(data + body_end_, data + pos_, n);
        body_end_ += n;
        pos_ += n;
        remaining_ -= n;
        if (remaining_ > 0) return Event::kNeedMore;
        state_ = State::kChunkDataEnd;
        break;
      }
      case State::kChunkDataEnd: {
        if (pos_ == size_) return Event::kNeedMore;
        if (data[pos_] == '\n') return Fail(400, "chunk data must end with CRLF, not a bare LF");
        if (data[pos_] != '\r') return Fail(400, "chunk data is longer than its chunk size");
        if (pos_ + 1 == size_) return Event::kNeedMore;
        if (data[pos_ + 1] != '\n') {
          return Fail(400, "chunk data must end with CRLF, not a bare CR");
        }
        pos_ += 2;
        state_ = State::kChunkSize;
        break;
      }
      case State::kTrailers: {
        // Trailer fields are read and dropped; they share the header section's limit.
        const size_t budget =
            options_.max_header_bytes - std::min(trailers_, options_.max_header_bytes);
        const size_t search_end = std::min(size_, pos_ + budget);
        const void* found = std::memchr(data + pos_, '\n', search_end - pos_);
        if (found == nullptr) {
          if (size_ - pos_ >= budget) {
            return Fail(431, "trailer section is larger than the limit of " +
                                 std::to_string(options_.max_header_bytes) + " bytes");
          }
          return Event::kNeedMore;
        }
        const size_t lf = static_cast<size_t>(static_cast<const char*>(found) - data);
        if (lf == pos_ || data[lf - 1] != '\r') {
          return Fail(400, "trailer lines must end with CRLF, not a bare LF");
        }
        const std::string_view line(data + pos_, lf - 1 - pos_);
        trailers_ += lf + 1 - pos_;
        pos_ = lf + 1;
        if (line.empty()) {
          request_.body_.length = body_end_ - body_start;
          return Complete();
        }
        const size_t colon = line.find(':');
        if (line.front() == ' ' || line.front() == '\t' || colon == std::string_view::npos ||
            !IsToken(line.substr(0, colon)) || !IsFieldValue(line.substr(colon + 1))) {
          return Fail(400, "invalid trailer field");
        }
        // RFC 9110 §6.5.1: framing fields are not allowed in trailers (llhttp refuses them).
        const std::string_view trailer = line.substr(0, colon);
        if (EqualsIgnoreCase(trailer, "content-length") ||
            EqualsIgnoreCase(trailer, "transfer-encoding")) {
          return Fail(400, "a trailer field may not be " + std::string(trailer));
        }
        break;
      }
      default:
        return Fail(500, "parser in an unexpected state");  // unreachable
    }
  }
}

}  // namespace leadscore::http
