#include "serve/model_info.h"

#include <gtest/gtest.h>

#include "tests/learnable_leads.h"
#include "tests/small_model.h"

namespace leadscore::serve {
namespace {

// A small real model whose metadata carries `grades` and the seed's threshold.
std::shared_ptr<const LeadModel> GradedModel(std::optional<GradeCuts> grades) {
  ModelMetadata metadata;
  metadata.model_version = "7";
  metadata.feature_set = "base";
  metadata.threshold = 0.8;
  metadata.grades = grades;
  auto model = LeadModel::Assemble(TrainSmallBooster(MakeLearnableLeads(400, 3).table, "base"),
                                   FeatureSpec::Builtin(), metadata, Calibration::Identity());
  EXPECT_TRUE(model.ok()) << model.status().message();
  return std::move(model).value();
}

TEST(ModelInfoJson, ListsTheGradeCutPointsInOrderWithDHoldingTheRest) {
  const GradeCuts cuts{.target = {.shares = {0.05, 0.15, 0.30}}, .cuts = {0.42, 0.2, 0.07}};
  const auto info = ModelInfoJson(*GradedModel(cuts), AlertRule());
  ASSERT_TRUE(info["grades"].is_array());
  ASSERT_EQ(info["grades"].size(), 4U);
  const std::array<std::string, 4> letters = {"A", "B", "C", "D"};
  const std::array<double, 4> lowest = {0.42, 0.2, 0.07, 0.0};
  const std::array<double, 4> shares = {0.05, 0.15, 0.30, 0.50};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(info["grades"][i]["grade"], letters[i]);
    EXPECT_DOUBLE_EQ(info["grades"][i]["min_score"].get<double>(), lowest[i]);
    EXPECT_NEAR(info["grades"][i]["target_share"].get<double>(), shares[i], 1e-12);
  }
  EXPECT_EQ(info["alert"]["rule"], "grade A, or score > threshold");
}

TEST(ModelInfoJson, AlertThresholdIsTheModelsUnlessConfigured) {
  const auto model = GradedModel(GradeCuts{});
  const auto own = ModelInfoJson(*model, AlertRule());
  EXPECT_DOUBLE_EQ(own["alert"]["threshold"].get<double>(), 0.8);
  EXPECT_EQ(own["alert"]["threshold_source"], "model");
  const auto configured = ModelInfoJson(*model, AlertRule(0.35));
  EXPECT_DOUBLE_EQ(configured["alert"]["threshold"].get<double>(), 0.35);
  EXPECT_EQ(configured["alert"]["threshold_source"], "configured");
  EXPECT_DOUBLE_EQ(configured["threshold"].get<double>(), 0.8) << "label keeps the model's";
}

TEST(ModelInfoJson, AModelWithoutGradesHasNullGradesAndAlertsOnTheThresholdAlone) {
  const auto info = ModelInfoJson(*GradedModel(std::nullopt), AlertRule());
  EXPECT_TRUE(info["grades"].is_null());
  EXPECT_EQ(info["alert"]["rule"], "score > threshold");
  EXPECT_EQ(info["model_version"], "7");
  EXPECT_EQ(info["feature_set"], "base");
}

}  // namespace
}  // namespace leadscore::serve
