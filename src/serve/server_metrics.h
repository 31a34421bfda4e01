// The scoring server's Prometheus metrics: requests by route and status, request latency and
// served-score histograms, high labels, reloads and the serving model's version.
//
// Recording is lock-free and cheap enough for every request: each server worker thread owns
// one shard (Shard(i)), only that thread writes it (relaxed atomic stores, no read-modify-write
// contention), and RenderPrometheus() sums the shards while they are being written. Counts
// therefore never go backwards, though a scrape may miss a request that is finishing.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace leadscore::serve {

// The server's routes as metric labels; kOther covers unknown paths (404s).
enum class Route {
  kScore,
  kScoreBatch,
  kHealth,
  kReady,
  kModel,
  kModelDrift,
  kMetrics,
  kOpenApi,
  kDocs,
  kAdminReload,
  kDashboard,  // the page and its assets
  kDashboardData,
  kDashboardLive,
  kOther,
};
inline constexpr size_t kRouteCount = static_cast<size_t>(Route::kOther) + 1;
const char* RouteLabel(Route route);  // "/score", ..., "other"

// Upper bounds (seconds) of the latency histogram's buckets; +Inf is implicit.
inline constexpr std::array<double, 14> kLatencyBuckets = {25e-6, 50e-6,  100e-6, 250e-6, 500e-6,
                                                           1e-3,  2.5e-3, 5e-3,   10e-3,  25e-3,
                                                           50e-3, 100e-3, 0.5,    1.0};
// The latency below which `quantile` (0..1) of the requests counted in `buckets` (per bucket,
// not cumulative, last +Inf) finished: the upper bound of the bucket where that rank falls,
// interpolated linearly inside it as Prometheus' histogram_quantile does. NaN when empty;
// the last finite bound when the rank falls in +Inf.
double HistogramQuantile(const std::array<uint64_t, kLatencyBuckets.size() + 1>& buckets,
                         double quantile);

// Upper bounds of the served-score histogram's buckets; +Inf is implicit.
inline constexpr std::array<double, 10> kScoreBuckets = {0.1, 0.2, 0.3, 0.4, 0.5,
                                                         0.6, 0.7, 0.8, 0.9, 1.0};

class MetricsShard {
 public:
  // Only the owning thread may call these.
  void CountRequest(Route route, int status, double seconds);
  void CountScore(double score, bool high);

 private:
  friend class ServerMetrics;
  static constexpr size_t kStatusSlots = 16;  // distinct status codes seen per route
  struct RouteCounters {
    std::array<std::atomic<int>, kStatusSlots> status{};  // 0 = free slot
    std::array<std::atomic<uint64_t>, kStatusSlots> count{};
    std::array<std::atomic<uint64_t>, kLatencyBuckets.size() + 1> latency{};  // last: +Inf
    std::atomic<double> latency_sum{0.0};
  };
  static void Add(std::atomic<uint64_t>& counter) {
    counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  std::array<RouteCounters, kRouteCount> routes_;
  std::array<std::atomic<uint64_t>, kScoreBuckets.size() + 1> scores_{};
  std::atomic<double> score_sum_{0.0};
  std::atomic<uint64_t> high_{0};
};

class ServerMetrics {
 public:
  explicit ServerMetrics(size_t shards);

  // The shard of worker `index` (< shards). Its address is stable.
  MetricsShard& Shard(size_t index) { return *shards_[index]; }

  // Thread-safe, for responses sent off the worker threads (deferred ones, e.g. a reload).
  void CountDeferred(Route route, int status, double seconds);
  // Thread-safe.
  void CountReload(bool succeeded);
  void SetModel(const std::string& version, const std::string& feature_set);

  // The Prometheus text exposition format (version 0.0.4). Thread-safe.
  std::string RenderPrometheus() const;

  // Counters summed over the shards, for the dashboard's live figures (GET /dashboard/live).
  // Thread-safe; like a scrape, it may miss a request that is finishing.
  struct Totals {
    uint64_t requests = 0;
    uint64_t scored = 0;  // leads scored through /score and /score/batch
    uint64_t high = 0;
    uint64_t score_requests = 0;  // requests answered on /score and /score/batch
    // Their latency histogram: count per kLatencyBuckets bucket (not cumulative), last +Inf.
    std::array<uint64_t, kLatencyBuckets.size() + 1> score_latency{};
  };
  Totals Sum() const;

 private:
  std::vector<std::unique_ptr<MetricsShard>> shards_;  // the last one is CountDeferred's
  std::mutex deferred_mutex_;                          // its single-writer rule, by lock
  std::atomic<uint64_t> reloads_ok_{0}, reloads_failed_{0};
  mutable std::mutex model_mutex_;
  std::string model_version_, feature_set_;
};

}  // namespace leadscore::serve
