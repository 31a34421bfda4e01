#include "serve/registry_follower.h"

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace leadscore::serve {
namespace {

using namespace std::chrono_literals;
using Event = RegistryFollower::Event;

// A scripted registry and reloader: the alias answers come from a queue (the last one
// repeats), each reload succeeds or fails as scripted, and every event is recorded.
class Script {
 public:
  explicit Script(std::deque<Result<std::optional<std::string>>> answers,
                  std::deque<bool> reload_results = {})
      : answers_(std::move(answers)), reload_results_(std::move(reload_results)) {}

  RegistryFollower::Lookup Lookup() {
    return [this]() -> Result<std::optional<std::string>> {
      std::lock_guard lock(mutex_);
      Result<std::optional<std::string>> answer = answers_.front();
      if (answers_.size() > 1) answers_.pop_front();
      ++lookups_;
      return answer;
    };
  }
  RegistryFollower::Reload Reload() {
    return [this](std::function<void(bool)> done) {
      bool ok = true;
      {
        std::lock_guard lock(mutex_);
        if (!reload_results_.empty()) {
          ok = reload_results_.front();
          reload_results_.pop_front();
        }
        ++reloads_;
      }
      std::thread([done = std::move(done), ok] { done(ok); }).detach();
    };
  }
  RegistryFollower::Observer Observer() {
    return [this](Event event, const std::string& detail) {
      std::lock_guard lock(mutex_);
      events_.emplace_back(event, detail);
    };
  }
  // Waits (up to 5 s) until `count` lookups happened.
  void WaitForLookups(int count) {
    for (int i = 0; i < 500; ++i) {
      {
        std::lock_guard lock(mutex_);
        if (lookups_ >= count) return;
      }
      std::this_thread::sleep_for(10ms);
    }
    FAIL() << "only " << lookups_ << " lookups";
  }
  int reloads() {
    std::lock_guard lock(mutex_);
    return reloads_;
  }
  std::vector<std::pair<Event, std::string>> events() {
    std::lock_guard lock(mutex_);
    return events_;
  }

 private:
  std::mutex mutex_;
  std::deque<Result<std::optional<std::string>>> answers_;
  std::deque<bool> reload_results_;
  int lookups_ = 0;
  int reloads_ = 0;
  std::vector<std::pair<Event, std::string>> events_;
};

bool Has(const std::vector<std::pair<Event, std::string>>& events, Event event,
         const std::string& detail) {
  for (const auto& [e, d] : events) {
    if (e == event && d == detail) return true;
  }
  return false;
}

TEST(RegistryFollower, AnUnmovedAliasReloadsNothing) {
  Script script({std::optional<std::string>("3")});
  {
    RegistryFollower follower(script.Lookup(), script.Reload(), script.Observer(), 5ms, "3");
    script.WaitForLookups(5);
  }
  EXPECT_EQ(script.reloads(), 0);
}

TEST(RegistryFollower, AMovedAliasReloadsOnceAndFollowsTheNewVersion) {
  Script script({std::optional<std::string>("3"), std::optional<std::string>("4")});
  {
    RegistryFollower follower(script.Lookup(), script.Reload(), script.Observer(), 5ms, "3");
    script.WaitForLookups(6);
  }
  EXPECT_EQ(script.reloads(), 1);
  EXPECT_TRUE(Has(script.events(), Event::kReloaded, "4"));
}

TEST(RegistryFollower, AVersionThatFailsToLoadIsNotRetriedUntilTheAliasMovesAgain) {
  Script script({std::optional<std::string>("4"), std::optional<std::string>("4"),
                 std::optional<std::string>("4"), std::optional<std::string>("5")},
                {false, true});
  {
    RegistryFollower follower(script.Lookup(), script.Reload(), script.Observer(), 5ms, "3");
    script.WaitForLookups(6);
  }
  EXPECT_EQ(script.reloads(), 2);  // 4 once (failed), then 5
  const auto events = script.events();
  EXPECT_TRUE(Has(events, Event::kReloadFailed, "4"));
  EXPECT_TRUE(Has(events, Event::kSkippedFailed, "4"));
  EXPECT_TRUE(Has(events, Event::kReloaded, "5"));
}

TEST(RegistryFollower, AnUnreachableRegistryKeepsServingAndRecovers) {
  Script script({Status::Error("cannot reach the tracking server"), std::optional<std::string>("3"),
                 std::optional<std::string>("4")});
  {
    RegistryFollower follower(script.Lookup(), script.Reload(), script.Observer(), 5ms, "3");
    script.WaitForLookups(5);
  }
  EXPECT_EQ(script.reloads(), 1);
  EXPECT_TRUE(Has(script.events(), Event::kLookupFailed, "cannot reach the tracking server"));
}

TEST(RegistryFollower, AnUnsetAliasKeepsTheServedModel) {
  Script script({std::optional<std::string>()});
  {
    RegistryFollower follower(script.Lookup(), script.Reload(), script.Observer(), 5ms, "3");
    script.WaitForLookups(3);
  }
  EXPECT_EQ(script.reloads(), 0);
}

TEST(RegistryFollower, StopsPromptlyWhenDestroyed) {
  Script script({std::optional<std::string>("3")});
  const auto started = std::chrono::steady_clock::now();
  { RegistryFollower follower(script.Lookup(), script.Reload(), script.Observer(), 1h, "3"); }
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

}  // namespace
}  // namespace leadscore::serve
