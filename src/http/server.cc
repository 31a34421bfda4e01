#include "http/server.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstring>
#include <ctime>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

// How it works. Each worker thread runs one Loop: an epoll set holding the listening socket,
// an eventfd (wake-ups from Stop() and from DeferredResponse::Send on other threads) and its
// own connections, edge-triggered. A connection is served by Drive(): answer the requests
// already buffered, write the output, read more; repeat until the socket would block. The
// steady state allocates nothing: the parser's input buffer, the header index and the output
// string of a connection keep their capacity across requests, and connection slots are reused.

namespace leadscore::http {
namespace {

std::string ErrnoText(int error) {
  return std::error_code(error, std::generic_category()).message();
}

}  // namespace

namespace internal {
namespace {

using Clock = std::chrono::steady_clock;

constexpr uint64_t kListenerTag = 0;
constexpr uint64_t kWakeTag = 1;
constexpr uint64_t kFirstConnectionTag = 2;
constexpr int kMaxEvents = 128;
// Input is read in pieces of at least this much free buffer.
constexpr size_t kReadBytes = 4096;
// Stop answering pipelined requests while this much output waits for a slow reader.
constexpr size_t kOutputHighWater = size_t{256} * 1024;
// An output buffer grown larger than this is freed when the connection closes.
constexpr size_t kKeptOutputBytes = size_t{64} * 1024;
// After the last response on a closing connection: how long to read and drop what the client
// still sends, so that closing does not reset the connection before it read the response.
constexpr std::chrono::milliseconds kLingerTimeout{2000};
// After EMFILE and the like, accepting again at once would spin.
constexpr std::chrono::milliseconds kAcceptPause{100};
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

}  // namespace

// A DeferredResponse's answer on its way back to the connection's loop.
struct Completion {
  uint32_t slot = 0;
  uint32_t generation = 0;
  bool dropped = false;  // the DeferredResponse was destroyed unsent
  Response response;
};

// Where other threads post to one loop: completions of deferred responses, and connections
// another loop accepted for it. Shared with every DeferredResponse, so a late Send() finds
// `closed` instead of a dead loop.
struct Inbox {
  std::mutex mutex;
  std::vector<Completion> items;  // guarded by mutex
  std::vector<int> sockets;       // guarded by mutex
  bool closed = false;            // guarded by mutex; set when the loop stops serving
  int event_fd = -1;              // written under mutex while !closed, so it is still open

  void Post(uint32_t slot, uint32_t generation, bool dropped, Response response) {
    const std::lock_guard lock(mutex);
    if (closed) return;
    const bool was_empty = items.empty() && sockets.empty();
    items.push_back({slot, generation, dropped, std::move(response)});
    if (was_empty) Notify();
  }

  // False when the loop no longer serves; the caller still owns `fd` then.
  bool PostSocket(int fd) {
    const std::lock_guard lock(mutex);
    if (closed) return false;
    const bool was_empty = items.empty() && sockets.empty();
    sockets.push_back(fd);
    if (was_empty) Notify();
    return true;
  }

 private:
  // A non-empty inbox already has a wake-up on its way (the loop reads the eventfd before it
  // empties the inbox), so only the first post writes.
  void Notify() const {
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t written = write(event_fd, &one, sizeof one);
  }
};

struct ServerState {
  ServerOptions options;
  Handler handler;
  BodyLimit body_limit;
  int port = 0;
  int shared_listen_fd = -1;  // kEpollExclusive
  std::vector<std::unique_ptr<Loop>> loops;
  std::atomic<bool> stopping{false};
  std::atomic<bool> ran{false};
  std::atomic<bool> shared_listener_shut{false};
  std::atomic<size_t> open_connections{0};

  void Log(std::string_view line) const {
    if (options.log) {
      options.log(line);
    } else {
      spdlog::warn("http: {}", line);
    }
  }
  void Stop() {
    stopping.store(true, std::memory_order_release);
    for (const auto& loop : loops) WakeLoop(*loop);
  }
  static void WakeLoop(Loop& loop);
};

class TimerList;
struct Connection;

// A connection's place in one TimerList.
struct TimerLink {
  Connection* prev = nullptr;
  Connection* next = nullptr;
  TimerList* list = nullptr;
  Clock::time_point deadline;
};

struct Connection {
  explicit Connection(ParserOptions options) : parser(std::move(options)) {}

  size_t pending_output() const { return out.size() - out_sent; }

