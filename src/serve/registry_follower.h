// `leadscore serve --follow SECONDS`: polls a registered model's alias (e.g. the champion) and
// asks the reloader to load the new version when the alias moves, so replicas follow the
// registry without anyone calling them (MLflow users ask for this: mlflow/mlflow#4039). The
// reloader keeps the old model serving until the new one is loaded and validated; a version
// that fails to load is not tried again until the alias moves once more, and an unreachable
// registry only delays the next check.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/status.h"

namespace leadscore::serve {

class RegistryFollower {
 public:
  // The version the alias points at now (nullopt: the alias is not set), or why it could not
  // be read. Called on the follower's thread.
  using Lookup = std::function<Result<std::optional<std::string>>()>;
  // Reload the served model; call `done(ok)` once the load finished (on any thread).
  using Reload = std::function<void(std::function<void(bool ok)> done)>;
  // What happened at a check, for logs and metrics.
  enum class Event { kUnchanged, kMoved, kReloaded, kReloadFailed, kSkippedFailed, kLookupFailed };
  using Observer = std::function<void(Event, const std::string& detail)>;

  // `serving`: the version the alias pointed at when the served model was loaded (nullopt:
  // unknown, so the first check reloads). Starts the thread; the first check is one
  // `interval` after construction.
  RegistryFollower(Lookup lookup, Reload reload, Observer observer,
                   std::chrono::milliseconds interval, std::optional<std::string> serving);
  ~RegistryFollower();  // stops and joins (waits for a reload in progress)
  RegistryFollower(const RegistryFollower&) = delete;
  RegistryFollower& operator=(const RegistryFollower&) = delete;

 private:
  void Loop();
  void CheckOnce();

  const Lookup lookup_;
  const Reload reload_;
  const Observer observer_;
  const std::chrono::milliseconds interval_;
  std::optional<std::string> serving_;  // follower thread only
  std::optional<std::string> failed_;   // follower thread only: last version that failed
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after the members it uses
};

}  // namespace leadscore::serve
