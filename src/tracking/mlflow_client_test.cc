#include "tracking/mlflow_client.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "tracking/fake_http_transport.h"

namespace leadscore {
namespace {

using nlohmann::json;

constexpr char kBase[] = "http://mlflow.test:5001";
constexpr char kApi[] = "/api/2.0/mlflow/";

std::string Route(const std::string& method, const std::string& endpoint) {
  return method + " " + kApi + endpoint;
}

class MlflowClientTest : public ::testing::Test {
 protected:
  void SetUp() override { fake_->On("GET /health", 200, "OK"); }

  MlflowClient Connect(int retries = 0) {
    MlflowOptions options;
    options.tracking_uri = kBase;
    options.transport = fake_;
    options.retries = retries;
    options.retry_backoff = std::chrono::milliseconds(0);
    options.now_ms = [] { return int64_t{1700000000123}; };
    auto client = MlflowClient::Connect(options);
    EXPECT_TRUE(client.ok()) << client.status().message();
    fake_->requests.clear();
    return std::move(client).value();
  }

  static json Body(const HttpRequest& request) { return json::parse(request.body); }

  std::shared_ptr<FakeHttpTransport> fake_ = std::make_shared<FakeHttpTransport>();
};

TEST_F(MlflowClientTest, ConnectNamesTheServerAndHowToStartItWhenUnreachable) {
  auto fake = std::make_shared<FakeHttpTransport>();
  fake->FailOn("GET /health", "Couldn't connect to server");
  MlflowOptions options;
  options.tracking_uri = "http://127.0.0.1:5999/";
  options.transport = fake;
  options.retries = 2;
  options.retry_backoff = std::chrono::milliseconds(0);
  auto client = MlflowClient::Connect(options);
  ASSERT_FALSE(client.ok());
  const std::string& message = client.status().message();
  EXPECT_NE(message.find("http://127.0.0.1:5999"), std::string::npos) << message;
  EXPECT_NE(message.find("Couldn't connect to server"), std::string::npos) << message;
  EXPECT_NE(message.find("scripts/run_mlflow_server.sh"), std::string::npos) << message;
  EXPECT_NE(message.find("--tracking-uri none"), std::string::npos) << message;
  EXPECT_EQ(fake->requests.size(), 3u);  // one try and two retries
}

TEST_F(MlflowClientTest, ConnectRejectsAServerThatIsNotHealthy) {
  auto fake = std::make_shared<FakeHttpTransport>();
  fake->On("GET /health", 404, "not here");
  MlflowOptions options;
  options.tracking_uri = kBase;
  options.transport = fake;
  auto client = MlflowClient::Connect(options);
  ASSERT_FALSE(client.ok());
  EXPECT_NE(client.status().message().find("HTTP 404"), std::string::npos);
}

TEST_F(MlflowClientTest, GetOrCreateExperimentCreatesAMissingExperiment) {
  MlflowClient client = Connect();
  fake_->On(Route("GET", "experiments/get-by-name"), 404,
            R"({"error_code":"RESOURCE_DOES_NOT_EXIST","message":"Could not find experiment"})");
  fake_->On(Route("POST", "experiments/create"), 200, R"({"experiment_id":"7"})");

  auto experiment = client.GetOrCreateExperiment("Lead Scoring Optimization");
  ASSERT_TRUE(experiment.ok()) << experiment.status().message();
  EXPECT_EQ(experiment.value().experiment_id, "7");
  EXPECT_TRUE(experiment.value().tags.empty());
  ASSERT_EQ(fake_->requests.size(), 2u);
  EXPECT_EQ(fake_->requests[0].url, std::string(kBase) + kApi +
                                        "experiments/get-by-name?experiment_name=Lead%20Scoring%"
                                        "20Optimization");
  EXPECT_EQ(Body(fake_->requests[1]), json({{"name", "Lead Scoring Optimization"}}));
}

TEST_F(MlflowClientTest, GetOrCreateExperimentFindsAnExistingOneWithItsTags) {
  MlflowClient client = Connect();
  fake_->On(Route("GET", "experiments/get-by-name"), 200,
            R"({"experiment":{"experiment_id":"3","name":"x","lifecycle_stage":"active",
                "tags":[{"key":"mlflow.experimentKind","value":"custom_model_development"}]}})");
  auto experiment = client.GetOrCreateExperiment("x");
  ASSERT_TRUE(experiment.ok()) << experiment.status().message();
  EXPECT_EQ(experiment.value().experiment_id, "3");
  EXPECT_EQ(experiment.value().tags.at("mlflow.experimentKind"), "custom_model_development");
  EXPECT_EQ(fake_->requests.size(), 1u);
}