  int fd = -1;  // -1: closed (a slot may stay taken while a deferred response is pending)
  uint32_t slot = 0;
  uint32_t generation = 0;  // bumped when the slot is released; stale events are ignored
  RequestParser parser;
  std::string out;  // responses not yet written, from out_sent on
  size_t out_sent = 0;
  bool readable = false;     // edge-triggered: the socket may hold unread bytes
  bool peer_closed = false;  // EPOLLRDHUP seen: read up to the end of stream
  bool deferred = false;     // waiting for a DeferredResponse
  bool head = false;         // the request being answered is HEAD
  bool keep_alive = true;    // the request being answered allows another one
  bool close_after_flush = false;
  bool lingering = false;  // write side shut, dropping input until EOF

  // In the idle or the linger list, and independently in the request list while a request
  // is arriving (both limits apply then).
  TimerLink timer;
  TimerLink request_timer;
};

// Connections ordered by deadline: every deadline in a list is "now + the same timeout", so
// appending keeps the order and the front is always the next to expire. Lists sharing one
// TimerLink of the connection (idle and linger) take it from each other on Append.
class TimerList {
 public:
  explicit TimerList(TimerLink Connection::*link) : link_(link) {}
  Connection* front() const { return head_; }
  void Append(Connection* c, Clock::time_point deadline) {
    TimerLink& link = c->*link_;
    if (link.list != nullptr) link.list->Remove(c);
    link.deadline = deadline;
    link.list = this;
    link.prev = tail_;
    link.next = nullptr;
    if (tail_ != nullptr) {
      (tail_->*link_).next = c;
    } else {
      head_ = c;
    }
    tail_ = c;
  }
  void Remove(Connection* c) {
    TimerLink& link = c->*link_;
    if (link.list != this) return;
    (link.prev != nullptr ? (link.prev->*link_).next : head_) = link.next;
    (link.next != nullptr ? (link.next->*link_).prev : tail_) = link.prev;
    link.prev = link.next = nullptr;
    link.list = nullptr;
  }

 private:
  TimerLink Connection::*link_;
  Connection* head_ = nullptr;
  Connection* tail_ = nullptr;
};

class Loop {
 public:
  Loop(ServerState* server, size_t index, int listen_fd, bool owns_listen_fd)
      : server_(server),
        index_(index),
        options_(server->options),
        listen_fd_(listen_fd),
        owns_listen_fd_(owns_listen_fd),
        inbox_(std::make_shared<Inbox>()) {}

  ~Loop() {
    {
      const std::lock_guard lock(inbox_->mutex);
      inbox_->closed = true;
      inbox_->items.clear();
      for (const int fd : inbox_->sockets) close(fd);
    }
    for (const auto& c : slots_) {
      if (c->fd >= 0) close(c->fd);
    }
    if (owns_listen_fd_ && listen_fd_ >= 0) close(listen_fd_);
    if (event_fd_ >= 0) close(event_fd_);
    if (epoll_fd_ >= 0) close(epoll_fd_);
  }
  size_t index() const { return index_; }
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  Status Init() {
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) return Status::Error("epoll_create1 failed: " + ErrnoText(errno));
    event_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (event_fd_ < 0) return Status::Error("eventfd failed: " + ErrnoText(errno));
    inbox_->event_fd = event_fd_;
    epoll_event wake{};
    wake.events = EPOLLIN;
    wake.data.u64 = kWakeTag;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, event_fd_, &wake) != 0) {
      return Status::Error("epoll_ctl(eventfd) failed: " + ErrnoText(errno));
    }
    if (!StartListening()) return Status::Error("epoll_ctl(listener) failed: " + ErrnoText(errno));
    return Status::Ok();
  }

  // Async-signal-safe: one write(2).
  void Wake() const {
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t written = write(event_fd_, &one, sizeof one);
  }

  Status Run();

  // For Exchange.
  void Respond(Connection* c, const ResponseView& response);
  DeferredResponse Defer(Connection* c);
  void Log(std::string_view line) const { server_->Log(line); }

 private:
  bool StartListening();
  void StopListening();
  void BeginDrain();
  void CloseIdleConnections();
  // Whether a response should close its connection: asks the flag itself, which Stop() sets
  // before this loop may have seen its wake-up.
  bool Stopping() const { return draining_ || server_->stopping.load(std::memory_order_relaxed); }
  int NextTimeoutMs() const;
  void ExpireTimers();
  void UpdateDate();
  void Accept();
  Loop& PickLoop();
  void Adopt(int fd);
  void DropSocket(int fd);
  void OnSocketEvent(uint64_t tag, uint32_t events);
  void Drive(Connection* c);
  void ProcessRequests(Connection* c);
  void Dispatch(Connection* c);
  void RespondError(Connection* c, int status, std::string_view detail);
  bool Flush(Connection* c);
  bool ReadSome(Connection* c);
  void BeginLinger(Connection* c);
  void TimeOutRequest(Connection* c);
  void Discard(Connection* c);
  void ProcessCompletions();
  void Touch(Connection* c);
  void Close(Connection* c);
  void Release(Connection* c);
  Connection* NewConnection(int fd);
  static uint64_t Tag(const Connection* c) {
    return (static_cast<uint64_t>(c->generation) << 32) | (c->slot + kFirstConnectionTag);
  }

  ServerState* server_;
  const size_t index_;  // the worker's number, 0 .. threads - 1
  const ServerOptions& options_;
  int epoll_fd_ = -1;
  int event_fd_ = -1;
  int listen_fd_;
  bool owns_listen_fd_;
  bool listening_ = false;
  bool accept_paused_ = false;
  Clock::time_point accept_resume_;
  std::shared_ptr<Inbox> inbox_;
  std::vector<Completion> completions_;  // taken from the inbox, reused
  std::vector<std::unique_ptr<Connection>> slots_;
  std::vector<uint32_t> free_slots_;
  size_t open_ = 0;  // this loop's connections with an open socket
  // open_ plus connections handed to this loop and not yet adopted; read by accepting loops.
  std::atomic<size_t> load_{0};
  std::vector<int> adopted_;  // taken from the inbox, reused
  TimerList idle_timers_{&Connection::timer};
  TimerList linger_timers_{&Connection::timer};
  // Connections with a request partly arrived (Connection::request_timer).
  TimerList request_timers_{&Connection::request_timer};
  Clock::time_point now_ = Clock::now();
  bool draining_ = false;
  Clock::time_point drain_deadline_;
  long long date_second_ = -1;
  std::array<char, 29> date_{};
  std::array<char, size_t{16} * 1024> discard_{};
};

