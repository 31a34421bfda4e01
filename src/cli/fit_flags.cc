#include "cli/fit_flags.h"

#include "common/civil_time.h"

namespace leadscore::cli {

void FitFlags::Add(CLI::App& cmd, TrainOptions& options) {
  cmd.add_option("--features", options.feature_set,
                 "Feature set: base, base+channel or base+channel+recency (spec/feature_spec.json)")
      ->envname("LEADSCORE_FEATURE_SET")
      ->capture_default_str();
  cmd.add_option("--time-split", time_split,
                 "Split by created_at: train before this date (YYYY-MM-DD), test from it on; "
                 "default: stratified random 80/20");
  cmd.add_option("--split", split_kind,
                 "random: stratified random 80/20; latest: the most recent 20% of rows by "
                 "created_at test (all snapshots of a lead on one side; docs/training.md)")
      ->check(CLI::IsMember({"random", "latest"}))
      ->capture_default_str();
  cmd.add_option("--max-depth", options.xgb.max_depth)->capture_default_str();
  cmd.add_option("--learning-rate", options.xgb.learning_rate)->capture_default_str();
  cmd.add_option("--n-estimators", options.xgb.n_estimators)->capture_default_str();
  cmd.add_option("--objective", options.xgb.objective)->capture_default_str();
  cmd.add_option("--eval-metric", options.xgb.eval_metric)->capture_default_str();
  cmd.add_option("--random-state", options.xgb.random_state)->capture_default_str();
  cmd.add_option("--tree-method", options.xgb.tree_method)->capture_default_str();
  cmd.add_option("--param", extra_params, "Any other XGBoost parameter as key=value (repeatable)");
}

Status FitFlags::Apply(TrainOptions& options) const {
  options.test_latest = split_kind == "latest";
  for (const auto& pair : extra_params) {
    const auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::Error("--param '" + pair + "' is not key=value");
    }
    options.xgb.extra[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
  if (!time_split.empty()) {
    auto cutoff = ParseTimestamp(time_split);
    if (!cutoff.ok()) return cutoff.status().WithContext("--time-split");
    options.time_split_at = cutoff.value();
  }
  return Status::Ok();
}

}  // namespace leadscore::cli
