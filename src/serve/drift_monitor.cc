#include "serve/drift_monitor.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace leadscore::serve {
namespace {

// A slot's stamp: the model generation (low 20 bits) over the time index + 1 (44 bits; a 1 s
// window's 16 ms slots take over 9000 years to wrap). 0 marks a slot empty or being reset.
constexpr int kIndexBits = 44;
constexpr uint64_t kIndexMask = (uint64_t{1} << kIndexBits) - 1;
constexpr uint64_t kGenerationMask = (uint64_t{1} << (64 - kIndexBits)) - 1;

uint64_t Stamp(uint64_t index, uint64_t generation) {
  return ((generation & kGenerationMask) << kIndexBits) | ((index + 1) & kIndexMask);
}

// Counters of a slot before its bins: the stamp and the leads counted.
constexpr size_t kStampAt = 0;
constexpr size_t kLeadsAt = 1;
constexpr size_t kBinsAt = 2;

// Bins a feature's counters hold: the most its reference may have (CheckMatchesSpec and
// DriftReferenceFromJson bound them).
size_t Capacity(const Feature& feature) {
  switch (feature.type) {
    case FeatureType::kCount:
      return kMaxHistogramBins;
    case FeatureType::kFlag:
      return 2;
    case FeatureType::kCategory:
      return feature.values.size();
  }
  return 0;
}

void Add(std::atomic<uint64_t>& counter) {
  counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

DriftComparison Compare(const ReferenceHistogram& reference, std::vector<uint64_t> live) {
  DriftComparison comparison;
  comparison.reference = &reference;
  comparison.live = std::move(live);
  comparison.psi = Psi(reference.counts, comparison.live);
  return comparison;
}

// Prometheus' spelling of a missing value.
std::string Gauge(double value) { return std::isnan(value) ? "NaN" : fmt::format("{}", value); }

nlohmann::ordered_json Nullable(double value) {
  return std::isnan(value) ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(value);
}

nlohmann::ordered_json ComparisonJson(const DriftComparison& comparison) {
  const ReferenceHistogram& reference = *comparison.reference;
  const std::vector<double> reference_shares = reference.Shares();
  uint64_t total = 0;
  for (uint64_t count : comparison.live) total += count;
  nlohmann::ordered_json out;
  out["name"] = reference.name;
  out["kind"] = HistogramKindName(reference.kind);
  out["psi"] = Nullable(comparison.psi);
  out["status"] = PsiStatus(comparison.psi);
  out["bins"] = nlohmann::ordered_json::array();
  struct Shift {
    size_t bin;
    double term;
  };
  std::vector<Shift> shifts;
  for (size_t bin = 0; bin < reference.bins(); ++bin) {
    const double live_share =
        total == 0 ? 0.0 : static_cast<double>(comparison.live[bin]) / static_cast<double>(total);
    out["bins"].push_back({{"label", reference.Label(bin)},
                           {"reference", reference_shares[bin]},
                           {"live", live_share},
                           {"live_count", comparison.live[bin]}});
    if (total > 0) shifts.push_back({bin, PsiTerm(reference_shares[bin], live_share)});
  }
  std::stable_sort(shifts.begin(), shifts.end(),
                   [](const Shift& a, const Shift& b) { return a.term > b.term; });
  out["top_shifts"] = nlohmann::ordered_json::array();
  for (size_t i = 0; i < std::min<size_t>(3, shifts.size()); ++i) {
    const nlohmann::ordered_json& bin = out["bins"][shifts[i].bin];
    out["top_shifts"].push_back({{"label", bin["label"]},
                                 {"reference", bin["reference"]},
                                 {"live", bin["live"]},
                                 {"psi_term", shifts[i].term}});
  }
  return out;
}

}  // namespace

DriftMonitor::DriftMonitor(size_t shards, const FeatureSpec& spec, std::chrono::seconds window)
    : window_(window.count() > 0 ? window : std::chrono::seconds(0)),
      slot_length_(std::chrono::duration_cast<std::chrono::nanoseconds>(window_) /
                   static_cast<int64_t>(kSlots)) {
  size_t offset = kBinsAt;
  for (const Feature& feature : spec.features) {
    offsets_.push_back(offset);
    offset += Capacity(feature);
  }
  score_offset_ = offset;
  stride_ = offset + kMaxHistogramBins;
  for (size_t i = 0; i < shards; ++i) shards_.push_back(std::unique_ptr<Shard>(new Shard(*this)));
}

DriftMonitor::Shard::Shard(const DriftMonitor& monitor) : monitor_(monitor) {
  if (monitor.enabled()) {
    slots_.reset(new std::atomic<uint64_t>[kSlots * monitor.stride_]());  // all 0: empty
  }
}

uint64_t DriftMonitor::SlotIndex(Clock::time_point now) const {
  const auto since = now.time_since_epoch();
  return since.count() < 0 ? 0 : static_cast<uint64_t>(since / slot_length_);
}

void DriftMonitor::Shard::Record(Clock::time_point now, uint64_t generation,
                                 const DriftReference& reference, std::span<const double> values,
                                 double score) {
  const DriftMonitor& monitor = monitor_;
  if (!monitor.enabled() || reference.features.size() != monitor.offsets_.size() ||
      values.size() != monitor.offsets_.size()) {
    return;
  }
  const uint64_t index = monitor.SlotIndex(now);
  const uint64_t stamp = Stamp(index, generation);
  std::atomic<uint64_t>* slot = &slots_[(index % kSlots) * monitor.stride_];
  if (slot[kStampAt].load(std::memory_order_relaxed) != stamp) {
    // Reuse: readers that see the cleared stamp, or a stamp that changed while they read,
    // skip the slot.
    slot[kStampAt].store(0, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    for (size_t i = kLeadsAt; i < monitor.stride_; ++i) {
      slot[i].store(0, std::memory_order_relaxed);
    }
    slot[kStampAt].store(stamp, std::memory_order_release);
  }
  Add(slot[kLeadsAt]);
  for (size_t f = 0; f < values.size(); ++f) {
    Add(slot[monitor.offsets_[f] + reference.features[f].Bin(values[f])]);
  }
  Add(slot[monitor.score_offset_ + std::min(reference.score.Bin(score), kMaxHistogramBins - 1)]);
}

DriftMonitor::Counts DriftMonitor::Window(Clock::time_point now, uint64_t generation,
                                          const DriftReference& reference) const {
  Counts counts;
  for (const ReferenceHistogram& histogram : reference.features) {
    counts.features.emplace_back(histogram.bins(), 0);
  }
  counts.score.assign(reference.score.bins(), 0);
  if (!enabled() || reference.features.size() != offsets_.size()) return counts;
  const uint64_t now_index = SlotIndex(now);
  std::vector<uint64_t> copy(stride_);
  for (const auto& shard : shards_) {
    for (size_t s = 0; s < kSlots; ++s) {
      const std::atomic<uint64_t>* slot = &shard->slots_[s * stride_];
      const uint64_t stamp = slot[kStampAt].load(std::memory_order_acquire);
      if (stamp == 0 || (stamp >> kIndexBits) != (generation & kGenerationMask)) continue;
      const uint64_t index = (stamp & kIndexMask) - 1;
      // Inside the window: this slot or one of the kSlots - 1 before it (or one just begun by
      // a request that started after `now` was read).
      if (index + kSlots <= now_index || index > now_index + 1) continue;
      for (size_t i = 0; i < stride_; ++i) copy[i] = slot[i].load(std::memory_order_relaxed);
      std::atomic_thread_fence(std::memory_order_acquire);
      if (slot[kStampAt].load(std::memory_order_relaxed) != stamp) continue;  // reset meanwhile
      counts.leads += copy[kLeadsAt];
      for (size_t f = 0; f < offsets_.size(); ++f) {
        for (size_t bin = 0; bin < counts.features[f].size(); ++bin) {
          counts.features[f][bin] += copy[offsets_[f] + bin];
        }
      }
      for (size_t bin = 0; bin < counts.score.size() && bin < kMaxHistogramBins; ++bin) {
        counts.score[bin] += copy[score_offset_ + bin];
      }
    }
  }
  return counts;
}

std::vector<DriftComparison> CompareFeatures(const DriftReference& reference,
                                             const DriftMonitor::Counts& counts) {
  std::vector<DriftComparison> comparisons;
  for (size_t f = 0; f < reference.features.size() && f < counts.features.size(); ++f) {
    comparisons.push_back(Compare(reference.features[f], counts.features[f]));
  }
  return comparisons;
}

DriftComparison CompareScore(const DriftReference& reference, const DriftMonitor::Counts& counts) {
  return Compare(reference.score, counts.score);
}

std::string DriftPrometheus(const DriftReference& reference, const DriftMonitor::Counts& counts) {
  std::string out;
  out +=
      "# HELP leadscore_drift_window_scores Leads scored in the drift window for the serving "
      "model.\n# TYPE leadscore_drift_window_scores gauge\n";
  out += fmt::format("leadscore_drift_window_scores {}\n", counts.leads);
  out +=
      "# HELP leadscore_feature_psi Population stability index of a feature in the drift "
      "window against the model's training reference (NaN: nothing scored).\n"
      "# TYPE leadscore_feature_psi gauge\n";
  for (const DriftComparison& comparison : CompareFeatures(reference, counts)) {
    out += fmt::format("leadscore_feature_psi{{feature=\"{}\"}} {}\n", comparison.reference->name,
                       Gauge(comparison.psi));
  }
  out +=
      "# HELP leadscore_score_psi Population stability index of the served score in the drift "
      "window against the model's reference (NaN: nothing scored).\n"
      "# TYPE leadscore_score_psi gauge\n";
  out += fmt::format("leadscore_score_psi {}\n", Gauge(CompareScore(reference, counts).psi));
  return out;
}

nlohmann::ordered_json DriftReportJson(const DriftReference& reference,
                                       const DriftMonitor::Counts& counts,
                                       std::chrono::seconds window,
                                       const std::string& model_version) {
  nlohmann::ordered_json out;
  out["model_version"] = model_version;
  out["window_seconds"] = window.count();
  out["leads"] = counts.leads;
  out["thresholds"] = {{"watch", kPsiWatch}, {"alert", kPsiAlert}};
  out["features"] = nlohmann::ordered_json::array();
  for (const DriftComparison& comparison : CompareFeatures(reference, counts)) {
    out["features"].push_back(ComparisonJson(comparison));
  }
  out["score"] = ComparisonJson(CompareScore(reference, counts));
  return out;
}

}  // namespace leadscore::serve