void ServerState::WakeLoop(Loop& loop) { loop.Wake(); }

// ---- Loop: lifecycle --------------------------------------------------------------------

Status Loop::Run() {
  Status result;
  std::array<epoll_event, kMaxEvents> events{};
  while (true) {
    const int n = epoll_wait(epoll_fd_, events.data(), kMaxEvents, NextTimeoutMs());
    if (n < 0) {
      if (errno == EINTR) continue;
      result = Status::Error("epoll_wait failed: " + ErrnoText(errno));
      server_->Stop();
      break;
    }
    now_ = Clock::now();
    UpdateDate();
    const bool stop_now = !draining_ && server_->stopping.load(std::memory_order_acquire);
    if (stop_now) BeginDrain();
    for (int i = 0; i < n; ++i) {
      const uint64_t tag = events[static_cast<size_t>(i)].data.u64;
      if (tag == kListenerTag) {
        Accept();
      } else if (tag == kWakeTag) {
        uint64_t count = 0;
        [[maybe_unused]] const ssize_t got = read(event_fd_, &count, sizeof count);
        ProcessCompletions();
      } else {
        OnSocketEvent(tag, events[static_cast<size_t>(i)].events);
      }
    }
    // After the events, so that requests which arrived with the stop are still answered.
    if (stop_now) CloseIdleConnections();
    ExpireTimers();
    if (draining_ && (open_ == 0 || now_ >= drain_deadline_)) break;
  }

  // Whatever is still open after the drain timeout is closed; deferred responses still out
  // there become no-ops.
  StopListening();
  for (const auto& c : slots_) Close(c.get());
  const std::lock_guard lock(inbox_->mutex);
  inbox_->closed = true;
  inbox_->items.clear();
  for (const int fd : inbox_->sockets) DropSocket(fd);
  inbox_->sockets.clear();
  return result;
}

bool Loop::StartListening() {
  epoll_event listen{};
  // Level-triggered: a backlog left over by one wake-up keeps the socket ready. EPOLLEXCLUSIVE
  // wakes one waiting loop per connection instead of all of them.
  listen.events = EPOLLIN | (owns_listen_fd_ ? 0U : static_cast<uint32_t>(EPOLLEXCLUSIVE));
  listen.data.u64 = kListenerTag;
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &listen) != 0) return false;
  listening_ = true;
  accept_paused_ = false;
  return true;
}

void Loop::StopListening() {
  if (listening_) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
  listening_ = false;
  accept_paused_ = false;
}

