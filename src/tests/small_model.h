// A small real model for tests that need one (serving, reloading): ten boosting rounds on
// MakeLearnableLeads, with an isotonic calibration and the given version.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "model/lead_model.h"
#include "model/xgboost_adapter.h"
#include "tests/learnable_leads.h"

namespace leadscore {

inline std::shared_ptr<const LeadModel> MakeSmallModel(const std::string& set,
                                                       const std::string& version,
                                                       uint64_t seed = 7) {
  const LearnableLeads leads = MakeLearnableLeads(800, seed);
  auto encoder = FeatureEncoder::ForSet(FeatureSpec::Builtin(), set);
  EXPECT_TRUE(encoder.ok());
  std::vector<size_t> rows(leads.table.rows());
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = i;
  const std::vector<float> matrix = encoder.value().EncodeTableRows(leads.table, rows);
  auto train = xgb::DMatrix::FromDense(matrix, rows.size(), encoder.value().width());
  EXPECT_TRUE(train.ok());
  const std::vector<float> labels(leads.table.labels.begin(), leads.table.labels.end());
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
  ModelMetadata metadata;
  metadata.model_version = version;
  metadata.feature_set = set;
  metadata.trained_at = "2026-01-01T00:00:00Z";
  metadata.metrics = {{"auc", 0.75}};
  auto model = LeadModel::Assemble(std::move(booster).value(), FeatureSpec::Builtin(), metadata,
                                   Calibration::Identity());
  EXPECT_TRUE(model.ok()) << model.status().message();
  return std::move(model).value();
}

}  // namespace leadscore
