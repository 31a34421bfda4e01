#include "http/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

// These tests run real servers on loopback ports chosen by the kernel and talk to them over
// plain blocking sockets, so every byte on the wire is the test's own. Waits are bounded
// (a few seconds) and never measure performance.

namespace leadscore::http {

// Names the parameter in test output (ADL finds it here, beside ListenerMode).
void PrintTo(ListenerMode mode, std::ostream* os) {
  *os << (mode == ListenerMode::kEpollExclusive ? "EpollExclusive" : "ReusePort");
}

namespace {

using namespace std::chrono_literals;

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string Header(const std::string& lower_case_name) const {
    const auto it = headers.find(lower_case_name);
    return it == headers.end() ? "" : it->second;
  }
};

// A blocking HTTP/1.1 client over one TCP connection to 127.0.0.1.
class Client {
 public:
  explicit Client(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    timeval timeout{5, 0};  // a read that hangs fails the test instead of the run
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
  }
  ~Client() {
    if (fd_ >= 0) close(fd_);
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool connected() const { return connected_; }

  void Send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      ASSERT_GT(n, 0) << "send failed";
      bytes.remove_prefix(static_cast<size_t>(n));
    }
  }

  // The next response (an interim 100 Continue counts as one), or nullopt if the connection
  // ended or nothing came within 5 s. A response to HEAD has no body whatever its
  // Content-Length says: pass `head`.
  std::optional<Reply> Read(bool head = false) {
    size_t head_end;
    while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    Reply reply;
    const std::string lines = buffer_.substr(0, head_end + 2);
    buffer_.erase(0, head_end + 4);
    reply.status = std::stoi(lines.substr(9, 3));
    size_t line_start = lines.find("\r\n") + 2;
    while (line_start < lines.size()) {
      const size_t line_end = lines.find("\r\n", line_start);
      const std::string line = lines.substr(line_start, line_end - line_start);
      const size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      reply.headers[name] = line.substr(colon + 2);
      line_start = line_end + 2;
    }
    const size_t length = (head || reply.headers.count("content-length") == 0)
                              ? 0
                              : std::stoul(reply.headers["content-length"]);
    while (buffer_.size() < length) {
      if (!Fill()) return std::nullopt;
    }
    reply.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return reply;
  }

  // Sends what it can; false once the server has closed the connection.
  bool TrySend(std::string_view bytes) {
    return send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }

