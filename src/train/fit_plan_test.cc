#include "train/fit_plan.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "common/content_hash.h"
#include "tests/learnable_leads.h"

namespace leadscore {
namespace {

TrainOptions FastOptions() {
  TrainOptions options;
  options.feature_set = "base+channel";
  options.xgb.n_estimators = 10;
  options.xgb.max_depth = 3;
  return options;
}

// A booster as an external trainer would return it: fitted on `options`' split of `table`
// (here by the engine itself) and stamped with the plan's attributes.
std::string ExternalBooster(const FeatureTable& table, const TrainOptions& options,
                            const std::string& split_hash, const std::string& trainer) {
  auto outcome = Train(table, options, nullptr);
  EXPECT_TRUE(outcome.ok()) << outcome.status().message();
  auto json = outcome.value().model->ToJson();
  auto booster = xgb::Booster::FromJson(json.value());
  EXPECT_TRUE(booster.ok());
  if (!trainer.empty()) EXPECT_TRUE(booster.value().SetAttr(kTrainerAttr, trainer).ok());
  EXPECT_TRUE(booster.value().SetAttr(kSplitHashAttr, split_hash).ok());
  EXPECT_TRUE(
      booster.value().SetAttr(kFitParamsAttr, nlohmann::json(FitParams(options.xgb)).dump()).ok());
  EXPECT_TRUE(booster.value().SetAttr(kFitSecondsAttr, "1.5").ok());
  return booster.value().SaveJson().value();
}

std::string SplitHash(const FeatureTable& table, const TrainOptions& options) {
  return ContentHash(SplitAssignmentCsv(table, SplitRows(table, options).value()));
}

TEST(FitPlan, SplitFileNamesEveryRowsPartInTableOrder) {
  FeatureTable table;
  table.ids = {"L1", "L,2", "L\"3", "L4"};
  DataSplit split{.train = {0}, .calibration = {3}, .test = {1, 2}};
  EXPECT_EQ(SplitAssignmentCsv(table, split),
            "lead_id,part\nL1,train\n\"L,2\",test\n\"L\"\"3\",test\nL4,calibration\n");
}

TEST(FitPlan, PlanListsTheEncodersColumnsAndTheParametersWithoutThreads) {
  const FeatureSpec& spec = FeatureSpec::Builtin();
  auto encoder = FeatureEncoder::ForSet(spec, "base+channel");
  ASSERT_TRUE(encoder.ok());
  const auto plan = nlohmann::json::parse(FitPlanJson(
      spec, encoder.value(), XgbParams{}, DataSplit{.train = {0, 1}}, "split.csv", "abc"));
  ASSERT_EQ(plan["columns"].size(), encoder.value().width());
  EXPECT_EQ(plan["columns"][0]["name"], "sessions");
  EXPECT_EQ(plan["columns"][4]["name"],
            "channel=" + plan["columns"][4]["equals"].get<std::string>());
  EXPECT_EQ(plan["columns"][4]["unknown"], "Unassigned");
  EXPECT_EQ(plan["params"]["max_depth"], "5");
  EXPECT_FALSE(plan["params"].contains("nthread"));
  EXPECT_EQ(plan["train_rows"], 2);
  EXPECT_EQ(plan["split_hash"], "abc");
}

TEST(FitPlan, ImportedBoosterIsCalibratedAndMeasuredLikeTheEnginesOwn) {
  const LearnableLeads leads = MakeLearnableLeads(2000, 5);
  TrainOptions options = FastOptions();
  const auto own = Train(leads.table, options, nullptr);
  ASSERT_TRUE(own.ok());
  options.imported_booster_json =
      ExternalBooster(leads.table, FastOptions(), SplitHash(leads.table, options), "spark-test");
  const auto imported = Train(leads.table, options, nullptr);
  ASSERT_TRUE(imported.ok()) << imported.status().message();
  EXPECT_EQ(imported.value().trainer, "spark-test");
  EXPECT_DOUBLE_EQ(imported.value().fit_seconds, 1.5);
  EXPECT_DOUBLE_EQ(imported.value().test.metrics.at("auc"), own.value().test.metrics.at("auc"));
  const auto& params = imported.value().model->metadata().params;
  EXPECT_EQ(params.at("trainer"), "spark-test");
  EXPECT_FALSE(params.contains("nthread"));
}

TEST(FitPlan, RefusesABoosterFromAnotherSplitParametersOrTrainer) {
  const LearnableLeads leads = MakeLearnableLeads(2000, 5);
  const TrainOptions fit = FastOptions();
  const std::string hash = SplitHash(leads.table, fit);
  struct Case {
    std::string booster;
    TrainOptions run;
    std::string message;
  };
  TrainOptions deeper = fit;
  deeper.xgb.max_depth = 4;
  const Case cases[] = {
      {ExternalBooster(leads.table, fit, "0000", "t"), fit, "but this run's split is"},
      {ExternalBooster(leads.table, fit, hash, ""), fit, "no 'leadscore_trainer' attribute"},
      {ExternalBooster(leads.table, fit, hash, "t"), deeper, "fitted with parameters"},
  };
  for (const Case& c : cases) {
    TrainOptions run = c.run;
    run.imported_booster_json = c.booster;
    const auto outcome = Train(leads.table, run, nullptr);
    ASSERT_FALSE(outcome.ok()) << c.message;
    EXPECT_NE(outcome.status().message().find(c.message), std::string::npos)
        << outcome.status().message();
  }
}

}  // namespace
}  // namespace leadscore
