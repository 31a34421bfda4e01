#include "model/xgboost_adapter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "datagen/random.h"

namespace leadscore::xgb {
namespace {

constexpr size_t kRows = 600;
constexpr size_t kCols = 3;

// A dense matrix whose label depends on the first two columns, so a few rounds learn it.
struct Data {
  std::vector<float> values;
  std::vector<float> labels;
};

Data MakeData(uint64_t seed) {
  Random rng(seed, 0);
  Data data;
  for (size_t row = 0; row < kRows; ++row) {
    double x[kCols];
    for (double& v : x) v = rng.Normal();
    for (double v : x) data.values.push_back(static_cast<float>(v));
    const double logit = 2.0 * x[0] - 1.0 * x[1];
    data.labels.push_back(rng.Bernoulli(1.0 / (1.0 + std::exp(-logit))) ? 1.0f : 0.0f);
  }
  return data;
}

DMatrix Matrix(const Data& data) {
  auto matrix = DMatrix::FromDense(data.values, kRows, kCols);
  EXPECT_TRUE(matrix.ok()) << matrix.status().message();
  return std::move(matrix).value();
}

void Configure(Booster& booster) {
  for (const auto& [name, value] :
       {std::pair<std::string, std::string>{"objective", "binary:logistic"},
        {"max_depth", "3"},
        {"nthread", "1"},
        {"tree_method", "hist"},
        {"seed", "7"},
        {"verbosity", "0"}}) {
    const Status status = booster.SetParam(name, value);
    ASSERT_TRUE(status.ok()) << status.message();
  }
}

// A booster trained `rounds` rounds on MakeData(1).
Booster Trained(int rounds) {
  const Data data = MakeData(1);
  DMatrix train = Matrix(data);
  EXPECT_TRUE(train.SetLabels(data.labels).ok());
  auto booster = Booster::ForTraining(train);
  EXPECT_TRUE(booster.ok()) << booster.status().message();
  Configure(booster.value());
  for (int round = 0; round < rounds; ++round) {
    const Status status = booster.value().UpdateOneIter(round, train);
    EXPECT_TRUE(status.ok()) << status.message();
  }
  return std::move(booster).value();
}

std::vector<float> Predict(const Booster& booster, const DMatrix& data, PredictKind kind) {
  auto predictions = booster.Predict(data, kind);
  EXPECT_TRUE(predictions.ok()) << predictions.status().message();
  return predictions.ok() ? predictions.value() : std::vector<float>();
}

TEST(XgbDMatrix, FromDenseRejectsSizeMismatchNamingBothSizes) {
  const std::vector<float> values(10, 1.0f);
  auto matrix = DMatrix::FromDense(values, 4, 3);
  ASSERT_FALSE(matrix.ok());
  const std::string& message = matrix.status().message();
  EXPECT_NE(message.find("10"), std::string::npos) << message;
  EXPECT_NE(message.find("4 x 3"), std::string::npos) << message;
}

TEST(XgbDMatrix, FromDenseAcceptsMatchingSize) {
  const std::vector<float> values(12, 1.0f);
  auto matrix = DMatrix::FromDense(values, 4, 3);
  ASSERT_TRUE(matrix.ok()) << matrix.status().message();
  EXPECT_NE(matrix.value().handle(), nullptr);
}

TEST(XgbBooster, PredictsProbabilitiesStrictlyBetweenZeroAndOne) {
  const Booster booster = Trained(5);
  const DMatrix data = Matrix(MakeData(2));
  const std::vector<float> p = Predict(booster, data, PredictKind::kProbability);
  ASSERT_EQ(p.size(), kRows);
  float lowest = 1.0f, highest = 0.0f;
  for (float v : p) {
    EXPECT_GT(v, 0.0f);
    EXPECT_LT(v, 1.0f);
    lowest = std::min(lowest, v);
    highest = std::max(highest, v);
  }
  EXPECT_LT(lowest, 0.3f) << "the booster did not learn the signal";
  EXPECT_GT(highest, 0.7f) << "the booster did not learn the signal";
}

TEST(XgbBooster, MarginIsTheLogitOfTheProbability) {
  const Booster booster = Trained(5);
  const DMatrix data = Matrix(MakeData(2));
  const std::vector<float> p = Predict(booster, data, PredictKind::kProbability);
  const std::vector<float> margin = Predict(booster, data, PredictKind::kMargin);
  ASSERT_EQ(p.size(), kRows);
  ASSERT_EQ(margin.size(), kRows);
  for (size_t row = 0; row < kRows; ++row) {
    const double logit = std::log(double{p[row]} / (1.0 - double{p[row]}));
    EXPECT_NEAR(margin[row], logit, 1e-5) << "row " << row;
  }
}

TEST(XgbBooster, ContributionsHaveABiasColumnAndSumToTheMargin) {
  const Booster booster = Trained(5);
  const DMatrix data = Matrix(MakeData(2));
  const std::vector<float> margin = Predict(booster, data, PredictKind::kMargin);
  const std::vector<float> contributions = Predict(booster, data, PredictKind::kContributions);
  ASSERT_EQ(contributions.size(), kRows * (kCols + 1));
  bool some_feature_nonzero = false;
  for (size_t row = 0; row < kRows; ++row) {
    double sum = 0.0;
    for (size_t col = 0; col <= kCols; ++col) sum += contributions[row * (kCols + 1) + col];
    EXPECT_NEAR(sum, margin[row], 1e-4) << "row " << row;
    if (contributions[row * (kCols + 1)] != 0.0f) some_feature_nonzero = true;
  }
  EXPECT_TRUE(some_feature_nonzero) << "column 0 drives the label; its SHAP value cannot be 0";
  // The bias (last column) is the same for every row.
  for (size_t row = 1; row < kRows; ++row) {
    EXPECT_EQ(contributions[row * (kCols + 1) + kCols], contributions[kCols]);
  }
}

TEST(XgbBooster, SaveJsonThenFromJsonPredictsIdentically) {
  const Booster booster = Trained(5);
  auto json = booster.SaveJson();
  ASSERT_TRUE(json.ok()) << json.status().message();
  EXPECT_EQ(json.value().front(), '{');
  auto loaded = Booster::FromJson(json.value());
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const DMatrix data = Matrix(MakeData(2));
  EXPECT_EQ(Predict(loaded.value(), data, PredictKind::kProbability),
            Predict(booster, data, PredictKind::kProbability));
  auto rounds = loaded.value().BoostedRounds();
  ASSERT_TRUE(rounds.ok());
  EXPECT_EQ(rounds.value(), 5);
}

TEST(XgbBooster, AttributesRoundTripAndUnknownKeyIsEmpty) {
  Booster booster = Trained(2);
  ASSERT_TRUE(booster.SetAttr("model_version", "v 1.2 \"quoted\"").ok());
  auto value = booster.GetAttr("model_version");
  ASSERT_TRUE(value.ok()) << value.status().message();
  EXPECT_EQ(value.value(), "v 1.2 \"quoted\"");
  ASSERT_TRUE(booster.SetAttr("model_version", "v2").ok());
  EXPECT_EQ(booster.GetAttr("model_version").value(), "v2");

  auto missing = booster.GetAttr("no_such_attribute");
  ASSERT_TRUE(missing.ok()) << missing.status().message();
  EXPECT_EQ(missing.value(), "");
}

TEST(XgbBooster, AttributesSurviveSaveJson) {
  Booster booster = Trained(2);
  ASSERT_TRUE(booster.SetAttr("threshold", "0.8").ok());
  auto loaded = Booster::FromJson(booster.SaveJson().value());
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded.value().GetAttr("threshold").value(), "0.8");
}

TEST(XgbBooster, BoostedRoundsCountsUpdateCalls) {
  for (int rounds : {1, 7}) {
    const Booster booster = Trained(rounds);
    auto boosted = booster.BoostedRounds();
    ASSERT_TRUE(boosted.ok()) << boosted.status().message();
    EXPECT_EQ(boosted.value(), rounds);
  }
}

TEST(XgbBooster, TotalGainNamesTheFeaturesThatSplit) {
  const Data data = MakeData(1);
  DMatrix train = Matrix(data);
  ASSERT_TRUE(train.SetLabels(data.labels).ok());
  auto booster = Booster::ForTraining(train);
  ASSERT_TRUE(booster.ok());
  Configure(booster.value());
  ASSERT_TRUE(booster.value().SetFeatureNames({"strong", "weak", "noise"}).ok());
  for (int round = 0; round < 5; ++round) {
    ASSERT_TRUE(booster.value().UpdateOneIter(round, train).ok());
  }
  auto gain = booster.value().TotalGain();
  ASSERT_TRUE(gain.ok()) << gain.status().message();
  ASSERT_FALSE(gain.value().empty());
  const FeatureScore* strong = nullptr;
  for (const auto& score : gain.value()) {
    if (score.feature == "strong") strong = &score;
    EXPECT_GT(score.score, 0.0) << score.feature;
  }
  ASSERT_NE(strong, nullptr);
  for (const auto& score : gain.value()) EXPECT_LE(score.score, strong->score) << score.feature;
}

TEST(XgbBooster, BadObjectiveFailsNamingTheXgboostCall) {
  const Data data = MakeData(1);
  DMatrix train = Matrix(data);
  ASSERT_TRUE(train.SetLabels(data.labels).ok());
  auto booster = Booster::ForTraining(train);
  ASSERT_TRUE(booster.ok());
  // XGBoost checks parameters lazily: the error may come from SetParam or the first update.
  Status status = booster.value().SetParam("objective", "nope");
  std::string call = "XGBoosterSetParam";
  if (status.ok()) {
    status = booster.value().UpdateOneIter(0, train);
    call = "XGBoosterUpdateOneIter";
  }
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find(call), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("nope"), std::string::npos)
      << "XGBGetLastError() should be carried: " << status.message();
}

TEST(XgbBooster, FromJsonRejectsTextThatIsNotJson) {
  auto booster = Booster::FromJson("not json");
  ASSERT_FALSE(booster.ok());
  EXPECT_NE(booster.status().message().find("XGBoosterLoadModelFromBuffer"), std::string::npos)
      << booster.status().message();
}

TEST(XgbBooster, PredictFailsOnAMatrixOfTheWrongWidth) {
  const Booster booster = Trained(2);
  const std::vector<float> values(kRows * (kCols + 2), 0.0f);
  auto wide = DMatrix::FromDense(values, kRows, kCols + 2);
  ASSERT_TRUE(wide.ok());
  auto predictions = booster.Predict(wide.value(), PredictKind::kProbability);
  ASSERT_FALSE(predictions.ok());
  EXPECT_NE(predictions.status().message().find("XGBoosterPredictFromDMatrix"), std::string::npos)
      << predictions.status().message();
}

}  // namespace
}  // namespace leadscore::xgb