  // True when the server closes the connection (end of stream or reset) with nothing more.
  bool ReadsEndOfStream() {
    char byte;
    const ssize_t n = recv(fd_, &byte, 1, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

  // Closes with a reset (SO_LINGER 0) instead of a FIN.
  void Reset() {
    linger hard{1, 0};
    setsockopt(fd_, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    close(fd_);
    fd_ = -1;
  }
  void Close() {
    close(fd_);
    fd_ = -1;
  }

 private:
  bool Fill() {
    char chunk[65536];
    const ssize_t n = recv(fd_, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

std::string Get(std::string_view path, std::string_view extra_headers = "") {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: test\r\n" + std::string(extra_headers) +
         "\r\n";
}

std::string Post(std::string_view path, std::string_view body) {
  return "POST " + std::string(path) +
         " HTTP/1.1\r\nHost: test\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         std::string(body);
}

// Answers "<METHOD> <target> <body>" as text/plain.
void Echo(Exchange& exchange) {
  const Request& r = exchange.request();
  const std::string body =
      std::string(r.method()) + " " + std::string(r.target()) + " " + std::string(r.body());
  exchange.Respond(ResponseView(200, "text/plain", body));
}

// Sends `first`, then one byte of `filler` every 50 ms on another thread until the server
// closes the connection or the test ends (a slowloris client).
class Trickle {
 public:
  Trickle(Client& client, std::string_view first, char filler)
      : started_(std::chrono::steady_clock::now()) {
    client.Send(first);
    thread_ = std::thread([this, &client, filler] {
      const std::string byte(1, filler);
      while (!done_.load()) {
        std::this_thread::sleep_for(50ms);
        if (!client.TrySend(byte)) return;
      }
    });
  }
  ~Trickle() {
    done_ = true;
    thread_.join();
  }
  Trickle(const Trickle&) = delete;
  Trickle& operator=(const Trickle&) = delete;

  std::chrono::milliseconds elapsed() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 started_);
  }

 private:
  std::chrono::steady_clock::time_point started_;
  std::atomic<bool> done_{false};
  std::thread thread_;
};

bool WaitFor(const std::function<bool()>& condition) {
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

// Holds the DeferredResponses a handler hands over, for the test to send when it chooses.
class DeferredBox {
 public:
  void Put(DeferredResponse deferred) {
    const std::lock_guard lock(mutex_);
    items_.push_back(std::move(deferred));
    changed_.notify_all();
  }
  // Waits for the next deferred response (up to 5 s).
  std::optional<DeferredResponse> Take() {
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, 5s, [this] { return !items_.empty(); })) return std::nullopt;
    DeferredResponse deferred = std::move(items_.front());
    items_.erase(items_.begin());
    return deferred;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<DeferredResponse> items_;
};

class ServerTest : public ::testing::TestWithParam<ListenerMode> {
 protected:
  ServerTest() { options_.listener_mode = GetParam(); }

  void Start(Handler handler, BodyLimit body_limit = {}) {
    auto listened = Server::Listen(options_, std::move(handler), std::move(body_limit));
    ASSERT_TRUE(listened.ok()) << listened.status().message();
    server_ = std::move(listened).value();
    runner_ = std::thread([this] { run_status_ = server_->Run(); });
  }

  // Stops the server and waits for Run() to return.
  void StopAndJoin() {
    server_->Stop();
    runner_.join();
    EXPECT_TRUE(run_status_.ok()) << run_status_.message();
  }

  void TearDown() override {
    if (runner_.joinable()) StopAndJoin();
  }

  int port() const { return server_->port(); }

  ServerOptions options_;
  std::unique_ptr<Server> server_;
  std::thread runner_;
  Status run_status_;
};

INSTANTIATE_TEST_SUITE_P(ListenerModes, ServerTest,
                         ::testing::Values(ListenerMode::kEpollExclusive, ListenerMode::kReusePort),
                         [](const auto& info) {
                           return info.param == ListenerMode::kEpollExclusive ? "EpollExclusive"
                                                                              : "ReusePort";
                         });

TEST_P(ServerTest, AnswersSeveralRequestsOnOneKeepAliveConnection) {
  Start(Echo);
  Client client(port());
  ASSERT_TRUE(client.connected());
  for (int i = 0; i < 3; ++i) {
    client.Send(Post("/score?n=" + std::to_string(i), "{\"i\":" + std::to_string(i) + "}"));
    const auto reply = client.Read();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 200);
    EXPECT_EQ(reply->Header("connection"), "keep-alive");
    EXPECT_EQ(reply->Header("content-type"), "text/plain");
    EXPECT_EQ(reply->Header("date").size(), 29U);
    EXPECT_EQ(reply->body,
              "POST /score?n=" + std::to_string(i) + " {\"i\":" + std::to_string(i) + "}");
  }
  EXPECT_EQ(server_->open_connections(), 1U);
}

TEST_P(ServerTest, AnswersPipelinedRequestsInOrder) {
  Start(Echo);
  Client client(port());
  client.Send(Get("/one") + Post("/two", "2") +
              "POST /three HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
              "1\r\n3\r\n0\r\n\r\n" +
              Get("/four", "Connection: close\r\n"));
  for (const std::string expected : {"GET /one ", "POST /two 2", "POST /three 3", "GET /four "}) {
    const auto reply = client.Read();
    ASSERT_TRUE(reply.has_value()) << expected;
    EXPECT_EQ(reply->body, expected);
  }
  EXPECT_TRUE(client.ReadsEndOfStream());  // after "Connection: close"
}

TEST_P(ServerTest, ServesConcurrentClients) {
  options_.threads = 2;
  Start(Echo);
  constexpr int kClients = 8;
  constexpr int kRequests = 200;
  std::atomic<int> answered{0};
  std::vector<std::thread> clients;
  clients.reserve(kClients);
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      Client client(port());
      for (int i = 0; i < kRequests; ++i) {
        const std::string body = std::to_string(c) + "/" + std::to_string(i);
        client.Send(Post("/x", body));
        const auto reply = client.Read();
        if (reply && reply->status == 200 && reply->body == "POST /x " + body) ++answered;
      }
    });
  }
  for (std::thread& t : clients) t.join();
  EXPECT_EQ(answered.load(), kClients * kRequests);
}

