#include "serve/registry_follower.h"

#include <future>
#include <memory>
#include <utility>

namespace leadscore::serve {

RegistryFollower::RegistryFollower(Lookup lookup, Reload reload, Observer observer,
                                   std::chrono::milliseconds interval,
                                   std::optional<std::string> serving)
    : lookup_(std::move(lookup)),
      reload_(std::move(reload)),
      observer_(std::move(observer)),
      interval_(interval),
      serving_(std::move(serving)),
      thread_([this] { Loop(); }) {}

RegistryFollower::~RegistryFollower() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void RegistryFollower::Loop() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    CheckOnce();
    lock.lock();
  }
}

void RegistryFollower::CheckOnce() {
  auto current = lookup_();
  if (!current.ok()) {
    observer_(Event::kLookupFailed, current.status().message());
    return;
  }
  const std::optional<std::string>& version = current.value();
  if (!version || version == serving_) {
    observer_(Event::kUnchanged, version.value_or("alias not set"));
    return;
  }
  if (version == failed_) {
    observer_(Event::kSkippedFailed, *version);
    return;
  }
  observer_(Event::kMoved, *version);
  // Wait for the load here, so a slow download is not requested again by the next check.
  // Shared: the reloader's thread may still be inside set_value when this one wakes.
  auto loaded = std::make_shared<std::promise<bool>>();
  std::future<bool> outcome = loaded->get_future();
  reload_([loaded](bool ok) { loaded->set_value(ok); });
  if (outcome.get()) {
    serving_ = version;
    failed_.reset();
    observer_(Event::kReloaded, *version);
  } else {
    failed_ = version;
    observer_(Event::kReloadFailed, *version);
  }
}

}  // namespace leadscore::serve
