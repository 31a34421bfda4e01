// The one owner of XGBoost's C API in leadscore. RAII handles; every return code becomes a
// Status that names the call and carries XGBGetLastError(). Nothing else includes c_api.h.
//
// Thread safety: a Booster may be used for prediction from several threads at once (XGBoost
// 1.7 predicts thread-safely); training and attribute changes need exclusive access.
#pragma once

#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace leadscore::xgb {

// A dense row-major float matrix handed to XGBoost. NaN marks a missing value.
class DMatrix {
 public:
  static Result<DMatrix> FromDense(std::span<const float> values, size_t rows, size_t cols);
  Status SetLabels(std::span<const float> labels);
  void* handle() const { return handle_.get(); }

 private:
  struct Free {
    void operator()(void* handle) const;
  };
  std::unique_ptr<void, Free> handle_;
};

enum class PredictKind { kProbability, kMargin, kContributions };

struct FeatureScore {
  std::string feature;
  double score = 0.0;
};

class Booster {
 public:
  // A booster ready to train on `train` (XGBoost caches the matrix for its first iteration).
  static Result<Booster> ForTraining(const DMatrix& train);
  // A booster read from XGBoost's JSON model format.
  static Result<Booster> FromJson(std::string_view model_json);

  Status SetParam(const std::string& name, const std::string& value);
  Status UpdateOneIter(int iteration, const DMatrix& train);
  Status SetFeatureNames(const std::vector<std::string>& names);
  Status SetAttr(const std::string& key, const std::string& value);
  // The attribute's value, or "" when it is not set.
  Result<std::string> GetAttr(const std::string& key) const;
  Result<int> BoostedRounds() const;
  Result<std::vector<std::string>> FeatureNames() const;

  // kProbability/kMargin: one value per row. kContributions: rows x (features + 1), the
  // last column per row being the bias; each row sums to the margin (SHAP values).
  Result<std::vector<float>> Predict(const DMatrix& data, PredictKind kind) const;
  // Total gain per feature (XGBoost's "total_gain" importance), features never split omitted.
  Result<std::vector<FeatureScore>> TotalGain() const;
  Result<std::string> SaveJson() const;

 private:
  struct Free {
    void operator()(void* handle) const;
  };
  std::unique_ptr<void, Free> handle_;
};

}  // namespace leadscore::xgb