TEST_P(ServerTest, EchoesLargeBodiesBothWays) {
  Start(Echo, [](const Request&) { return size_t{4} << 20; });
  std::string body(3 << 20, 'x');
  for (size_t i = 0; i < body.size(); i += 997) body[i] = static_cast<char>('a' + i % 26);
  Client client(port());
  client.Send(Post("/big", body));
  const auto reply = client.Read();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->body, "POST /big " + body);
}

TEST_P(ServerTest, SendsADeferredResponseFromAnotherThread) {
  DeferredBox box;
  Start([&box](Exchange& exchange) { box.Put(exchange.Defer()); });
  std::thread worker([&box] {
    auto deferred = box.Take();
    ASSERT_TRUE(deferred.has_value());
    // The request stays readable until the response is sent.
    const std::string body = "deferred " + std::string(deferred->request().body());
    deferred->Send(Response::Json(body, 201));
  });
  Client client(port());
  client.Send(Post("/later", "payload"));
  const auto reply = client.Read();
  worker.join();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 201);
  EXPECT_EQ(reply->body, "deferred payload");
  EXPECT_EQ(reply->Header("content-type"), "application/json");
}

TEST_P(ServerTest, HoldsPipelinedRequestsBehindADeferredResponse) {
  DeferredBox box;
  std::atomic<bool> slow_sent{false};
  std::atomic<bool> fast_ran_early{false};
  Start([&](Exchange& exchange) {
    if (exchange.request().path() == "/slow") {
      box.Put(exchange.Defer());
      return;
    }
    if (!slow_sent.load()) fast_ran_early = true;
    Echo(exchange);
  });
  Client client(port());
  client.Send(Get("/slow") + Get("/fast"));
  auto deferred = box.Take();
  ASSERT_TRUE(deferred.has_value());
  std::this_thread::sleep_for(50ms);  // room for the server to misbehave
  slow_sent = true;
  deferred->Send(Response::Json("\"slow\""));
  const auto first = client.Read();
  const auto second = client.Read();
  ASSERT_TRUE(first.has_value() && second.has_value());
  EXPECT_EQ(first->body, "\"slow\"");
  EXPECT_EQ(second->body, "GET /fast ");
  EXPECT_FALSE(fast_ran_early.load());
}

TEST_P(ServerTest, AnswersADroppedDeferredResponseWith500) {
  Start([](Exchange& exchange) {
    if (exchange.request().path() == "/drop") {
      const DeferredResponse dropped = exchange.Defer();
      return;
    }
    Echo(exchange);
  });
  Client client(port());
  client.Send(Get("/drop"));
  const auto reply = client.Read();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 500);
  EXPECT_EQ(reply->body, R"({"detail":"Internal Server Error"})");
  client.Send(Get("/after"));  // the connection is still usable
  const auto next = client.Read();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->body, "GET /after ");
}

TEST_P(ServerTest, IgnoresADeferredSendAfterTheClientReset) {
  DeferredBox box;
  Start([&box](Exchange& exchange) {
    if (exchange.request().path() == "/later") {
      box.Put(exchange.Defer());
      return;
    }
    Echo(exchange);
  });
  auto client = std::make_unique<Client>(port());
  client->Send(Post("/later", "still here"));
  auto deferred = box.Take();
  ASSERT_TRUE(deferred.has_value());
  client->Reset();
  ASSERT_TRUE(WaitFor([this] { return server_->open_connections() == 0; }));
  // The connection is gone, but the request it carried is still readable until the send.
  EXPECT_EQ(deferred->request().body(), "still here");
  deferred->Send(Response::Json("{}"));
  EXPECT_FALSE(deferred->pending());
  Client next(port());
  next.Send(Get("/ok"));
  const auto reply = next.Read();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->body, "GET /ok ");
}