TEST_F(MlflowClientTest, SetExperimentTagSendsItsFields) {
  MlflowClient client = Connect();
  fake_->On(Route("POST", "experiments/set-experiment-tag"), 200, "{}");
  ASSERT_TRUE(
      client.SetExperimentTag("3", "mlflow.experimentKind", "custom_model_development").ok());
  EXPECT_EQ(Body(fake_->requests.at(0)), json({{"experiment_id", "3"},
                                               {"key", "mlflow.experimentKind"},
                                               {"value", "custom_model_development"}}));
}

TEST_F(MlflowClientTest, GetOrCreateExperimentExplainsADeletedExperiment) {
  MlflowClient client = Connect();
  fake_->On(Route("GET", "experiments/get-by-name"), 200,
            R"({"experiment":{"experiment_id":"3","name":"x","lifecycle_stage":"deleted"}})");
  auto id = client.GetOrCreateExperiment("x");
  ASSERT_FALSE(id.ok());
  EXPECT_NE(id.status().message().find("mlflow experiments restore --experiment-id 3"),
            std::string::npos)
      << id.status().message();
}

TEST_F(MlflowClientTest, CreateRunSendsNameStartTimeAndTags) {
  MlflowClient client = Connect();
  fake_->On(Route("POST", "runs/create"), 200,
            R"({"run":{"info":{"run_id":"r1","experiment_id":"7","run_name":"nightly",
                "artifact_uri":"mlflow-artifacts:/7/r1/artifacts","status":"RUNNING"},
                "data":{}}})");
  auto run = client.CreateRun("7", "nightly", {{"feature_set", "base"}, {"git_commit", "abc"}});
  ASSERT_TRUE(run.ok()) << run.status().message();
  EXPECT_EQ(run.value().run_id, "r1");
  EXPECT_EQ(run.value().artifact_uri, "mlflow-artifacts:/7/r1/artifacts");
  json expected = {
      {"experiment_id", "7"},
      {"run_name", "nightly"},
      {"start_time", 1700000000123},
      {"tags",
       {{{"key", "feature_set"}, {"value", "base"}}, {{"key", "git_commit"}, {"value", "abc"}}}}};
  EXPECT_EQ(Body(fake_->requests.at(0)), expected);
}

TEST_F(MlflowClientTest, LogBatchSplitsIntoRequestsWithinMlflowLimits) {
  MlflowClient client = Connect();
  fake_->On(Route("POST", "runs/log-batch"), 200, "{}");
  std::map<std::string, std::string> params;
  for (int i = 0; i < 150; ++i) params["p" + std::to_string(i)] = std::to_string(i);
  std::map<std::string, std::string> tags = {{"a", "1"}, {"b", "2"}, {"c", "3"}};
  std::vector<Metric> metrics;
  metrics.reserve(2500);
  for (int i = 0; i < 2500; ++i) metrics.push_back({"loss", i * 0.5, 1000 + i, i, "", "", ""});

  ASSERT_TRUE(client.LogBatch("r1", params, metrics, tags).ok());

  std::set<std::string> params_seen;
  std::set<int64_t> steps_seen;
  size_t tags_seen = 0;
  for (const HttpRequest& request : fake_->requests) {
    json body = Body(request);
    EXPECT_EQ(body["run_id"], "r1");
    EXPECT_LE(body["params"].size(), 100u);
    EXPECT_LE(body["tags"].size(), 100u);
    EXPECT_LE(body["params"].size() + body["tags"].size() + body["metrics"].size(), 1000u);
    for (const json& p : body["params"]) params_seen.insert(p["key"].get<std::string>());
    for (const json& m : body["metrics"]) {
      EXPECT_EQ(m["value"].get<double>(), m["step"].get<int64_t>() * 0.5);
      EXPECT_EQ(m["timestamp"].get<int64_t>(), 1000 + m["step"].get<int64_t>());
      steps_seen.insert(m["step"].get<int64_t>());
    }
    tags_seen += body["tags"].size();
  }
  EXPECT_EQ(fake_->requests.size(), 3u);  // 2500 metrics + 153 others: three requests
  EXPECT_EQ(params_seen.size(), 150u);
  EXPECT_EQ(steps_seen.size(), 2500u);
  EXPECT_EQ(tags_seen, 3u);
}

