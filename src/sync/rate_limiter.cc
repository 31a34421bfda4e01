#include "sync/rate_limiter.h"

#include <thread>
#include <utility>

namespace leadscore {

SyncClock SyncClock::Real() {
  return SyncClock{
      [] { return std::chrono::steady_clock::now(); },
      [](std::chrono::milliseconds duration) { std::this_thread::sleep_for(duration); }};
}

SlidingWindowLimiter::SlidingWindowLimiter(int max_requests, std::chrono::milliseconds window,
                                           SyncClock clock)
    : max_requests_(max_requests), window_(window), clock_(std::move(clock)) {}

std::chrono::milliseconds SlidingWindowLimiter::Acquire() {
  using std::chrono::milliseconds;
  milliseconds waited{0};
  if (max_requests_ <= 0) return waited;
  auto now = clock_.now();
  while (static_cast<int>(sent_.size()) >= max_requests_) {
    auto free_at = sent_.front() + window_;
    if (now >= free_at) {
      sent_.pop_front();
      continue;
    }
    // Round up so that the window has surely passed when the sleeper returns.
    auto wait = std::chrono::ceil<milliseconds>(free_at - now);
    clock_.sleep(wait);
    waited += wait;
    now = clock_.now();
  }
  sent_.push_back(now);
  return waited;
}

}  // namespace leadscore
