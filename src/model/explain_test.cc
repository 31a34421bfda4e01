#include "model/explain.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "datagen/random.h"
#include "tests/learnable_leads.h"
#include "train/trainer.h"

namespace leadscore {
namespace {

constexpr size_t kRows = 2000;
constexpr size_t kExplained = 200;  // the first rows are explained

FeatureTable MakeTable(size_t rows, uint64_t seed) { return MakeLearnableLeads(rows, seed).table; }

struct Fixture {
  std::shared_ptr<const LeadModel> model;
  std::vector<float> matrix;  // the first kExplained rows, encoded
};

Fixture Trained(const std::string& set) {
  static const FeatureTable table = MakeTable(kRows, 5);
  TrainOptions options;
  options.feature_set = set;
  options.xgb.n_estimators = 15;
  options.xgb.max_depth = 3;
  options.xgb.nthread = 1;
  auto outcome = Train(table, options, nullptr);
  EXPECT_TRUE(outcome.ok()) << outcome.status().message();
  Fixture fixture;
  fixture.model = outcome.value().model;
  std::vector<size_t> rows(kExplained);
  for (size_t i = 0; i < kExplained; ++i) rows[i] = i;
  fixture.matrix = fixture.model->encoder().EncodeTableRows(table, rows);
  return fixture;
}

std::vector<Explanation> ExplainAll(const Fixture& fixture) {
  auto explanations = Explain(*fixture.model, fixture.matrix, kExplained);
  EXPECT_TRUE(explanations.ok()) << explanations.status().message();
  if (!explanations.ok()) return {};
  EXPECT_EQ(explanations.value().size(), kExplained);
  return explanations.value();
}

const Reason* Find(const Explanation& explanation, const std::string& feature) {
  for (const Reason& reason : explanation.reasons) {
    if (reason.feature == feature) return &reason;
  }
  return nullptr;
}

TEST(Explain, GivesOneReasonPerFeatureOfTheSet) {
  for (const std::string set : {"base", "base+channel"}) {
    const Fixture fixture = Trained(set);
    auto features = FeatureSpec::Builtin().FeatureSet(set);
    ASSERT_TRUE(features.ok());
    std::set<std::string> expected;
    for (const Feature* feature : features.value()) {
      expected.insert(feature->name);
    }
    for (const Explanation& explanation : ExplainAll(fixture)) {
      std::multiset<std::string> names;
      for (const Reason& reason : explanation.reasons) names.insert(reason.feature);
      EXPECT_EQ(names.size(), expected.size()) << set;
      EXPECT_EQ(std::set<std::string>(names.begin(), names.end()), expected) << set;
    }
  }
}

TEST(Explain, ChannelReasonSumsEveryChannelColumn) {
  const Fixture fixture = Trained("base+channel");
  const size_t width = fixture.model->encoder().width();
  auto contributions = fixture.model->Contributions(fixture.matrix, kExplained);
  ASSERT_TRUE(contributions.ok()) << contributions.status().message();
  const std::vector<Explanation> explanations = ExplainAll(fixture);
  ASSERT_EQ(explanations.size(), kExplained);
  bool channel_matters = false;
  for (size_t row = 0; row < kExplained; ++row) {
    double channel_sum = 0.0;
    for (size_t column = 4; column < width; ++column) {
      channel_sum += contributions.value()[row * (width + 1) + column];
    }
    const Reason* channel = Find(explanations[row], "channel");
    ASSERT_NE(channel, nullptr);
    EXPECT_NEAR(channel->contribution, channel_sum, 1e-6) << "row " << row;
    // The count features keep their single column's value.
    const Reason* sessions = Find(explanations[row], "sessions");
    ASSERT_NE(sessions, nullptr);
    EXPECT_NEAR(sessions->contribution, contributions.value()[row * (width + 1)], 1e-6);
    if (std::fabs(channel->contribution) > 0.1) channel_matters = true;
  }
  EXPECT_TRUE(channel_matters) << "channel drives the label; its reason cannot be ~0 everywhere";
}

TEST(Explain, BiasPlusContributionsIsTheMarginOfTheRawProbability) {
  for (const std::string set : {"base", "base+channel"}) {
    const Fixture fixture = Trained(set);
    auto raw = fixture.model->PredictRaw(fixture.matrix, kExplained);
    ASSERT_TRUE(raw.ok()) << raw.status().message();
    const std::vector<Explanation> explanations = ExplainAll(fixture);
    ASSERT_EQ(explanations.size(), kExplained);
    for (size_t row = 0; row < kExplained; ++row) {
      const Explanation& explanation = explanations[row];
      double sum = explanation.bias;
      for (const Reason& reason : explanation.reasons) sum += reason.contribution;
      EXPECT_NEAR(sum, explanation.margin, 1e-4) << set << ", row " << row;
      const double p = raw.value()[row];
      EXPECT_NEAR(explanation.margin, std::log(p / (1.0 - p)), 1e-4) << set << ", row " << row;
      EXPECT_EQ(explanation.bias, explanations[0].bias) << "the bias is the same for every lead";
    }
  }
}

TEST(Explain, ReasonsAreSortedByAbsoluteContributionDescending) {
  const Fixture fixture = Trained("base+channel");
  bool saw_negative = false;
  for (const Explanation& explanation : ExplainAll(fixture)) {
    for (size_t i = 1; i < explanation.reasons.size(); ++i) {
      EXPECT_GE(std::fabs(explanation.reasons[i - 1].contribution),
                std::fabs(explanation.reasons[i].contribution));
    }
    for (const Reason& reason : explanation.reasons) saw_negative |= reason.contribution < -0.05;
  }
  EXPECT_TRUE(saw_negative) << "sorting by signed value would pass without negative reasons";
}

TEST(Explain, RejectsAMatrixOfTheWrongSize) {
  const Fixture fixture = Trained("base");
  auto explanations = Explain(*fixture.model, fixture.matrix, kExplained + 1);
  EXPECT_FALSE(explanations.ok());
}

}  // namespace
}  // namespace leadscore