TEST_F(MlflowClientTest, LogBatchLinksMetricsToALoggedModelAndDatasetOnlyWhenAsked) {
  MlflowClient client = Connect();
  fake_->On(Route("POST", "runs/log-batch"), 200, "{}");
  ASSERT_TRUE(client
                  .LogBatch("r1", {},
                            {{"auc", 0.75, 5, 0, "m-1", "features", "abc"},
                             {"champion_auc", 0.7, 5, 0, "", "", ""}},
                            {})
                  .ok());
  const json metrics = Body(fake_->requests.at(0))["metrics"];
  EXPECT_EQ(metrics.at(0), json({{"key", "auc"},
                                 {"value", 0.75},
                                 {"timestamp", 5},
                                 {"step", 0},
                                 {"model_id", "m-1"},
                                 {"dataset_name", "features"},
                                 {"dataset_digest", "abc"}}));
  EXPECT_EQ(metrics.at(1),
            json({{"key", "champion_auc"}, {"value", 0.7}, {"timestamp", 5}, {"step", 0}}));
}

TEST_F(MlflowClientTest, LogInputsSendsTheDatasetAndItsContext) {
  MlflowClient client = Connect();
  fake_->On(Route("POST", "runs/log-inputs"), 200, "{}");
  Dataset dataset{"features",
                  "abc",
                  "local",
                  R"({"uri":"/d/f.csv"})",
                  R"({"mlflow_colspec":[]})",
                  R"({"num_rows":1,"num_elements":0})"};
  ASSERT_TRUE(client.LogInputs("r1", {{dataset, {{"mlflow.data.context", "train"}}}}).ok());
  EXPECT_EQ(Body(fake_->requests.at(0)), json::parse(R"({"run_id":"r1","datasets":[{
                "tags":[{"key":"mlflow.data.context","value":"train"}],
                "dataset":{"name":"features","digest":"abc","source_type":"local",
                           "source":"{\"uri\":\"/d/f.csv\"}",
                           "schema":"{\"mlflow_colspec\":[]}",
                           "profile":"{\"num_rows\":1,\"num_elements\":0}"}}]})"));
}

TEST_F(MlflowClientTest, CreateLoggedModelSendsTheFirstHundredParamsThenTheRest) {
  MlflowClient client = Connect();
  fake_->On(Route("POST", "logged-models"), 200,
            R"({"model":{"info":{"model_id":"m-1","experiment_id":"7","name":"xgb",
                "artifact_uri":"mlflow-artifacts:/7/models/m-1/artifacts",
                "status":"LOGGED_MODEL_PENDING","source_run_id":"r1",
                "tags":[{"key":"mlflow.user","value":"ana"}]}}})");
  fake_->On(Route("POST", "logged-models/m-1/params"), 200, "{}");
  std::map<std::string, std::string> params;
  for (int i = 0; i < 250; ++i) params["p" + std::to_string(1000 + i)] = std::to_string(i);

  auto model = client.CreateLoggedModel("7", "xgb", "r1", params, {{"mlflow.user", "ana"}});
  ASSERT_TRUE(model.ok()) << model.status().message();
  EXPECT_EQ(model.value().model_id, "m-1");
  EXPECT_EQ(model.value().artifact_uri, "mlflow-artifacts:/7/models/m-1/artifacts");
  EXPECT_EQ(model.value().status, "LOGGED_MODEL_PENDING");
  EXPECT_EQ(model.value().source_run_id, "r1");
  EXPECT_EQ(model.value().tags.at("mlflow.user"), "ana");

  ASSERT_EQ(fake_->requests.size(), 3u);
  json created = Body(fake_->requests[0]);
  EXPECT_EQ(created["experiment_id"], "7");
  EXPECT_EQ(created["name"], "xgb");
  EXPECT_EQ(created["source_run_id"], "r1");
  EXPECT_EQ(created["params"].size(), 100u);
  EXPECT_EQ(created["tags"], json::parse(R"([{"key":"mlflow.user","value":"ana"}])"));
  std::set<std::string> sent;
  for (const HttpRequest& request : fake_->requests) {
    const json body = Body(request);
    for (const json& p : body["params"]) sent.insert(p["key"].get<std::string>());
  }
  EXPECT_EQ(sent.size(), 250u);
  EXPECT_EQ(Body(fake_->requests[1])["model_id"], "m-1");
  EXPECT_EQ(Body(fake_->requests[2])["params"].size(), 50u);
}

