#include "train/trainer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "datagen/random.h"
#include "metrics/auc.h"
#include "tests/learnable_leads.h"

namespace leadscore {
namespace {

using nlohmann::json;

constexpr size_t kRows = 3000;
constexpr int64_t kFirstLead = kFirstLeadCreatedAt;

using Leads = LearnableLeads;  // truth: each lead's true conversion probability

Leads MakeLeads(size_t rows, uint64_t seed) { return MakeLearnableLeads(rows, seed); }

const Leads& Data() {
  static const Leads leads = MakeLeads(kRows, 21);
  return leads;
}

TrainOptions FastOptions() {
  TrainOptions options;
  options.xgb.n_estimators = 15;
  options.xgb.max_depth = 3;
  options.xgb.nthread = 1;
  options.data_hash = "sha256:feedbeef";
  return options;
}

TrainOutcome MustTrain(const FeatureTable& table, const TrainOptions& options,
                       const std::vector<double>* truth = nullptr) {
  auto outcome = Train(table, options, truth);
  EXPECT_TRUE(outcome.ok()) << outcome.status().message();
  return outcome.ok() ? std::move(outcome).value() : TrainOutcome();
}

TEST(Trainer, LearnsALearnableTableAndReportsEveryMetric) {
  const TrainOutcome outcome = MustTrain(Data().table, FastOptions());
  ASSERT_NE(outcome.model, nullptr);
  const auto& m = outcome.test.metrics;
  for (const char* key : {"auc", "accuracy", "precision", "recall", "f1", "accuracy_at_0_5",
                          "precision_at_0_5", "recall_at_0_5", "f1_at_0_5", "logloss", "brier",
                          "brier_uncalibrated", "positive_rate", "high_rate", "test_rows"}) {
    ASSERT_TRUE(m.contains(key)) << key;
    EXPECT_TRUE(std::isfinite(m.at(key))) << key;
  }
  EXPECT_GT(m.at("auc"), 0.75);
  EXPECT_EQ(m.at("test_rows"), static_cast<double>(outcome.split.test.size()));
  EXPECT_EQ(outcome.split.test.size(), 600u);
  EXPECT_FALSE(m.contains("auc_oracle")) << "no truth was given";
  EXPECT_EQ(outcome.test.reliability.size(), 10u);
  EXPECT_EQ(outcome.reliability_uncalibrated.size(), 10u);
}

TEST(Trainer, WithTruthReportsTheOracleAucAndTheGap) {
  const TrainOutcome outcome = MustTrain(Data().table, FastOptions(), &Data().truth);
  const auto& m = outcome.test.metrics;
  ASSERT_TRUE(m.contains("auc_oracle"));
  ASSERT_TRUE(m.contains("auc_gap"));
  std::vector<double> truth;
  std::vector<int> labels;
  for (size_t row : outcome.split.test) {
    truth.push_back(Data().truth[row]);
    labels.push_back(Data().table.labels[row]);
  }
  EXPECT_DOUBLE_EQ(m.at("auc_oracle"), RocAuc(truth, labels)) << "the truth of the test rows";
  EXPECT_DOUBLE_EQ(m.at("auc_gap"), m.at("auc_oracle") - m.at("auc"));
  EXPECT_GT(m.at("auc_gap"), -0.05) << "the model cannot beat the true probabilities by much";
}

TEST(Trainer, RejectsSingleClassLabels) {
  for (int label : {0, 1}) {
    FeatureTable table = MakeLeads(200, 3).table;
    std::fill(table.labels.begin(), table.labels.end(), label);
    auto outcome = Train(table, FastOptions(), nullptr);
    ASSERT_FALSE(outcome.ok()) << "all labels " << label;
    EXPECT_NE(outcome.status().message().find("single class"), std::string::npos)
        << outcome.status().message();
  }
}

TEST(Trainer, RejectsAnUnknownFeatureSet) {
  TrainOptions options = FastOptions();
  options.feature_set = "base+weather";
  auto outcome = Train(Data().table, options, nullptr);
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.status().message().find("base+weather"), std::string::npos)
      << outcome.status().message();
}

TEST(Trainer, SurfacesXgboostParameterErrors) {
  TrainOptions options = FastOptions();
  options.xgb.objective = "nope";
  auto outcome = Train(Data().table, options, nullptr);
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.status().message().find("XGBooster"), std::string::npos)
      << outcome.status().message();
}

