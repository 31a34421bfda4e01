// Reloads the served model off the request path: one background thread loads and validates
// the model source, then swaps it into the ModelStore. A source that fails to load leaves the
// old model serving. Requests that arrive while a load runs are answered by the next load
// (so a burst of reload requests costs at most two loads, and each caller sees a load that
// started after it asked).
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "serve/model_source.h"
#include "serve/model_store.h"

namespace leadscore::serve {

struct ReloadOutcome {
  std::string model_version;                    // serving now
  std::optional<std::string> previous_version;  // serving before; none when there was none
};

class Reloader {
 public:
  using Done = std::function<void(const Result<ReloadOutcome>&)>;
  // Called on the reloader thread after every load, with its result (metrics, logs).
  using Observer = std::function<void(const Result<ReloadOutcome>&, const LeadModel* loaded)>;

  Reloader(ModelSource source, ModelStore& store, Observer observer);
  ~Reloader();  // finishes the load in progress, answers queued requests, joins the thread
  Reloader(const Reloader&) = delete;
  Reloader& operator=(const Reloader&) = delete;

  // Queues a reload; `done` runs on the reloader thread once it finished. Thread-safe.
  void Request(Done done);

 private:
  void Loop();

  const ModelSource source_;
  ModelStore& store_;
  const Observer observer_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Done> pending_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after the members it uses
};

}  // namespace leadscore::serve