void Loop::BeginDrain() {
  draining_ = true;
  drain_deadline_ = now_ + options_.drain_timeout;
  StopListening();
  if (owns_listen_fd_) {
    // SO_REUSEPORT: closing our socket sends new connections to the other loops' sockets
    // (until they close theirs too).
    close(listen_fd_);
    listen_fd_ = -1;
  } else if (!server_->shared_listener_shut.exchange(true)) {
    // Stop the shared socket listening now, so new clients are refused at once instead of
    // waiting in a backlog nobody will accept from. The descriptor stays valid (the other
    // loops still have it in their epoll sets) until the Server is destroyed.
    shutdown(listen_fd_, SHUT_RD);
  }
}

void Loop::CloseIdleConnections() {
  for (const auto& slot : slots_) {
    Connection* c = slot.get();
    if (c->fd < 0 || c->deferred || c->lingering) continue;
    // A request may be waiting in the socket while its edge is still queued in epoll (this
    // loop was busy): look before closing, so a request the client already sent is answered.
    c->readable = true;
    Drive(c);
  }
}

int Loop::NextTimeoutMs() const {
  Clock::time_point next = Clock::time_point::max();
  if (const Connection* c = idle_timers_.front()) next = std::min(next, c->timer.deadline);
  if (const Connection* c = linger_timers_.front()) next = std::min(next, c->timer.deadline);
  if (const Connection* c = request_timers_.front()) {
    next = std::min(next, c->request_timer.deadline);
  }
  if (draining_) next = std::min(next, drain_deadline_);
  if (accept_paused_) next = std::min(next, accept_resume_);
  if (next == Clock::time_point::max()) return -1;
  const Clock::time_point now = Clock::now();
  if (next <= now) return 0;
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(next - now).count();
  return static_cast<int>(std::min<long long>(ms, INT_MAX));
}

void Loop::ExpireTimers() {
  while (Connection* c = request_timers_.front()) {
    if (c->request_timer.deadline > now_) break;
    TimeOutRequest(c);
  }
  while (Connection* c = idle_timers_.front()) {
    if (c->timer.deadline > now_) break;
    Close(c);
  }
  while (Connection* c = linger_timers_.front()) {
    if (c->timer.deadline > now_) break;
    Close(c);
  }
  if (accept_paused_ && now_ >= accept_resume_ && !draining_) {
    if (!StartListening()) accept_paused_ = true;
  }
}

void Loop::UpdateDate() {
  const long long second = std::time(nullptr);
  if (second == date_second_) return;
  date_second_ = second;
  FormatHttpDate(second, date_);
}

// ---- Loop: connections ------------------------------------------------------------------

void Loop::Accept() {
  // What is waiting, in batches so that a flood of connections does not starve this loop's
  // own requests (the listener stays ready, level-triggered, for the rest).
  constexpr int kAcceptBatch = 16;
  for (int i = 0; i < kAcceptBatch && listening_; ++i) {
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      const int error = errno;
      if (error == EINTR || error == ECONNABORTED) continue;
      if (error == EAGAIN || error == EWOULDBLOCK) return;
      if (error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM) {
        Log("cannot accept a connection: " + ErrnoText(error) +
            "; pausing new connections for 100 ms (raise `ulimit -n` or lower max_connections)");
        StopListening();
        accept_paused_ = true;
        accept_resume_ = now_ + kAcceptPause;
        return;
      }
      if (error != EINVAL) Log("cannot accept a connection: " + ErrnoText(error));
      StopListening();  // the listening socket is gone (shut down by Stop())
      return;
    }
    if (server_->open_connections.fetch_add(1, std::memory_order_relaxed) >=
        static_cast<size_t>(options_.max_connections)) {
      server_->open_connections.fetch_sub(1, std::memory_order_relaxed);
      close(fd);
      continue;
    }
    // Responses are written whole; without this, Nagle holds back the next one until the
    // client's delayed ACK (40 ms) on keep-alive connections.
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    Loop& target = PickLoop();
    if (&target == this) {
      Adopt(fd);
    } else if (!target.inbox_->PostSocket(fd)) {
      target.DropSocket(fd);
    }
  }
}

Loop& Loop::PickLoop() {
  // With SO_REUSEPORT the kernel has chosen. With EPOLLEXCLUSIVE the loop that accepted is
  // merely the first idle one in the socket's wait queue, which takes every connection of a
  // burst (wrk opening its 8 at once), so place each on the loop with the fewest instead.
  Loop* best = this;
  if (!owns_listen_fd_) {
    for (const auto& loop : server_->loops) {
      if (loop->load_.load(std::memory_order_relaxed) <
          best->load_.load(std::memory_order_relaxed)) {
        best = loop.get();
      }
    }
  }
  best->load_.fetch_add(1, std::memory_order_relaxed);
  return *best;
}

