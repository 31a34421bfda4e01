"""The HTTP framing corpus: named byte streams a client might send, from plain requests to
malformed and request-smuggling-classic ones (CL.TE, TE.CL, Transfer-Encoding obfuscations,
bad lengths, chunk-extension tricks, bare CR/LF, NUL, obsolete line folding, oversized fields,
bad header names).

test_http_framing.py sends each case to `leadscore serve` and to Node's HTTP server (llhttp,
strict) and fails when leadscore accepts anything Node refuses. The same bytes are the seeds of
the request parser's fuzzer: `fuzz/corpus/http_request_parser_fuzzer/framing-<name>`, written
by running this file (`.venv/bin/python tests/e2e/http_reference/corpus.py`) after changing a
case; test_http_framing.py checks that the seeds match.

Requests target POST /score (Content-Type: application/json, a valid lead as the body) or
GET /health, so that leadscore answers what it accepts with its ordinary 200 or 422.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

SEED_DIR = Path(__file__).resolve().parents[3] / "fuzz/corpus/http_request_parser_fuzzer"
SEED_PREFIX = "framing-"
# The fuzzer reads three bytes of options first (fuzz/http_request_parser_fuzzer.cc): the
# largest header limit (4144 bytes), the largest body limit (1020 bytes), and a one-byte first
# buffer, so that the buffer grows and compacts all along the input.
SEED_OPTIONS = b"\xff\xff\x00"

LEAD = (b'{"sessions":5,"engaged_sessions":3,"page_views":12,"channel":"Paid Search",'
        b'"is_first_visit":false}')
TE = b"Transfer-Encoding: chunked"


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    # Why leadscore deliberately refuses what Node accepts (the test fails when leadscore is
    # stricter than Node without a reason here, and when a reason no longer applies).
    stricter: str | None = None
    # For a head with bare-LF line ends, which RFC 9112 §2.2 lets leadscore accept and Node
    # refuses: the same bytes with CRLF. Node must accept it, and leadscore must answer both
    # alike.
    crlf_twin: bytes | None = None

    @property
    def seed(self) -> bytes:
        return SEED_OPTIONS + self.data


def field_lines(fields: tuple[bytes, ...]) -> bytes:
    return b"".join(field + b"\r\n" for field in fields)


def post(*fields: bytes, body: bytes = LEAD, version: bytes = b"HTTP/1.1",
         target: bytes = b"/score") -> bytes:
    """POST /score with Host and Content-Type, the given fields, and `body` as sent."""
    return (b"POST " + target + b" " + version + b"\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\n" + field_lines(fields) + b"\r\n" + body)


def get(*fields: bytes, target: bytes = b"/health") -> bytes:
    return b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + field_lines(fields) + b"\r\n"


def length(body: bytes = LEAD) -> bytes:
    return b"Content-Length: %d" % len(body)


def chunk(data: bytes, size_suffix: bytes = b"", line_end: bytes = b"\r\n",
          data_end: bytes = b"\r\n") -> bytes:
    return b"%x" % len(data) + size_suffix + line_end + data + data_end


def chunked(*chunks: bytes, last: bytes = b"0\r\n\r\n") -> bytes:
    """A chunked body: the given chunks (from chunk()), then the last chunk and trailers."""
    return b"".join(chunks) + last


HALVES = (LEAD[:40], LEAD[40:])
PLAIN_CHUNKED = chunked(chunk(HALVES[0]), chunk(HALVES[1]))


def chunked_post(body: bytes, *fields: bytes) -> bytes:
    return post(TE, *fields, body=body)


def bare_lf_head(request: bytes) -> bytes:
    """`request` with every CRLF of its head (up to the empty line) replaced by a bare LF."""
    head, separator, body = request.partition(b"\r\n\r\n")
    return head.replace(b"\r\n", b"\n") + separator.replace(b"\r\n", b"\n") + body


def lenient(name: str, request: bytes, lf_form: bytes | None = None) -> Case:
    return Case(name, lf_form if lf_form is not None else bare_lf_head(request),
                crlf_twin=request)


SMUGGLED = get(target=b"/health?smuggled")

CASES: list[Case] = [
    # --- accepted by both: the controls that keep the comparison honest -------------------
    Case("control-get", get()),
    Case("control-post-content-length", post(length())),
    Case("control-post-chunked", chunked_post(PLAIN_CHUNKED)),
    Case("control-pipelined", get() + post(length()) + chunked_post(PLAIN_CHUNKED) + get()),
    Case("control-chunk-extensions", chunked_post(chunked(
        chunk(HALVES[0], b";name=value;flag"), chunk(HALVES[1], b';q="a \\" ;b"')))),
    Case("control-trailer", chunked_post(chunked(chunk(LEAD), last=b"0\r\nX-Checksum: 1\r\n\r\n"))),
    Case("control-expect-continue", post(b"Expect: 100-continue", length())),
    Case("control-empty-lines-before", b"\r\n\r\n" + get()),
    Case("control-bare-lf-before-request-line", b"\n" + get()),
    Case("control-te-whitespace", post(b"Transfer-Encoding: \t chunked  ", body=PLAIN_CHUNKED)),
    Case("control-te-mixed-case", post(b"Transfer-Encoding: ChUnKeD", body=PLAIN_CHUNKED)),
    Case("control-te-empty-element-first", post(b"Transfer-Encoding: , chunked",
                                                body=PLAIN_CHUNKED)),
    Case("control-cl-leading-zeros", post(b"Content-Length: 000%d" % len(LEAD))),
    Case("control-cl-whitespace", post(b"Content-Length: \t %d  " % len(LEAD))),
    Case("control-header-8k", get(b"X-Big: " + b"a" * 8000)),
    Case("control-absolute-form", post(length(), target=b"http://127.0.0.1/score")),
    Case("control-obs-text-in-value", get(b"X-Name: caf\xc3\xa9")),
    Case("control-get-with-body", get(b"Content-Length: 5") + b"hello" + get()),
    Case("control-bare-cr-and-nul-in-body", post(b"Content-Length: 5", body=b"a\rb\x00c")),
    # A request after a chunked body's end is a pipelined request, not a smuggled one.
    Case("control-request-after-last-chunk", chunked_post(PLAIN_CHUNKED) + SMUGGLED),
    Case("control-request-after-content-length", post(length()) + SMUGGLED),
    # Node refuses the bytes after "Connection: close"; leadscore ignores them. Both answer
    # the first request only.
    Case("control-data-after-connection-close", post(b"Connection: close", length()) + SMUGGLED),
    Case("control-valid-then-invalid", get() + b"GET /health HTTP/1.1\r\nHost : x\r\n\r\n"),

    # --- CL.TE and TE.CL --------------------------------------------------------------------
    Case("cl-te-classic", post(b"Content-Length: 6", TE, body=b"0\r\n\r\nG")),
    Case("te-cl-classic", post(TE, b"Content-Length: 3", body=b"8\r\nSMUGGLED\r\n0\r\n\r\n")),
    Case("cl-te-smuggled-request", post(b"Content-Length: %d" % (5 + len(SMUGGLED)), TE,
                                        body=b"0\r\n\r\n" + SMUGGLED)),
    Case("te-cl-smuggled-request", post(TE, b"Content-Length: 4",
                                        body=b"%x\r\n" % len(SMUGGLED) + SMUGGLED
                                        + b"\r\n0\r\n\r\n")),
    Case("cl-te-http10", post(length(), TE, version=b"HTTP/1.0", body=PLAIN_CHUNKED)),
    Case("cl-te-xchunked", post(length(PLAIN_CHUNKED), b"Transfer-Encoding: xchunked",
                                body=PLAIN_CHUNKED)),
    Case("cl-te-empty", post(b"Transfer-Encoding: ", length()),
         stricter="an empty Transfer-Encoding beside Content-Length is still both framings; "
                  "Node ignores the empty field, leadscore refuses the pair"),

    # --- Transfer-Encoding obfuscations -----------------------------------------------------
    Case("te-xchunked", post(b"Transfer-Encoding: xchunked", body=PLAIN_CHUNKED)),
    Case("te-chunkedx", post(b"Transfer-Encoding: chunkedx", body=PLAIN_CHUNKED)),
    Case("te-identity", post(b"Transfer-Encoding: identity", body=PLAIN_CHUNKED)),
    Case("te-chunked-identity", post(b"Transfer-Encoding: chunked, identity", body=PLAIN_CHUNKED)),
    Case("te-chunked-chunked", post(b"Transfer-Encoding: chunked, chunked", body=PLAIN_CHUNKED)),
    Case("te-trailing-comma", post(b"Transfer-Encoding: chunked,", body=PLAIN_CHUNKED)),
    Case("te-trailing-tab", post(b"Transfer-Encoding: chunked\t", body=PLAIN_CHUNKED)),
    Case("te-trailing-space-tab", post(b"Transfer-Encoding: chunked \t", body=PLAIN_CHUNKED)),
    Case("te-vertical-tab", post(b"Transfer-Encoding:\x0bchunked", body=PLAIN_CHUNKED)),
    Case("te-form-feed", post(b"Transfer-Encoding: chunked\x0c", body=PLAIN_CHUNKED)),
    Case("te-nul", post(b"Transfer-Encoding: chunked\x00", body=PLAIN_CHUNKED)),
    Case("te-quoted", post(b'Transfer-Encoding: "chunked"', body=PLAIN_CHUNKED)),
    Case("te-parameter", post(b"Transfer-Encoding: chunked;q=1", body=PLAIN_CHUNKED)),
    Case("te-obs-text", post(b"Transfer-Encoding: chunk\xc3\xa9d", body=PLAIN_CHUNKED)),
    Case("te-space-before-colon", post(b"Transfer-Encoding : chunked", body=PLAIN_CHUNKED)),
    Case("te-tab-before-colon", post(b"Transfer-Encoding\t: chunked", body=PLAIN_CHUNKED)),
    Case("te-obs-fold", post(b"Transfer-Encoding:\r\n chunked", body=PLAIN_CHUNKED)),
    Case("te-leading-space-first-field",
         b"POST /score HTTP/1.1\r\n Transfer-Encoding: chunked\r\nHost: 127.0.0.1\r\n"
         b"Content-Type: application/json\r\n\r\n" + PLAIN_CHUNKED),
    # Not Transfer-Encoding at all: a POST without a body, then chunk bytes as a "request".
    Case("te-underscore-name", post(b"Transfer_Encoding: chunked", body=PLAIN_CHUNKED)),
    Case("te-two-fields-chunked-first", post(TE, b"Transfer-Encoding: identity",
                                             body=PLAIN_CHUNKED)),
    Case("te-two-fields-chunked-twice", post(TE, TE, body=PLAIN_CHUNKED)),
    Case("te-identity-chunked", post(b"Transfer-Encoding: identity, chunked", body=PLAIN_CHUNKED),
         stricter="leadscore decodes no transfer coding but chunked and answers 501 for others"),
    Case("te-gzip-chunked", post(b"Transfer-Encoding: gzip, chunked", body=PLAIN_CHUNKED),
         stricter="leadscore decodes no transfer coding but chunked and answers 501 for others"),
    Case("te-two-fields-chunked-last", post(b"Transfer-Encoding: gzip", TE, body=PLAIN_CHUNKED),
         stricter="leadscore decodes no transfer coding but chunked and answers 501 for others"),
    Case("te-http10", post(TE, version=b"HTTP/1.0", body=PLAIN_CHUNKED),
         stricter="RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 message means faulty framing"),

    # --- Content-Length ---------------------------------------------------------------------
    Case("cl-twice-equal", post(length(), length())),
    Case("cl-twice-equal-leading-zero", post(length(), b"Content-Length: 0%d" % len(LEAD))),
    Case("cl-twice-different", post(length(), b"Content-Length: 5")),
    Case("cl-list", post(b"Content-Length: %d,%d" % (len(LEAD), len(LEAD)))),
    Case("cl-list-spaced", post(b"Content-Length: %d, %d" % (len(LEAD), len(LEAD)))),
    Case("cl-plus", post(b"Content-Length: +%d" % len(LEAD))),
    Case("cl-minus", post(b"Content-Length: -1")),
    Case("cl-hex", post(b"Content-Length: 0x%x" % len(LEAD))),
    Case("cl-space-inside", post(b"Content-Length: %d %d" % (len(LEAD) // 10, len(LEAD) % 10))),
    Case("cl-decimal-point", post(b"Content-Length: %d.0" % len(LEAD))),
    Case("cl-empty", post(b"Content-Length: ")),
    Case("cl-trailing-tab", post(b"Content-Length: %d\t" % len(LEAD))),
    Case("cl-arabic-indic-digit", post(b"Content-Length: \xd9\xa1", body=b"x")),
    Case("cl-beyond-64-bits", post(b"Content-Length: 99999999999999999999999")),
    Case("cl-larger-than-sent", post(b"Content-Length: 10000000")),
    Case("cl-space-before-colon", post(b"Content-Length : %d" % len(LEAD))),
    Case("cl-obs-fold", post(b"Content-Length:\r\n %d" % len(LEAD))),

    # --- chunked framing --------------------------------------------------------------------
    Case("chunk-size-trailing-space", chunked_post(chunked(chunk(LEAD, b" ")))),
    Case("chunk-size-trailing-tab", chunked_post(chunked(chunk(LEAD, b"\t")))),
    Case("chunk-size-leading-space", chunked_post(b" " + PLAIN_CHUNKED)),
    Case("chunk-size-0x", chunked_post(b"0x" + PLAIN_CHUNKED)),
    Case("chunk-size-minus", chunked_post(b"-" + PLAIN_CHUNKED)),
    Case("chunk-size-overflow", chunked_post(b"1" + b"0" * 16 + b"\r\n" + LEAD + b"\r\n0\r\n\r\n")),
    Case("chunk-size-empty", chunked_post(b"\r\n" + PLAIN_CHUNKED)),
    Case("chunk-size-bare-lf", chunked_post(chunked(chunk(LEAD, line_end=b"\n")))),
    Case("chunk-size-bare-cr", chunked_post(chunked(chunk(LEAD, line_end=b"\r")))),
    Case("chunk-data-bare-lf", chunked_post(chunked(chunk(LEAD, data_end=b"\n")))),
    Case("chunk-data-bare-cr", chunked_post(chunked(chunk(LEAD, data_end=b"\r")))),
    Case("chunk-data-no-line-end", chunked_post(chunked(chunk(LEAD, data_end=b"")))),
    Case("chunk-data-longer-than-size", chunked_post(b"5\r\n" + LEAD + b"\r\n0\r\n\r\n")),
    Case("chunk-last-bare-lf", chunked_post(chunked(chunk(LEAD), last=b"0\n\r\n"))),
    Case("chunk-trailers-end-bare-lf", chunked_post(chunked(chunk(LEAD), last=b"0\r\n\n"))),
    Case("chunk-trailer-bare-lf", chunked_post(chunked(chunk(LEAD), last=b"0\r\nX: y\n\r\n"))),
    Case("chunk-all-bare-lf", chunked_post(chunked(chunk(HALVES[0], line_end=b"\n",
                                                         data_end=b"\n"),
                                                   chunk(HALVES[1], line_end=b"\n",
                                                         data_end=b"\n"),
                                                   last=b"0\n\n"))),
    # The "funky chunks" pair: a bare LF ends the size line for one parser and not the other.
    Case("chunk-bare-lf-smuggle", chunked_post(
        b"2;\n" + b"xx\r\n" + b"%x\r\n" % (len(SMUGGLED) + 2) + b"\r\n" + SMUGGLED
        + b"\r\n0\r\n\r\n")),
    Case("chunk-ext-space-before-semicolon", chunked_post(chunked(chunk(LEAD, b" ;a=b")))),
    Case("chunk-ext-space-after-semicolon", chunked_post(chunked(chunk(LEAD, b"; a=b")))),
    Case("chunk-ext-space-around-equals", chunked_post(chunked(chunk(LEAD, b";a = b")))),
    Case("chunk-ext-empty", chunked_post(chunked(chunk(LEAD, b";")))),
    Case("chunk-ext-bare-lf", chunked_post(chunked(chunk(LEAD, b";a=b", line_end=b"\n")))),
    Case("chunk-ext-bare-cr", chunked_post(chunked(chunk(LEAD, b";a=b\rc")))),
    Case("chunk-ext-nul", chunked_post(chunked(chunk(LEAD, b";a=\x00")))),
    Case("chunk-ext-unterminated-quote", chunked_post(chunked(chunk(LEAD, b';a="b')))),
    Case("chunk-ext-crlf-in-quote", chunked_post(
        b'%x;a="\r\n0\r\n\r\n' % len(LEAD) + SMUGGLED + b'"\r\n' + LEAD + b"\r\n0\r\n\r\n")),
    Case("chunk-ext-long", chunked_post(chunked(chunk(LEAD, b";a=" + b"b" * 2000))),
         stricter="leadscore caps a chunk-size line at 1024 bytes (Node: 16 KiB of extensions)"),
    Case("chunk-trailer-content-length", chunked_post(chunked(
        chunk(LEAD), last=b"0\r\nContent-Length: 5\r\n\r\n"))),
    Case("chunk-trailer-transfer-encoding", chunked_post(chunked(
        chunk(LEAD), last=b"0\r\nTransfer-Encoding: chunked\r\n\r\n"))),
    Case("chunk-trailer-obs-fold", chunked_post(chunked(chunk(LEAD),
                                                        last=b"0\r\nX: a\r\n b\r\n\r\n"))),
    Case("chunk-trailer-space-before-colon", chunked_post(chunked(chunk(LEAD),
                                                                  last=b"0\r\nX : a\r\n\r\n"))),
    Case("chunk-no-last-chunk", chunked_post(chunk(LEAD))),

    # --- bare CR, bare LF and NUL in the head -----------------------------------------------
    Case("bare-cr-ends-request-line", b"GET /health HTTP/1.1\rHost: 127.0.0.1\r\n\r\n"),
    Case("bare-cr-ends-field", b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\rX: y\r\n\r\n"),
    Case("bare-cr-in-value", get(b"X: a\rb")),
    Case("bare-cr-ends-head", b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r" + get()),
    Case("cr-cr-lf-line-end", b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\r\n\r\n"),
    Case("bare-cr-before-request-line", b"\r" + get(),
         stricter="llhttp skips a lone CR before a request line; leadscore only CRLF or LF"),
    lenient("bare-lf-request-line", get(),
            b"GET /health HTTP/1.1\nHost: 127.0.0.1\r\n\r\n"),
    lenient("bare-lf-head", post(length())),
    lenient("bare-lf-ends-head", get(), b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\n"),
    lenient("bare-lf-head-chunked-body", chunked_post(PLAIN_CHUNKED)),
    # The bare LF ends "X: a" for leadscore: Transfer-Encoding is a field of its own.
    lenient("bare-lf-before-transfer-encoding", post(b"X: a", TE, body=PLAIN_CHUNKED),
            post(b"X: a", TE, body=PLAIN_CHUNKED).replace(b"X: a\r\n", b"X: a\n")),
    Case("nul-in-method", b"G\x00T /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
    Case("nul-in-target", get(target=b"/health\x00")),
    Case("nul-in-name", get(b"X\x00Y: 1")),
    Case("nul-in-value", get(b"X: a\x00b")),

    # --- obsolete line folding --------------------------------------------------------------
    Case("obs-fold-space", get(b"X: a\r\n b")),
    Case("obs-fold-tab", get(b"X: a\r\n\tb")),
    Case("obs-fold-first-field", b"GET /health HTTP/1.1\r\n X: a\r\nHost: 127.0.0.1\r\n\r\n"),

    # --- oversized fields (leadscore and Node both allow a 16 KiB head) ----------------------
    Case("oversized-field-value", get(b"X-Big: " + b"a" * 20_000)),
    Case("oversized-target", get(target=b"/health?" + b"a" * 20_000)),
    Case("oversized-field-count", get(*(b"X-%d: 1" % i for i in range(3_000)))),
    Case("oversized-field-name", get(b"X" * 20_000 + b": 1")),

    # --- field names ------------------------------------------------------------------------
    Case("name-space-before-colon", get(b"X-Name : 1")),
    Case("name-tab-before-colon", get(b"X-Name\t: 1")),
    Case("name-empty", get(b": 1")),
    Case("name-with-space", get(b"X Name: 1")),
    *(Case(f"name-with-{label}", get(b"X" + char + b"Y: 1")) for label, char in [
        ("at", b"@"), ("quote", b'"'), ("parenthesis", b"("), ("slash", b"/"),
        ("bracket", b"["), ("brace", b"{"), ("semicolon", b";"), ("equals", b"="),
        ("comma", b","), ("backslash", b"\\"), ("del", b"\x7f"), ("obs-text", b"\xc3\xa9"),
    ]),

    # --- request line and Host --------------------------------------------------------------
    Case("request-line-tab", b"GET\t/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
    Case("request-line-no-version", b"GET /health\r\nHost: 127.0.0.1\r\n\r\n",
         stricter="leadscore speaks no HTTP/0.9 (llhttp reads a request line without a "
                  "version as one)"),
    Case("request-line-obs-text-target", get(target=b"/health\xc3\xa9")),
    Case("request-line-two-spaces", b"GET  /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
         stricter="llhttp allows several spaces between method and target; RFC 9112 §3 one"),
    Case("request-line-http09", b"GET /health\r\n\r\n",
         stricter="leadscore speaks no HTTP/0.9"),
    Case("host-missing", b"GET /health HTTP/1.1\r\n\r\n"),
    Case("host-twice", get(b"Host: example.com"),
         stricter="RFC 9112 §3.2: a request with more than one Host is answered 400"),
]
CASES_BY_NAME = {case.name: case for case in CASES}
assert len(CASES_BY_NAME) == len(CASES), "case names must be unique"


def write_seeds(directory: Path = SEED_DIR) -> None:
    """Writes every case as a fuzzer seed and removes seeds of cases that no longer exist."""
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob(SEED_PREFIX + "*"):
        if stale.name.removeprefix(SEED_PREFIX) not in CASES_BY_NAME:
            stale.unlink()
    for case in CASES:
        (directory / (SEED_PREFIX + case.name)).write_bytes(case.seed)


if __name__ == "__main__":
    write_seeds()
