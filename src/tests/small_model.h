// Small real models for tests that need one (the model, serving, reloading): ten boosting
// rounds on MakeLearnableLeads.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "features/feature_table.h"
#include "model/lead_model.h"
#include "model/xgboost_adapter.h"
#include "tests/learnable_leads.h"

namespace leadscore {

// A booster of feature set `set` trained on every row of `table`: ten rounds of depth-3 trees,
// one thread, so the same table always gives the same trees.
inline xgb::Booster TrainSmallBooster(const FeatureTable& table, const std::string& set) {
  auto encoder = FeatureEncoder::ForSet(FeatureSpec::Builtin(), set);
  EXPECT_TRUE(encoder.ok());
  std::vector<size_t> rows(table.rows());
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = i;
  const std::vector<float> matrix = encoder.value().EncodeTableRows(table, rows);
  auto train = xgb::DMatrix::FromDense(matrix, rows.size(), encoder.value().width());
  EXPECT_TRUE(train.ok());
  const std::vector<float> labels(table.labels.begin(), table.labels.end());
  EXPECT_TRUE(train.value().SetLabels(labels).ok());
  auto booster = xgb::Booster::ForTraining(train.value());
  EXPECT_TRUE(booster.ok());
  for (const auto& [name, value] : {std::pair<std::string, std::string>{"max_depth", "3"},
                                    {"objective", "binary:logistic"},
                                    {"nthread", "1"},
                                    {"tree_method", "hist"},
                                    {"verbosity", "0"}}) {
    EXPECT_TRUE(booster.value().SetParam(name, value).ok());
  }
  for (int round = 0; round < 10; ++round) {
    EXPECT_TRUE(booster.value().UpdateOneIter(round, train.value()).ok());
  }
  return std::move(booster).value();
}

// A model of TrainSmallBooster on 800 MakeLearnableLeads of `seed`, with the identity
// calibration and the given version.
inline std::shared_ptr<const LeadModel> MakeSmallModel(const std::string& set,
                                                       const std::string& version,
                                                       uint64_t seed = 7) {
  xgb::Booster booster = TrainSmallBooster(MakeLearnableLeads(800, seed).table, set);
  ModelMetadata metadata;
  metadata.model_version = version;
  metadata.feature_set = set;
  metadata.trained_at = "2026-01-01T00:00:00Z";
  metadata.metrics = {{"auc", 0.75}};
  auto model = LeadModel::Assemble(std::move(booster), FeatureSpec::Builtin(), metadata,
                                   Calibration::Identity());
  EXPECT_TRUE(model.ok()) << model.status().message();
  return std::move(model).value();
}

}  // namespace leadscore