TEST_P(ServerTest, ClosesTheConnectionAfterADeferredSendToAClientThatLeft) {
  DeferredBox box;
  Start([&box](Exchange& exchange) { box.Put(exchange.Defer()); });
  Client client(port());
  client.Send(Get("/later"));
  auto deferred = box.Take();
  ASSERT_TRUE(deferred.has_value());
  client.Close();  // a FIN: the server only learns when it next reads
  std::this_thread::sleep_for(20ms);
  deferred->Send(Response::Json("{}"));
  EXPECT_TRUE(WaitFor([this] { return server_->open_connections() == 0; }));
}

TEST_P(ServerTest, StopDrainsAnInFlightDeferredRequestAndClosesIdleConnections) {
  DeferredBox box;
  std::atomic<int> calls{0};
  Start([&](Exchange& exchange) {
    ++calls;
    if (exchange.request().path() == "/slow") {
      box.Put(exchange.Defer());
      return;
    }
    Echo(exchange);
  });
  Client idle(port());
  idle.Send(Get("/warm"));
  ASSERT_TRUE(idle.Read().has_value());
  Client busy(port());
  busy.Send(Get("/slow"));
  auto deferred = box.Take();
  ASSERT_TRUE(deferred.has_value());

  server_->Stop();
  EXPECT_TRUE(idle.ReadsEndOfStream());  // closed while the slow request is still pending
  deferred->Send(Response::Json("\"done\""));
  const auto reply = busy.Read();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->body, "\"done\"");
  EXPECT_EQ(reply->Header("connection"), "close");
  EXPECT_TRUE(busy.ReadsEndOfStream());
  busy.Close();    // the server lingers until the client has its response and closes
  runner_.join();  // Run() returns once the drain is complete
  EXPECT_TRUE(run_status_.ok()) << run_status_.message();
  EXPECT_EQ(calls.load(), 2);
  EXPECT_FALSE(Client(port()).connected());  // no longer listening
}

TEST_P(ServerTest, StopGivesUpOnDeferredRequestsAfterTheDrainTimeout) {
  options_.drain_timeout = 100ms;
  DeferredBox box;
  Start([&box](Exchange& exchange) { box.Put(exchange.Defer()); });
  Client client(port());
  client.Send(Get("/never"));
  auto deferred = box.Take();
  ASSERT_TRUE(deferred.has_value());
  server_->Stop();
  runner_.join();
  EXPECT_TRUE(run_status_.ok());
  EXPECT_TRUE(client.ReadsEndOfStream());
  deferred->Send(Response::Json("{}"));  // too late: does nothing
}

TEST_P(ServerTest, RunReturnsAtOnceWhenStoppedBeforehand) {
  auto listened = Server::Listen(options_, Echo);
  ASSERT_TRUE(listened.ok()) << listened.status().message();
  listened.value()->Stop();
  EXPECT_TRUE(listened.value()->Run().ok());
}

TEST_P(ServerTest, RefusesAnOversizedBodyBeforeItIsSent) {
  Start(Echo, [](const Request&) { return size_t{1000}; });
  Client client(port());
  // Only the head: the answer must not wait for the 10 MB the client announced.
  client.Send("POST /score HTTP/1.1\r\nHost: t\r\nContent-Length: 10000000\r\n\r\n");
  const auto reply = client.Read();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 413);
  EXPECT_EQ(reply->body, R"({"detail":"request body is larger than the limit of 1000 bytes"})");
  EXPECT_EQ(reply->Header("connection"), "close");
  EXPECT_TRUE(client.ReadsEndOfStream());
}

TEST_P(ServerTest, SendsContinueBeforeAnAcceptableBody) {
  Start(Echo, [](const Request&) { return size_t{4096}; });
  Client client(port());
  const std::string body(2000, 'c');
  client.Send(
      "POST /up HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 2000\r\n\r\n");
  const auto interim = client.Read();
  ASSERT_TRUE(interim.has_value());
  EXPECT_EQ(interim->status, 100);
  client.Send(body);
  const auto reply = client.Read();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "POST /up " + body);
}