TEST(Trainer, ModelCarriesTheTestMetricsAndTrainingMetadata) {
  TrainOptions options = FastOptions();
  options.feature_set = "base+channel";
  options.threshold = 0.7;
  const TrainOutcome outcome = MustTrain(Data().table, options);
  ASSERT_NE(outcome.model, nullptr);
  const ModelMetadata& metadata = outcome.model->metadata();
  EXPECT_EQ(metadata.model_version, "unregistered") << "the registry names the version later";
  EXPECT_EQ(metadata.feature_set, "base+channel");
  EXPECT_EQ(metadata.threshold, 0.7);
  EXPECT_EQ(metadata.data_hash, "sha256:feedbeef");
  EXPECT_EQ(metadata.params, options.xgb.AsMap());
  EXPECT_EQ(metadata.params.at("n_estimators"), "15");
  ASSERT_EQ(metadata.trained_at.size(), 20u) << metadata.trained_at;  // 2024-05-01T12:00:00Z
  EXPECT_EQ(metadata.trained_at[10], 'T');
  EXPECT_EQ(metadata.trained_at.back(), 'Z');
  for (const auto& [key, value] : outcome.test.metrics) {
    ASSERT_TRUE(metadata.metrics.contains(key)) << key;
    EXPECT_EQ(metadata.metrics.at(key), value) << key;
  }
  EXPECT_EQ(metadata.metrics.at("train_rows"), static_cast<double>(outcome.split.train.size()));
  EXPECT_EQ(metadata.metrics.at("calibration_rows"),
            static_cast<double>(outcome.split.calibration.size()));
  EXPECT_EQ(outcome.model->encoder().set_name(), "base+channel");
}

TEST(Trainer, StoresADriftReferenceOfTheTrainingRowsAndHeldOutScores) {
  TrainOptions options = FastOptions();  // feature set "base": the reference covers channel too
  const TrainOutcome outcome = MustTrain(Data().table, options);
  const auto& reference = outcome.model->metadata().drift_reference;
  ASSERT_TRUE(reference.has_value());
  const FeatureSpec& spec = FeatureSpec::Builtin();
  ASSERT_EQ(reference->features.size(), spec.features.size());
  for (const ReferenceHistogram& histogram : reference->features) {
    int64_t rows = 0;
    for (int64_t count : histogram.counts) rows += count;
    EXPECT_EQ(rows, static_cast<int64_t>(outcome.split.train.size())) << histogram.name;
  }
  int64_t scored = 0;
  for (int64_t count : reference->score.counts) scored += count;
  EXPECT_EQ(scored,
            static_cast<int64_t>(outcome.split.calibration.size() + outcome.split.test.size()));
  EXPECT_LE(reference->score.bins(), kScoreBins);
  EXPECT_TRUE(CheckMatchesSpec(*reference, spec).ok());
}

TEST(Trainer, TheDriftReferenceOfASnapshotTableHoldsOnlyLeadsAtCreation) {
  // The server's live drift watches /score, i.e. leads as they arrive: snapshots at later ages
  // (scored in batch) must not shape the reference, or every new lead would read as drift.
  FeatureTable table = Data().table;
  FeatureColumn* age = nullptr;
  for (FeatureColumn& column : table.columns) {
    if (column.feature->name == "days_since_created") age = &column;
  }
  ASSERT_NE(age, nullptr);
  age->in_file = true;
  for (size_t row = 0; row < age->numbers.size(); ++row) age->numbers[row] = row % 3 == 0 ? 7 : 0;
  const TrainOutcome outcome = MustTrain(table, FastOptions());
  auto new_leads = [](const std::vector<size_t>& rows) {
    return static_cast<int64_t>(
        std::count_if(rows.begin(), rows.end(), [](size_t row) { return row % 3 != 0; }));
  };
  const auto& reference = outcome.model->metadata().drift_reference;
  ASSERT_TRUE(reference.has_value());
  for (const ReferenceHistogram& histogram : reference->features) {
    int64_t rows = 0;
    for (int64_t count : histogram.counts) rows += count;
    EXPECT_EQ(rows, new_leads(outcome.split.train)) << histogram.name;
  }
  int64_t scored = 0;
  for (int64_t count : reference->score.counts) scored += count;
  EXPECT_EQ(scored, new_leads(outcome.split.calibration) + new_leads(outcome.split.test));
  EXPECT_LT(scored,
            static_cast<int64_t>(outcome.split.calibration.size() + outcome.split.test.size()));
}