TEST_F(MlflowClientTest, FinalizeAndLogOutputsSendTheirFields) {
  MlflowClient client = Connect();
  fake_->On(Route("PATCH", "logged-models/m-1"), 200, R"({"model":{"info":{"model_id":"m-1"}}})");
  fake_->On(Route("POST", "runs/outputs"), 200, "{}");
  ASSERT_TRUE(client.FinalizeLoggedModel("m-1", true).ok());
  ASSERT_TRUE(client.FinalizeLoggedModel("m-1", false).ok());
  ASSERT_TRUE(client.LogOutputs("r1", "m-1").ok());
  EXPECT_EQ(Body(fake_->requests.at(0)),
            json({{"model_id", "m-1"}, {"status", "LOGGED_MODEL_READY"}}));
  EXPECT_EQ(Body(fake_->requests.at(1)),
            json({{"model_id", "m-1"}, {"status", "LOGGED_MODEL_UPLOAD_FAILED"}}));
  EXPECT_EQ(Body(fake_->requests.at(2)),
            json::parse(R"({"run_id":"r1","models":[{"model_id":"m-1","step":0}]})"));
}

TEST_F(MlflowClientTest, LoggedModelsOnAServerOlderThanMlflow3SayWhatIsNeeded) {
  MlflowClient client = Connect();
  fake_->On(Route("POST", "logged-models"), 404, "<!doctype html><title>404 Not Found</title>");
  auto model = client.CreateLoggedModel("7", "xgb", "r1", {}, {});
  ASSERT_FALSE(model.ok());
  const std::string& message = model.status().message();
  EXPECT_NE(message.find("MLflow POST logged-models: HTTP 404"), std::string::npos) << message;
  EXPECT_NE(message.find("older than MLflow 3"), std::string::npos) << message;
  EXPECT_NE(message.find(kBase), std::string::npos) << message;
}

TEST_F(MlflowClientTest, AMissingLoggedModelIsAnOrdinaryError) {
  MlflowClient client = Connect();
  fake_->On(Route("GET", "logged-models/m-9"), 404,
            R"({"error_code":"RESOURCE_DOES_NOT_EXIST","message":"Logged model m-9 not found"})");
  auto model = client.GetLoggedModel("m-9");
  ASSERT_FALSE(model.ok());
  EXPECT_EQ(model.status().message(),
            "MLflow GET logged-models/m-9: HTTP 404 RESOURCE_DOES_NOT_EXIST: Logged model m-9 not "
            "found");
}

TEST_F(MlflowClientTest, LogBatchRefusesNonFiniteMetricsBeforeSendingAnything) {
  MlflowClient client = Connect();
  Status status = client.LogBatch("r1", {}, {{"auc", std::nan(""), 1, 0, "", "", ""}}, {});
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("metric 'auc'"), std::string::npos) << status.message();
  EXPECT_TRUE(fake_->requests.empty());
}

TEST_F(MlflowClientTest, ErrorsNameEndpointHttpStatusAndMlflowError) {
  MlflowClient client = Connect();
  fake_->On(Route("POST", "runs/update"), 400,
            R"({"error_code":"INVALID_PARAMETER_VALUE","message":"Run 'r9' not found"})");
  Status status = client.FinishRun("r9", true);
  EXPECT_EQ(status.message(),
            "MLflow POST runs/update: HTTP 400 INVALID_PARAMETER_VALUE: Run 'r9' not found");
  EXPECT_EQ(Body(fake_->requests.at(0)),
            json({{"run_id", "r9"}, {"status", "FINISHED"}, {"end_time", 1700000000123}}));
}

TEST_F(MlflowClientTest, ErrorWithoutMlflowBodyKeepsTheText) {
  MlflowClient client = Connect();
  fake_->On(Route("POST", "runs/update"), 502, "Bad Gateway");
  Status status = client.FinishRun("r1", false);
  EXPECT_EQ(status.message(), "MLflow POST runs/update: HTTP 502: Bad Gateway");
}

