// `leadscore train` end to end: read and validate the table, train, then either write a
// local model (no tracking) or log the run to MLflow, register a version and run the
// promotion gate. Nothing is written until everything before it has succeeded; the champion
// and its model file change only when the gate passes.
#pragma once

#include <filesystem>
#include <string>

#include "common/status.h"
#include "train/trainer.h"

namespace leadscore {

struct TrainRunOptions {
  std::filesystem::path data = "data/lead_scoring_features.csv";
  std::filesystem::path model_out = "ml/lead_scoring_model.json";
  std::filesystem::path truth;  // empty: no oracle metrics
  std::string tracking_uri = "http://127.0.0.1:5001";
  std::string experiment = "Lead Scoring Optimization";
  std::string model_name = "lead-scoring";
  std::string run_name;
  std::string source_tag = "synthetic";
  double gate_tolerance = 0.005;
  std::filesystem::path booster;  // set: import this XGBoost JSON instead of fitting
  // The label horizon of the data (scripts/load_duckdb --horizon-days): the oracle of a
  // snapshot row is the story's P(won within it | still open at the row's age).
  double horizon_days = 90.0;
  std::filesystem::path report_json;  // when set, the TrainRunReport is written there as JSON
  TrainOptions train;
};

struct TrainRunReport {
  std::string model_version;
  std::string run_id;    // empty without tracking
  std::string model_id;  // the MLflow 3 logged model; empty without tracking
  bool promoted = false;
  std::string gate_reason;  // why the champion moved or stayed
  std::map<std::string, double> metrics;
};

// Prints progress and a summary for people to stdout.
Result<TrainRunReport> RunTraining(const TrainRunOptions& options);

}  // namespace leadscore
