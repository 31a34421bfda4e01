#include "serve/score_log.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/temp_dir_fixture.h"

namespace leadscore::serve {
namespace {

using ScoreLogTest = TempDirTest;

std::vector<nlohmann::json> Lines(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

// A lead of the builtin spec: every feature 0 (counts), false (flags), the first category.
LeadValues ZeroLead() { return LeadValues(FeatureSpec::Builtin().features.size(), 0.0); }

TEST_F(ScoreLogTest, WritesOneJsonLinePerScoreWithItsIdentityAndFeatures) {
  auto log = ScoreLog::Open({.path = dir_ / "scores.jsonl", .workers = 2}, FeatureSpec::Builtin());
  ASSERT_TRUE(log.ok()) << log.status().message();
  api::LeadIdentity identity{.lead_id = "42", .email = "ada@example.com"};
  const std::string version = "7";
  LeadValues lead = ZeroLead();
  lead[0] = 5;
  const auto at =
      std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'123));
  log.value()->shard(1).Append({.scored_at = at,
                                .identity = &identity,
                                .model_version = &version,
                                .model_test_auc = 0.74,
                                .score = 0.31,
                                .grade = 'B',
                                .values = &lead});
  identity = {.lead_id = "", .email = "bo@example.com"};
  log.value()->shard(0).Append({.scored_at = at,
                                .identity = &identity,
                                .model_version = &version,
                                .model_test_auc = std::numeric_limits<double>::quiet_NaN(),
                                .score = 0.5,
                                .values = &lead});
  log.value()->Flush();
  const auto lines = Lines(dir_ / "scores.jsonl");
  ASSERT_EQ(lines.size(), 2U);
  const nlohmann::json& second = lines[0]["email"] == "bo@example.com" ? lines[1] : lines[0];
  EXPECT_EQ(second["scored_at"], "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(second["lead_id"], "42");
  EXPECT_EQ(second["model_version"], "7");
  EXPECT_EQ(second["model_test_auc"], 0.74);
  EXPECT_EQ(second["score"], 0.31);
  EXPECT_EQ(second["grade"], "B");
  const Feature& first = FeatureSpec::Builtin().features[0];
  EXPECT_EQ(second["features"][first.name], 5);
  EXPECT_EQ(second["features"].size(), FeatureSpec::Builtin().features.size());
  const nlohmann::json& other = &second == &lines[0] ? lines[1] : lines[0];
  EXPECT_FALSE(other.contains("lead_id"));
  EXPECT_TRUE(other["model_test_auc"].is_null());
  EXPECT_TRUE(other["grade"].is_null());  // a model without grade cut points
  EXPECT_EQ(log.value()->Sum().written, 2U);
}

TEST_F(ScoreLogTest, CountsWhatAFullRingDropsInsteadOfWaiting) {
  auto log = ScoreLog::Open({.path = dir_ / "s.jsonl",
                             .workers = 1,
                             .ring_capacity = 3,
                             .flush_interval = std::chrono::hours(1)},
                            FeatureSpec::Builtin());
  ASSERT_TRUE(log.ok());
  const api::LeadIdentity identity{.lead_id = "a", .email = ""};
  const std::string version = "1";
  const LeadValues lead = ZeroLead();
  for (int i = 0; i < 5; ++i) {
    log.value()->shard(0).Append({.scored_at = std::chrono::system_clock::now(),
                                  .identity = &identity,
                                  .model_version = &version,
                                  .model_test_auc = 0.7,
                                  .score = 0.1,
                                  .values = &lead});
  }
  log.value()->Flush();
  EXPECT_EQ(Lines(dir_ / "s.jsonl").size(), 3U);
  EXPECT_EQ(log.value()->Sum().dropped_full, 2U);
  EXPECT_NE(log.value()->RenderPrometheus().find(
                "leadscore_score_log_dropped_total{reason=\"full\"} 2\n"),
            std::string::npos);
}

TEST_F(ScoreLogTest, DefaultRingHoldsAFullBatchOfIdentifiedLeads) {
  // One /score/batch of the largest size, every lead identified, lands in one worker's ring
  // before the writer runs: none may be dropped.
  auto log = ScoreLog::Open({.path = dir_ / "s.jsonl", .flush_interval = std::chrono::hours(1)},
                            FeatureSpec::Builtin());
  ASSERT_TRUE(log.ok());
  const api::LeadIdentity identity{.lead_id = "a", .email = ""};
  const std::string version = "1";
  const LeadValues lead = ZeroLead();
  for (size_t i = 0; i < api::kMaxBatchLeads; ++i) {
    log.value()->shard(0).Append({.scored_at = std::chrono::system_clock::now(),
                                  .identity = &identity,
                                  .model_version = &version,
                                  .model_test_auc = 0.7,
                                  .score = 0.1,
                                  .values = &lead});
  }
  log.value()->Flush();
  EXPECT_EQ(log.value()->Sum().written, api::kMaxBatchLeads);
  EXPECT_EQ(log.value()->Sum().dropped_full, 0U);
}

TEST_F(ScoreLogTest, WritesWhatIsLeftWhenItStops) {
  {
    auto log = ScoreLog::Open({.path = dir_ / "s.jsonl", .flush_interval = std::chrono::hours(1)},
                              FeatureSpec::Builtin());
    ASSERT_TRUE(log.ok());
    const api::LeadIdentity identity{.lead_id = "a", .email = ""};
    const std::string version = "1";
    const LeadValues lead = ZeroLead();
    log.value()->shard(0).Append({.scored_at = std::chrono::system_clock::now(),
                                  .identity = &identity,
                                  .model_version = &version,
                                  .model_test_auc = 0.7,
                                  .score = 0.1,
                                  .values = &lead});
  }
  EXPECT_EQ(Lines(dir_ / "s.jsonl").size(), 1U);
}

TEST_F(ScoreLogTest, RefusesAFileItCannotAppendToNamingIt) {
  auto log = ScoreLog::Open({.path = dir_ / "missing" / "s.jsonl"}, FeatureSpec::Builtin());
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.status().message().find("missing/s.jsonl"), std::string::npos);
  EXPECT_NE(log.status().message().find("--score-log"), std::string::npos);
}

}  // namespace
}  // namespace leadscore::serve