TEST_P(ServerTest, RefusesAnOversizedBodyInsteadOfContinue) {
  Start(Echo, [](const Request&) { return size_t{1000}; });
  Client client(port());
  client.Send(
      "POST /up HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 2000\r\n\r\n");
  const auto reply = client.Read();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 413);
}

TEST_P(ServerTest, ClosesIdleConnectionsAfterTheIdleTimeout) {
  options_.idle_timeout = 150ms;
  Start(Echo);
  Client client(port());
  client.Send(Get("/once"));
  ASSERT_TRUE(client.Read().has_value());
  EXPECT_TRUE(client.ReadsEndOfStream());
  EXPECT_TRUE(WaitFor([this] { return server_->open_connections() == 0; }));
}

// The 408 and the close come at the request deadline: long after 0, long before the idle
// timeout (which the trickle keeps away anyway). Margins are wide; a loaded machine only
// delays the answer.
void ExpectRequestTimeout(Client& client, const Trickle& trickle) {
  const auto reply = client.Read();
  const auto elapsed = trickle.elapsed();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 408);
  EXPECT_EQ(reply->Header("content-type"), "application/json");
  EXPECT_EQ(reply->body, R"({"detail":"Request Timeout"})");
  EXPECT_EQ(reply->Header("connection"), "close");
  EXPECT_TRUE(client.ReadsEndOfStream());
  EXPECT_GE(elapsed, 150ms);
  EXPECT_LT(elapsed, 3s);
}

TEST_P(ServerTest, AnswersAHeadTrickledPastTheRequestTimeoutWith408AndCloses) {
  options_.request_timeout = 200ms;
  options_.idle_timeout = 10s;
  Start(Echo);
  Client client(port());
  const Trickle trickle(client, "GET /slow HTTP/1.1\r\nX-Padding: ", 'a');
  ExpectRequestTimeout(client, trickle);
  EXPECT_TRUE(WaitFor([this] { return server_->open_connections() == 0; }));
}

TEST_P(ServerTest, AnswersABodyTrickledPastTheRequestTimeoutWith408AndCloses) {
  options_.request_timeout = 200ms;
  options_.idle_timeout = 10s;
  Start(Echo);
  Client client(port());
  const Trickle trickle(client,
                        "POST /slow HTTP/1.1\r\nHost: test\r\nContent-Length: 1000\r\n\r\n{", 'b');
  ExpectRequestTimeout(client, trickle);
  EXPECT_TRUE(WaitFor([this] { return server_->open_connections() == 0; }));
}

TEST_P(ServerTest, KeepsAKeepAliveConnectionIdleLongerThanTheRequestTimeout) {
  options_.request_timeout = 100ms;
  options_.idle_timeout = 10s;
  Start(Echo);
  Client client(port());
  client.Send(Get("/first"));
  ASSERT_TRUE(client.Read().has_value());
  std::this_thread::sleep_for(400ms);  // between requests only idle_timeout applies
  client.Send(Get("/second"));
  const auto reply = client.Read();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "GET /second ");
  EXPECT_EQ(reply->Header("connection"), "keep-alive");
}

TEST_P(ServerTest, ServesRequestsArrivingInPiecesWithinTheRequestTimeout) {
  options_.request_timeout = 600ms;
  Start(Echo);
  Client client(port());
  // Three requests, each in pieces over ~100 ms, with pauses between them: together longer
  // than the deadline, which each request has to itself.
  for (int i = 0; i < 3; ++i) {
    const std::string request = Post("/pieces", "{\"i\":" + std::to_string(i) + "}");
    const size_t third = request.size() / 3;
    client.Send(request.substr(0, third));
    std::this_thread::sleep_for(50ms);
    client.Send(request.substr(third, third));
    std::this_thread::sleep_for(50ms);
    client.Send(request.substr(2 * third));
    const auto reply = client.Read();
    ASSERT_TRUE(reply.has_value()) << i;
    EXPECT_EQ(reply->status, 200);
    EXPECT_EQ(reply->body, "POST /pieces {\"i\":" + std::to_string(i) + "}");
    std::this_thread::sleep_for(200ms);
  }
}

