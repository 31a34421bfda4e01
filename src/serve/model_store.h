// The model being served: an immutable LeadModel snapshot swapped atomically on reload.
// Request handlers take a shared_ptr to the current snapshot and finish on it even if a
// reload swaps in another one meanwhile (the old snapshot lives until its last user drops it).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "model/lead_model.h"

namespace leadscore::serve {

class ModelStore {
 public:
  ModelStore() = default;
  explicit ModelStore(std::shared_ptr<const LeadModel> initial);

  // The current snapshot; null before the first model is installed. Thread-safe.
  std::shared_ptr<const LeadModel> Current() const;
  // Increases with every Swap(): a worker that cached Current() refreshes its copy when this
  // changed, so the hot path does one relaxed load instead of a shared_ptr copy per request.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  // Installs `model` and returns the snapshot it replaces. Thread-safe.
  std::shared_ptr<const LeadModel> Swap(std::shared_ptr<const LeadModel> model);

 private:
  std::atomic<std::shared_ptr<const LeadModel>> current_;
  std::atomic<uint64_t> generation_{0};
};

// A worker thread's cached snapshot of a ModelStore. Not thread-safe: one per thread.
class CachedModel {
 public:
  explicit CachedModel(const ModelStore& store) : store_(&store) {}
  // The current snapshot, refreshed only when the store's generation moved.
  const std::shared_ptr<const LeadModel>& Get() {
    const uint64_t generation = store_->generation();
    if (generation != generation_ || !model_) {
      model_ = store_->Current();
      generation_ = generation;
    }
    return model_;
  }
  // The store's generation when Get() last refreshed the snapshot: the one it belongs to.
  uint64_t generation() const { return generation_; }

 private:
  const ModelStore* store_;
  uint64_t generation_ = 0;
  std::shared_ptr<const LeadModel> model_;
};

}  // namespace leadscore::serve
