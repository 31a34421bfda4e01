// An XGBoost booster as an MLflow model: the files `mlflow.xgboost.log_model(booster,
// model_format="json", input_example=...)` writes (MLflow 3.17), so the result loads with
// mlflow.xgboost.load_model (an xgboost.Booster) and mlflow.pyfunc.load_model (whose
// predict returns the booster's output: probabilities for binary:logistic).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "tracking/mlflow_client.h"

namespace leadscore {

// The run artifact directory that holds leadscore's model (DESIGN.md).
inline constexpr std::string_view kModelArtifactDir = "lead_scoring_xgb_model";

struct ArtifactFile {
  std::string path;  // relative to the model directory, e.g. "MLmodel"
  std::string bytes;
};

enum class ColumnType { kDouble, kLong };  // MLflow signature types "double" and "long"

// The Python environment MLflow recreates to load the model, pinned as in the repository's
// requirements.txt (a unit test keeps the two equal). The booster's JSON format is the one
// of libxgboost 1.7, which Python xgboost 1.7.6 reads.
struct PythonModelEnvironment {
  std::string python_version = "3.11.7";
  std::string mlflow_version = "3.17.2";
  std::string xgboost_version = "1.7.6";
  std::string numpy_version = "2.4.6";
  std::string pandas_version = "3.1.1";
  std::string scikit_learn_version = "1.9.1";
  std::string scipy_version = "1.17.1";
};

struct XgboostModelOptions {
  std::vector<ColumnType> column_types;  // one per feature; empty: all kDouble
  std::string run_id;                    // written to MLmodel when set
  std::string artifact_path = std::string(kModelArtifactDir);
  std::string model_uuid;  // 32 lowercase hex digits; empty: random
  std::optional<std::chrono::system_clock::time_point> created;  // empty: now
  PythonModelEnvironment environment;
};

// MLmodel, model.json (`model_json` unchanged), input_example.json,
// serving_input_example.json, requirements.txt, python_env.yaml and conda.yaml.
// Fails when the model is not XGBoost JSON, when its feature names or count differ from
// `feature_names` (pyfunc would reject every input), or when an example row has the wrong
// width or a non-finite value.
Result<std::vector<ArtifactFile>> BuildXgboostModelArtifacts(
    std::string_view model_json, const std::vector<std::string>& feature_names,
    const std::vector<std::vector<double>>& input_example_rows,
    const XgboostModelOptions& options = {});

// Uploads those files under the run's `options.artifact_path`/ (MLmodel last, so a
// half-uploaded directory is never mistaken for a model). Returns the directory's artifact
// URI, the `source` to register as a model version.
Result<std::string> LogXgboostModel(MlflowClient& client, const RunInfo& run,
                                    std::string_view model_json,
                                    const std::vector<std::string>& feature_names,
                                    const std::vector<std::vector<double>>& input_example_rows,
                                    const XgboostModelOptions& options = {});

}  // namespace leadscore