TEST_P(ServerTest, DoesNotTimeOutADeferredRequestWhileItIsAnswered) {
  options_.request_timeout = 100ms;
  DeferredBox box;
  Start([&box](Exchange& exchange) { box.Put(exchange.Defer()); });
  Client client(port());
  client.Send(Post("/later", "payload"));
  auto deferred = box.Take();
  ASSERT_TRUE(deferred.has_value());
  std::this_thread::sleep_for(400ms);  // the request is complete: answering takes its time
  deferred->Send(Response::Json("done", 201));
  const auto reply = client.Read();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 201);
  EXPECT_EQ(reply->Header("connection"), "keep-alive");
}

TEST_P(ServerTest, AnswersMalformedRequestsWithJson400AndCloses) {
  Start(Echo);
  Client client(port());
  client.Send("BROKEN\r\n\r\n");
  const auto reply = client.Read();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 400);
  EXPECT_EQ(reply->Header("content-type"), "application/json");
  EXPECT_EQ(reply->body,
            R"({"detail":"malformed request line; expected 'METHOD /path HTTP/1.1'"})");
  EXPECT_EQ(reply->Header("connection"), "close");
  EXPECT_TRUE(client.ReadsEndOfStream());
}

TEST_P(ServerTest, AnswersOversizedHeadersWith431) {
  options_.max_header_bytes = 1024;
  Start(Echo);
  Client client(port());
  client.Send(Get("/", "X-Big: " + std::string(2000, 'h') + "\r\n"));
  const auto reply = client.Read();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 431);
}

TEST_P(ServerTest, AnswersUnsupportedVersionsWith505) {
  Start(Echo);
  Client client(port());
  client.Send("GET / HTTP/2.0\r\nHost: t\r\n\r\n");
  const auto reply = client.Read();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 505);
}

TEST_P(ServerTest, AnswersHandlerExceptionsWith500AndKeepsServing) {
  std::vector<std::string> logged;
  std::mutex log_mutex;
  options_.log = [&](std::string_view line) {
    const std::lock_guard lock(log_mutex);
    logged.emplace_back(line);
  };
  Start([](Exchange& exchange) {
    if (exchange.request().path() == "/throw") throw std::runtime_error("model exploded");
    Echo(exchange);
  });
  Client client(port());
  client.Send(Get("/throw"));
  const auto reply = client.Read();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 500);
  EXPECT_EQ(reply->body, R"({"detail":"Internal Server Error"})");
  client.Send(Get("/fine"));
  const auto next = client.Read();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->status, 200);
  const std::lock_guard lock(log_mutex);
  ASSERT_EQ(logged.size(), 1U);
  EXPECT_NE(logged[0].find("model exploded"), std::string::npos) << logged[0];
}

TEST_P(ServerTest, AnswersWith500WhenTheHandlerDoesNotAnswerOrAnswersBadly) {
  options_.log = [](std::string_view) {};
  Start([](Exchange& exchange) {
    if (exchange.request().path() == "/bad-header") {
      Response response;
      response.headers = {{"X-Split", "a\r\nInjected: yes"}};
      exchange.Respond(response);
    }
  });
  Client client(port());
  client.Send(Get("/silent") + Get("/bad-header"));
  for (int i = 0; i < 2; ++i) {
    const auto reply = client.Read();
    ASSERT_TRUE(reply.has_value());
    EXPECT_EQ(reply->status, 500);
    EXPECT_EQ(reply->headers.count("injected"), 0U);
  }
}

TEST_P(ServerTest, AnswersHeadWithoutABody) {
  Start(Echo);
  Client client(port());
  client.Send("HEAD /h HTTP/1.1\r\nHost: t\r\n\r\n" + Get("/g"));
  const auto head = client.Read(/*head=*/true);
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->Header("content-length"), "8");  // the length of the body GET would get
  const auto get = client.Read();  // starts right after the head: no body bytes in between
  ASSERT_TRUE(get.has_value());
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(get->body, "GET /g ");
}

