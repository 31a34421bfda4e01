#include "serve/server_metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <map>

namespace leadscore::serve {
namespace {

constexpr std::array<const char*, kRouteCount> kRouteLabels = {
    "/score",       "/score/batch",    "/health",         "/ready", "/model",
    "/model/drift", "/metrics",        "/openapi.json",   "/docs",  "/admin/reload",
    "/dashboard",   "/dashboard/data", "/dashboard/live", "other"};

// Prometheus label values escape backslash, double quote and newline.
std::string EscapeLabel(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void AddDouble(std::atomic<double>& sum, double value) {
  sum.store(sum.load(std::memory_order_relaxed) + value, std::memory_order_relaxed);
}

template <size_t N>
size_t BucketIndex(const std::array<double, N>& bounds, double value) {
  return static_cast<size_t>(std::lower_bound(bounds.begin(), bounds.end(), value) -
                             bounds.begin());
}

// Cumulative "le" buckets, _sum and _count of one histogram series.
template <size_t N>
void RenderHistogram(std::string& out, const char* name, const std::string& labels,
                     const std::array<double, N>& bounds, const std::array<uint64_t, N + 1>& counts,
                     double sum) {
  const std::string sep = labels.empty() ? "" : ",";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < N; ++i) {
    cumulative += counts[i];
    out += fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep, bounds[i], cumulative);
  }
  cumulative += counts[N];
  out += fmt::format("{}_bucket{{{}{}le=\"+Inf\"}} {}\n", name, labels, sep, cumulative);
  const std::string braces = labels.empty() ? "" : "{" + labels + "}";
  out += fmt::format("{}_sum{} {}\n{}_count{} {}\n", name, braces, sum, name, braces, cumulative);
}

}  // namespace

const char* RouteLabel(Route route) { return kRouteLabels[static_cast<size_t>(route)]; }

void MetricsShard::CountRequest(Route route, int status, double seconds) {
  RouteCounters& counters = routes_[static_cast<size_t>(route)];
  for (size_t i = 0; i < kStatusSlots; ++i) {
    const int slot_status = counters.status[i].load(std::memory_order_relaxed);
    if (slot_status == 0) {
      // Count before publishing the slot, so a reader never sees a status with no request.
      Add(counters.count[i]);
      counters.status[i].store(status, std::memory_order_release);
      break;
    }
    if (slot_status == status) {
      Add(counters.count[i]);
      break;
    }
  }  // more than kStatusSlots distinct statuses on one route: the rest go uncounted
  Add(counters.latency[BucketIndex(kLatencyBuckets, seconds)]);
  AddDouble(counters.latency_sum, seconds);
}

void MetricsShard::CountScore(double score, bool high) {
  Add(scores_[BucketIndex(kScoreBuckets, score)]);
  AddDouble(score_sum_, score);
  if (high) Add(high_);
}

ServerMetrics::ServerMetrics(size_t shards) {
  shards_.reserve(shards + 1);
  for (size_t i = 0; i < shards + 1; ++i) {
    shards_.push_back(std::make_unique<MetricsShard>());
  }
}

void ServerMetrics::CountDeferred(Route route, int status, double seconds) {
  std::lock_guard lock(deferred_mutex_);
  shards_.back()->CountRequest(route, status, seconds);
}

void ServerMetrics::CountReload(bool succeeded) {
  (succeeded ? reloads_ok_ : reloads_failed_).fetch_add(1, std::memory_order_relaxed);
}

void ServerMetrics::SetModel(const std::string& version, const std::string& feature_set) {
  std::lock_guard lock(model_mutex_);
  model_version_ = version;
  feature_set_ = feature_set;
}

double HistogramQuantile(const std::array<uint64_t, kLatencyBuckets.size() + 1>& buckets,
                         double quantile) {
  uint64_t total = 0;
  for (uint64_t count : buckets) total += count;
  if (total == 0) return std::numeric_limits<double>::quiet_NaN();
  const double rank = quantile * static_cast<double>(total);
  uint64_t below = 0;
  for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
    const uint64_t in_bucket = buckets[i];
    if (static_cast<double>(below + in_bucket) >= rank && in_bucket > 0) {
      const double lower = i == 0 ? 0.0 : kLatencyBuckets[i - 1];
      const double fraction = (rank - static_cast<double>(below)) / static_cast<double>(in_bucket);
      return lower + (kLatencyBuckets[i] - lower) * std::clamp(fraction, 0.0, 1.0);
    }
    below += in_bucket;
  }
  return kLatencyBuckets.back();
}