TEST_F(MlflowClientTest, RetriesServerErrorsAndConnectionErrorsButNotClientErrors) {
  MlflowClient client = Connect(/*retries=*/3);
  fake_->On(Route("POST", "runs/update"), 503, "busy");
  fake_->On(Route("POST", "runs/update"), 200, "{}");
  EXPECT_TRUE(client.FinishRun("r1", true).ok());
  EXPECT_EQ(fake_->requests.size(), 2u);

  fake_->requests.clear();
  fake_->On(Route("POST", "registered-models/set-tag"), 400,
            R"({"error_code":"INVALID_PARAMETER_VALUE","message":"bad"})");
  EXPECT_FALSE(client.SetRegisteredModelTag("m", "k", "v").ok());
  EXPECT_EQ(fake_->requests.size(), 1u);

  fake_->requests.clear();
  fake_->FailOn(Route("GET", "runs/get"), "Connection refused");
  auto run = client.GetRun("r1");
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(fake_->requests.size(), 4u);
  EXPECT_NE(run.status().message().find("MLflow GET runs/get: no response"), std::string::npos)
      << run.status().message();
}

TEST_F(MlflowClientTest, UploadArtifactPutsTheBytesThroughTheArtifactProxy) {
  MlflowClient client = Connect();
  const std::string url = std::string(kBase) +
                          "/api/2.0/mlflow-artifacts/artifacts/7/r1/artifacts/"
                          "lead_scoring_xgb_model/MLmodel";
  fake_->On("PUT /api/2.0/mlflow-artifacts/artifacts/7/r1/artifacts/lead_scoring_xgb_model/MLmodel",
            200, "{}");
  RunInfo run{"r1", "7", "nightly", "mlflow-artifacts:/7/r1/artifacts"};
  ASSERT_TRUE(client.UploadArtifact(run, "lead_scoring_xgb_model/MLmodel", "flavors: {}\n").ok());
  ASSERT_EQ(fake_->requests.size(), 1u);
  EXPECT_EQ(fake_->requests[0].method, "PUT");
  EXPECT_EQ(fake_->requests[0].url, url);
  EXPECT_EQ(fake_->requests[0].body, "flavors: {}\n");
}

TEST_F(MlflowClientTest, DownloadArtifactResolvesRunsUrisThroughTheRun) {
  MlflowClient client = Connect();
  fake_->On(
      Route("GET", "runs/get"), 200,
      R"({"run":{"info":{"run_id":"r1","artifact_uri":"mlflow-artifacts:/7/r1/artifacts"}}})");
  fake_->On("GET /api/2.0/mlflow-artifacts/artifacts/7/r1/artifacts/m/model.json", 200, "{}");
  auto bytes = client.DownloadArtifact("runs:/r1/m/model.json");
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  EXPECT_EQ(bytes.value(), "{}");
  EXPECT_EQ(fake_->requests.at(0).url, std::string(kBase) + kApi + "runs/get?run_id=r1");
}

TEST_F(MlflowClientTest, DownloadArtifactResolvesRunsUrisNamingALoggedModelOfTheRun) {
  MlflowClient client = Connect();
  fake_->On(Route("GET", "runs/get"), 200,
            R"({"run":{"info":{"run_id":"r1","artifact_uri":"mlflow-artifacts:/7/r1/artifacts"},
                "outputs":{"model_outputs":[{"model_id":"m-other","step":0},
                                            {"model_id":"m-42","step":0}]}}})");
  fake_->On(Route("GET", "logged-models/m-other"), 200,
            R"({"model":{"info":{"model_id":"m-other","name":"other",
                "artifact_uri":"mlflow-artifacts:/7/models/m-other/artifacts"}}})");
  fake_->On(Route("GET", "logged-models/m-42"), 200,
            R"({"model":{"info":{"model_id":"m-42","name":"lead_scoring_xgb_model",
                "artifact_uri":"mlflow-artifacts:/7/models/m-42/artifacts"}}})");
  fake_->On("GET /api/2.0/mlflow-artifacts/artifacts/7/models/m-42/artifacts/MLmodel", 200, "yaml");
  fake_->On("GET /api/2.0/mlflow-artifacts/artifacts/7/r1/artifacts/reliability.csv", 200, "csv");
  EXPECT_EQ(client.DownloadArtifact("runs:/r1/lead_scoring_xgb_model/MLmodel").value(), "yaml");
  EXPECT_EQ(client.DownloadArtifact("runs:/r1/reliability.csv").value(), "csv");
}