// Serves an accepted socket counted in load_ (by PickLoop).
void Loop::Adopt(int fd) {
  if (draining_) {
    DropSocket(fd);
    return;
  }
  Connection* c = NewConnection(fd);
  epoll_event event{};
  event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  event.data.u64 = Tag(c);
  if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {
    Log("cannot watch a new connection: " + ErrnoText(errno));
    Close(c);
  }
}

// Closes an accepted socket counted in load_ that will not be served. Any thread.
void Loop::DropSocket(int fd) {
  close(fd);
  load_.fetch_sub(1, std::memory_order_relaxed);
  server_->open_connections.fetch_sub(1, std::memory_order_relaxed);
}

Connection* Loop::NewConnection(int fd) {
  Connection* c = nullptr;
  if (!free_slots_.empty()) {
    c = slots_[free_slots_.back()].get();
    free_slots_.pop_back();
  } else {
    ParserOptions parser_options{options_.max_header_bytes, server_->body_limit};
    slots_.push_back(std::make_unique<Connection>(std::move(parser_options)));
    c = slots_.back().get();
    c->slot = static_cast<uint32_t>(slots_.size() - 1);
  }
  c->fd = fd;
  c->out_sent = 0;
  c->readable = c->peer_closed = c->deferred = c->head = false;
  c->close_after_flush = c->lingering = false;
  c->keep_alive = true;
  ++open_;
  Touch(c);
  return c;
}

void Loop::Touch(Connection* c) {
  if (c->deferred || c->lingering || c->fd < 0) return;
  idle_timers_.Append(c, now_ + options_.idle_timeout);
}

void Loop::Close(Connection* c) {
  if (c->fd < 0) return;
  close(c->fd);  // also removes it from the epoll set
  c->fd = -1;
  --open_;
  load_.fetch_sub(1, std::memory_order_relaxed);
  server_->open_connections.fetch_sub(1, std::memory_order_relaxed);
  if (c->timer.list != nullptr) c->timer.list->Remove(c);
  request_timers_.Remove(c);
  // A pending DeferredResponse may still read the request: keep the slot until it answers.
  if (!c->deferred) Release(c);
}

void Loop::Release(Connection* c) {
  ++c->generation;
  c->parser.Reset();
  c->out.clear();
  if (c->out.capacity() > kKeptOutputBytes) c->out.shrink_to_fit();
  c->out_sent = 0;
  free_slots_.push_back(c->slot);
}

void Loop::OnSocketEvent(uint64_t tag, uint32_t events) {
  const uint64_t slot = (tag & 0xFFFFFFFFU) - kFirstConnectionTag;
  if (slot >= slots_.size()) return;
  Connection* c = slots_[slot].get();
  if (c->fd < 0 || c->generation != static_cast<uint32_t>(tag >> 32)) return;  // stale
  if ((events & (EPOLLERR | EPOLLHUP)) != 0) {
    // Reset, or both directions shut: nothing more can be delivered.
    Close(c);
    return;
  }
  if (c->lingering) {
    Discard(c);
    return;
  }
  if ((events & EPOLLRDHUP) != 0) c->peer_closed = true;
  if ((events & (EPOLLIN | EPOLLRDHUP)) != 0) c->readable = true;
  Drive(c);
}

void Loop::Drive(Connection* c) {
  while (true) {
    ProcessRequests(c);
    if (!Flush(c)) return;  // closed, or the socket is full (EPOLLOUT will call us again)
    if (c->deferred) return;
    if (c->close_after_flush) {
      BeginLinger(c);
      return;
    }
    if (draining_ && c->parser.idle()) {
      if (c->readable && ReadSome(c)) continue;  // bytes were waiting: a request under way
      if (c->fd >= 0) Close(c);
      return;
    }
    if (!c->readable || !ReadSome(c)) return;
  }
}

void Loop::ProcessRequests(Connection* c) {
  while (!c->deferred && !c->close_after_flush && c->pending_output() < kOutputHighWater) {
    switch (c->parser.Next()) {
      case RequestParser::Event::kNeedMore:
        // The request deadline runs from the first byte of a request to its last. Idle
        // between requests, the parser holds nothing and idle_timeout alone applies.
        if (c->request_timer.list == nullptr && !c->parser.idle()) {
          request_timers_.Append(c, now_ + options_.request_timeout);
        }
        return;
      case RequestParser::Event::kContinue:
        c->out.append(kContinue);
        break;
      case RequestParser::Event::kRequest:
        request_timers_.Remove(c);
        Dispatch(c);
        break;
      case RequestParser::Event::kError: {
        request_timers_.Remove(c);
        const ParseError& error = c->parser.error();
        c->head = false;
        c->keep_alive = false;
        RespondError(c, error.status, error.detail);
        c->close_after_flush = true;
        return;
      }
    }
  }
}

