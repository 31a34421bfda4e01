#include "train/fit_plan.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace leadscore {
namespace {

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

std::string SplitAssignmentCsv(const FeatureTable& table, const DataSplit& split) {
  std::vector<const char*> part(table.rows(), "train");
  for (size_t row : split.calibration) part[row] = "calibration";
  for (size_t row : split.test) part[row] = "test";
  std::string out = "lead_id,part\n";
  for (size_t row = 0; row < table.rows(); ++row) {
    out += CsvField(table.ids[row]);
    out += ',';
    out += part[row];
    out += '\n';
  }
  return out;
}

std::map<std::string, std::string> FitParams(const XgbParams& params) {
  std::map<std::string, std::string> fit = params.AsMap();
  fit.erase("nthread");
  return fit;
}

std::string FitPlanJson(const FeatureSpec& spec, const FeatureEncoder& encoder,
                        const XgbParams& params, const DataSplit& split,
                        std::string_view split_file, std::string_view split_hash) {
  nlohmann::json columns = nlohmann::json::array();
  for (size_t column = 0; column < encoder.width(); ++column) {
    const Feature& feature = spec.features[encoder.column_feature()[column]];
    nlohmann::json entry = {{"name", encoder.column_names()[column]},
                            {"feature", feature.name},
                            {"kind", FeatureTypeName(feature.type)}};
    if (feature.type == FeatureType::kCategory) {
      // "channel=Paid Search": the value after the feature's name and '='.
      entry["equals"] = encoder.column_names()[column].substr(feature.name.size() + 1);
      entry["vocabulary"] = feature.values;
      entry["unknown"] = feature.unknown;
    }
    columns.push_back(std::move(entry));
  }
  const nlohmann::json plan = {{"feature_set", encoder.set_name()},
                               {"id", spec.id_column},
                               {"label", spec.label_column},
                               {"split_file", split_file},
                               {"split_hash", split_hash},
                               {"train_rows", split.train.size()},
                               {"columns", columns},
                               {"params", FitParams(params)}};
  return plan.dump(2) + "\n";
}

Status CheckImportedBooster(const xgb::Booster& booster, const XgbParams& params,
                            std::string_view split_hash) {
  constexpr const char* kRemedy =
      "; run `leadscore split` and `leadscore train --booster` on the same --data with the same "
      "--features, --time-split and XGBoost flags (scripts/train_spark does)";
  auto trainer = booster.GetAttr(kTrainerAttr);
  if (!trainer.ok()) return trainer.status();
  if (trainer.value().empty()) {
    return Status::Error(fmt::format(
        "the booster has no '{}' attribute: it was not fitted from a leadscore fit plan{}",
        kTrainerAttr, kRemedy));
  }
  auto hash = booster.GetAttr(kSplitHashAttr);
  if (!hash.ok()) return hash.status();
  if (hash.value() != split_hash) {
    return Status::Error(
        fmt::format("the booster was fitted on split {} but this run's split is {}{}",
                    hash.value().empty() ? "(none recorded)" : hash.value(), split_hash, kRemedy));
  }
  auto fitted = booster.GetAttr(kFitParamsAttr);
  if (!fitted.ok()) return fitted.status();
  const nlohmann::json expected = FitParams(params);
  const nlohmann::json actual = nlohmann::json::parse(fitted.value(), nullptr, false);
  if (actual != expected) {
    return Status::Error(
        fmt::format("the booster was fitted with parameters {} but this run's are {}{}",
                    fitted.value(), expected.dump(), kRemedy));
  }
  auto rounds = booster.BoostedRounds();
  if (!rounds.ok()) return rounds.status();
  if (rounds.value() != params.n_estimators) {
    return Status::Error(fmt::format("the booster has {} boosting rounds, n_estimators is {}{}",
                                     rounds.value(), params.n_estimators, kRemedy));
  }
  return Status::Ok();
}

}  // namespace leadscore