TEST_P(ServerTest, ClosesHttp10ConnectionsUnlessKeepAlive) {
  Start(Echo);
  Client once(port());
  once.Send("GET /a HTTP/1.0\r\n\r\n");
  const auto reply = once.Read();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->Header("connection"), "close");
  EXPECT_TRUE(once.ReadsEndOfStream());

  Client kept(port());
  kept.Send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  const auto first = kept.Read();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->Header("connection"), "keep-alive");
  kept.Send("GET /b HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(kept.Read().has_value());
}

TEST_P(ServerTest, ClosesConnectionsBeyondMaxConnections) {
  options_.max_connections = 1;
  Start(Echo);
  Client first(port());
  first.Send(Get("/1"));
  ASSERT_TRUE(first.Read().has_value());
  Client second(port());
  EXPECT_TRUE(second.ReadsEndOfStream());
  first.Send(Get("/2"));
  EXPECT_TRUE(first.Read().has_value());
}

TEST_P(ServerTest, NamesTheAddressAndTheFlagWhenThePortIsTaken) {
  const int blocker = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(blocker, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(blocker, 1), 0);
  socklen_t length = sizeof address;
  getsockname(blocker, reinterpret_cast<sockaddr*>(&address), &length);
  options_.port = ntohs(address.sin_port);
  auto listened = Server::Listen(options_, Echo);
  close(blocker);
  ASSERT_FALSE(listened.ok());
  const std::string& message = listened.status().message();
  EXPECT_NE(message.find("127.0.0.1:" + std::to_string(options_.port)), std::string::npos)
      << message;
  EXPECT_NE(message.find("choose another --port"), std::string::npos) << message;
}

TEST(Server, RejectsBadOptions) {
  ServerOptions options;
  options.port = 70000;
  EXPECT_FALSE(Server::Listen(options, Echo).ok());
  options.port = 0;
  options.threads = 0;
  EXPECT_FALSE(Server::Listen(options, Echo).ok());
  options.threads = 1;
  options.request_timeout = 0ms;
  const auto no_deadline = Server::Listen(options, Echo);
  ASSERT_FALSE(no_deadline.ok());
  EXPECT_NE(no_deadline.status().message().find("request_timeout"), std::string::npos);
  options.request_timeout = 30s;
  options.host = "no-such-host.invalid";
  const auto unresolved = Server::Listen(options, Echo);
  ASSERT_FALSE(unresolved.ok());
  EXPECT_NE(unresolved.status().message().find("no-such-host.invalid"), std::string::npos);
  options.host = "127.0.0.1";
  EXPECT_FALSE(Server::Listen(options, Handler()).ok());
}

TEST(Server, SpreadsABurstOfConnectionsOverTheThreads) {
  ServerOptions options;
  options.threads = 2;
  options.listener_mode = ListenerMode::kEpollExclusive;  // SO_REUSEPORT: the kernel's hash
  std::mutex mutex;
  std::map<std::thread::id, int> served;  // requests per worker thread
  auto listened = Server::Listen(options, [&](Exchange& exchange) {
    {
      const std::lock_guard lock(mutex);
      ++served[std::this_thread::get_id()];
    }
    Echo(exchange);
  });
  ASSERT_TRUE(listened.ok()) << listened.status().message();
  Server& server = *listened.value();
  // Eight connections at once, as wrk opens them, all queued before the server accepts.
  std::vector<std::unique_ptr<Client>> clients(8);
  for (auto& client : clients) client = std::make_unique<Client>(server.port());
  std::thread runner([&server] { EXPECT_TRUE(server.Run().ok()); });
  for (const auto& client : clients) client->Send(Get("/"));
  for (const auto& client : clients) EXPECT_TRUE(client->Read().has_value());
  server.Stop();
  runner.join();
  const std::lock_guard lock(mutex);
  ASSERT_EQ(served.size(), 2U);
  for (const auto& [thread, requests] : served) EXPECT_GE(requests, 3);
}

TEST(Server, ReportsItsUrl) {
  auto listened = Server::Listen(ServerOptions{}, Echo);
  ASSERT_TRUE(listened.ok());
  EXPECT_EQ(listened.value()->url(),
            "http://127.0.0.1:" + std::to_string(listened.value()->port()));
}

}  // namespace
}  // namespace leadscore::http