void Loop::Dispatch(Connection* c) {
  const Request& request = c->parser.request();
  c->head = request.method() == "HEAD";
  c->keep_alive = request.keep_alive() && !Stopping();
  Exchange exchange(this, c, request);
  try {
    server_->handler(exchange);
  } catch (const std::exception& e) {
    Log("handler failed on " + std::string(request.method()) + " " + std::string(request.path()) +
        ": " + e.what());
    if (!exchange.answered_) {
      exchange.answered_ = true;
      RespondError(c, 500, "Internal Server Error");
    }
  }
  if (!exchange.answered_) {
    Log("handler returned without answering " + std::string(request.method()) + " " +
        std::string(request.path()));
    RespondError(c, 500, "Internal Server Error");
  }
  if (!c->deferred && !c->keep_alive) c->close_after_flush = true;
}

void Loop::Respond(Connection* c, const ResponseView& response) {
  const size_t mark = c->out.size();
  const WireOptions wire{c->keep_alive, c->head, std::string_view(date_.data(), date_.size())};
  const Status status = AppendResponse(response, wire, &c->out);
  if (!status.ok()) {
    c->out.resize(mark);
    Log("cannot send the handler's response: " + status.message());
    RespondError(c, 500, "Internal Server Error");
  }
}

void Loop::RespondError(Connection* c, int status, std::string_view detail) {
  const std::string body = JsonDetail(detail);
  const WireOptions wire{c->keep_alive, c->head, std::string_view(date_.data(), date_.size())};
  // Our own statuses and headers: serialization cannot fail.
  [[maybe_unused]] const Status ignored =
      AppendResponse(ResponseView(status, "application/json", body), wire, &c->out);
}

DeferredResponse Loop::Defer(Connection* c) {
  c->deferred = true;
  // Answering takes as long as it takes (and the request is complete: request_timers_ let go
  // of it when it was parsed).
  if (c->timer.list != nullptr) c->timer.list->Remove(c);
  return {inbox_, &c->parser.request(), c->slot, c->generation};
}

bool Loop::Flush(Connection* c) {
  if (c->pending_output() == 0) return true;
  while (c->pending_output() > 0) {
    const ssize_t n = send(c->fd, c->out.data() + c->out_sent, c->pending_output(), MSG_NOSIGNAL);
    if (n > 0) {
      c->out_sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      Touch(c);
      return false;
    }
    Close(c);  // EPIPE, ECONNRESET: the client is gone
    return false;
  }
  c->out.clear();
  c->out_sent = 0;
  Touch(c);
  return true;
}

bool Loop::ReadSome(Connection* c) {
  const std::span<char> space = c->parser.PrepareInput(kReadBytes);
  const ssize_t n = read(c->fd, space.data(), space.size());
  if (n > 0) {
    c->parser.CommitInput(static_cast<size_t>(n));
    // A short read emptied the socket, and any byte arriving later raises a new edge, so the
    // read that would only return EAGAIN is skipped. After EPOLLRDHUP the end of stream
    // raises no further edge, so keep reading until it shows.
    if (static_cast<size_t>(n) < space.size() && !c->peer_closed) c->readable = false;
    Touch(c);
    return true;
  }
  if (n < 0 && errno == EINTR) return true;
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
    c->readable = false;
    return false;
  }
  // End of stream (every response so far has been written) or a read error.
  Close(c);
  return false;
}

void Loop::BeginLinger(Connection* c) {
  request_timers_.Remove(c);
  shutdown(c->fd, SHUT_WR);
  c->lingering = true;
  linger_timers_.Append(c, now_ + std::min<Clock::duration>(kLingerTimeout, options_.idle_timeout));
  Discard(c);
}

// The request did not arrive within request_timeout: answer 408 after whatever output is
// already queued, and close.
void Loop::TimeOutRequest(Connection* c) {
  request_timers_.Remove(c);
  if (c->fd < 0 || c->lingering || c->deferred || c->close_after_flush) return;
  c->head = false;
  c->keep_alive = false;
  RespondError(c, 408, "Request Timeout");
  c->close_after_flush = true;
  Drive(c);
}

void Loop::Discard(Connection* c) {
  for (int i = 0; i < 64; ++i) {
    const ssize_t n = read(c->fd, discard_.data(), discard_.size());
    if (n > 0) continue;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    Close(c);  // the client closed too (or reset)
    return;
  }
}

