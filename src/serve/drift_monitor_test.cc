#include "serve/drift_monitor.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>
#include <vector>

#include "tests/learnable_leads.h"

namespace leadscore::serve {
namespace {

using std::chrono::seconds;
using Clock = DriftMonitor::Clock;

// Times on a made-up clock: the monitor only reads the time points it is given.
Clock::time_point At(double s) {
  return Clock::time_point(
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s)));
}

struct Fixture {
  LearnableLeads leads = MakeLearnableLeads(600, 5);
  DriftReference reference;
  Fixture() {
    std::vector<size_t> rows(leads.table.rows());
    std::iota(rows.begin(), rows.end(), 0);
    reference = BuildDriftReference(leads.table, rows, leads.truth);
  }
  // Row `row` of the table as a request's LeadValues.
  std::vector<double> Values(size_t row) const {
    std::vector<double> values;
    for (const FeatureColumn& column : leads.table.columns) {
      values.push_back(column.feature->type == FeatureType::kCategory
                           ? static_cast<double>(column.categories[row])
                           : column.numbers[row]);
    }
    return values;
  }
  void RecordAll(DriftMonitor::Shard& shard, Clock::time_point now, uint64_t generation) const {
    for (size_t row = 0; row < leads.table.rows(); ++row) {
      shard.Record(now, generation, reference, Values(row), leads.truth[row]);
    }
  }
};

TEST(DriftMonitor, TheReferenceRowsThemselvesHaveNoDrift) {
  const Fixture f;
  DriftMonitor monitor(2, FeatureSpec::Builtin(), seconds(60));
  f.RecordAll(monitor.shard(0), At(100), 1);
  f.RecordAll(monitor.shard(1), At(100.5), 1);
  const DriftMonitor::Counts counts = monitor.Window(At(101), 1, f.reference);
  EXPECT_EQ(counts.leads, 1200U);
  for (const DriftComparison& feature : CompareFeatures(f.reference, counts)) {
    EXPECT_NEAR(feature.psi, 0.0, 1e-12) << feature.reference->name;
  }
  EXPECT_NEAR(CompareScore(f.reference, counts).psi, 0.0, 1e-12);
}

TEST(DriftMonitor, ShiftedPageViewsDriftWhileOtherFeaturesDoNot) {
  const Fixture f;
  DriftMonitor monitor(1, FeatureSpec::Builtin(), seconds(60));
  for (size_t row = 0; row < f.leads.table.rows(); ++row) {
    std::vector<double> values = f.Values(row);
    values[2] *= 5;  // page_views
    monitor.shard(0).Record(At(10), 1, f.reference, values, f.leads.truth[row]);
  }
  const auto features = CompareFeatures(f.reference, monitor.Window(At(10), 1, f.reference));
  EXPECT_GT(features[2].psi, kPsiAlert);
  EXPECT_NEAR(features[3].psi, 0.0, 1e-12);  // is_first_visit
}

TEST(DriftMonitor, SlotsOlderThanTheWindowStopCounting) {
  const Fixture f;
  // 60 s window: 60 slots of 1 s.
  DriftMonitor monitor(1, FeatureSpec::Builtin(), seconds(60));
  const std::vector<double> values = f.Values(0);
  monitor.shard(0).Record(At(1000.2), 1, f.reference, values, 0.1);
  monitor.shard(0).Record(At(1030.7), 1, f.reference, values, 0.1);
  EXPECT_EQ(monitor.Window(At(1031), 1, f.reference).leads, 2U);
  EXPECT_EQ(monitor.Window(At(1059.9), 1, f.reference).leads, 2U);  // slot 1000 is the oldest
  EXPECT_EQ(monitor.Window(At(1060.1), 1, f.reference).leads, 1U);  // slot 1000 left
  EXPECT_EQ(monitor.Window(At(1091), 1, f.reference).leads, 0U);
}

TEST(DriftMonitor, ReusingASlotResetsIt) {
  const Fixture f;
  DriftMonitor monitor(1, FeatureSpec::Builtin(), seconds(60));
  const std::vector<double> values = f.Values(0);
  for (int i = 0; i < 5; ++i) monitor.shard(0).Record(At(5), 1, f.reference, values, 0.1);
  // 60 s later the same ring slot serves a new time index: the 5 old leads are gone.
  monitor.shard(0).Record(At(65), 1, f.reference, values, 0.1);
  EXPECT_EQ(monitor.Window(At(65), 1, f.reference).leads, 1U);
}

