// An XGBoost booster as an MLflow model: the files `mlflow.xgboost.log_model(booster,
// model_format="json", input_example=...)` writes (MLflow 3.17), so the result loads with
// mlflow.xgboost.load_model (an xgboost.Booster) and mlflow.pyfunc.load_model (whose
// predict returns the booster's output: probabilities for binary:logistic), logged as an
// MLflow 3 LoggedModel of a run.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "tracking/mlflow_client.h"
#include "tracking/mlflow_schema.h"

namespace leadscore {

// The name of leadscore's logged model (so runs:/<run_id>/lead_scoring_xgb_model reaches it,
// the artifact directory the model had in a run before MLflow 3).
inline constexpr std::string_view kModelArtifactDir = "lead_scoring_xgb_model";

struct ArtifactFile {
  std::string path;  // relative to the model directory, e.g. "MLmodel"
  std::string bytes;
};

// The signature's output column: what pyfunc's predict returns, the booster's probability
// before leadscore's calibration.
inline constexpr std::string_view kModelOutputColumn = "raw_probability";

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
  // The signature's input types, one per feature (kDouble, kFloat or kLong: XGBoost reads
  // numbers); empty: all kDouble.
  std::vector<ColumnType> column_types;
  std::map<std::string, std::string> metadata;  // MLmodel's `metadata`; absent when empty
  std::optional<std::chrono::system_clock::time_point> created;  // empty: now
  PythonModelEnvironment environment;

  // MLmodel's identity fields. LogXgboostModel sets them from the logged model it creates.
  std::string run_id;  // written when set
  std::string artifact_path = std::string(kModelArtifactDir);
  std::string model_id;    // MLflow 3 LoggedModel id; null when empty
  std::string model_uuid;  // empty: random

  // LogXgboostModel only: the logged model's name, params and tags.
  std::string name = std::string(kModelArtifactDir);
  std::map<std::string, std::string> params;
  std::map<std::string, std::string> tags;
};

// MLmodel, model.json (`model_json` unchanged), input_example.json,
// serving_input_example.json, requirements.txt, python_env.yaml and conda.yaml.
// The signature's inputs are `feature_names` (the booster's columns), its output
// kModelOutputColumn.
// Fails when the model is not XGBoost JSON, when its feature names or count differ from
// `feature_names` (pyfunc would reject every input), or when an example row has the wrong
// width or a non-finite value.
Result<std::vector<ArtifactFile>> BuildXgboostModelArtifacts(
    std::string_view model_json, const std::vector<std::string>& feature_names,
    const std::vector<std::vector<double>>& input_example_rows,
    const XgboostModelOptions& options = {});

// Logs the booster as an MLflow 3 LoggedModel produced by `run`, as mlflow.xgboost.log_model
// does: creates the logged model (options.name, params, tags) in the run's experiment, records
// it as the run's output, uploads those files to the model's artifact location (MLmodel last)
// and finalizes it LOGGED_MODEL_READY. A failed upload finalizes it LOGGED_MODEL_UPLOAD_FAILED
// and returns the error. Register the result with source models:/<model_id>.
Result<LoggedModel> LogXgboostModel(MlflowClient& client, const RunInfo& run,
                                    std::string_view model_json,
                                    const std::vector<std::string>& feature_names,
                                    const std::vector<std::vector<double>>& input_example_rows,
                                    const XgboostModelOptions& options = {});

}  // namespace leadscore