TEST_F(MlflowClientTest, DownloadArtifactResolvesLoggedModels) {
  MlflowClient client = Connect();
  fake_->On(Route("GET", "logged-models/m-42"), 200,
            R"({"model":{"info":{"model_id":"m-42",
                "artifact_uri":"mlflow-artifacts:/7/models/m-42/artifacts"}}})");
  fake_->On("GET /api/2.0/mlflow-artifacts/artifacts/7/models/m-42/artifacts/model.json", 200,
            "bytes");
  EXPECT_EQ(client.DownloadArtifact("models:/m-42/model.json").value(), "bytes");
}

TEST_F(MlflowClientTest, DownloadArtifactReportsAMissingFile) {
  MlflowClient client = Connect();
  fake_->On("GET /api/2.0/mlflow-artifacts/artifacts/7/r1/artifacts/none", 404,
            R"({"error_code":"RESOURCE_DOES_NOT_EXIST","message":"No such artifact"})");
  auto bytes = client.DownloadArtifact("mlflow-artifacts:/7/r1/artifacts/none");
  ASSERT_FALSE(bytes.ok());
  EXPECT_NE(bytes.status().message().find("HTTP 404 RESOURCE_DOES_NOT_EXIST: No such artifact"),
            std::string::npos)
      << bytes.status().message();
}

TEST_F(MlflowClientTest, EnsureRegisteredModelAcceptsAnExistingModel) {
  MlflowClient client = Connect();
  fake_->On(Route("POST", "registered-models/create"), 400,
            R"({"error_code":"RESOURCE_ALREADY_EXISTS","message":"exists"})");
  EXPECT_TRUE(client.EnsureRegisteredModel("lead-scoring").ok());
  EXPECT_EQ(Body(fake_->requests.at(0)), json({{"name", "lead-scoring"}}));
}

TEST_F(MlflowClientTest, GetVersionByAliasIsEmptyWhenTheAliasIsUnset) {
  MlflowClient client = Connect();
  fake_->On(
      Route("GET", "registered-models/get"), 200,
      R"({"registered_model":{"name":"lead-scoring","aliases":[{"alias":"challenger","version":"2"}]}})");
  auto version = client.GetVersionByAlias("lead-scoring", "champion");
  ASSERT_TRUE(version.ok()) << version.status().message();
  EXPECT_FALSE(version.value().has_value());
}

TEST_F(MlflowClientTest, GetVersionByAliasReturnsTheVersion) {
  MlflowClient client = Connect();
  fake_->On(Route("GET", "registered-models/get"), 200,
            R"({"registered_model":{"name":"lead-scoring",
                "tags":[{"key":"leadscore.champion_history","value":"[\"1\"]"}],
                "aliases":[{"alias":"champion","version":"2"}]}})");
  fake_->On(Route("GET", "model-versions/get"), 200,
            R"({"model_version":{"name":"lead-scoring","version":"2","run_id":"r2",
                "source":"mlflow-artifacts:/7/r2/artifacts/m","status":"READY",
                "tags":[{"key":"auc","value":"0.8"}],"aliases":["champion"]}})");
  auto version = client.GetVersionByAlias("lead-scoring", "champion");
  ASSERT_TRUE(version.ok()) << version.status().message();
  ASSERT_TRUE(version.value().has_value());
  const ModelVersion& v = *version.value();
  EXPECT_EQ(v.version, "2");
  EXPECT_EQ(v.run_id, "r2");
  EXPECT_EQ(v.status, "READY");
  EXPECT_EQ(v.tags.at("auc"), "0.8");
  EXPECT_EQ(v.aliases, std::vector<std::string>{"champion"});
  EXPECT_EQ(fake_->requests.at(1).url,
            std::string(kBase) + kApi + "model-versions/get?name=lead-scoring&version=2");
  auto tags = client.GetRegisteredModelTags("lead-scoring");
  EXPECT_EQ(tags.value().at("leadscore.champion_history"), "[\"1\"]");
}