TEST(DriftMonitor, ANewModelGenerationStartsAFreshWindow) {
  const Fixture f;
  DriftMonitor monitor(1, FeatureSpec::Builtin(), seconds(60));
  const std::vector<double> values = f.Values(0);
  for (int i = 0; i < 3; ++i) monitor.shard(0).Record(At(5), 1, f.reference, values, 0.1);
  EXPECT_EQ(monitor.Window(At(6), 2, f.reference).leads, 0U);  // generation 2 saw nothing
  monitor.shard(0).Record(At(6), 2, f.reference, values, 0.1);
  EXPECT_EQ(monitor.Window(At(6), 2, f.reference).leads, 1U);
  // The same slot, reused for generation 2: generation 1's count there is reset.
  monitor.shard(0).Record(At(5.5), 2, f.reference, values, 0.1);
  EXPECT_EQ(monitor.Window(At(6), 1, f.reference).leads, 0U);
  EXPECT_EQ(monitor.Window(At(6), 2, f.reference).leads, 2U);
}

TEST(DriftMonitor, AZeroWindowRecordsNothing) {
  const Fixture f;
  DriftMonitor monitor(1, FeatureSpec::Builtin(), seconds(0));
  EXPECT_FALSE(monitor.enabled());
  monitor.shard(0).Record(At(5), 1, f.reference, f.Values(0), 0.1);
  const DriftMonitor::Counts counts = monitor.Window(At(5), 1, f.reference);
  EXPECT_EQ(counts.leads, 0U);
  EXPECT_TRUE(std::isnan(CompareScore(f.reference, counts).psi));
}

TEST(DriftPrometheus, ExportsEveryFeaturePsiTheScorePsiAndTheWindowCount) {
  const Fixture f;
  DriftMonitor monitor(1, FeatureSpec::Builtin(), seconds(60));
  const std::string empty = DriftPrometheus(f.reference, monitor.Window(At(1), 1, f.reference));
  EXPECT_NE(empty.find("leadscore_drift_window_scores 0\n"), std::string::npos) << empty;
  EXPECT_NE(empty.find("leadscore_score_psi NaN\n"), std::string::npos) << empty;
  f.RecordAll(monitor.shard(0), At(1), 1);
  const std::string text = DriftPrometheus(f.reference, monitor.Window(At(1), 1, f.reference));
  EXPECT_NE(text.find("leadscore_drift_window_scores 600\n"), std::string::npos) << text;
  for (const Feature& feature : FeatureSpec::Builtin().features) {
    EXPECT_NE(text.find("leadscore_feature_psi{feature=\"" + feature.name + "\"} 0\n"),
              std::string::npos)
        << text;
  }
  EXPECT_NE(text.find("leadscore_score_psi 0\n"), std::string::npos) << text;
}

TEST(DriftReportJson, ListsBinsWithSharesAndTheTopShifts) {
  const Fixture f;
  DriftMonitor monitor(1, FeatureSpec::Builtin(), seconds(3600));
  const Feature& channel = *FeatureSpec::Builtin().Find("channel");
  for (size_t row = 0; row < f.leads.table.rows(); ++row) {
    std::vector<double> values = f.Values(row);
    if (row % 2 == 0) values[4] = CategoryIndex(channel, "Paid Social");  // a surge
    monitor.shard(0).Record(At(1), 1, f.reference, values, f.leads.truth[row]);
  }
  const nlohmann::ordered_json report =
      DriftReportJson(f.reference, monitor.Window(At(2), 1, f.reference), seconds(3600), "v7");
  EXPECT_EQ(report["model_version"], "v7");
  EXPECT_EQ(report["window_seconds"], 3600);
  EXPECT_EQ(report["leads"], 600);
  ASSERT_EQ(report["features"].size(), 7U);  // every spec feature, recency included
  const auto& drifted = report["features"][4];
  EXPECT_EQ(drifted["name"], "channel");
  EXPECT_EQ(drifted["status"], "alert");
  EXPECT_EQ(drifted["bins"].size(), channel.values.size());
  EXPECT_EQ(drifted["top_shifts"][0]["label"], "Paid Social");
  EXPECT_GT(drifted["top_shifts"][0]["live"].get<double>(), 0.5);
  EXPECT_EQ(report["features"][3]["status"], "ok");
  const auto empty =
      DriftReportJson(f.reference, monitor.Window(At(9000), 1, f.reference), seconds(3600), "v7");
  EXPECT_TRUE(empty["score"]["psi"].is_null());
  EXPECT_EQ(empty["score"]["status"], "no data");
  EXPECT_TRUE(empty["score"]["top_shifts"].empty());
}

}  // namespace
}  // namespace leadscore::serve