void Loop::ProcessCompletions() {
  {
    const std::lock_guard lock(inbox_->mutex);
    completions_.swap(inbox_->items);
    adopted_.swap(inbox_->sockets);
  }
  for (const int fd : adopted_) Adopt(fd);
  adopted_.clear();
  for (Completion& done : completions_) {
    if (done.slot >= slots_.size()) continue;
    Connection* c = slots_[done.slot].get();
    if (c->generation != done.generation || !c->deferred) continue;
    c->deferred = false;
    if (c->fd < 0) {  // the client left while we worked
      Release(c);
      continue;
    }
    if (done.dropped) {
      const Request& request = c->parser.request();
      Log("a deferred response for " + std::string(request.method()) + " " +
          std::string(request.path()) + " was destroyed without being sent; answered 500");
    }
    c->keep_alive = c->keep_alive && !Stopping();
    Respond(c, done.response);
    if (!c->keep_alive) c->close_after_flush = true;
    Touch(c);
    Drive(c);
  }
  completions_.clear();
}

}  // namespace internal

// ---- DeferredResponse and Exchange ------------------------------------------------------

DeferredResponse::DeferredResponse(std::shared_ptr<internal::Inbox> inbox, const Request* request,
                                   uint32_t slot, uint32_t generation)
    : inbox_(std::move(inbox)), request_(request), slot_(slot), generation_(generation) {}

DeferredResponse::DeferredResponse(DeferredResponse&& other) noexcept
    : inbox_(std::move(other.inbox_)),
      request_(other.request_),
      slot_(other.slot_),
      generation_(other.generation_) {
  other.inbox_ = nullptr;
}

DeferredResponse& DeferredResponse::operator=(DeferredResponse&& other) noexcept {
  if (this != &other) {
    if (pending()) {
      inbox_->Post(slot_, generation_, true, Response::Error(500, "Internal Server Error"));
    }
    inbox_ = std::move(other.inbox_);
    other.inbox_ = nullptr;
    request_ = other.request_;
    slot_ = other.slot_;
    generation_ = other.generation_;
  }
  return *this;
}

DeferredResponse::~DeferredResponse() {
  if (pending()) {
    inbox_->Post(slot_, generation_, true, Response::Error(500, "Internal Server Error"));
  }
}

void DeferredResponse::Send(Response response) {
  if (!pending()) return;
  const std::shared_ptr<internal::Inbox> inbox = std::move(inbox_);
  inbox_ = nullptr;
  inbox->Post(slot_, generation_, false, std::move(response));
}

size_t Exchange::worker_index() const { return loop_->index(); }

void Exchange::Respond(const ResponseView& response) {
  if (answered_) {
    loop_->Log("a handler answered " + std::string(request_.path()) + " twice; ignored the second");
    return;
  }
  answered_ = true;
  loop_->Respond(connection_, response);
}

DeferredResponse Exchange::Defer() {
  if (answered_) {
    loop_->Log("a handler deferred " + std::string(request_.path()) +
               " after answering it; ignored");
    return {};
  }
  answered_ = true;
  return loop_->Defer(connection_);
}

// ---- Server -----------------------------------------------------------------------------

namespace {

std::string HostPort(const std::string& host, int port) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

// A listening socket bound to `address`; the error names host:port and what to do.
Result<int> OpenListener(const addrinfo& address, bool reuse_port, const std::string& where) {
  const int fd = socket(address.ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::Error("cannot create a socket for " + where + ": " + ErrnoText(errno));
  const int one = 1;
  // SO_REUSEADDR: restart at once although the last run's connections sit in TIME_WAIT.
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (reuse_port && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
    const int error = errno;
    close(fd);
    return Status::Error("cannot set SO_REUSEPORT on " + where + ": " + ErrnoText(error));
  }
  if (bind(fd, address.ai_addr, address.ai_addrlen) != 0) {
    const int error = errno;
    close(fd);
    std::string message = "cannot listen on " + where + ": " + ErrnoText(error);
    if (error == EADDRINUSE) {
      message += "; another process uses this port: stop it or choose another --port";
    } else if (error == EACCES) {
      message += "; ports below 1024 need privileges: choose a --port above 1023";
    } else if (error == EADDRNOTAVAIL) {
      message += "; the address is not one of this machine's: use 127.0.0.1 or 0.0.0.0 as --host";
    }
    return Status::Error(message);
  }
  if (listen(fd, SOMAXCONN) != 0) {
    const int error = errno;
    close(fd);
    return Status::Error("cannot listen on " + where + ": " + ErrnoText(error));
  }
  return fd;
}

int BoundPort(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return 0;
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
  }
  return ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
}

Status CheckOptions(const ServerOptions& options, const Handler& handler) {
  if (!handler) return Status::Error("the server needs a handler");
  if (options.port < 0 || options.port > 65535) {
    return Status::Error("port " + std::to_string(options.port) +
                         " is out of range: choose a --port from 0 (any free port) to 65535");
  }
  if (options.threads < 1 || options.threads > 1024) {
    return Status::Error("threads must be from 1 to 1024, not " + std::to_string(options.threads));
  }
  if (options.max_connections < 1) return Status::Error("max_connections must be at least 1");
  if (options.max_header_bytes < 64) return Status::Error("max_header_bytes must be at least 64");
  if (options.idle_timeout.count() <= 0 || options.request_timeout.count() <= 0 ||
      options.drain_timeout.count() < 0) {
    return Status::Error(
        "idle_timeout and request_timeout must be positive and drain_timeout not negative");
  }
  return Status::Ok();
}

}  // namespace

