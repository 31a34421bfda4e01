#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/fit_flags.h"
#include "common/atomic_files.h"
#include "common/content_hash.h"
#include "features/feature_table.h"
#include "train/fit_plan.h"

namespace leadscore::cli {
namespace {

struct SplitOptions {
  std::filesystem::path data = "data/lead_scoring_features.csv";
  std::filesystem::path out = "data/fit_plan";
  TrainOptions train;
};

Status WritePlan(const SplitOptions& options) {
  const FeatureSpec& spec = FeatureSpec::Builtin();
  auto encoder = FeatureEncoder::ForSet(spec, options.train.feature_set);
  if (!encoder.ok()) return encoder.status();
  auto table = ReadFeatureTable(options.data, spec);
  if (!table.ok()) return table.status();
  auto split = SplitRows(table.value(), options.train);
  if (!split.ok()) return split.status();

  const std::string assignment = SplitAssignmentCsv(table.value(), split.value());
  const std::string hash = ContentHash(assignment);
  // Both files or neither: a plan must never name a split from another run.
  AtomicFileSet files;
  auto split_file = files.Open(options.out / "split.csv");
  if (!split_file.ok()) return split_file.status();
  split_file.value()->Append(assignment);
  auto plan_file = files.Open(options.out / "plan.json");
  if (!plan_file.ok()) return plan_file.status();
  plan_file.value()->Append(
      FitPlanJson(spec, encoder.value(), options.train.xgb, split.value(), "split.csv", hash));
  LEADSCORE_RETURN_IF_ERROR(files.Commit());
  std::cout << "wrote " << (options.out / "plan.json").string()
            << " and split.csv: " << split.value().train.size() << " train, "
            << split.value().calibration.size() << " calibration, " << split.value().test.size()
            << " test rows (split " << hash << ")\n";
  return Status::Ok();
}

}  // namespace

void RegisterSplit(CLI::App& app, Status* result) {
  auto options = std::make_shared<SplitOptions>();
  auto fit_flags = std::make_shared<FitFlags>();
  CLI::App* cmd = app.add_subcommand(
      "split",
      "Write the fit plan for an external trainer (scripts/train_spark: XGBoost on Spark):\n"
      "OUT/split.csv, each lead's part (train, calibration, test) as `leadscore train` splits\n"
      "the table, and OUT/plan.json, the booster's columns and parameters. `leadscore train\n"
      "--booster` with the same data and flags imports the booster (docs/spark.md).");
  cmd->add_option("--data", options->data, "Feature table (the mart export)")
      ->envname("LEADSCORE_FEATURES")
      ->capture_default_str();
  cmd->add_option("--out", options->out, "Folder for plan.json and split.csv")
      ->capture_default_str();
  fit_flags->Add(*cmd, options->train);
  cmd->callback([options, fit_flags, result] {
    *result = fit_flags->Apply(options->train);
    if (result->ok()) *result = WritePlan(*options);
  });
}

}  // namespace leadscore::cli
