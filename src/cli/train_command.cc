#include <memory>

#include "cli/commands.h"
#include "cli/fit_flags.h"
#include "model/grades.h"
#include "train/train_run.h"

namespace leadscore::cli {

void RegisterTrain(CLI::App& app, Status* result) {
  auto options = std::make_shared<TrainRunOptions>();
  auto fit_flags = std::make_shared<FitFlags>();
  auto grade_shares = std::make_shared<std::string>("0.05,0.15,0.30");
  CLI::App* cmd = app.add_subcommand(
      "train",
      "Train the XGBoost lead-scoring model on the feature table, calibrate it, measure it on a\n"
      "held-out test split against chance and the oracle, log the run to MLflow, register a\n"
      "version and promote it to champion only if it is at least as good (docs/training.md).");
  cmd->add_option("--data", options->data, "Feature table (the mart export)")
      ->envname("LEADSCORE_FEATURES")
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
  cmd->add_option("--horizon-days", options->horizon_days,
                  "The data's label horizon (scripts/load_duckdb --horizon-days), for the "
                  "oracle of snapshot rows")
      ->envname("LEADSCORE_HORIZON_DAYS")
      ->capture_default_str();
  cmd->add_option("--threshold", options->train.threshold, "Score above which a lead is 'high'")
      ->capture_default_str();
  cmd->add_option("--grade-shares", *grade_shares,
                  "Shares of the leads in grades A, B and C (D takes the rest), as fractions; "
                  "the cut points are chosen from the held-out rows' calibrated scores and "
                  "stored in the model (docs/training.md, Grades)")
      ->capture_default_str();
  cmd->add_option("--gate-tolerance", options->gate_tolerance,
                  "Promote when AUC >= champion AUC - tolerance (same evaluation rows)")
      ->capture_default_str();
  cmd->add_option("--report-json", options->report_json,
                  "Also write the outcome (version, run id, promoted, gate reason, metrics) as "
                  "JSON to this file, for scripts such as scripts/retrain");
  cmd->add_option("--nthread", options->train.xgb.nthread,
                  "XGBoost threads (0: all cores; see docs/training.md before raising it)")
      ->capture_default_str();
  cmd->add_option("--booster", options->booster,
                  "Import this XGBoost JSON booster instead of fitting: one fitted by "
                  "scripts/train_spark from `leadscore split`'s plan (docs/spark.md); it must "
                  "match this run's split and parameters. Everything after fitting is as usual");
  fit_flags->Add(*cmd, options->train);

  cmd->callback([options, fit_flags, grade_shares, result] {
    if (Status applied = fit_flags->Apply(options->train); !applied.ok()) {
      *result = applied;
      return;
    }
    auto shares = ParseGradeShares(*grade_shares);
    if (!shares.ok()) {
      *result = shares.status().WithContext("--grade-shares");
      return;
    }
    options->train.grade_shares = shares.value();
    auto report = RunTraining(*options);
    *result = report.ok() ? Status::Ok() : report.status();
  });
}

}  // namespace leadscore::cli
