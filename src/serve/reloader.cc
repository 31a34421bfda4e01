#include "serve/reloader.h"

namespace leadscore::serve {

Reloader::Reloader(ModelSource source, ModelStore& store, Observer observer)
    : source_(std::move(source)),
      store_(store),
      observer_(std::move(observer)),
      thread_([this] { Loop(); }) {}

Reloader::~Reloader() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void Reloader::Request(Done done) {
  {
    std::lock_guard lock(mutex_);
    pending_.push_back(std::move(done));
  }
  wake_.notify_one();
}

void Reloader::Loop() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
    if (pending_.empty()) return;  // stopping with nothing left to answer
    std::vector<Done> batch;
    batch.swap(pending_);
    lock.unlock();

    Result<ReloadOutcome> outcome = Status::Error("reload did not run");
    auto model = LoadModel(source_);
    if (model.ok()) {
      const std::string version = model.value()->metadata().model_version;
      auto previous = store_.Swap(model.value());
      ReloadOutcome swapped;
      swapped.model_version = version;
      if (previous) swapped.previous_version = previous->metadata().model_version;
      outcome = swapped;
    } else {
      auto current = store_.Current();
      outcome = model.status().WithContext(current ? "reload failed, still serving model version " +
                                                         current->metadata().model_version
                                                   : "reload failed, no model is serving");
    }
    if (observer_) observer_(outcome, model.ok() ? model.value().get() : nullptr);
    for (Done& done : batch) done(outcome);

    lock.lock();
  }
}

}  // namespace leadscore::serve
