// A lean HTTP/1.1 server on Linux epoll: N worker threads, each with its own event loop over
// its own connections, keep-alive and pipelining, "Expect: 100-continue", bodies refused
// before they are read, responses sent synchronously by the handler or later from any thread
// (Exchange::Defer), idle and request timeouts, and a graceful Stop() that drains in-flight
// requests.
//
// Routing, 404/405 and content-type checks belong to the application's Handler; the server
// answers by itself only what it must (malformed requests, limits, a request arriving too
// slowly, a handler that throws or does not answer), always with a JSON body {"detail":"..."}.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "http/request_parser.h"
#include "http/response.h"

namespace leadscore::http {

// How the worker threads share the listening port.
enum class ListenerMode {
  // One listening socket in every thread's epoll set with EPOLLEXCLUSIVE: an idle thread
  // accepts, and places the connection on the thread with the fewest. The default: at least
  // as fast as kReusePort in bench/http_floor (ahead at 2 threads, where the kernel's hash
  // left one thread with most of wrk's 8 connections), and its bind fails on a port another
  // process holds instead of silently sharing it.
  kEpollExclusive,
  // One SO_REUSEPORT socket per thread; the kernel hashes connections across them.
  kReusePort,
};

struct ServerOptions {
  std::string host = "127.0.0.1";  // numeric address or resolvable name
  int port = 0;                    // 0: an ephemeral port, see Server::port()
  // Event loops (worker threads). With the load generator on the same 2 cores, 1 thread
  // serves as many requests and keeps p99 far lower (bench/http_floor/results.md).
  int threads = 2;
  size_t max_header_bytes = kDefaultMaxHeaderBytes;  // larger request heads get 431
  // A connection that sends and receives nothing this long is closed (a request being
  // answered by a deferred response does not count as idle).
  std::chrono::milliseconds idle_timeout{60'000};
  // Once the first byte of a request has arrived, the whole request (head and body) must
  // arrive within this, or it is answered 408 and the connection closed: a client trickling
  // a byte now and then (slowloris) would otherwise hold its connection forever, and
  // max_connections of them lock everyone out. 30 s: a 64 KiB /score request arrives in far
  // less on any real link, an 8 MiB batch needs about 2.3 Mbit/s; and a proxy in front of
  // us that retries a 408 does so well within its own typical 60 s timeouts. Time spent idle
  // between keep-alive requests, or answering a deferred request, does not count.
  std::chrono::milliseconds request_timeout{30'000};
  // Stop() waits this long for in-flight requests before closing every connection.
  std::chrono::milliseconds drain_timeout{10'000};
  int max_connections = 10'000;  // further connections are accepted and closed at once
  ListenerMode listener_mode = ListenerMode::kEpollExclusive;
  // Receives one line per problem the server handles by itself (a handler that threw, a
  // response that could not be serialized, accept failures). Called from worker threads,
  // concurrently. Empty: spdlog's default logger at warning level.
  std::function<void(std::string_view)> log;
};

class Exchange;

// Called on a worker thread for every complete request; must answer through the Exchange
// (Respond or Defer). Called concurrently from all worker threads, so it must be thread-safe.
// An exception derived from std::exception becomes a 500 and a log line.
using Handler = std::function<void(Exchange&)>;

namespace internal {
class Loop;
struct Connection;
struct Inbox;
struct ServerState;
}  // namespace internal

// A response promised for later: obtained from Exchange::Defer() on the worker thread, moved
// wherever the work happens, and sent once from any thread. The connection does not read or
// answer its next (pipelined) request until then. Destroying it unsent sends a 500. Sending
// after the client disconnected, or after the server stopped, does nothing.
// Not thread-safe itself (one owner at a time); Send() may race with the server's threads.
class DeferredResponse {
 public:
  DeferredResponse() = default;  // empty: pending() is false, Send() does nothing
  DeferredResponse(DeferredResponse&& other) noexcept;
  DeferredResponse& operator=(DeferredResponse&& other) noexcept;
  DeferredResponse(const DeferredResponse&) = delete;
  DeferredResponse& operator=(const DeferredResponse&) = delete;
  ~DeferredResponse();

  // Hands `response` to the connection's worker thread; afterwards pending() is false.
  void Send(Response response);
  bool pending() const { return inbox_ != nullptr; }
  // The request being answered. Valid while pending() (the connection keeps its bytes until
  // the response is sent, even if the client left) and the Server exists.
  const Request& request() const { return *request_; }

 private:
  friend class internal::Loop;
  DeferredResponse(std::shared_ptr<internal::Inbox> inbox, const Request* request, uint32_t slot,
                   uint32_t generation);

  std::shared_ptr<internal::Inbox> inbox_;
  const Request* request_ = nullptr;
  uint32_t slot_ = 0;
  uint32_t generation_ = 0;
};

// One request and its answer, handed to the Handler on the worker thread. Answer exactly once:
// Respond(), or Defer() and send later. A second answer is ignored and logged; no answer at
// all sends a 500. Not thread-safe; only valid during the Handler call.
class Exchange {
 public:
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  const Request& request() const { return request_; }
  // The worker thread answering it, 0 .. ServerOptions::threads - 1: an index for per-thread
  // state (scratch buffers, metrics shards) that needs no locking.
  size_t worker_index() const;

  // Serializes `response` into the connection's output buffer before returning, so the
  // caller may reuse the Response (and its body's capacity) for the next request.
  void Respond(const ResponseView& response);
  // Answers later, from any thread, through the returned DeferredResponse.
  DeferredResponse Defer();

  bool answered() const { return answered_; }

 private:
  friend class internal::Loop;
  Exchange(internal::Loop* loop, internal::Connection* connection, const Request& request)
      : loop_(loop), connection_(connection), request_(request) {}

  internal::Loop* loop_;
  internal::Connection* connection_;
  const Request& request_;
  bool answered_ = false;
};

class Server {
 public:
  // Binds and listens on options.host:options.port (so port() is known and clients may
  // connect, waiting in the backlog, before Run()). `body_limit` decides each request's
  // largest body from its head; empty: kDefaultMaxBodyBytes. Fails with a message naming
  // host:port and what to do (e.g. choose another --port).
  static Result<std::unique_ptr<Server>> Listen(const ServerOptions& options, Handler handler,
                                                BodyLimit body_limit = {});
  // Closes every socket. Must not run concurrently with Run(): call Stop() and let Run()
  // return first.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int port() const;         // the bound port (the ephemeral one when options.port was 0)
  std::string url() const;  // "http://127.0.0.1:8080"

  // Serves on options.threads worker threads (the calling thread is one of them) until Stop()
  // and the drain that follows complete. Call at most once. Fails only if the system refuses
  // a thread or an epoll call; the other threads are stopped first.
  Status Run();

  // Stops accepting, closes idle connections, lets in-flight requests (deferred ones
  // included) finish and send their responses with "Connection: close", then Run() returns;
  // after options.drain_timeout every remaining connection is closed. Thread-safe and
  // async-signal-safe (an atomic store and eventfd writes), so it may be called from a
  // signal-handling thread, a signal handler, a handler, or before Run() (which then returns
  // at once). Idempotent.
  void Stop();

  // Connections currently open, over all threads (for tests and metrics). Thread-safe.
  size_t open_connections() const;

 private:
  explicit Server(std::unique_ptr<internal::ServerState> state);
  std::unique_ptr<internal::ServerState> state_;
};

}  // namespace leadscore::http