ServerMetrics::Totals ServerMetrics::Sum() const {
  Totals totals;
  constexpr std::array kScoringRoutes = {Route::kScore, Route::kScoreBatch};
  for (const auto& shard : shards_) {
    for (const auto& route : shard->routes_) {
      for (const auto& count : route.count)
        totals.requests += count.load(std::memory_order_relaxed);
    }
    for (Route scoring : kScoringRoutes) {
      const auto& route = shard->routes_[static_cast<size_t>(scoring)];
      for (size_t b = 0; b < totals.score_latency.size(); ++b) {
        const uint64_t count = route.latency[b].load(std::memory_order_relaxed);
        totals.score_latency[b] += count;
        totals.score_requests += count;
      }
    }
    for (const auto& bucket : shard->scores_)
      totals.scored += bucket.load(std::memory_order_relaxed);
    totals.high += shard->high_.load(std::memory_order_relaxed);
  }
  return totals;
}

std::string ServerMetrics::RenderPrometheus() const {
  std::string out;
  out.reserve(16384);

  // Requests by route and status, summed over shards.
  std::map<std::pair<size_t, int>, uint64_t> requests;
  std::array<std::array<uint64_t, kLatencyBuckets.size() + 1>, kRouteCount> latency{};
  std::array<double, kRouteCount> latency_sum{};
  std::array<uint64_t, kScoreBuckets.size() + 1> scores{};
  double score_sum = 0.0;
  uint64_t high = 0;
  for (const auto& shard : shards_) {
    for (size_t r = 0; r < kRouteCount; ++r) {
      const auto& route = shard->routes_[r];
      for (size_t i = 0; i < MetricsShard::kStatusSlots; ++i) {
        const int status = route.status[i].load(std::memory_order_acquire);
        if (status == 0) break;
        requests[{r, status}] += route.count[i].load(std::memory_order_relaxed);
      }
      for (size_t b = 0; b < latency[r].size(); ++b) {
        latency[r][b] += route.latency[b].load(std::memory_order_relaxed);
      }
      latency_sum[r] += route.latency_sum.load(std::memory_order_relaxed);
    }
    for (size_t b = 0; b < scores.size(); ++b) {
      scores[b] += shard->scores_[b].load(std::memory_order_relaxed);
    }
    score_sum += shard->score_sum_.load(std::memory_order_relaxed);
    high += shard->high_.load(std::memory_order_relaxed);
  }

  out +=
      "# HELP leadscore_http_requests_total HTTP requests answered by the application, by route "
      "and status.\n# TYPE leadscore_http_requests_total counter\n";
  for (const auto& [key, count] : requests) {
    out += fmt::format("leadscore_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n",
                       kRouteLabels[key.first], key.second, count);
  }

  out +=
      "# HELP leadscore_http_request_duration_seconds Time from a parsed request to its "
      "response, by route.\n# TYPE leadscore_http_request_duration_seconds histogram\n";
  for (size_t r = 0; r < kRouteCount; ++r) {
    uint64_t total = 0;
    for (uint64_t c : latency[r]) total += c;
    if (total == 0) continue;
    RenderHistogram(out, "leadscore_http_request_duration_seconds",
                    fmt::format("route=\"{}\"", kRouteLabels[r]), kLatencyBuckets, latency[r],
                    latency_sum[r]);
  }

  out +=
      "# HELP leadscore_score Calibrated scores served (single and batch).\n"
      "# TYPE leadscore_score histogram\n";
  RenderHistogram(out, "leadscore_score", "", kScoreBuckets, scores, score_sum);

  out +=
      "# HELP leadscore_high_labels_total Leads labelled high (score above the model's "
      "threshold).\n# TYPE leadscore_high_labels_total counter\n";
  out += fmt::format("leadscore_high_labels_total {}\n", high);

  out +=
      "# HELP leadscore_model_reloads_total Model reloads (POST /admin/reload, SIGHUP) by "
      "result.\n# TYPE leadscore_model_reloads_total counter\n";
  out += fmt::format("leadscore_model_reloads_total{{result=\"ok\"}} {}\n",
                     reloads_ok_.load(std::memory_order_relaxed));
  out += fmt::format("leadscore_model_reloads_total{{result=\"error\"}} {}\n",
                     reloads_failed_.load(std::memory_order_relaxed));

  out +=
      "# HELP leadscore_model_info The model being served (value 1).\n"
      "# TYPE leadscore_model_info gauge\n";
  {
    std::lock_guard lock(model_mutex_);
    if (!model_version_.empty()) {
      out += fmt::format("leadscore_model_info{{model_version=\"{}\",feature_set=\"{}\"}} 1\n",
                         EscapeLabel(model_version_), EscapeLabel(feature_set_));
    }
  }
  return out;
}

}  // namespace leadscore::serve