TEST(Trainer, ReportedMetricsAreThoseOfTheReturnedModel) {
  const TrainOutcome outcome = MustTrain(Data().table, FastOptions());
  ASSERT_NE(outcome.model, nullptr);
  auto again = Evaluate(*outcome.model, Data().table, outcome.split.test, nullptr);
  ASSERT_TRUE(again.ok()) << again.status().message();
  for (const auto& [key, value] : again.value().metrics) {
    EXPECT_EQ(outcome.test.metrics.at(key), value) << key;
  }
}

TEST(Trainer, SameOptionsGiveTheSameModel) {
  const TrainOutcome a = MustTrain(Data().table, FastOptions());
  const TrainOutcome b = MustTrain(Data().table, FastOptions());
  ASSERT_NE(a.model, nullptr);
  ASSERT_NE(b.model, nullptr);
  EXPECT_EQ(a.split.test, b.split.test);
  json doc_a = json::parse(a.model->ToJson().value());
  json doc_b = json::parse(b.model->ToJson().value());
  doc_a["learner"]["attributes"].erase("trained_at");
  doc_b["learner"]["attributes"].erase("trained_at");
  EXPECT_EQ(doc_a, doc_b);
}

TEST(Trainer, AnotherSplitSeedGivesAnotherTestSet) {
  TrainOptions options = FastOptions();
  const TrainOutcome a = MustTrain(Data().table, options);
  options.split_seed = 43;
  const TrainOutcome b = MustTrain(Data().table, options);
  EXPECT_EQ(a.split.test.size(), b.split.test.size());
  EXPECT_NE(a.split.test, b.split.test);
}

TEST(Trainer, TimeSplitTestsOnTheLeadsFromTheCutoff) {
  TrainOptions options = FastOptions();
  const int64_t cutoff = Data().table.created_at[2400];
  options.time_split_at = cutoff;
  const TrainOutcome outcome = MustTrain(Data().table, options);
  ASSERT_EQ(outcome.split.test.size(), 600u);
  EXPECT_EQ(outcome.split.test.front(), 2400u);
  EXPECT_EQ(outcome.split.train.size() + outcome.split.calibration.size(), 2400u);
  for (size_t row : outcome.split.train) EXPECT_LT(Data().table.created_at[row], cutoff);
  EXPECT_GT(outcome.test.metrics.at("auc"), 0.75);
}

TEST(Trainer, TimeSplitWithoutCreatedAtFailsClearly) {
  FeatureTable table = MakeLeads(500, 4).table;
  table.created_at.clear();
  TrainOptions options = FastOptions();
  options.time_split_at = kFirstLead + 400 * 3600;
  auto outcome = Train(table, options, nullptr);
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.status().message().find("created_at"), std::string::npos)
      << outcome.status().message();
}

TEST(Trainer, TimeSplitWithACutoffBeforeAllLeadsFails) {
  TrainOptions options = FastOptions();
  options.time_split_at = kFirstLead - 1;
  auto outcome = Train(Data().table, options, nullptr);
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.status().message().find("choose another cutoff"), std::string::npos)
      << outcome.status().message();
}

// A calibration fraction whose slice has exactly `rows` rows, by split.h's rule: the test
// fraction of each class first, then the calibration fraction of what each class has left.
double FractionForCalibrationRows(const FeatureTable& table, double test_fraction, size_t rows) {
  size_t left[2] = {0, 0};
  for (int label : table.labels) ++left[label];
  for (size_t& count : left)
    count -= static_cast<size_t>(std::llround(test_fraction * double(count)));
  for (double fraction = 0.0; fraction < 1.0; fraction += 1e-5) {
    size_t total = 0;
    for (size_t count : left) total += static_cast<size_t>(std::llround(fraction * double(count)));
    if (total == rows) return fraction;
  }
  ADD_FAILURE() << "no fraction gives " << rows << " calibration rows";
  return 0.0;
}

TEST(Trainer, CalibratesIsotonicFromAThousandRowsAndPlattBelow) {
  TrainOptions options = FastOptions();
  options.calibration_fraction =
      FractionForCalibrationRows(Data().table, options.test_fraction, kIsotonicMinRows);
  const TrainOutcome isotonic = MustTrain(Data().table, options);
  ASSERT_EQ(isotonic.split.calibration.size(), kIsotonicMinRows);
  EXPECT_EQ(isotonic.model->calibration().method(), CalibrationMethod::kIsotonic);

  options.calibration_fraction =
      FractionForCalibrationRows(Data().table, options.test_fraction, kIsotonicMinRows - 1);
  const TrainOutcome platt = MustTrain(Data().table, options);
  ASSERT_EQ(platt.split.calibration.size(), kIsotonicMinRows - 1);
  EXPECT_EQ(platt.model->calibration().method(), CalibrationMethod::kPlatt);
}