Server::Server(std::unique_ptr<internal::ServerState> state) : state_(std::move(state)) {}

Server::~Server() {
  state_->loops.clear();  // closes connections, eventfds, epoll sets, per-loop listeners
  if (state_->shared_listen_fd >= 0) close(state_->shared_listen_fd);
}

Result<std::unique_ptr<Server>> Server::Listen(const ServerOptions& options, Handler handler,
                                               BodyLimit body_limit) {
  LEADSCORE_RETURN_IF_ERROR(CheckOptions(options, handler));
  auto state = std::make_unique<internal::ServerState>();
  state->options = options;
  state->handler = std::move(handler);
  state->body_limit = std::move(body_limit);
  // The Server owns every descriptor from here on, so each error path below just returns.
  std::unique_ptr<Server> server(new Server(std::move(state)));
  internal::ServerState& s = *server->state_;

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port_text = std::to_string(options.port);
  const int resolved = getaddrinfo(options.host.c_str(), port_text.c_str(), &hints, &found);
  if (resolved != 0 || found == nullptr) {
    return Status::Error("cannot resolve --host '" + options.host + "': " + gai_strerror(resolved) +
                         "; use an address such as 127.0.0.1 or 0.0.0.0");
  }
  const std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, freeaddrinfo);
  addrinfo address = *found;
  sockaddr_storage storage{};
  std::memcpy(&storage, found->ai_addr, found->ai_addrlen);
  address.ai_addr = reinterpret_cast<sockaddr*>(&storage);

  const bool reuse_port = options.listener_mode == ListenerMode::kReusePort;
  for (int i = 0; i < options.threads; ++i) {
    int listen_fd = s.shared_listen_fd;
    if (reuse_port || i == 0) {
      auto opened = OpenListener(address, reuse_port, HostPort(options.host, options.port));
      if (!opened.ok()) return opened.status();
      listen_fd = opened.value();
      if (i == 0) {
        s.port = BoundPort(listen_fd);
        // Every further SO_REUSEPORT socket joins the port the first one got.
        if (storage.ss_family == AF_INET6) {
          reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port =
              htons(static_cast<uint16_t>(s.port));
        } else {
          reinterpret_cast<sockaddr_in*>(&storage)->sin_port = htons(static_cast<uint16_t>(s.port));
        }
      }
      if (!reuse_port) s.shared_listen_fd = listen_fd;
    }
    s.loops.push_back(std::make_unique<internal::Loop>(&s, s.loops.size(), listen_fd, reuse_port));
    LEADSCORE_RETURN_IF_ERROR(s.loops.back()->Init().WithContext("cannot start the server on " +
                                                                 HostPort(options.host, s.port)));
  }
  return server;
}

int Server::port() const { return state_->port; }

std::string Server::url() const { return "http://" + HostPort(state_->options.host, state_->port); }

size_t Server::open_connections() const {
  return state_->open_connections.load(std::memory_order_relaxed);
}

void Server::Stop() { state_->Stop(); }

Status Server::Run() {
  if (state_->ran.exchange(true)) return Status::Error("Server::Run was called twice");
  std::vector<Status> results(state_->loops.size());
  std::vector<std::thread> threads;
  for (size_t i = 1; i < state_->loops.size(); ++i) {
    try {
      threads.emplace_back([this, i, &results] { results[i] = state_->loops[i]->Run(); });
    } catch (const std::system_error& e) {
      results[i] = Status::Error(std::string("cannot start a server thread: ") + e.what());
      Stop();
      break;
    }
  }
  results[0] = state_->loops[0]->Run();
  for (std::thread& thread : threads) thread.join();
  for (const Status& result : results) {
    if (!result.ok()) return result;
  }
  return Status::Ok();
}

}  // namespace leadscore::http
