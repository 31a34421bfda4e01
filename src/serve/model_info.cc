#include "serve/model_info.h"

namespace leadscore::serve {
namespace {

using Json = nlohmann::ordered_json;

Json GradesJson(const std::optional<GradeCuts>& grades) {
  if (!grades) return nullptr;
  Json rows = Json::array();
  double taken = 0.0;
  for (size_t index = 0; index < kGradeCount; ++index) {
    const bool last = index + 1 == kGradeCount;
    // D has no cut of its own: it holds every score below C's and the rest of the shares.
    const double min_score = last ? 0.0 : grades->cuts[index];
    const double share = last ? 1.0 - taken : grades->target.shares[index];
    taken += share;
    rows.push_back({{"grade", std::string(1, kGradeLetters[index])},
                    {"min_score", min_score},
                    {"target_share", share}});
  }
  return rows;
}

Json DriftReferenceJson(const ModelMetadata& metadata) {
  if (!metadata.drift_reference) return nullptr;
  Json drift = Json::object();
  const auto compact = [](const ReferenceHistogram& histogram) {
    Json labels = Json::array();
    for (size_t bin = 0; bin < histogram.bins(); ++bin) labels.push_back(histogram.Label(bin));
    return Json{{"labels", std::move(labels)}, {"shares", histogram.Shares()}};
  };
  for (const ReferenceHistogram& histogram : metadata.drift_reference->features) {
    drift[histogram.name] = compact(histogram);
  }
  drift["score"] = compact(metadata.drift_reference->score);
  return drift;
}

}  // namespace

Json ModelInfoJson(const LeadModel& model, const AlertRule& rule) {
  const ModelMetadata& metadata = model.metadata();
  Json info;
  info["model_version"] = metadata.model_version;
  info["feature_set"] = metadata.feature_set;
  info["features"] = Json::array();
  for (size_t index : model.encoder().features()) {
    const Feature& feature = model.spec().features[index];
    info["features"].push_back({{"name", feature.name},
                                {"type", FeatureTypeName(feature.type)},
                                {"description", feature.description}});
  }
  info["threshold"] = metadata.threshold;
  info["calibration"] = CalibrationMethodName(model.calibration().method());
  info["metrics"] = metadata.metrics;
  info["params"] = metadata.params;
  info["trained_at"] = metadata.trained_at;
  info["data_hash"] = metadata.data_hash;
  info["reliability"] = ReliabilityJson(metadata.reliability);
  // The drift reference, compact: per feature and for the score, bin labels and shares.
  info["drift_reference"] = DriftReferenceJson(metadata);
  info["grades"] = GradesJson(metadata.grades);
  info["alert"] = {
      {"threshold", rule.Threshold(model)},
      {"threshold_source", rule.configured() ? "configured" : "model"},
      {"rule", metadata.grades ? "grade A, or score > threshold" : "score > threshold"}};
  return info;
}

}  // namespace leadscore::serve
