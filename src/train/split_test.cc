#include "train/split.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <string>
#include <vector>

#include "datagen/random.h"

namespace leadscore {
namespace {

// `positives` ones and `negatives` zeros, shuffled deterministically.
std::vector<int> Labels(size_t positives, size_t negatives, uint64_t seed = 1) {
  std::vector<int> labels(positives, 1);
  labels.resize(positives + negatives, 0);
  Random rng(seed, 0);
  for (size_t i = labels.size(); i > 1; --i) {
    std::swap(labels[i - 1], labels[static_cast<size_t>(rng.UniformInt(0, int64_t(i) - 1))]);
  }
  return labels;
}

size_t CountPositive(const std::vector<int>& labels, const std::vector<size_t>& rows) {
  size_t count = 0;
  for (size_t row : rows) count += labels[row] == 1;
  return count;
}

size_t Round(double x) { return static_cast<size_t>(std::llround(x)); }

// Every row in exactly one part; each part ascending.
void ExpectPartition(const DataSplit& split, size_t rows) {
  for (const auto* part : {&split.train, &split.calibration, &split.test}) {
    EXPECT_TRUE(std::is_sorted(part->begin(), part->end()));
  }
  std::vector<size_t> all;
  for (const auto* part : {&split.train, &split.calibration, &split.test}) {
    all.insert(all.end(), part->begin(), part->end());
  }
  std::sort(all.begin(), all.end());
  ASSERT_EQ(all.size(), rows) << "parts overlap or miss rows";
  for (size_t i = 0; i < rows; ++i) ASSERT_EQ(all[i], i) << "row " << i << " missing or repeated";
}

TEST(Split, StratifiedTakesTheTestFractionOfEachClass) {
  const size_t positives = 333, negatives = 1667;
  const std::vector<int> labels = Labels(positives, negatives);
  const DataSplit split = StratifiedSplit(labels, 0.2, 0.25, 42);
  const size_t test_pos = Round(0.2 * positives), test_neg = Round(0.2 * negatives);
  EXPECT_EQ(CountPositive(labels, split.test), test_pos);
  EXPECT_EQ(split.test.size() - CountPositive(labels, split.test), test_neg);
  // Then the calibration fraction of what each class has left.
  const size_t cal_pos = Round(0.25 * double(positives - test_pos));
  const size_t cal_neg = Round(0.25 * double(negatives - test_neg));
  EXPECT_EQ(CountPositive(labels, split.calibration), cal_pos);
  EXPECT_EQ(split.calibration.size() - CountPositive(labels, split.calibration), cal_neg);
  EXPECT_EQ(split.train.size(), positives + negatives - test_pos - test_neg - cal_pos - cal_neg);
}

TEST(Split, StratifiedPartsAreDisjointSortedAndCoverEveryRow) {
  const std::vector<int> labels = Labels(250, 750);
  ExpectPartition(StratifiedSplit(labels, 0.2, 0.2, 7), labels.size());
  ExpectPartition(StratifiedSplit(labels, 0.3, 0.0, 7), labels.size());
}

TEST(Split, StratifiedPreservesTheClassRatioInEveryPart) {
  const std::vector<int> labels = Labels(300, 2700);  // 10 % positive
  const DataSplit split = StratifiedSplit(labels, 0.2, 0.2, 3);
  for (const auto* part : {&split.train, &split.calibration, &split.test}) {
    ASSERT_FALSE(part->empty());
    const double rate = double(CountPositive(labels, *part)) / double(part->size());
    EXPECT_NEAR(rate, 0.1, 0.002);
  }
}

TEST(Split, StratifiedIsDeterministicForASeed) {
  const std::vector<int> labels = Labels(200, 800);
  const DataSplit a = StratifiedSplit(labels, 0.2, 0.2, 99);
  const DataSplit b = StratifiedSplit(labels, 0.2, 0.2, 99);
  EXPECT_EQ(a.train, b.train);
  EXPECT_EQ(a.calibration, b.calibration);
  EXPECT_EQ(a.test, b.test);
}

TEST(Split, StratifiedDiffersBetweenSeeds) {
  const std::vector<int> labels = Labels(200, 800);
  const DataSplit a = StratifiedSplit(labels, 0.2, 0.2, 1);
  const DataSplit b = StratifiedSplit(labels, 0.2, 0.2, 2);
  EXPECT_EQ(a.test.size(), b.test.size());
  EXPECT_NE(a.test, b.test);
  EXPECT_NE(a.calibration, b.calibration);
}

TEST(Split, StratifiedTestIsNotJustTheFirstRows) {
  const std::vector<int> labels = Labels(200, 800);
  const DataSplit split = StratifiedSplit(labels, 0.2, 0.0, 1);
  ASSERT_EQ(split.test.size(), 200u);
  EXPECT_GT(split.test.back(), 500u) << "the test rows should be drawn from the whole table";
}

TEST(Split, StratifiedWithOneClassStillSplits) {
  const std::vector<int> labels(100, 0);
  const DataSplit split = StratifiedSplit(labels, 0.2, 0.25, 1);
  EXPECT_EQ(split.test.size(), 20u);
  EXPECT_EQ(split.calibration.size(), 20u);
  EXPECT_EQ(split.train.size(), 60u);
}

// Rows created one hour apart, in row order.
std::vector<int64_t> Hourly(size_t rows) {
  std::vector<int64_t> created_at(rows);
  for (size_t i = 0; i < rows; ++i) created_at[i] = 1'700'000'000 + int64_t(i) * 3600;
  return created_at;
}

TEST(Split, TimeSplitTrainsBeforeTheCutoffAndTestsFromIt) {
  const std::vector<int> labels = Labels(300, 700);
  std::vector<int64_t> created_at = Hourly(labels.size());
  std::reverse(created_at.begin(), created_at.end());  // time order need not be row order
  const int64_t cutoff = created_at[199];              // rows 0..199 are the newest
  auto split = TimeSplit(created_at, labels, cutoff, 0.2, 42);
  ASSERT_TRUE(split.ok()) << split.status().message();
  ExpectPartition(split.value(), labels.size());
  for (size_t row : split.value().test) EXPECT_GE(created_at[row], cutoff) << row;
  for (const auto* part : {&split.value().train, &split.value().calibration}) {
    for (size_t row : *part) EXPECT_LT(created_at[row], cutoff) << row;
  }
  EXPECT_EQ(split.value().test.size(), 200u) << "the row at the cutoff itself is test";
  // The calibration slice is stratified within the rows before the cutoff.
  std::vector<size_t> before;
  for (size_t row = 200; row < labels.size(); ++row) before.push_back(row);
  const size_t positives = CountPositive(labels, before);
  EXPECT_EQ(CountPositive(labels, split.value().calibration), Round(0.2 * double(positives)));
  EXPECT_EQ(split.value().calibration.size(),
            Round(0.2 * double(positives)) + Round(0.2 * double(800 - positives)));
}

TEST(Split, TimeSplitIsDeterministicForASeed) {
  const std::vector<int> labels = Labels(300, 700);
  const std::vector<int64_t> created_at = Hourly(labels.size());
  auto a = TimeSplit(created_at, labels, created_at[800], 0.2, 5);
  auto b = TimeSplit(created_at, labels, created_at[800], 0.2, 5);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a.value().calibration, b.value().calibration);
  EXPECT_EQ(a.value().train, b.value().train);
}

TEST(Split, TimeSplitFailsWhenTheTestSideHasOneClass) {
  std::vector<int> labels = Labels(300, 700);
  const std::vector<int64_t> created_at = Hourly(labels.size());
  for (size_t row = 900; row < labels.size(); ++row) labels[row] = 0;
  auto split = TimeSplit(created_at, labels, created_at[900], 0.2, 42);
  ASSERT_FALSE(split.ok());
  EXPECT_NE(split.status().message().find("choose another cutoff"), std::string::npos)
      << split.status().message();
}

TEST(Split, TimeSplitFailsWhenTheTrainSideHasOneClass) {
  std::vector<int> labels = Labels(300, 700);
  const std::vector<int64_t> created_at = Hourly(labels.size());
  for (size_t row = 0; row < 100; ++row) labels[row] = 1;
  auto split = TimeSplit(created_at, labels, created_at[100], 0.2, 42);
  ASSERT_FALSE(split.ok());
  EXPECT_NE(split.status().message().find("choose another cutoff"), std::string::npos)
      << split.status().message();
}

TEST(Split, TimeSplitFailsWhenTheCutoffIsOutsideTheData) {
  const std::vector<int> labels = Labels(300, 700);
  const std::vector<int64_t> created_at = Hourly(labels.size());
  for (int64_t cutoff : {created_at.front(), created_at.back() + 1}) {
    auto split = TimeSplit(created_at, labels, cutoff, 0.2, 42);
    ASSERT_FALSE(split.ok()) << "cutoff " << cutoff;
    EXPECT_NE(split.status().message().find("choose another cutoff"), std::string::npos)
        << split.status().message();
  }
}

TEST(LatestSplit, TestsTheMostRecentRowsKeepingALeadsSnapshotsTogether) {
  // 100 leads created one day apart, 3 snapshot rows each (sharing created_at), shuffled.
  std::vector<int64_t> created;
  for (int64_t lead = 0; lead < 100; ++lead) {
    for (int age = 0; age < 3; ++age) created.push_back(1'500'000'000 + lead * 86400);
  }
  Random rng(9, 0);
  for (size_t i = created.size(); i > 1; --i) {
    std::swap(created[i - 1], created[static_cast<size_t>(rng.UniformInt(0, int64_t(i) - 1))]);
  }
  const std::vector<int> labels = Labels(60, 240);
  auto split = LatestSplit(created, labels, 0.2, 0.2, 42);
  ASSERT_TRUE(split.ok()) << split.status().message();
  ExpectPartition(split.value(), created.size());
  EXPECT_EQ(split.value().test.size(), 60u);  // the last 20 leads, all 3 rows each
  int64_t latest_trained = INT64_MIN;
  for (const auto* part : {&split.value().train, &split.value().calibration}) {
    for (size_t row : *part) latest_trained = std::max(latest_trained, created[row]);
  }
  for (size_t row : split.value().test) EXPECT_GT(created[row], latest_trained);
}

TEST(LatestSplit, FailsLikeATimeSplitWhenTheTestSideHasOneClass) {
  const std::vector<int64_t> created = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  const std::vector<int> labels = {1, 0, 1, 0, 1, 0, 1, 0, 0, 0};
  auto split = LatestSplit(created, labels, 0.2, 0.2, 42);
  ASSERT_FALSE(split.ok());
  EXPECT_NE(split.status().message().find("both won and lost"), std::string::npos);
}

}  // namespace
}  // namespace leadscore
