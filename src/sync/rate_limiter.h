// Client-side rate limiting for API clients: at most N requests in any sliding window of time,
// waiting until the oldest request of the window has aged out. Time comes in through
// SyncClock, so tests advance a fake clock instead of sleeping.
// Thread-compatible: one limiter per client.
#pragma once

#include <chrono>
#include <deque>
#include <functional>

namespace leadscore {

// The clock and the sleeper of a sync. Real() is the steady clock and std::this_thread.
struct SyncClock {
  std::function<std::chrono::steady_clock::time_point()> now;
  std::function<void(std::chrono::milliseconds)> sleep;
  static SyncClock Real();
};

class SlidingWindowLimiter {
 public:
  // `max_requests` in any `window`; max_requests <= 0 means unlimited.
  SlidingWindowLimiter(int max_requests, std::chrono::milliseconds window, SyncClock clock);

  // Waits (through the clock's sleeper) until one more request fits the window, then counts
  // it as sent now. Returns how long it waited.
  std::chrono::milliseconds Acquire();

 private:
  int max_requests_;
  std::chrono::milliseconds window_;
  SyncClock clock_;
  std::deque<std::chrono::steady_clock::time_point> sent_;  // the last max_requests_ sends
};

}  // namespace leadscore
