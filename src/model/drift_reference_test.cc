#include "model/drift_reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <numeric>
#include <vector>

#include "tests/learnable_leads.h"

namespace leadscore {
namespace {

std::vector<double> Repeat(std::initializer_list<std::pair<double, int>> runs) {
  std::vector<double> values;
  for (const auto& [value, times] : runs) values.insert(values.end(), times, value);
  return values;
}

TEST(QuantileCuts, DeduplicatesTheDecilesOfDiscreteValues) {
  // 70 % ones, 20 % twos, 10 % from 3 to 12: deciles 1 (x7), 2, 2, 3...; cuts above the minimum.
  std::vector<double> values = Repeat({{1, 70}, {2, 20}, {3, 5}, {12, 5}});
  EXPECT_EQ(QuantileCuts(values, 10, true), (std::vector<double>{2, 3}));
}

TEST(QuantileCuts, AllEqualValuesStillSplitAboveTheMinimum) {
  const std::vector<double> zeros(50, 0.0);
  EXPECT_EQ(QuantileCuts(zeros, 10, true), (std::vector<double>{1}));
  const std::vector<double> scores(50, 0.25);
  const std::vector<double> cuts = QuantileCuts(scores, 10, false);
  ASSERT_EQ(cuts.size(), 1U);
  EXPECT_GT(cuts[0], 0.25);
  EXPECT_TRUE(QuantileCuts({}, 10, true).empty());
}

TEST(CountHistogram, HasAtMostTenBinsAndAnOpenLastBin) {
  std::vector<double> values(1000);
  std::iota(values.begin(), values.end(), 0.0);
  const ReferenceHistogram histogram = CountHistogram("page_views", values);
  EXPECT_EQ(histogram.bins(), 10U);
  EXPECT_EQ(histogram.cuts.front(), 100);
  EXPECT_EQ(histogram.Bin(0), 0U);
  EXPECT_EQ(histogram.Bin(99), 0U);
  EXPECT_EQ(histogram.Bin(100), 1U);
  EXPECT_EQ(histogram.Bin(1e9), 9U);  // far above training: the open last bin
  for (int64_t count : histogram.counts) EXPECT_EQ(count, 100);
}

TEST(ReferenceHistogram, LabelsCountBinsAsReadableRanges) {
  const ReferenceHistogram histogram =
      CountHistogram("sessions", Repeat({{1, 70}, {2, 20}, {3, 5}, {12, 5}}));
  ASSERT_EQ(histogram.bins(), 3U);
  EXPECT_EQ(histogram.Label(0), "0-1");
  EXPECT_EQ(histogram.Label(1), "2");
  EXPECT_EQ(histogram.Label(2), "3+");
  EXPECT_EQ(histogram.counts, (std::vector<int64_t>{70, 20, 10}));
  ReferenceHistogram wide = histogram;
  wide.cuts = {1, 4, 10};
  wide.counts = {1, 1, 1, 1};
  EXPECT_EQ(wide.Label(0), "0");
  EXPECT_EQ(wide.Label(1), "1-3");
  EXPECT_EQ(wide.Label(3), "10+");
}

TEST(ReferenceHistogram, FlagsAndCategoriesHaveOneBinPerValue) {
  const ReferenceHistogram flag = FlagHistogram("is_first_visit", Repeat({{0, 3}, {1, 1}}));
  EXPECT_EQ(flag.counts, (std::vector<int64_t>{3, 1}));
  EXPECT_EQ(flag.Label(1), "true");
  const Feature& channel = *FeatureSpec::Builtin().Find("channel");
  const ReferenceHistogram category =
      CategoryHistogram(channel, std::vector<uint16_t>{0, 0, 2, CategoryIndex(channel, "?")});
  ASSERT_EQ(category.bins(), channel.values.size());  // the unknown value included
  EXPECT_EQ(category.counts[0], 2);
  EXPECT_EQ(category.counts[CategoryIndex(channel, "Unassigned")], 1);
  EXPECT_EQ(category.Label(2), channel.values[2]);
  EXPECT_EQ(category.Bin(999), category.bins() - 1);  // out of range: never past the end
}

TEST(ScoreHistogram, CutsAtDecilesNotEqualWidth) {
  std::vector<double> scores;
  scores.reserve(1000);
  for (int i = 0; i < 1000; ++i) scores.push_back(0.2 * i / 1000.0);  // all below 0.2
  const ReferenceHistogram histogram = ScoreHistogram(scores);
  ASSERT_EQ(histogram.bins(), 10U);
  EXPECT_NEAR(histogram.cuts[0], 0.02, 1e-9);
  EXPECT_EQ(histogram.Label(0), "[0, 0.02)");
  EXPECT_EQ(histogram.Label(9), "[0.18, 1]");
  for (int64_t count : histogram.counts) EXPECT_EQ(count, 100);
}

TEST(Psi, IsZeroForTheSameSharesAndGrowsWithTheShift) {
  const std::vector<int64_t> reference = {50, 30, 20};
  EXPECT_DOUBLE_EQ(Psi(reference, std::vector<uint64_t>{500, 300, 200}), 0.0);
  // (0.3-0.5)ln(0.3/0.5) + (0.3-0.3)·0 + (0.4-0.2)ln(0.4/0.2)
  const double expected = -0.2 * std::log(0.6) + 0.2 * std::log(2.0);
  EXPECT_NEAR(Psi(reference, std::vector<uint64_t>{3, 3, 4}), expected, 1e-12);
  EXPECT_TRUE(std::isnan(Psi(reference, std::vector<uint64_t>{0, 0, 0})));
}

TEST(Psi, FloorsEmptyBinsAtEpsilon) {
  // The live side never saw bin 1: its share counts as kPsiEpsilon, not 0 (PSI stays finite).
  const double psi = Psi(std::vector<int64_t>{1, 1}, std::vector<uint64_t>{1, 0});
  const double expected =
      (1.0 - 0.5) * std::log(1.0 / 0.5) + (kPsiEpsilon - 0.5) * std::log(kPsiEpsilon / 0.5);
  EXPECT_NEAR(psi, expected, 1e-12);
  EXPECT_TRUE(std::isfinite(psi));
}

TEST(PsiStatus, FollowsTheWatchAndAlertThresholds) {
  EXPECT_STREQ(PsiStatus(0.05), "ok");
  EXPECT_STREQ(PsiStatus(0.1), "ok");
  EXPECT_STREQ(PsiStatus(0.15), "watch");
  EXPECT_STREQ(PsiStatus(0.25), "alert");
  EXPECT_STREQ(PsiStatus(std::nan("")), "no data");
}

DriftReference LearnableReference() {
  const LearnableLeads leads = MakeLearnableLeads(500, 3);
  std::vector<size_t> rows(leads.table.rows());
  std::iota(rows.begin(), rows.end(), 0);
  return BuildDriftReference(leads.table, rows, leads.truth);
}

TEST(BuildDriftReference, CoversEverySpecFeatureAndTheScore) {
  const DriftReference reference = LearnableReference();
  const FeatureSpec& spec = FeatureSpec::Builtin();
  ASSERT_EQ(reference.features.size(), spec.features.size());
  for (size_t i = 0; i < spec.features.size(); ++i) {
    EXPECT_EQ(reference.features[i].name, spec.features[i].name);
    EXPECT_EQ(std::accumulate(reference.features[i].counts.begin(),
                              reference.features[i].counts.end(), int64_t{0}),
              500);
  }
  EXPECT_EQ(reference.score.name, "score");
  EXPECT_LE(reference.score.bins(), kScoreBins);
  EXPECT_TRUE(CheckMatchesSpec(reference, spec).ok());
}

TEST(DriftReferenceJson, RoundTripsExactly) {
  const DriftReference reference = LearnableReference();
  const std::string text = DriftReferenceToJson(reference);
  auto loaded = DriftReferenceFromJson(text);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(DriftReferenceToJson(loaded.value()), text);
  ASSERT_EQ(loaded.value().features.size(), reference.features.size());
  for (size_t i = 0; i < reference.features.size(); ++i) {
    EXPECT_EQ(loaded.value().features[i].cuts, reference.features[i].cuts);
    EXPECT_EQ(loaded.value().features[i].counts, reference.features[i].counts);
    EXPECT_EQ(loaded.value().features[i].kind, reference.features[i].kind);
  }
  EXPECT_EQ(loaded.value().score.cuts, reference.score.cuts);  // doubles, bit for bit
}

TEST(DriftReferenceJson, RejectsAMalformedHistogramNamingIt) {
  nlohmann::json doc = nlohmann::json::parse(DriftReferenceToJson(LearnableReference()));
  doc["features"][0]["cuts"] = {3, 2};
  doc["features"][0]["counts"] = {1, 1, 1};
  auto loaded = DriftReferenceFromJson(doc.dump());
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("'sessions'"), std::string::npos)
      << loaded.status().message();
  EXPECT_FALSE(DriftReferenceFromJson("[]").ok());
}

TEST(CheckMatchesSpec, NamesAFeatureWhoseVocabularyDiffers) {
  DriftReference reference = LearnableReference();
  reference.features[4].values.back() = "Other";
  const Status status = CheckMatchesSpec(reference, FeatureSpec::Builtin());
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("channel"), std::string::npos) << status.message();
}

}  // namespace
}  // namespace leadscore
