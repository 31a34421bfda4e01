#include "metrics/classification.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace leadscore {
namespace {

ThresholdMetrics At(const std::vector<double>& scores, const std::vector<int>& labels,
                    double threshold) {
  return AtThreshold(scores, labels, threshold);
}

void ExpectCounts(const ThresholdMetrics& m, int64_t tp, int64_t fp, int64_t tn, int64_t fn) {
  EXPECT_EQ(m.true_positives, tp);
  EXPECT_EQ(m.false_positives, fp);
  EXPECT_EQ(m.true_negatives, tn);
  EXPECT_EQ(m.false_negatives, fn);
}

// ---- AtThreshold ---------------------------------------------------------------------------

TEST(ClassificationMetrics, AtThresholdHandComputedConfusionMatrix) {
  // score: 0.9 0.85 0.7 0.6 0.3 0.2 0.95 0.1
  // label:   1    0   1   0   0   1    1   0
  // > 0.8:   TP   FP  FN  TN  TN  FN   TP  TN  -> TP 2, FP 1, TN 3, FN 2
  // accuracy 5/8; precision 2/3; recall 2/4; F1 = 2(2/3)(1/2) / (2/3 + 1/2) = 4/7.
  const auto m = At({0.9, 0.85, 0.7, 0.6, 0.3, 0.2, 0.95, 0.1}, {1, 0, 1, 0, 0, 1, 1, 0}, 0.8);
  ExpectCounts(m, 2, 1, 3, 2);
  EXPECT_EQ(m.threshold, 0.8);
  EXPECT_DOUBLE_EQ(m.accuracy, 5.0 / 8.0);
  EXPECT_DOUBLE_EQ(m.precision, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.recall, 0.5);
  EXPECT_DOUBLE_EQ(m.f1, 4.0 / 7.0);

  // Same leads at 0.65: 0.7 becomes a TP. TP 3, FP 1, TN 3, FN 1: everything 3/4.
  const auto lower = At({0.9, 0.85, 0.7, 0.6, 0.3, 0.2, 0.95, 0.1}, {1, 0, 1, 0, 0, 1, 1, 0}, 0.65);
  ExpectCounts(lower, 3, 1, 3, 1);
  EXPECT_DOUBLE_EQ(lower.accuracy, 0.75);
  EXPECT_DOUBLE_EQ(lower.precision, 0.75);
  EXPECT_DOUBLE_EQ(lower.recall, 0.75);
  EXPECT_DOUBLE_EQ(lower.f1, 0.75);
}

TEST(ClassificationMetrics, AtThresholdScoreExactlyAtTheThresholdIsNotPositive) {
  // 0.8 is not > 0.8: the positive at 0.8 is a FN and the negative at 0.8 a TN; only 0.81 is
  // predicted positive. TP 1, FP 0, TN 2, FN 1: precision 1, recall 1/2, F1 2/3, accuracy 3/4.
  const auto m = At({0.8, 0.8, 0.81, 0.79}, {1, 0, 1, 0}, 0.8);
  ExpectCounts(m, 1, 0, 2, 1);
  EXPECT_DOUBLE_EQ(m.precision, 1.0);
  EXPECT_DOUBLE_EQ(m.recall, 0.5);
  EXPECT_DOUBLE_EQ(m.f1, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(m.accuracy, 0.75);
}

TEST(ClassificationMetrics, AtThresholdNoPredictedPositivesHasPrecisionZero) {
  // Nothing is > 1.0, not even the score of exactly 1. TP 0, FP 0, TN 1, FN 2.
  // precision = 0/0 -> 0 by the documented rule; recall 0/2 = 0; F1 0; accuracy 1/3.
  const auto m = At({0.2, 1.0, 0.4}, {1, 1, 0}, 1.0);
  ExpectCounts(m, 0, 0, 1, 2);
  EXPECT_EQ(m.precision, 0.0);
  EXPECT_EQ(m.recall, 0.0);
  EXPECT_EQ(m.f1, 0.0);
  EXPECT_DOUBLE_EQ(m.accuracy, 1.0 / 3.0);
}

TEST(ClassificationMetrics, AtThresholdAllNegatives) {
  // No positives at all. At 0.5 the 0.9 is a FP: precision 0/1 = 0, recall 0/0 -> 0, F1 0,
  // accuracy 2/3.
  const auto m = At({0.1, 0.9, 0.5}, {0, 0, 0}, 0.5);
  ExpectCounts(m, 0, 1, 2, 0);
  EXPECT_EQ(m.precision, 0.0);
  EXPECT_EQ(m.recall, 0.0);
  EXPECT_EQ(m.f1, 0.0);
  EXPECT_DOUBLE_EQ(m.accuracy, 2.0 / 3.0);

  // At 0.95 every lead is a TN: accuracy 1 while precision, recall and F1 stay 0.
  const auto all_right = At({0.1, 0.9, 0.5}, {0, 0, 0}, 0.95);
  ExpectCounts(all_right, 0, 0, 3, 0);
  EXPECT_EQ(all_right.accuracy, 1.0);
  EXPECT_EQ(all_right.precision, 0.0);
  EXPECT_EQ(all_right.recall, 0.0);
  EXPECT_EQ(all_right.f1, 0.0);
}

TEST(ClassificationMetrics, AtThresholdPerfectSeparation) {
  const auto m = At({0.1, 0.2, 0.85, 0.99}, {0, 0, 1, 1}, 0.8);
  ExpectCounts(m, 2, 0, 2, 0);
  EXPECT_EQ(m.accuracy, 1.0);
  EXPECT_EQ(m.precision, 1.0);
  EXPECT_EQ(m.recall, 1.0);
  EXPECT_EQ(m.f1, 1.0);
}

TEST(ClassificationMetrics, AtThresholdEmptyInputHasZeroCountsAndNaNRatios) {
  const auto m = At({}, {}, 0.8);
  ExpectCounts(m, 0, 0, 0, 0);
  EXPECT_EQ(m.threshold, 0.8);
  EXPECT_TRUE(std::isnan(m.accuracy));
  EXPECT_TRUE(std::isnan(m.precision));
  EXPECT_TRUE(std::isnan(m.recall));
  EXPECT_TRUE(std::isnan(m.f1));
}

// ---- LogLoss, Brier, PositiveRate -----------------------------------------------------------

TEST(ClassificationMetrics, LogLossHandComputed) {
  // -(ln 0.8 + ln 0.6 + ln 0.5 + ln 0.9) / 4
  //   = (0.223144 + 0.510826 + 0.693147 + 0.105361) / 4 = 0.383119217824493
  // (also sklearn.metrics.log_loss([1, 0, 1, 0], [0.8, 0.4, 0.5, 0.1])).
  const std::vector<double> p = {0.8, 0.4, 0.5, 0.1};
  const std::vector<int> y = {1, 0, 1, 0};
  EXPECT_NEAR(LogLoss(p, y), 0.383119217824493, 1e-15);
  EXPECT_DOUBLE_EQ(LogLoss(p, y),
                   -(std::log(0.8) + std::log(0.6) + std::log(0.5) + std::log(0.9)) / 4.0);
  // A coin flip costs ln 2 whatever the label.
  EXPECT_DOUBLE_EQ(LogLoss(std::vector<double>{0.5, 0.5, 0.5}, std::vector<int>{0, 1, 1}),
                   std::log(2.0));
}

TEST(ClassificationMetrics, LogLossClipsCertainMistakesToAboutMinusLnOneEMinus15) {
  // p = 0 for a positive is clipped to 1e-15 and costs -ln(1e-15) = 15 ln 10
  // = 34.538776394910684 instead of infinity. p = 1 for a negative is clipped to 1 - 1e-15,
  // whose nearest double is 1 - 9.992007221626409e-16, costing 34.53957599234088 (sklearn's
  // np.clip then 1 - p gives the same).
  EXPECT_NEAR(LogLoss(std::vector<double>{0.0}, std::vector<int>{1}), 34.538776394910684, 1e-12);
  EXPECT_NEAR(LogLoss(std::vector<double>{1.0}, std::vector<int>{0}), 34.53957599234088, 1e-12);
  // Certain and right costs -ln(1 - 1e-15) ≈ 1e-15, not exactly 0.
  const double right = LogLoss(std::vector<double>{1.0, 0.0}, std::vector<int>{1, 0});
  EXPECT_GT(right, 0.0);
  EXPECT_LT(right, 2e-15);
}

TEST(ClassificationMetrics, BrierScoreHandComputed) {
  // Errors 0.2, 0.4, 0.5, 0.1 -> (0.04 + 0.16 + 0.25 + 0.01) / 4 = 0.115.
  EXPECT_NEAR(BrierScore(std::vector<double>{0.8, 0.4, 0.5, 0.1}, std::vector<int>{1, 0, 1, 0}),
              0.115, 1e-15);
  EXPECT_EQ(BrierScore(std::vector<double>{1.0, 0.0}, std::vector<int>{1, 0}), 0.0);
  EXPECT_EQ(BrierScore(std::vector<double>{0.0, 1.0}, std::vector<int>{1, 0}), 1.0);
}

TEST(ClassificationMetrics, PositiveRateCountsOnes) {
  EXPECT_DOUBLE_EQ(PositiveRate(std::vector<int>{1, 0, 0, 1, 1}), 0.6);
  EXPECT_EQ(PositiveRate(std::vector<int>{0, 0}), 0.0);
}

TEST(ClassificationMetrics, EmptyInputGivesNaN) {
  EXPECT_TRUE(std::isnan(LogLoss({}, {})));
  EXPECT_TRUE(std::isnan(BrierScore({}, {})));
  EXPECT_TRUE(std::isnan(PositiveRate({})));
}

TEST(ClassificationMetricsDeathTest, MismatchedSizesAssertInDebugBuilds) {
#ifdef NDEBUG
  GTEST_SKIP() << "preconditions are asserted only in debug builds";
#else
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const std::vector<double> two = {0.1, 0.9};
  const std::vector<int> one = {1};
  EXPECT_DEATH(AtThreshold(two, one, 0.5), "one label");
  EXPECT_DEATH(LogLoss(two, std::vector<int>{0, 2}), "labels must be 0 or 1");
#endif
}

// ---- ReliabilityTable -------------------------------------------------------------------------

TEST(ReliabilityTable, HandComputedBinsWithAnEmptyBinAndPEqualToOne) {
  // Four bins: [0, .25) [.25, .5) [.5, .75) [.75, 1].
  //   bin 0: 0.0 (0), 0.1 (0)            -> count 2, mean 0.05, rate 0
  //   bin 1: 0.25 (1), 0.3 (0), 0.45 (1) -> count 3, mean 1/3, rate 2/3   (0.25 opens bin 1)
  //   bin 2: nothing                      -> count 0, mean 0, rate 0
  //   bin 3: 0.75 (0), 0.9 (1), 1.0 (1)  -> count 3, mean 2.65/3, rate 2/3 (1.0 is in the last)
  const std::vector<double> p = {0.0, 0.1, 0.25, 0.3, 0.45, 1.0, 0.9, 0.75};
  const std::vector<int> y = {0, 0, 1, 0, 1, 1, 1, 0};
  const auto table = ReliabilityTable(p, y, 4);
  ASSERT_EQ(table.size(), 4u);
  const double lower[] = {0.0, 0.25, 0.5, 0.75}, upper[] = {0.25, 0.5, 0.75, 1.0};
  const int64_t count[] = {2, 3, 0, 3};
  const double mean[] = {0.05, 1.0 / 3.0, 0.0, 2.65 / 3.0},
               rate[] = {0.0, 2.0 / 3.0, 0.0, 2.0 / 3.0};
  for (size_t i = 0; i < 4; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(table[i].lower, lower[i]);
    EXPECT_EQ(table[i].upper, upper[i]);
    EXPECT_EQ(table[i].count, count[i]);
    EXPECT_DOUBLE_EQ(table[i].mean_predicted, mean[i]);
    EXPECT_DOUBLE_EQ(table[i].observed_rate, rate[i]);
  }
}

TEST(ReliabilityTable, EveryEdgeOpensItsBinWhateverTheRounding) {
  // p * bins can round across an edge (0.29 * 100 == 28.999999999999996). Bin i must take
  // exactly i / bins and the double just below it must go to bin i - 1, for every bin count.
  for (int bins = 1; bins <= 100; ++bins) {
    for (int i = 1; i < bins; ++i) {
      const double edge = static_cast<double>(i) / bins;
      const std::vector<double> p = {edge, std::nextafter(edge, 0.0)};
      const auto table = ReliabilityTable(p, std::vector<int>{1, 0}, bins);
      ASSERT_EQ(table[i].count, 1) << "edge " << i << "/" << bins;
      ASSERT_EQ(table[i].observed_rate, 1.0) << "edge " << i << "/" << bins;
      ASSERT_EQ(table[i - 1].count, 1) << "below edge " << i << "/" << bins;
    }
  }
}

TEST(ReliabilityTable, DefaultsToTenBinsAndKeepsEmptyOnes) {
  const auto table =
      ReliabilityTable(std::vector<double>{0.05, 0.3, 1.0}, std::vector<int>{0, 1, 1});
  ASSERT_EQ(table.size(), 10u);
  EXPECT_EQ(table[0].count, 1);
  EXPECT_EQ(table[3].count, 1);  // 0.3 opens [0.3, 0.4)
  EXPECT_EQ(table[9].count, 1);  // 1.0 closes [0.9, 1]
  int64_t total = 0;
  for (const auto& bin : table) total += bin.count;
  EXPECT_EQ(total, 3);
  EXPECT_EQ(table[5].count, 0);
  EXPECT_EQ(table[5].mean_predicted, 0.0);
  EXPECT_EQ(table[5].observed_rate, 0.0);
  EXPECT_EQ(table[5].lower, 0.5);
  EXPECT_EQ(table[5].upper, 0.6);
}

TEST(ReliabilityTable, EmptyInputGivesEmptyBins) {
  const auto table = ReliabilityTable({}, {}, 5);
  ASSERT_EQ(table.size(), 5u);
  for (const auto& bin : table) EXPECT_EQ(bin.count, 0);
  EXPECT_EQ(table[4].upper, 1.0);
}

TEST(ReliabilityTable, CsvHasHeaderAndShortestNumbers) {
  // bin 0 [0, 0.5): 0.25 (0); bin 1 [0.5, 1]: 0.75 (1), 1.0 (0) -> mean 0.875, rate 0.5.
  const auto table =
      ReliabilityTable(std::vector<double>{0.25, 0.75, 1.0}, std::vector<int>{0, 1, 0}, 2);
  EXPECT_EQ(ReliabilityTableCsv(table),
            "bin_lower,bin_upper,count,mean_predicted,observed_rate\n"
            "0,0.5,1,0.25,0\n"
            "0.5,1,2,0.875,0.5\n");
  // Thirds print with the 16 digits that read back to the same double.
  const auto thirds = ReliabilityTable(std::vector<double>{0.1}, std::vector<int>{1}, 3);
  EXPECT_EQ(ReliabilityTableCsv(thirds),
            "bin_lower,bin_upper,count,mean_predicted,observed_rate\n"
            "0,0.3333333333333333,1,0.1,1\n"
            "0.3333333333333333,0.6666666666666666,0,0,0\n"
            "0.6666666666666666,1,0,0,0\n");
}

}  // namespace
}  // namespace leadscore