TEST_F(MlflowClientTest, CreateModelVersionWaitsUntilReady) {
  MlflowClient client = Connect();
  fake_->On(Route("POST", "model-versions/create"), 200,
            R"({"model_version":{"name":"m","version":"3","status":"PENDING_REGISTRATION"}})");
  fake_->On(Route("GET", "model-versions/get"), 200,
            R"({"model_version":{"name":"m","version":"3","status":"PENDING_REGISTRATION"}})");
  fake_->On(Route("GET", "model-versions/get"), 200,
            R"({"model_version":{"name":"m","version":"3","status":"READY"}})");
  auto version = client.CreateModelVersion("m", "mlflow-artifacts:/7/r1/artifacts/m", "r1");
  ASSERT_TRUE(version.ok()) << version.status().message();
  EXPECT_EQ(version.value().status, "READY");
  EXPECT_EQ(
      Body(fake_->requests.at(0)),
      json({{"name", "m"}, {"source", "mlflow-artifacts:/7/r1/artifacts/m"}, {"run_id", "r1"}}));
  EXPECT_EQ(fake_->RequestsTo(Route("GET", "model-versions/get")).size(), 2u);
}

TEST_F(MlflowClientTest, CreateModelVersionOfALoggedModelSendsItsId) {
  MlflowClient client = Connect();
  fake_->On(Route("POST", "model-versions/create"), 200,
            R"({"model_version":{"name":"m","version":"4","status":"READY",
                "source":"models:/m-42","run_id":"r1"}})");
  auto version = client.CreateModelVersion("m", "models:/m-42", "r1", "m-42");
  ASSERT_TRUE(version.ok()) << version.status().message();
  EXPECT_EQ(version.value().model_id, "m-42");  // from the source: MLflow 3.17 sends no model_id
  EXPECT_EQ(version.value().source, "models:/m-42");
  EXPECT_EQ(
      Body(fake_->requests.at(0)),
      json({{"name", "m"}, {"source", "models:/m-42"}, {"run_id", "r1"}, {"model_id", "m-42"}}));
}

TEST_F(MlflowClientTest, CreateModelVersionReportsAFailedRegistration) {
  MlflowClient client = Connect();
  fake_->On(Route("POST", "model-versions/create"), 200,
            R"({"model_version":{"name":"m","version":"3","status":"FAILED_REGISTRATION",
                "status_message":"copy failed"}})");
  auto version = client.CreateModelVersion("m", "s", "r1");
  ASSERT_FALSE(version.ok());
  EXPECT_EQ(version.status().message(),
            "MLflow model 'm' version 3 is FAILED_REGISTRATION: copy failed");
}

TEST_F(MlflowClientTest, AliasAndTagCallsSendTheirFields) {
  MlflowClient client = Connect();
  fake_->On(Route("POST", "registered-models/alias"), 200, "{}");
  fake_->On(Route("DELETE", "registered-models/alias"), 200, "{}");
  fake_->On(Route("POST", "model-versions/set-tag"), 200, "{}");
  ASSERT_TRUE(client.SetAlias("m", "champion", "4").ok());
  ASSERT_TRUE(client.DeleteAlias("m", "champion").ok());
  ASSERT_TRUE(client.SetModelVersionTag("m", "4", "gate", "passed").ok());
  EXPECT_EQ(Body(fake_->requests.at(0)),
            json({{"name", "m"}, {"alias", "champion"}, {"version", "4"}}));
  EXPECT_EQ(Body(fake_->requests.at(1)), json({{"name", "m"}, {"alias", "champion"}}));
  EXPECT_EQ(Body(fake_->requests.at(2)),
            json({{"name", "m"}, {"version", "4"}, {"key", "gate"}, {"value", "passed"}}));
}

TEST_F(MlflowClientTest, AnUnexpectedResponseShapeIsAnErrorNotACrash) {
  MlflowClient client = Connect();
  fake_->On(Route("GET", "model-versions/get"), 200, R"({"model_version":{"version":3}})");
  auto version = client.GetModelVersion("m", "3");
  ASSERT_FALSE(version.ok());
  EXPECT_NE(version.status().message().find("unexpected response shape"), std::string::npos);
  fake_->On(Route("GET", "runs/get"), 200, "<html>");
  EXPECT_NE(client.GetRun("r").status().message().find("not JSON"), std::string::npos);
}

}  // namespace
}  // namespace leadscore