TEST(Trainer, CalibrationIsFittedOnTheHeldOutSlice) {
  const TrainOutcome outcome = MustTrain(Data().table, FastOptions());
  ASSERT_NE(outcome.model, nullptr);
  // Refit on the calibration rows' raw scores: the same map as the model's.
  const std::vector<float> matrix =
      outcome.model->encoder().EncodeTableRows(Data().table, outcome.split.calibration);
  auto raw = outcome.model->PredictRaw(matrix, outcome.split.calibration.size());
  ASSERT_TRUE(raw.ok());
  std::vector<int> labels;
  for (size_t row : outcome.split.calibration) labels.push_back(Data().table.labels[row]);
  EXPECT_EQ(outcome.model->calibration(), Calibration::Fit(raw.value(), labels));
}

// The model from `outcome` with `calibration` and `threshold` instead of its own.
std::shared_ptr<const LeadModel> Recalibrated(const TrainOutcome& outcome, Calibration calibration,
                                              double threshold) {
  auto booster = xgb::Booster::FromJson(outcome.model->ToJson().value());
  EXPECT_TRUE(booster.ok());
  ModelMetadata metadata = outcome.model->metadata();
  metadata.threshold = threshold;
  auto model = LeadModel::Assemble(std::move(booster).value(), FeatureSpec::Builtin(), metadata,
                                   std::move(calibration));
  EXPECT_TRUE(model.ok()) << model.status().message();
  return std::move(model).value();
}

TEST(Trainer, EvaluateCountsAScoreEqualToTheThresholdAsNotHigh) {
  const TrainOutcome outcome = MustTrain(Data().table, FastOptions());
  ASSERT_NE(outcome.model, nullptr);
  // Four of five tied scores converted: every lead is calibrated to exactly 0.8.
  const Calibration constant =
      Calibration::FitIsotonic(std::vector<double>(5, 0.5), std::vector<int>{1, 1, 1, 1, 0});
  ASSERT_EQ(constant.Apply(0.01), 0.8);
  ASSERT_EQ(constant.Apply(0.99), 0.8);
  const std::span<const size_t> rows = outcome.split.test;

  auto at_08 = Evaluate(*Recalibrated(outcome, constant, 0.8), Data().table, rows, nullptr);
  ASSERT_TRUE(at_08.ok()) << at_08.status().message();
  const auto& m = at_08.value().metrics;
  const double positive_rate = m.at("positive_rate");
  EXPECT_EQ(m.at("high_rate"), 0.0) << "0.8 is not above a threshold of 0.8";
  EXPECT_EQ(m.at("recall"), 0.0);
  EXPECT_EQ(m.at("precision"), 0.0);
  EXPECT_NEAR(m.at("accuracy"), 1.0 - positive_rate, 1e-12);
  EXPECT_EQ(m.at("recall_at_0_5"), 1.0) << "0.8 is above 0.5";
  EXPECT_NEAR(m.at("accuracy_at_0_5"), positive_rate, 1e-12);
  EXPECT_NEAR(m.at("brier"), positive_rate * 0.04 + (1 - positive_rate) * 0.64, 1e-12);
  EXPECT_EQ(m.at("auc"), 0.5) << "constant scores rank nothing";

  auto below = Evaluate(*Recalibrated(outcome, constant, 0.79), Data().table, rows, nullptr);
  ASSERT_TRUE(below.ok());
  EXPECT_EQ(below.value().metrics.at("high_rate"), 1.0);
  EXPECT_EQ(below.value().metrics.at("recall"), 1.0);
}

TEST(Trainer, EvaluateUsesTheModelsThresholdForThePlainMetrics) {
  const TrainOutcome outcome = MustTrain(Data().table, FastOptions());
  ASSERT_NE(outcome.model, nullptr);
  const auto model = Recalibrated(outcome, outcome.model->calibration(), 0.5);
  auto evaluation = Evaluate(*model, Data().table, outcome.split.test, nullptr);
  ASSERT_TRUE(evaluation.ok());
  const auto& m = evaluation.value().metrics;
  EXPECT_EQ(m.at("precision"), m.at("precision_at_0_5"));
  EXPECT_EQ(m.at("recall"), m.at("recall_at_0_5"));
  EXPECT_EQ(m.at("f1"), m.at("f1_at_0_5"));
  EXPECT_NE(outcome.test.metrics.at("recall"), m.at("recall"))
      << "at 0.8 fewer leads are high than at 0.5";
}

}  // namespace
}  // namespace leadscore
