#include "metrics/auc.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "datagen/random.h"

namespace leadscore {
namespace {

double Auc(const std::vector<double>& scores, const std::vector<int>& labels) {
  return RocAuc(scores, labels);
}

// The definition: over all (positive, negative) pairs, 1 when the positive scores higher,
// 1/2 on a tie.
double PairwiseAuc(const std::vector<double>& scores, const std::vector<int>& labels) {
  double wins = 0.0, pairs = 0.0;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (labels[i] != 1) continue;
    for (size_t j = 0; j < scores.size(); ++j) {
      if (labels[j] != 0) continue;
      wins += scores[i] > scores[j] ? 1.0 : scores[i] == scores[j] ? 0.5 : 0.0;
      pairs += 1.0;
    }
  }
  return wins / pairs;
}

TEST(RocAuc, PerfectRankingIsOne) {
  EXPECT_DOUBLE_EQ(Auc({0.1, 0.2, 0.8, 0.9}, {0, 0, 1, 1}), 1.0);
}

TEST(RocAuc, ReversedRankingIsZero) {
  EXPECT_DOUBLE_EQ(Auc({0.9, 0.8, 0.2, 0.1}, {0, 0, 1, 1}), 0.0);
}

TEST(RocAuc, AllTiedIsOneHalf) {
  EXPECT_DOUBLE_EQ(Auc({0.3, 0.3, 0.3, 0.3, 0.3}, {0, 1, 1, 0, 1}), 0.5);
}

TEST(RocAuc, OneMisorderedPairOfFour) {
  // Positives 0.35 and 0.8, negatives 0.1 and 0.4: 0.35 beats 0.1 but not 0.4; 0.8 beats both.
  // 3 of 4 pairs.
  EXPECT_DOUBLE_EQ(Auc({0.1, 0.4, 0.35, 0.8}, {0, 0, 1, 1}), 0.75);
}

TEST(RocAuc, TieBetweenAPositiveAndANegativeCountsOneHalf) {
  // Positives 0.5 and 0.9; negatives 0.2, 0.5 and 0.1.
  // 0.5 vs (0.2, 0.5, 0.1) = 1 + 1/2 + 1; 0.9 vs all = 3. (2.5 + 3) / 6 pairs = 11/12.
  EXPECT_DOUBLE_EQ(Auc({0.2, 0.5, 0.5, 0.9, 0.1}, {0, 1, 0, 1, 0}), 11.0 / 12.0);
}

TEST(RocAuc, TiesWithinOneClassDoNotMatter) {
  // Tied positives (0.7, 0.7) and tied negatives (0.2, 0.2) around a mixed pair: positives
  // 0.7, 0.7, 0.4; negatives 0.2, 0.2, 0.5. Wins: 3 + 3 + 2 = 8 of 9.
  EXPECT_DOUBLE_EQ(Auc({0.7, 0.2, 0.7, 0.2, 0.4, 0.5}, {1, 0, 1, 0, 1, 0}), 8.0 / 9.0);
}

TEST(RocAuc, DependsOnlyOnTheRankingNotOnOrderOrScale) {
  const std::vector<double> scores = {0.2, 0.5, 0.5, 0.9, 0.1, 0.65};
  const std::vector<int> labels = {0, 1, 0, 1, 0, 1};
  const double expected = Auc(scores, labels);
  std::vector<double> shuffled_scores = {0.65, 0.1, 0.9, 0.5, 0.5, 0.2};
  std::vector<int> shuffled_labels = {1, 0, 1, 0, 1, 0};
  EXPECT_DOUBLE_EQ(Auc(shuffled_scores, shuffled_labels), expected);
  std::vector<double> transformed;
  transformed.reserve(scores.size());
  for (double s : scores) transformed.push_back(std::log(s) * 10.0 - 3.0);  // monotone
  EXPECT_DOUBLE_EQ(Auc(transformed, labels), expected);
}

TEST(RocAuc, MatchesThePairwiseDefinitionWithManyTies) {
  Random rng(99, 1);
  std::vector<double> scores;
  std::vector<int> labels;
  for (int i = 0; i < 600; ++i) {
    const double score = static_cast<double>(rng.UniformInt(0, 20)) / 20.0;  // heavy ties
    scores.push_back(score);
    labels.push_back(rng.Bernoulli(0.2 + 0.6 * score) ? 1 : 0);
  }
  const double pairwise = PairwiseAuc(scores, labels);
  EXPECT_NEAR(Auc(scores, labels), pairwise, 1e-12);
  EXPECT_GT(pairwise, 0.6);  // the scores are informative, so this is not a trivial 0.5
}

TEST(RocAuc, OneClassOnlyIsNaN) {
  EXPECT_TRUE(std::isnan(Auc({0.1, 0.2, 0.3}, {1, 1, 1})));
  EXPECT_TRUE(std::isnan(Auc({0.1, 0.2, 0.3}, {0, 0, 0})));
  EXPECT_TRUE(std::isnan(Auc({}, {})));
}

}  // namespace
}  // namespace leadscore
