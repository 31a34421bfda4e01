// A trained lead-scoring model: the XGBoost booster plus everything needed to use it
// correctly, all stored as booster attributes inside XGBoost's own JSON model file (so any
// XGBoost can still load it): model_version, the feature spec and feature set, the decision
// threshold, the calibration map, metrics, reliability table, drift reference, grade cut
// points, training time and data hash.
//
// Predictions (PredictRaw, Score and their one-row forms) come from a TreeEvaluator compiled
// from the booster when the model is built or loaded: bit-identical to XGBoost's own predictor
// and much faster. SHAP contributions and importance still come from XGBoost.
//
// A LeadModel is immutable once built and is shared as std::shared_ptr<const LeadModel>;
// every const method is safe to call from several threads at once.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "features/feature_spec.h"
#include "metrics/classification.h"
#include "model/calibration.h"
#include "model/drift_reference.h"
#include "model/feature_encoder.h"
#include "model/grades.h"
#include "model/tree_evaluator.h"
#include "model/xgboost_adapter.h"

namespace leadscore {

struct ModelMetadata {
  std::string model_version;  // registry version, or "local-<hash>" without a registry
  std::string feature_set;    // a FeatureSpec::feature_sets key
  double threshold = 0.8;     // label "high" iff score > threshold
  std::string trained_at;     // ISO 8601 UTC
  std::string data_hash;      // ContentHash of the training table
  std::map<std::string, double> metrics;
  std::map<std::string, std::string> params;
  // The served score's reliability on the test rows (10 equal-width bins); empty for models
  // saved before leadscore stored it (they still load).
  std::vector<ReliabilityBin> reliability;
  // The training distributions drift is measured against (model/drift_reference.h); none for
  // models saved before leadscore stored them, or when the stored one does not match this
  // binary's feature spec (drift_reference_problem then says why). Both still load.
  std::optional<DriftReference> drift_reference;
  std::string drift_reference_problem;
  // The grade cut points (model/grades.h); none for models saved before leadscore stored them
  // (they still load, and their scores carry no grade).
  std::optional<GradeCuts> grades;
};

class LeadModel {
 public:
  // Takes a freshly trained booster and records spec, set, calibration and metadata in it.
  static Result<std::shared_ptr<const LeadModel>> Assemble(xgb::Booster booster,
                                                           const FeatureSpec& spec,
                                                           const ModelMetadata& metadata,
                                                           Calibration calibration);
  // Reads XGBoost JSON written by ToJson(); fails with a clear message when an attribute is
  // missing or the stored feature spec does not match the one compiled into this binary.
  static Result<std::shared_ptr<const LeadModel>> FromJson(std::string_view model_json);
  static Result<std::shared_ptr<const LeadModel>> LoadFile(const std::filesystem::path& path);

  // The same model under another version (the registry's version is known after logging).
  Result<std::shared_ptr<const LeadModel>> WithVersion(const std::string& version) const;

  Result<std::string> ToJson() const;
  // Writes atomically: a temporary file renamed over `path`.
  Status SaveFile(const std::filesystem::path& path) const;

  // The booster's probability per row of `matrix`, rows x encoder().width(), row-major
  // (FeatureEncoder output). Fails, naming both sizes, when the matrix is not that size.
  Result<std::vector<double>> PredictRaw(std::span<const float> matrix, size_t rows) const;
  // The served score: the calibrated probability.
  Result<std::vector<double>> Score(std::span<const float> matrix, size_t rows) const;
  // One encoded row (FeatureEncoder output): the same values as PredictRaw and Score, without
  // allocating. Precondition: encoded_row.size() == encoder().width(); otherwise the process
  // aborts (see TreeEvaluator).
  double PredictRawRow(std::span<const float> encoded_row) const;
  double ScoreRow(std::span<const float> encoded_row) const;
  // The grade 'A'..'D' of a served score; nullopt when the model has no grade cut points.
  std::optional<char> Grade(double score) const;
  // SHAP contributions: rows x (width + 1), last column the bias; rows sum to the margin.
  Result<std::vector<float>> Contributions(std::span<const float> matrix, size_t rows) const;
  Result<std::vector<xgb::FeatureScore>> Importance() const { return booster_.TotalGain(); }

  const ModelMetadata& metadata() const { return metadata_; }
  const FeatureSpec& spec() const { return *spec_; }
  const FeatureEncoder& encoder() const { return encoder_; }
  const Calibration& calibration() const { return calibration_; }
  const TreeEvaluator& evaluator() const { return evaluator_; }

 private:
  LeadModel(xgb::Booster booster, TreeEvaluator evaluator, std::unique_ptr<FeatureSpec> spec,
            FeatureEncoder encoder, Calibration calibration, ModelMetadata metadata);
  Result<xgb::DMatrix> Matrix(std::span<const float> matrix, size_t rows) const;

  xgb::Booster booster_;
  TreeEvaluator evaluator_;            // compiled from booster_'s trees
  std::unique_ptr<FeatureSpec> spec_;  // owned; the encoder points into it
  FeatureEncoder encoder_;
  Calibration calibration_;
  ModelMetadata metadata_;
};

// The reliability table as JSON: a list of {"lower", "upper", "count", "mean_predicted",
// "observed_rate"} objects, keys in that order. The one JSON form of the table: the model file
// stores it (attribute "reliability"; reading accepts the keys in any order, as older files
// sorted them) and GET /model and /dashboard/data serve it.
nlohmann::ordered_json ReliabilityJson(const std::vector<ReliabilityBin>& table);

// `model_json` (XGBoost JSON) with booster attribute model_version = `version`, loaded and
// saved by XGBoost itself, so a file that XGBoost cannot load is rejected here. Works on any
// XGBoost model, with or without leadscore's other attributes.
Result<std::string> WithModelVersion(std::string_view model_json, const std::string& version);

}  // namespace leadscore
