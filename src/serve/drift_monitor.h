// Live drift: what the server scored over a sliding window, binned like the serving model's
// training reference (model/drift_reference.h), and its PSI against that reference, for
// /metrics (leadscore_feature_psi, leadscore_score_psi, leadscore_drift_window_scores) and
// GET /model/drift.
//
// Recording is lock-free and allocation-free, like server_metrics.h: each worker owns one
// shard; a shard is a ring of kSlots time slots of window / kSlots each. A slot is stamped with
// its time index and the model generation it counted for; its owning writer resets it when it
// reuses it for a new time index or generation (a seqlock: stamp cleared, counters zeroed,
// stamp published). Readers sum, over every shard, the slots whose stamp is inside the window
// and of the current generation, skipping a slot whose stamp changed while they read it. So a
// reload starts a fresh window, and slots older than the window stop counting without anyone
// touching them. The window covers between kSlots - 1 and kSlots slot lengths (the current
// slot is partly elapsed).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <span>
#include <string>
#include <vector>

#include "features/feature_spec.h"
#include "model/drift_reference.h"

namespace leadscore::serve {

class DriftMonitor {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr size_t kSlots = 60;

  // `shards` writers (one per worker thread), counters laid out for `spec`'s features (the
  // spec requests are parsed with; a reference must CheckMatchesSpec it). A zero `window`
  // disables recording: Record() returns at once and enabled() is false.
  DriftMonitor(size_t shards, const FeatureSpec& spec, std::chrono::seconds window);

  bool enabled() const { return slot_length_.count() > 0; }
  std::chrono::seconds window() const { return window_; }

  class Shard {
   public:
    // Only the owning thread may call this. Counts one scored lead (`values` in spec order, as
    // api::ParseScoreRequest fills them; `score` the served score) in the slot of `now` for
    // model `generation`, binned by `reference`. No locks, no allocation.
    void Record(Clock::time_point now, uint64_t generation, const DriftReference& reference,
                std::span<const double> values, double score);

   private:
    friend class DriftMonitor;
    explicit Shard(const DriftMonitor& monitor);
    const DriftMonitor& monitor_;
    // kSlots x stride counters: [stamp, leads, feature bins..., score bins...] per slot.
    std::unique_ptr<std::atomic<uint64_t>[]> slots_;
  };

  // The shard of worker `index` (< shards). Its address is stable.
  Shard& shard(size_t index) { return *shards_[index]; }

  // Leads and bin counts in the window ending at `now`, for model `generation`, in `reference`'s
  // bins. Thread-safe; like a scrape, it may miss a lead being recorded.
  struct Counts {
    uint64_t leads = 0;
    std::vector<std::vector<uint64_t>> features;  // per spec feature, per reference bin
    std::vector<uint64_t> score;
  };
  Counts Window(Clock::time_point now, uint64_t generation, const DriftReference& reference) const;

 private:
  uint64_t SlotIndex(Clock::time_point now) const;

  std::chrono::seconds window_;
  std::chrono::nanoseconds slot_length_;
  std::vector<size_t> offsets_;  // per spec feature: its first bin counter within a slot
  size_t score_offset_ = 0;
  size_t stride_ = 0;  // counters per slot
  std::vector<std::unique_ptr<Shard>> shards_;
};

// One histogram's comparison: reference and live shares per bin, PSI and its status.
struct DriftComparison {
  const ReferenceHistogram* reference = nullptr;
  std::vector<uint64_t> live;  // counts per bin
  double psi = 0.0;            // NaN without live leads
};
std::vector<DriftComparison> CompareFeatures(const DriftReference& reference,
                                             const DriftMonitor::Counts& counts);
DriftComparison CompareScore(const DriftReference& reference, const DriftMonitor::Counts& counts);

// The drift gauges in Prometheus text: leadscore_drift_window_scores,
// leadscore_feature_psi{feature=...} per spec feature and leadscore_score_psi (NaN when the
// window is empty).
std::string DriftPrometheus(const DriftReference& reference, const DriftMonitor::Counts& counts);

// GET /model/drift's body: window_seconds, model_version, leads, thresholds, and per feature
// and for the score: psi (null when empty), status, bins (label, reference and live shares,
// live count) and the top shifted bins (largest PSI terms first).
nlohmann::ordered_json DriftReportJson(const DriftReference& reference,
                                       const DriftMonitor::Counts& counts,
                                       std::chrono::seconds window,
                                       const std::string& model_version);

}  // namespace leadscore::serve
