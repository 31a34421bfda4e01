#include "sync/rate_limiter.h"

#include <gtest/gtest.h>

#include "sync/fake_sync_clock.h"

namespace leadscore {
namespace {

using std::chrono::milliseconds;

TEST(SlidingWindowLimiter, LetsABurstThroughThenWaitsForTheOldestToLeaveTheWindow) {
  FakeSyncClock clock;
  SlidingWindowLimiter limiter(3, milliseconds(1000), clock.Clock());
  EXPECT_EQ(limiter.Acquire(), milliseconds(0));
  clock.now += milliseconds(100);
  EXPECT_EQ(limiter.Acquire(), milliseconds(0));
  EXPECT_EQ(limiter.Acquire(), milliseconds(0));
  // The first request left at t=0, so the fourth may go at t=1000.
  EXPECT_EQ(limiter.Acquire(), milliseconds(900));
  // The second went at t=100.
  EXPECT_EQ(limiter.Acquire(), milliseconds(100));
  EXPECT_EQ(clock.sleeps, (std::vector<milliseconds>{milliseconds(900), milliseconds(100)}));
}

TEST(SlidingWindowLimiter, NeverExceedsTheLimitInAnyWindow) {
  FakeSyncClock clock;
  SlidingWindowLimiter limiter(5, milliseconds(1000), clock.Clock());
  std::vector<std::chrono::steady_clock::time_point> sent;
  for (int i = 0; i < 40; ++i) {
    limiter.Acquire();
    sent.push_back(clock.now);
    clock.now += milliseconds(37);  // the caller's own work between requests
  }
  for (size_t i = 5; i < sent.size(); ++i) {
    EXPECT_GE(sent[i] - sent[i - 5], milliseconds(1000)) << "request " << i;
  }
}

TEST(SlidingWindowLimiter, ZeroMeansUnlimited) {
  FakeSyncClock clock;
  SlidingWindowLimiter limiter(0, milliseconds(1000), clock.Clock());
  for (int i = 0; i < 1000; ++i) limiter.Acquire();
  EXPECT_TRUE(clock.sleeps.empty());
}

}  // namespace
}  // namespace leadscore
