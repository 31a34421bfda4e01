#include "model/xgboost_adapter.h"

#include <xgboost/c_api.h>

#include <limits>
#include <nlohmann/json.hpp>

namespace leadscore::xgb {
namespace {

Status Check(int code, const char* call) {
  if (code == 0) return Status::Ok();
  return Status::Error(std::string("XGBoost ") + call + " failed: " + XGBGetLastError());
}

}  // namespace

void DMatrix::Free::operator()(void* handle) const { XGDMatrixFree(handle); }
void Booster::Free::operator()(void* handle) const { XGBoosterFree(handle); }

Result<DMatrix> DMatrix::FromDense(std::span<const float> values, size_t rows, size_t cols) {
  if (values.size() != rows * cols) {
    return Status::Error("matrix has " + std::to_string(values.size()) + " values, expected " +
                         std::to_string(rows) + " x " + std::to_string(cols));
  }
  DMatrixHandle handle = nullptr;
  LEADSCORE_RETURN_IF_ERROR(
      Check(XGDMatrixCreateFromMat(values.data(), rows, cols,
                                   std::numeric_limits<float>::quiet_NaN(), &handle),
            "XGDMatrixCreateFromMat"));
  DMatrix matrix;
  matrix.handle_.reset(handle);
  return matrix;
}

Status DMatrix::SetLabels(std::span<const float> labels) {
  return Check(XGDMatrixSetFloatInfo(handle(), "label", labels.data(), labels.size()),
               "XGDMatrixSetFloatInfo(label)");
}

Result<Booster> Booster::ForTraining(const DMatrix& train) {
  BoosterHandle handle = nullptr;
  DMatrixHandle matrices[] = {train.handle()};
  LEADSCORE_RETURN_IF_ERROR(Check(XGBoosterCreate(matrices, 1, &handle), "XGBoosterCreate"));
  Booster booster;
  booster.handle_.reset(handle);
  return booster;
}

Result<Booster> Booster::FromJson(std::string_view model_json) {
  BoosterHandle handle = nullptr;
  LEADSCORE_RETURN_IF_ERROR(Check(XGBoosterCreate(nullptr, 0, &handle), "XGBoosterCreate"));
  Booster booster;
  booster.handle_.reset(handle);
  LEADSCORE_RETURN_IF_ERROR(
      Check(XGBoosterLoadModelFromBuffer(handle, model_json.data(), model_json.size()),
            "XGBoosterLoadModelFromBuffer"));
  return booster;
}

Status Booster::SetParam(const std::string& name, const std::string& value) {
  return Check(XGBoosterSetParam(handle_.get(), name.c_str(), value.c_str()), "XGBoosterSetParam");
}

Status Booster::UpdateOneIter(int iteration, const DMatrix& train) {
  return Check(XGBoosterUpdateOneIter(handle_.get(), iteration, train.handle()),
               "XGBoosterUpdateOneIter");
}

Status Booster::SetFeatureNames(const std::vector<std::string>& names) {
  std::vector<const char*> pointers;
  pointers.reserve(names.size());
  for (const auto& name : names) pointers.push_back(name.c_str());
  return Check(
      XGBoosterSetStrFeatureInfo(handle_.get(), "feature_name", pointers.data(), pointers.size()),
      "XGBoosterSetStrFeatureInfo(feature_name)");
}

Status Booster::SetAttr(const std::string& key, const std::string& value) {
  return Check(XGBoosterSetAttr(handle_.get(), key.c_str(), value.c_str()), "XGBoosterSetAttr");
}

Result<std::string> Booster::GetAttr(const std::string& key) const {
  const char* value = nullptr;
  int found = 0;
  LEADSCORE_RETURN_IF_ERROR(
      Check(XGBoosterGetAttr(handle_.get(), key.c_str(), &value, &found), "XGBoosterGetAttr"));
  return found != 0 && value != nullptr ? std::string(value) : std::string();
}

Result<std::vector<std::string>> Booster::FeatureNames() const {
  bst_ulong count = 0;
  const char** names = nullptr;
  LEADSCORE_RETURN_IF_ERROR(
      Check(XGBoosterGetStrFeatureInfo(handle_.get(), "feature_name", &count, &names),
            "XGBoosterGetStrFeatureInfo(feature_name)"));
  return std::vector<std::string>(names, names + count);
}

Result<int> Booster::BoostedRounds() const {
  int rounds = 0;
  LEADSCORE_RETURN_IF_ERROR(
      Check(XGBoosterBoostedRounds(handle_.get(), &rounds), "XGBoosterBoostedRounds"));
  return rounds;
}

Result<std::vector<float>> Booster::Predict(const DMatrix& data, PredictKind kind) const {
  const int type = kind == PredictKind::kProbability ? 0 : kind == PredictKind::kMargin ? 1 : 2;
  const std::string config = nlohmann::json{
      {"type", type},
      {"training", false},
      {"iteration_begin", 0},
      {"iteration_end", 0},
      {"strict_shape", false}}.dump();
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* result = nullptr;
  LEADSCORE_RETURN_IF_ERROR(
      Check(XGBoosterPredictFromDMatrix(handle_.get(), data.handle(), config.c_str(), &shape, &dims,
                                        &result),
            "XGBoosterPredictFromDMatrix"));
  size_t size = 1;
  for (bst_ulong d = 0; d < dims; ++d) size *= shape[d];
  return std::vector<float>(result, result + size);  // XGBoost reuses its buffer: copy now
}

Result<std::vector<FeatureScore>> Booster::TotalGain() const {
  const std::string config = nlohmann::json{{"importance_type", "total_gain"}}.dump();
  bst_ulong n_features = 0;
  const char** features = nullptr;
  bst_ulong dims = 0;
  const bst_ulong* shape = nullptr;
  const float* scores = nullptr;
  LEADSCORE_RETURN_IF_ERROR(Check(XGBoosterFeatureScore(handle_.get(), config.c_str(), &n_features,
                                                        &features, &dims, &shape, &scores),
                                  "XGBoosterFeatureScore"));
  std::vector<FeatureScore> out;
  for (bst_ulong i = 0; i < n_features; ++i) out.push_back({features[i], scores[i]});
  return out;
}

Result<std::string> Booster::SaveJson() const {
  bst_ulong length = 0;
  const char* bytes = nullptr;
  LEADSCORE_RETURN_IF_ERROR(
      Check(XGBoosterSaveModelToBuffer(handle_.get(), R"({"format": "json"})", &length, &bytes),
            "XGBoosterSaveModelToBuffer"));
  return std::string(bytes, length);
}

}  // namespace leadscore::xgb
