#include "model/lead_model.h"

#include <nlohmann/json.hpp>

#include "common/atomic_files.h"
#include "common/whole_file.h"

namespace leadscore {
namespace {

using nlohmann::json;

// Attribute names inside the booster. Changing one breaks every saved model.
constexpr const char* kVersionAttr = "model_version";
constexpr const char* kFeatureSetAttr = "feature_set";
constexpr const char* kSpecAttr = "feature_spec";
constexpr const char* kThresholdAttr = "threshold";
constexpr const char* kCalibrationAttr = "calibration";
constexpr const char* kMetricsAttr = "metrics";
constexpr const char* kParamsAttr = "params";
constexpr const char* kTrainedAtAttr = "trained_at";
constexpr const char* kDataHashAttr = "data_hash";
constexpr const char* kReliabilityAttr = "reliability";         // optional: absent in older models
constexpr const char* kDriftReferenceAttr = "drift_reference";  // optional: absent in older ones
constexpr const char* kGradesAttr = "grades";                   // optional: absent in older ones

constexpr const char* kNoDriftReference =
    "the model has no drift reference (it was trained before leadscore stored one); retrain it "
    "with leadscore train to monitor drift";

Result<std::vector<ReliabilityBin>> ReliabilityFromJson(const std::string& text) {
  const json bins = json::parse(text, nullptr, false);
  const auto invalid = [] {
    return Status::Error(
        "the model's reliability attribute is not a list of {lower, upper, count, "
        "mean_predicted, observed_rate} bins; retrain the model");
  };
  if (!bins.is_array()) return invalid();
  std::vector<ReliabilityBin> table;
  for (const json& bin : bins) {
    if (!bin.is_object()) return invalid();
    for (const char* key : {"lower", "upper", "count", "mean_predicted", "observed_rate"}) {
      if (!bin.contains(key) || !bin[key].is_number()) return invalid();
    }
    table.push_back({bin["lower"].get<double>(), bin["upper"].get<double>(),
                     bin["count"].get<int64_t>(), bin["mean_predicted"].get<double>(),
                     bin["observed_rate"].get<double>()});
  }
  return table;
}

// The model's features must mean what this binary's spec says they mean.
Status CheckSpecCompatible(const FeatureSpec& stored, const FeatureEncoder& encoder) {
  const FeatureSpec& builtin = FeatureSpec::Builtin();
  for (size_t index : encoder.features()) {
    const Feature& feature = stored.features[index];
    const Feature* current = builtin.Find(feature.name);
    if (current == nullptr || current->type != feature.type ||
        (feature.type == FeatureType::kCategory && current->values != feature.values)) {
      return Status::Error("the model's feature '" + feature.name +
                           "' differs from this binary's feature spec; retrain the model with "
                           "this version of leadscore");
    }
  }
  return Status::Ok();
}

Result<std::string> RequiredAttr(const xgb::Booster& booster, const char* key) {
  auto value = booster.GetAttr(key);
  if (!value.ok()) return value.status();
  if (value.value().empty()) {
    return Status::Error(std::string("the model has no '") + key +
                         "' attribute; it was not written by leadscore train");
  }
  return value;
}

// The booster's trees compiled for prediction, from the booster's own JSON (whatever format
// it was loaded from), checked to read exactly the encoder's columns.
Result<TreeEvaluator> CompileEvaluator(const xgb::Booster& booster, const FeatureEncoder& encoder) {
  auto model_json = booster.SaveJson();
  if (!model_json.ok()) return model_json.status();
  auto evaluator = TreeEvaluator::FromModelJson(model_json.value());
  if (!evaluator.ok()) return evaluator.status().WithContext("compiling the model's trees");
  if (evaluator.value().num_features() != encoder.width()) {
    return Status::Error("the model's booster has " +
                         std::to_string(evaluator.value().num_features()) +
                         " features but its feature set encodes " +
                         std::to_string(encoder.width()) + " columns; retrain the model");
  }
  return evaluator;
}

}  // namespace

nlohmann::ordered_json ReliabilityJson(const std::vector<ReliabilityBin>& table) {
  nlohmann::ordered_json bins = nlohmann::ordered_json::array();
  for (const ReliabilityBin& bin : table) {
    bins.push_back({{"lower", bin.lower},
                    {"upper", bin.upper},
                    {"count", bin.count},
                    {"mean_predicted", bin.mean_predicted},
                    {"observed_rate", bin.observed_rate}});
  }
  return bins;
}

LeadModel::LeadModel(xgb::Booster booster, TreeEvaluator evaluator,
                     std::unique_ptr<FeatureSpec> spec, FeatureEncoder encoder,
                     Calibration calibration, ModelMetadata metadata)
    : booster_(std::move(booster)),
      evaluator_(std::move(evaluator)),
      spec_(std::move(spec)),
      encoder_(std::move(encoder)),
      calibration_(std::move(calibration)),
      metadata_(std::move(metadata)) {}

Result<std::shared_ptr<const LeadModel>> LeadModel::Assemble(xgb::Booster booster,
                                                             const FeatureSpec& spec,
                                                             const ModelMetadata& metadata,
                                                             Calibration calibration) {
  auto owned_spec = std::make_unique<FeatureSpec>(spec);
  auto encoder = FeatureEncoder::ForSet(*owned_spec, metadata.feature_set);
  if (!encoder.ok()) return encoder.status();
  const std::pair<const char*, std::string> attributes[] = {
      {kVersionAttr, metadata.model_version},
      {kFeatureSetAttr, metadata.feature_set},
      {kSpecAttr, spec.ToJson()},
      {kThresholdAttr, json(metadata.threshold).dump()},
      {kCalibrationAttr, calibration.ToJson()},
      {kMetricsAttr, json(metadata.metrics).dump()},
      {kParamsAttr, json(metadata.params).dump()},
      {kTrainedAtAttr, metadata.trained_at},
      {kDataHashAttr, metadata.data_hash},
      {kReliabilityAttr, ReliabilityJson(metadata.reliability).dump()},
  };
  for (const auto& [key, value] : attributes) {
    LEADSCORE_RETURN_IF_ERROR(booster.SetAttr(key, value));
  }
  if (metadata.drift_reference) {
    LEADSCORE_RETURN_IF_ERROR(CheckMatchesSpec(*metadata.drift_reference, spec));
    LEADSCORE_RETURN_IF_ERROR(
        booster.SetAttr(kDriftReferenceAttr, DriftReferenceToJson(*metadata.drift_reference)));
  }
  if (metadata.grades) {
    LEADSCORE_RETURN_IF_ERROR(booster.SetAttr(kGradesAttr, GradeCutsToJson(*metadata.grades)));
  }
  LEADSCORE_RETURN_IF_ERROR(booster.SetFeatureNames(encoder.value().column_names()));
  auto evaluator = CompileEvaluator(booster, encoder.value());
  if (!evaluator.ok()) return evaluator.status();
  ModelMetadata stored = metadata;
  if (!stored.drift_reference) stored.drift_reference_problem = kNoDriftReference;
  return std::shared_ptr<const LeadModel>(
      new LeadModel(std::move(booster), std::move(evaluator).value(), std::move(owned_spec),
                    std::move(encoder).value(), std::move(calibration), std::move(stored)));
}

Result<std::shared_ptr<const LeadModel>> LeadModel::FromJson(std::string_view model_json) {
  auto booster = xgb::Booster::FromJson(model_json);
  if (!booster.ok()) return booster.status().WithContext("reading the model");
  const xgb::Booster& b = booster.value();

  ModelMetadata metadata;
  std::string spec_json, calibration_json, threshold, metrics, params;
  const std::pair<const char*, std::string*> required[] = {
      {kVersionAttr, &metadata.model_version},
      {kFeatureSetAttr, &metadata.feature_set},
      {kSpecAttr, &spec_json},
      {kThresholdAttr, &threshold},
      {kCalibrationAttr, &calibration_json},
      {kMetricsAttr, &metrics},
      {kParamsAttr, &params},
      {kTrainedAtAttr, &metadata.trained_at},
  };
  for (const auto& [key, slot] : required) {
    auto value = RequiredAttr(b, key);
    if (!value.ok()) return value.status();
    *slot = std::move(value).value();
  }
  auto data_hash = b.GetAttr(kDataHashAttr);
  if (data_hash.ok()) metadata.data_hash = data_hash.value();
  if (auto reliability = b.GetAttr(kReliabilityAttr);
      reliability.ok() && !reliability.value().empty()) {
    auto table = ReliabilityFromJson(reliability.value());
    if (!table.ok()) return table.status();
    metadata.reliability = std::move(table).value();
  }
  if (auto drift = b.GetAttr(kDriftReferenceAttr); drift.ok() && !drift.value().empty()) {
    auto reference = DriftReferenceFromJson(drift.value());
    if (!reference.ok()) return reference.status();
    // A reference laid out for another spec cannot be compared with this server's requests:
    // the model still serves, without drift monitoring.
    const Status matches = CheckMatchesSpec(reference.value(), FeatureSpec::Builtin());
    if (matches.ok()) {
      metadata.drift_reference = std::move(reference).value();
    } else {
      metadata.drift_reference_problem = matches.message() + "; retrain the model";
    }
  } else {
    metadata.drift_reference_problem = kNoDriftReference;
  }

  if (auto grades = b.GetAttr(kGradesAttr); grades.ok() && !grades.value().empty()) {
    auto cuts = GradeCutsFromJson(grades.value());
    if (!cuts.ok()) return cuts.status();
    metadata.grades = cuts.value();
  }

  const json threshold_json = json::parse(threshold, nullptr, false);
  const json metrics_json = json::parse(metrics, nullptr, false);
  const json params_json = json::parse(params, nullptr, false);
  if (!threshold_json.is_number() || !metrics_json.is_object() || !params_json.is_object()) {
    return Status::Error("the model's threshold, metrics or params attribute is not valid JSON");
  }
  metadata.threshold = threshold_json.get<double>();
  for (const auto& [key, value] : metrics_json.items()) {
    if (value.is_number()) metadata.metrics[key] = value.get<double>();
  }
  for (const auto& [key, value] : params_json.items()) {
    metadata.params[key] = value.is_string() ? value.get<std::string>() : value.dump();
  }

  auto stored_spec = FeatureSpec::FromJson(spec_json);
  if (!stored_spec.ok()) return stored_spec.status().WithContext("the model's feature spec");
  auto stored_encoder = FeatureEncoder::ForSet(stored_spec.value(), metadata.feature_set);
  if (!stored_encoder.ok()) return stored_encoder.status().WithContext("the model's feature set");
  LEADSCORE_RETURN_IF_ERROR(CheckSpecCompatible(stored_spec.value(), stored_encoder.value()));
  // Encode with this binary's spec (tables and requests are in its feature order), using the
  // model's feature set as stored, then prove the columns are the ones the booster learned.
  auto owned_spec = std::make_unique<FeatureSpec>(FeatureSpec::Builtin());
  owned_spec->feature_sets[metadata.feature_set] =
      stored_spec.value().feature_sets.at(metadata.feature_set);
  auto encoder = FeatureEncoder::ForSet(*owned_spec, metadata.feature_set);
  if (!encoder.ok()) return encoder.status().WithContext("the model's feature set");
  auto booster_columns = b.FeatureNames();
  if (!booster_columns.ok()) return booster_columns.status();
  if (booster_columns.value() != encoder.value().column_names()) {
    return Status::Error(
        "the model's booster was trained on other columns than its feature set "
        "'" +
        metadata.feature_set + "' encodes; retrain the model");
  }
  auto calibration = Calibration::FromJson(calibration_json);
  if (!calibration.ok()) return calibration.status().WithContext("the model's calibration");
  auto evaluator = CompileEvaluator(b, encoder.value());
  if (!evaluator.ok()) return evaluator.status();

  return std::shared_ptr<const LeadModel>(new LeadModel(
      std::move(booster).value(), std::move(evaluator).value(), std::move(owned_spec),
      std::move(encoder).value(), std::move(calibration).value(), std::move(metadata)));
}

Result<std::shared_ptr<const LeadModel>> LeadModel::LoadFile(const std::filesystem::path& path) {
  auto text = ReadWholeFile(path);
  if (!text.ok()) {
    return Status::Error("model file: " + text.status().message() +
                         "; train one with `leadscore train` or pass another --model");
  }
  auto model = FromJson(text.value());
  if (!model.ok()) return model.status().WithContext(path.string());
  return model;
}

Result<std::shared_ptr<const LeadModel>> LeadModel::WithVersion(const std::string& version) const {
  auto model_json = ToJson();
  if (!model_json.ok()) return model_json.status();
  auto stamped = WithModelVersion(model_json.value(), version);
  if (!stamped.ok()) return stamped.status();
  return FromJson(stamped.value());
}

Result<std::string> WithModelVersion(std::string_view model_json, const std::string& version) {
  auto booster = xgb::Booster::FromJson(model_json);
  if (!booster.ok()) return booster.status().WithContext("not a loadable XGBoost JSON model");
  LEADSCORE_RETURN_IF_ERROR(booster.value().SetAttr(kVersionAttr, version));
  return booster.value().SaveJson();
}

Result<std::string> LeadModel::ToJson() const { return booster_.SaveJson(); }

Status LeadModel::SaveFile(const std::filesystem::path& path) const {
  auto model_json = ToJson();
  if (!model_json.ok()) return model_json.status();
  if (path.has_parent_path()) {
    LEADSCORE_RETURN_IF_ERROR(EnsureWritableDirectory(path.parent_path()));
  }
  AtomicFileSet files;
  auto file = files.Open(path);
  if (!file.ok()) return file.status();
  file.value()->Append(model_json.value());
  return files.Commit();
}

Result<xgb::DMatrix> LeadModel::Matrix(std::span<const float> matrix, size_t rows) const {
  return xgb::DMatrix::FromDense(matrix, rows, encoder_.width());
}

Result<std::vector<double>> LeadModel::PredictRaw(std::span<const float> matrix,
                                                  size_t rows) const {
  const size_t width = encoder_.width();
  if (matrix.size() / width != rows || matrix.size() % width != 0) {
    return Status::Error("matrix has " + std::to_string(matrix.size()) + " values, expected " +
                         std::to_string(rows) + " x " + std::to_string(width));
  }
  std::vector<double> probabilities(rows);
  evaluator_.PredictProbabilities(matrix, rows, probabilities);
  return probabilities;
}

double LeadModel::PredictRawRow(std::span<const float> encoded_row) const {
  return evaluator_.PredictProbability(encoded_row);
}

double LeadModel::ScoreRow(std::span<const float> encoded_row) const {
  return calibration_.Apply(PredictRawRow(encoded_row));
}

std::optional<char> LeadModel::Grade(double score) const {
  if (!metadata_.grades) return std::nullopt;
  return GradeOf(*metadata_.grades, score);
}

Result<std::vector<double>> LeadModel::Score(std::span<const float> matrix, size_t rows) const {
  auto raw = PredictRaw(matrix, rows);
  if (!raw.ok()) return raw;
  for (double& p : raw.value()) p = calibration_.Apply(p);
  return raw;
}

Result<std::vector<float>> LeadModel::Contributions(std::span<const float> matrix,
                                                    size_t rows) const {
  auto data = Matrix(matrix, rows);
  if (!data.ok()) return data.status();
  return booster_.Predict(data.value(), xgb::PredictKind::kContributions);
}

}  // namespace leadscore
