#include "model/alert_rule.h"

#include <gtest/gtest.h>

#include "model/lead_model.h"
#include "tests/learnable_leads.h"
#include "tests/small_model.h"

namespace leadscore {
namespace {

// The small model with the given grade cut points (none: a model saved before grades).
std::shared_ptr<const LeadModel> ModelWithGrades(std::optional<GradeCuts> grades) {
  xgb::Booster booster = TrainSmallBooster(MakeLearnableLeads(800, 7).table, "base");
  ModelMetadata metadata;
  metadata.model_version = "v1";
  metadata.feature_set = "base";
  metadata.trained_at = "2026-01-01T00:00:00Z";
  metadata.threshold = 0.8;
  metadata.grades = grades;
  auto model = LeadModel::Assemble(std::move(booster), FeatureSpec::Builtin(), metadata,
                                   Calibration::Identity());
  EXPECT_TRUE(model.ok()) << model.status().message();
  return std::move(model).value();
}

GradeCuts Cuts() {
  GradeCuts cuts;
  cuts.cuts = {0.5, 0.3, 0.1};
  return cuts;
}

TEST(LeadModelGrades, CutPointsSurviveTheModelFile) {
  auto model = ModelWithGrades(Cuts());
  auto text = model->ToJson();
  ASSERT_TRUE(text.ok());
  auto loaded = LeadModel::FromJson(text.value());
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  ASSERT_TRUE(loaded.value()->metadata().grades.has_value());
  EXPECT_EQ(*loaded.value()->metadata().grades, Cuts());
  EXPECT_EQ(loaded.value()->Grade(0.5), 'A');
  EXPECT_EQ(loaded.value()->Grade(0.2), 'C');
  EXPECT_EQ(loaded.value()->Grade(0.05), 'D');
}

TEST(LeadModelGrades, ModelWithoutCutPointsHasNoGrade) {
  auto model = ModelWithGrades(std::nullopt);
  auto loaded = LeadModel::FromJson(model->ToJson().value());
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_FALSE(loaded.value()->metadata().grades.has_value());
  EXPECT_EQ(loaded.value()->Grade(0.99), std::nullopt);
}

TEST(AlertRule, AlertsOnGradeAOrAboveTheThreshold) {
  auto model = ModelWithGrades(Cuts());
  const AlertRule by_model;                     // the model's threshold, 0.8
  EXPECT_TRUE(by_model.Alerts(*model, 0.55));   // grade A, below 0.8
  EXPECT_FALSE(by_model.Alerts(*model, 0.45));  // grade B
  EXPECT_DOUBLE_EQ(by_model.Threshold(*model), 0.8);
  const AlertRule configured(0.4);
  EXPECT_TRUE(configured.Alerts(*model, 0.45));  // grade B, above 0.4
  EXPECT_FALSE(configured.Alerts(*model, 0.4));  // strictly above, like label
}

TEST(AlertRule, WithoutGradesOnlyTheThresholdAlerts) {
  auto model = ModelWithGrades(std::nullopt);
  EXPECT_FALSE(AlertRule().Alerts(*model, 0.79));
  EXPECT_TRUE(AlertRule().Alerts(*model, 0.81));
}

}  // namespace
}  // namespace leadscore
