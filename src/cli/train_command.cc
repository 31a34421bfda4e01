#include <memory>

#include "cli/commands.h"
#include "common/civil_time.h"
#include "train/train_run.h"

namespace leadscore::cli {

void RegisterTrain(CLI::App& app, Status* result) {
  auto options = std::make_shared<TrainRunOptions>();
  auto time_split = std::make_shared<std::string>();
  auto extra_params = std::make_shared<std::vector<std::string>>();
  CLI::App* cmd = app.add_subcommand(
      "train",
      "Train the XGBoost lead-scoring model on the feature table, calibrate it, measure it on a\n"
      "held-out test split against chance and the oracle, log the run to MLflow, register a\n"
      "version and promote it to champion only if it is at least as good (docs/training.md).");
  cmd->add_option("--data", options->data, "Feature table (the mart export)")
      ->envname("LEADSCORE_FEATURES")
      ->capture_default_str();
  cmd->add_option("--features", options->train.feature_set,
                  "Feature set: base, base+channel or base+channel+recency (spec/feature_spec.json)")
      ->envname("LEADSCORE_FEATURE_SET")
      ->capture_default_str();
  cmd->add_option("--model-out", options->model_out, "Where the champion model file lives")
      ->envname("LEADSCORE_MODEL")
      ->capture_default_str();
  cmd->add_option("--tracking-uri", options->tracking_uri,
                  "MLflow tracking server, or 'none' to train without MLflow (the model is then "
                  "versioned local-<hash>)")
      ->envname("MLFLOW_TRACKING_URI")
      ->capture_default_str();
  cmd->add_option("--experiment", options->experiment, "MLflow experiment name")
      ->capture_default_str();
  cmd->add_option("--model-name", options->model_name, "MLflow registered model name")
      ->capture_default_str();
  cmd->add_option("--run-name", options->run_name, "MLflow run name (default: generated)");
  cmd->add_option("--source", options->source_tag,
                  "What the data is, logged as a tag (synthetic, olist, ...)")
      ->capture_default_str();
  cmd->add_option("--truth", options->truth,
                  "truth.csv of synthetic data: adds auc_oracle and auc_gap");
  cmd->add_option("--time-split", *time_split,
                  "Split by created_at: train before this date (YYYY-MM-DD), test from it on; "
                  "default: stratified random 80/20");
  auto split_kind = std::make_shared<std::string>("random");
  cmd->add_option("--split", *split_kind,
                  "random: stratified random 80/20; latest: the most recent 20% of rows by "
                  "created_at test (all snapshots of a lead on one side; docs/training.md)")
      ->check(CLI::IsMember({"random", "latest"}))
      ->capture_default_str();
  cmd->add_option("--horizon-days", options->horizon_days,
                  "The data's label horizon (scripts/load_duckdb --horizon-days), for the "
                  "oracle of snapshot rows")
      ->envname("LEADSCORE_HORIZON_DAYS")
      ->capture_default_str();
  cmd->add_option("--threshold", options->train.threshold, "Score above which a lead is 'high'")
      ->capture_default_str();
  cmd->add_option("--gate-tolerance", options->gate_tolerance,
                  "Promote when AUC >= champion AUC - tolerance (same evaluation rows)")
      ->capture_default_str();
  cmd->add_option("--report-json", options->report_json,
                  "Also write the outcome (version, run id, promoted, gate reason, metrics) as "
                  "JSON to this file, for scripts such as scripts/retrain");
  cmd->add_option("--max-depth", options->train.xgb.max_depth)->capture_default_str();
  cmd->add_option("--learning-rate", options->train.xgb.learning_rate)->capture_default_str();
  cmd->add_option("--n-estimators", options->train.xgb.n_estimators)->capture_default_str();
  cmd->add_option("--objective", options->train.xgb.objective)->capture_default_str();
  cmd->add_option("--eval-metric", options->train.xgb.eval_metric)->capture_default_str();
  cmd->add_option("--random-state", options->train.xgb.random_state)->capture_default_str();
  cmd->add_option("--nthread", options->train.xgb.nthread,
                  "XGBoost threads (0: all cores; see docs/training.md before raising it)")
      ->capture_default_str();
  cmd->add_option("--tree-method", options->train.xgb.tree_method)->capture_default_str();
  cmd->add_option("--param", *extra_params,
                  "Any other XGBoost parameter as key=value (repeatable)");

  cmd->callback([options, time_split, split_kind, extra_params, result] {
    options->train.test_latest = *split_kind == "latest";
    if (options->train.test_latest && !time_split->empty()) {
      *result = Status::Error("--split latest and --time-split choose the test rows twice; pass one");
      return;
    }
    for (const auto& pair : *extra_params) {
      const auto eq = pair.find('=');
      if (eq == std::string::npos || eq == 0) {
        *result = Status::Error("--param '" + pair + "' is not key=value");
        return;
      }
      options->train.xgb.extra[pair.substr(0, eq)] = pair.substr(eq + 1);
    }
    if (!time_split->empty()) {
      auto cutoff = ParseTimestamp(*time_split);
      if (!cutoff.ok()) {
        *result = cutoff.status().WithContext("--time-split");
        return;
      }
      options->train.time_split_at = cutoff.value();
    }
    auto report = RunTraining(*options);
    *result = report.ok() ? Status::Ok() : report.status();
  });
}

}  // namespace leadscore::cli
