// Against a real MLflow server only: set LEADSCORE_MLFLOW_TEST_URI (tests/e2e/test_mlflow.py
// starts a server of its own and runs this test with it). Logs a run with a dataset input,
// params, metrics, tags and a tiny XGBoost model in MLflow's xgboost flavor as an MLflow 3
// logged model, registers it, and writes what it did to LEADSCORE_MLFLOW_TEST_OUT (JSON) so
// the Python side can check it with mlflow itself.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "model/xgboost_adapter.h"
#include "tracking/mlflow_client.h"
#include "tracking/mlflow_dataset.h"
#include "tracking/mlflow_model.h"
#include "tracking/mlflow_tags.h"

namespace leadscore {
namespace {

const std::vector<std::string> kFeatures = {"sessions", "engaged_sessions", "page_views"};

// 20 leads with integer counts and a label that depends on them.
struct TinyData {
  std::vector<std::vector<double>> rows;
  std::vector<float> values;  // row-major, for XGBoost
  std::vector<float> labels;
};

TinyData MakeData() {
  TinyData data;
  for (int i = 0; i < 20; ++i) {
    double sessions = i % 7 + 1;
    double engaged = std::min(sessions, static_cast<double>(i % 4));
    double page_views = 2 * sessions + i % 3;
    data.rows.push_back({sessions, engaged, page_views});
    for (double v : data.rows.back()) data.values.push_back(static_cast<float>(v));
    data.labels.push_back(engaged * 2 + i % 2 > 4 ? 1.0F : 0.0F);
  }
  return data;
}

#define ASSERT_OK(expr)                                              \
  do {                                                               \
    const ::leadscore::Status status_ = (expr);                      \
    ASSERT_TRUE(status_.ok()) << #expr << ": " << status_.message(); \
  } while (false)

// Declares `lhs` holding the value of a Result, or fails the test with its message.
#define ASSERT_OK_AND_ASSIGN(lhs, expr)                                               \
  auto lhs##_result = (expr);                                                         \
  ASSERT_TRUE(lhs##_result.ok()) << #expr << ": " << lhs##_result.status().message(); \
  auto lhs = std::move(lhs##_result).value()  // NOLINT(bugprone-macro-parentheses): a name

TEST(MlflowLive, LogsARunWithAnXgboostModelAndRegistersIt) {
  const char* uri = std::getenv("LEADSCORE_MLFLOW_TEST_URI");
  if (uri == nullptr || *uri == '\0') {
    GTEST_SKIP() << "needs a real MLflow server: set LEADSCORE_MLFLOW_TEST_URI (the end-to-end "
                    "test tests/e2e/test_mlflow.py starts one and runs this test against it)";
  }

  // A two-round booster trained through the engine's XGBoost adapter.
  TinyData data = MakeData();
  ASSERT_OK_AND_ASSIGN(matrix, xgb::DMatrix::FromDense(data.values, 20, kFeatures.size()));
  ASSERT_OK(matrix.SetLabels(data.labels));
  ASSERT_OK_AND_ASSIGN(booster, xgb::Booster::ForTraining(matrix));
  ASSERT_OK(booster.SetParam("objective", "binary:logistic"));
  ASSERT_OK(booster.SetParam("max_depth", "2"));
  ASSERT_OK(booster.SetParam("min_child_weight", "0"));
  ASSERT_OK(booster.SetParam("seed", "42"));
  ASSERT_OK(booster.SetFeatureNames(kFeatures));
  for (int round = 0; round < 2; ++round) ASSERT_OK(booster.UpdateOneIter(round, matrix));
  ASSERT_OK_AND_ASSIGN(model_json, booster.SaveJson());
  ASSERT_OK_AND_ASSIGN(probabilities, booster.Predict(matrix, xgb::PredictKind::kProbability));

  // Tracking: a run with a dataset, params, metrics (one with history), tags and the model.
  MlflowOptions options;
  options.tracking_uri = uri;
  ASSERT_OK_AND_ASSIGN(client, MlflowClient::Connect(options));
  ASSERT_OK_AND_ASSIGN(experiment, client.GetOrCreateExperiment("leadscore live test"));
  const std::string experiment_id = experiment.experiment_id;
  ASSERT_OK(client.SetExperimentTag(experiment_id, std::string(kExperimentKindTag),
                                    std::string(kModelTrainingKind)));
  ASSERT_OK_AND_ASSIGN(again, client.GetOrCreateExperiment("leadscore live test"));
  EXPECT_EQ(again.tags[std::string(kExperimentKindTag)], kModelTrainingKind);
  ASSERT_OK_AND_ASSIGN(run, client.CreateRun(experiment_id, "live-test", {{"source", "gtest"}}));
  std::vector<ColumnSpec> columns;
  columns.reserve(kFeatures.size());
  for (const std::string& name : kFeatures) columns.push_back({name, ColumnType::kLong});
  const Dataset dataset = LocalFileDataset("tiny_leads.csv", "tiny_leads", "0123456789abcdef",
                                           columns, data.rows.size());
  ASSERT_OK(client.LogInputs(
      run.run_id, {{dataset, {{std::string(kDatasetContextTag), std::string(kTrainingContext)}}}}));
  const std::map<std::string, std::string> params = {
      {"max_depth", "2"}, {"n_estimators", "2"}, {"objective", "binary:logistic"}};
  ASSERT_OK(client.LogBatch(run.run_id, params, {},
                            {{"feature_set", "base"}, {"data_hash", "sha256:test"}}));
  std::vector<std::vector<double>> example(data.rows.begin(), data.rows.begin() + 5);
  XgboostModelOptions model_options;
  model_options.column_types.assign(kFeatures.size(), ColumnType::kLong);
  model_options.params = params;
  model_options.tags = {{std::string(kUserTag), "gtest"}};
  ASSERT_OK_AND_ASSIGN(logged,
                       LogXgboostModel(client, run, model_json, kFeatures, example, model_options));
  EXPECT_EQ(logged.status, "LOGGED_MODEL_READY");
  ASSERT_OK_AND_ASSIGN(read_back, client.GetLoggedModel(logged.model_id));
  EXPECT_EQ(read_back.status, "LOGGED_MODEL_READY");
  EXPECT_EQ(read_back.source_run_id, run.run_id);
  EXPECT_EQ(read_back.name, kModelArtifactDir);
  constexpr int64_t kTime = 1700000000000;
  std::vector<Metric> metrics = {
      {"auc", 0.875, kTime, 0, logged.model_id, dataset.name, dataset.digest},
      {"logloss", 0.5, kTime, 0, logged.model_id, dataset.name, dataset.digest}};
  for (int step = 0; step < 3; ++step) {
    metrics.push_back({"train_loss", 1.0 / (step + 1), kTime + step, step, "", "", ""});
  }
  ASSERT_OK(client.LogBatch(run.run_id, {}, metrics, {}));
  // runs:/<run>/<model name>/... reaches the logged model's files, as in MLflow 3.
  ASSERT_OK_AND_ASSIGN(
      mlmodel, client.DownloadArtifact("runs:/" + run.run_id + "/lead_scoring_xgb_model/MLmodel"));
  EXPECT_NE(mlmodel.find("loader_module: mlflow.xgboost"), std::string::npos);
  EXPECT_NE(mlmodel.find("model_id: " + logged.model_id), std::string::npos);
  ASSERT_OK_AND_ASSIGN(same, client.DownloadArtifact("models:/" + logged.model_id + "/MLmodel"));
  EXPECT_EQ(same, mlmodel);
  ASSERT_OK(client.FinishRun(run.run_id, true));

  // Registry: a version of a model of its own, alias and tags, read back.
  const std::string model_name = "lead-scoring-live";
  ASSERT_OK(client.EnsureRegisteredModel(model_name));
  ASSERT_OK(client.EnsureRegisteredModel(model_name));  // idempotent
  const std::string source = "models:/" + logged.model_id;
  ASSERT_OK_AND_ASSIGN(version,
                       client.CreateModelVersion(model_name, source, run.run_id, logged.model_id));
  EXPECT_EQ(version.status, "READY");
  EXPECT_EQ(version.model_id, logged.model_id);
  // The server links the logged model back to its versions (what the UI shows).
  ASSERT_OK_AND_ASSIGN(registered, client.GetLoggedModel(logged.model_id));
  EXPECT_NE(registered.tags["mlflow.modelVersions"].find(model_name), std::string::npos);
  ASSERT_OK_AND_ASSIGN(download_uri,
                       client.GetModelVersionDownloadUri(model_name, version.version));
  EXPECT_EQ(download_uri, logged.artifact_uri);
  ASSERT_OK(client.SetAlias(model_name, "challenger", version.version));
  ASSERT_OK_AND_ASSIGN(challenger, client.GetVersionByAlias(model_name, "challenger"));
  ASSERT_TRUE(challenger.has_value());
  EXPECT_EQ(challenger->version, version.version);
  EXPECT_EQ(challenger->source, source);
  ASSERT_OK_AND_ASSIGN(unset, client.GetVersionByAlias(model_name, "no-such-alias"));
  EXPECT_FALSE(unset.has_value());
  ASSERT_OK(client.SetModelVersionTag(model_name, version.version, "auc", "0.875"));
  ASSERT_OK_AND_ASSIGN(tagged, client.GetModelVersion(model_name, version.version));
  EXPECT_EQ(tagged.tags["auc"], "0.875");
  ASSERT_OK(client.SetRegisteredModelTag(model_name, "owner", "leadscore"));
  ASSERT_OK_AND_ASSIGN(model_tags, client.GetRegisteredModelTags(model_name));
  EXPECT_EQ(model_tags["owner"], "leadscore");
  auto missing = client.GetModelVersion(model_name, "999");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("HTTP 404 RESOURCE_DOES_NOT_EXIST"), std::string::npos)
      << missing.status().message();

  if (const char* out = std::getenv("LEADSCORE_MLFLOW_TEST_OUT"); out != nullptr) {
    nlohmann::json report = {{"run_id", run.run_id},          {"experiment_id", experiment_id},
                             {"model_id", logged.model_id},   {"model_name", model_name},
                             {"version", version.version},    {"source", source},
                             {"dataset_name", dataset.name},  {"dataset_digest", dataset.digest},
                             {"feature_names", kFeatures},    {"rows", data.rows},
                             {"probabilities", probabilities}};
    std::ofstream(out) << report.dump(2);
  }
}

}  // namespace
}  // namespace leadscore
