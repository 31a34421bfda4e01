#include "serve/server_metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>

namespace leadscore::serve {
namespace {

bool Contains(const std::string& text, const std::string& line) {
  return text.find(line) != std::string::npos;
}

TEST(ServerMetrics, CountsRequestsByRouteAndStatusAcrossShards) {
  ServerMetrics metrics(2);
  metrics.Shard(0).CountRequest(Route::kScore, 200, 0.0001);
  metrics.Shard(1).CountRequest(Route::kScore, 200, 0.0001);
  metrics.Shard(1).CountRequest(Route::kScore, 422, 0.0001);
  metrics.CountDeferred(Route::kAdminReload, 500, 0.2);
  const std::string text = metrics.RenderPrometheus();
  EXPECT_TRUE(Contains(text, "leadscore_http_requests_total{route=\"/score\",status=\"200\"} 2\n"));
  EXPECT_TRUE(Contains(text, "leadscore_http_requests_total{route=\"/score\",status=\"422\"} 1\n"));
  EXPECT_TRUE(
      Contains(text, "leadscore_http_requests_total{route=\"/admin/reload\",status=\"500\"} 1\n"));
  EXPECT_EQ(metrics.Sum().requests, 4U);
}

TEST(ServerMetrics, LatencyHistogramIsCumulative) {
  ServerMetrics metrics(1);
  metrics.Shard(0).CountRequest(Route::kScore, 200, 0.00004);  // <= 50 µs
  metrics.Shard(0).CountRequest(Route::kScore, 200, 0.003);    // <= 5 ms
  metrics.Shard(0).CountRequest(Route::kScore, 200, 7.0);      // +Inf only
  const std::string text = metrics.RenderPrometheus();
  const std::string prefix = "leadscore_http_request_duration_seconds_bucket{route=\"/score\",";
  EXPECT_TRUE(Contains(text, prefix + "le=\"2.5e-05\"} 0\n")) << text;
  EXPECT_TRUE(Contains(text, prefix + "le=\"5e-05\"} 1\n"));
  EXPECT_TRUE(Contains(text, prefix + "le=\"0.005\"} 2\n"));
  EXPECT_TRUE(Contains(text, prefix + "le=\"1\"} 2\n"));
  EXPECT_TRUE(Contains(text, prefix + "le=\"+Inf\"} 3\n"));
  EXPECT_TRUE(
      Contains(text, "leadscore_http_request_duration_seconds_count{route=\"/score\"} 3\n"));
}

TEST(ServerMetrics, ScoresHighLabelsReloadsAndModelInfo) {
  ServerMetrics metrics(1);
  metrics.Shard(0).CountScore(0.05, false);
  metrics.Shard(0).CountScore(0.85, true);
  metrics.CountReload(true);
  metrics.CountReload(false);
  metrics.CountReload(false);
  metrics.SetModel("7", "base+channel");
  const std::string text = metrics.RenderPrometheus();
  EXPECT_TRUE(Contains(text, "leadscore_score_bucket{le=\"0.1\"} 1\n"));
  EXPECT_TRUE(Contains(text, "leadscore_score_bucket{le=\"0.8\"} 1\n"));
  EXPECT_TRUE(Contains(text, "leadscore_score_bucket{le=\"0.9\"} 2\n"));
  EXPECT_TRUE(Contains(text, "leadscore_score_count 2\n"));
  EXPECT_TRUE(Contains(text, "leadscore_high_labels_total 1\n"));
  EXPECT_TRUE(Contains(text, "leadscore_model_reloads_total{result=\"ok\"} 1\n"));
  EXPECT_TRUE(Contains(text, "leadscore_model_reloads_total{result=\"error\"} 2\n"));
  EXPECT_TRUE(
      Contains(text, "leadscore_model_info{model_version=\"7\",feature_set=\"base+channel\"} 1\n"));
  EXPECT_EQ(metrics.Sum().scored, 2U);
  EXPECT_EQ(metrics.Sum().high, 1U);
}

TEST(ServerMetrics, SumHasTheScoringRoutesLatencyOnly) {
  ServerMetrics metrics(2);
  metrics.Shard(0).CountRequest(Route::kScore, 200, 0.00004);        // bucket 1 (<= 50 µs)
  metrics.Shard(1).CountRequest(Route::kScoreBatch, 200, 0.003);     // bucket 7 (<= 5 ms)
  metrics.Shard(1).CountRequest(Route::kDashboardLive, 200, 0.003);  // not a scoring route
  const ServerMetrics::Totals totals = metrics.Sum();
  EXPECT_EQ(totals.requests, 3U);
  EXPECT_EQ(totals.score_requests, 2U);
  EXPECT_EQ(totals.score_latency[1], 1U);
  EXPECT_EQ(totals.score_latency[7], 1U);
}

TEST(HistogramQuantile, InterpolatesInsideTheBucketWhereTheRankFalls) {
  std::array<uint64_t, kLatencyBuckets.size() + 1> buckets{};
  EXPECT_TRUE(std::isnan(HistogramQuantile(buckets, 0.99)));
  buckets[0] = 100;  // 100 requests in (0, 25 µs]
  EXPECT_DOUBLE_EQ(HistogramQuantile(buckets, 0.5), 12.5e-6);
  buckets[5] = 100;  // and 100 in (500 µs, 1 ms]: p99 is rank 198, 98 % into that bucket
  EXPECT_NEAR(HistogramQuantile(buckets, 0.99), 500e-6 + 0.98 * 500e-6, 1e-12);
  buckets[kLatencyBuckets.size()] = 1000;  // mostly beyond the last bound
  EXPECT_DOUBLE_EQ(HistogramQuantile(buckets, 0.99), kLatencyBuckets.back());
}

TEST(ServerMetrics, EscapesLabelValues) {
  ServerMetrics metrics(1);
  metrics.SetModel("a\"b\\c\nd", "base");
  EXPECT_TRUE(Contains(metrics.RenderPrometheus(), "model_version=\"a\\\"b\\\\c\\nd\""));
}

TEST(ServerMetrics, ScrapingWhileWorkersCountNeverLosesTheirCounts) {
  ServerMetrics metrics(2);
  std::vector<std::thread> workers;
  for (size_t w = 0; w < 2; ++w) {
    workers.emplace_back([&metrics, w] {
      for (int i = 0; i < 20000; ++i) metrics.Shard(w).CountRequest(Route::kScore, 200, 1e-4);
    });
  }
  for (int i = 0; i < 50; ++i) metrics.RenderPrometheus();  // concurrent reads
  for (auto& worker : workers) worker.join();
  EXPECT_EQ(metrics.Sum().requests, 40000U);
}

}  // namespace
}  // namespace leadscore::serve
