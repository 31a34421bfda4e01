// The training engine: split, fit XGBoost through the C API, calibrate on a held-out slice,
// and measure on the test split with leadscore's own metrics. No I/O: callers read the table
// and decide where the model goes (train/train_run.h).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "features/feature_table.h"
#include "metrics/classification.h"
#include "model/lead_model.h"
#include "train/split.h"

namespace leadscore {

// The seed's parameters are the defaults; every one is a `leadscore train` flag and logged.
struct XgbParams {
  int max_depth = 5;
  double learning_rate = 0.1;
  int n_estimators = 100;
  std::string objective = "binary:logistic";
  std::string eval_metric = "auc";
  int random_state = 42;
  // 1 by default: on ~60k rows threads barely pay, and libgomp's spin-waiting threads
  // collapse when the 2 cores are shared (measured: 0.32 s on 1 thread, 22 s on 2 with a
  // busy neighbour). 0 means all cores.
  int nthread = 1;
  // Not one of the seed's parameters: XGBoost 1.7's "auto" picks "exact", 3-8x slower here
  // with the same AUC; "hist" is XGBoost 2's default.
  std::string tree_method = "hist";
  std::map<std::string, std::string> extra;  // any other XGBoost parameter (--param k=v)

  // As logged to MLflow and stored in the model (the seed's names).
  std::map<std::string, std::string> AsMap() const;
};

struct TrainOptions {
  std::string feature_set = "base";
  XgbParams xgb;
  double test_fraction = 0.2;
  double calibration_fraction = 0.2;     // of the rows left after the test split
  std::optional<int64_t> time_split_at;  // epoch seconds: train before, test from then on
  // Test on the most recent test_fraction of rows by created_at (LatestSplit), instead of a
  // stratified random split; all rows of one lead (its snapshots) stay on one side.
  bool test_latest = false;
  uint64_t split_seed = 42;
  double threshold = 0.8;
  // The grades' target shares; the cut points come from the held-out rows' calibrated scores.
  GradeShares grade_shares;
  std::string data_hash;
  // An externally fitted booster (XGBoost JSON, e.g. scripts/train_spark's) used instead of
  // fitting, after the checks of train/fit_plan.h; everything else in Train is unchanged.
  std::string imported_booster_json;
};

struct Evaluation {
  std::map<std::string, double> metrics;
  std::vector<ReliabilityBin> reliability;  // of the served (calibrated) score
};

struct TrainOutcome {
  std::shared_ptr<const LeadModel> model;  // model_version "unregistered" until published
  DataSplit split;
  Evaluation test;
  std::vector<ReliabilityBin> reliability_uncalibrated;
  std::array<GradeRow, kGradeCount> grades;  // per grade on the test rows
  double fit_seconds = 0.0;           // wall time of the boosting rounds alone (for bench/train)
  std::string trainer = "leadscore";  // who fitted the trees: the engine or the booster's trainer
};

// The rows' parts as TrainOptions says (time split or stratified; seed split_seed). Fails on a
// time split without created_at or with a side lacking won or lost leads.
Result<DataSplit> SplitRows(const FeatureTable& table, const TrainOptions& options);

// Fails on a table whose label has one class, or on any XGBoost error.
Result<TrainOutcome> Train(const FeatureTable& table, const TrainOptions& options,
                           const std::vector<double>* truth);

// Metrics of `model`'s served score on `rows`: auc, accuracy/precision/recall/f1 at the
// model's threshold (plain names) and at 0.5 (suffix _at_0_5), logloss, brier, positive_rate,
// high_rate; with `truth` (aligned to table rows) auc_oracle and auc_gap = auc_oracle - auc.
Result<Evaluation> Evaluate(const LeadModel& model, const FeatureTable& table,
                            std::span<const size_t> rows, const std::vector<double>* truth);

}  // namespace leadscore
