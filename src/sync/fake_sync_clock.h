// For tests: a SyncClock whose time moves only when something sleeps, recording each sleep.
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "sync/rate_limiter.h"

namespace leadscore {

struct FakeSyncClock {
  std::chrono::steady_clock::time_point now{};
  std::vector<std::chrono::milliseconds> sleeps;

  // A SyncClock reading and advancing this one; `this` must outlive it.
  SyncClock Clock() {
    return SyncClock{[this] { return now; },
                     [this](std::chrono::milliseconds duration) {
                       sleeps.push_back(duration);
                       now += duration;
                     }};
  }
};

}  // namespace leadscore
