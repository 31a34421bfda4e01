// Fitting outside the engine (scripts/train_spark: XGBoost's own xgboost.spark estimator).
// The engine keeps the split: `leadscore split` writes which rows train (the split file) and a
// fit plan — the booster's columns as the feature encoder makes them and the parameters — so
// the external trainer re-implements neither the split's random stream nor the encoding.
// `leadscore train --booster` then imports the booster and checks it was fitted on exactly
// this split, with these columns and parameters, before calibrating and publishing it.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"
#include "features/feature_table.h"
#include "model/feature_encoder.h"
#include "model/xgboost_adapter.h"
#include "train/split.h"
#include "train/trainer.h"

namespace leadscore {

// The booster attributes the external trainer sets (and the import checks).
inline constexpr const char* kTrainerAttr = "leadscore_trainer";         // e.g. "xgboost.spark"
inline constexpr const char* kSplitHashAttr = "leadscore_split_hash";    // the plan's split_hash
inline constexpr const char* kFitParamsAttr = "leadscore_fit_params";    // the plan's params
inline constexpr const char* kFitSecondsAttr = "leadscore_fit_seconds";  // wall time of the fit

// "lead_id,part" then one line per table row in table order; part is train, calibration or
// test. Ids holding a comma, quote or line break are quoted as RFC 4180 says.
std::string SplitAssignmentCsv(const FeatureTable& table, const DataSplit& split);

// The parameters the external trainer must fit with: XgbParams::AsMap() without nthread
// (threads are the trainer's business, e.g. Spark's workers).
std::map<std::string, std::string> FitParams(const XgbParams& params);

// JSON: {"feature_set", "label", "id", "split_file", "split_hash", "train_rows",
// "columns": [{"name","feature","kind"[,"equals"][,"vocabulary","unknown"]}], "params"}.
// A category column is 1 when the feature equals `equals`, values outside `vocabulary`
// counting as `unknown` (as FeatureEncoder maps them).
std::string FitPlanJson(const FeatureSpec& spec, const FeatureEncoder& encoder,
                        const XgbParams& params, const DataSplit& split,
                        std::string_view split_file, std::string_view split_hash);

// OK when `booster` carries this split's hash and these fit parameters, has n_estimators
// rounds and is not missing the trainer's name; otherwise an error saying what differs and
// that `leadscore split` and `leadscore train --booster` need the same data and flags.
Status CheckImportedBooster(const xgb::Booster& booster, const XgbParams& params,
                            std::string_view split_hash);

}  // namespace leadscore
