#include "tracking/mlflow_model.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tracking/fake_http_transport.h"

namespace leadscore {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const std::vector<std::string> kFeatures = {"sessions", "page_views"};
const std::string kModelJson =
    R"({"learner":{"attributes":{},"feature_names":["sessions","page_views"],)"
    R"("learner_model_param":{"num_feature":"2"}},"version":[1,7,4]})";

XgboostModelOptions FixedOptions() {
  XgboostModelOptions options;
  options.run_id = "9186ca7245ec4ff88ac06c5917597831";
  options.model_uuid = "d0c3d8ae75e94daaa2b168a400177727";
  options.created =
      std::chrono::sys_days(std::chrono::year{2026} / 11 / 24) + 6h + 46min + 19s + 839434us;
  return options;
}

std::map<std::string, std::string> Build(const std::vector<std::vector<double>>& rows,
                                         const XgboostModelOptions& options = FixedOptions()) {
  auto files = BuildXgboostModelArtifacts(kModelJson, kFeatures, rows, options);
  EXPECT_TRUE(files.ok()) << files.status().message();
  std::map<std::string, std::string> by_path;
  if (!files.ok()) return by_path;
  for (const ArtifactFile& file : files.value()) by_path[file.path] = file.bytes;
  return by_path;
}

TEST(XgboostModelArtifacts, AreTheFilesMlflowXgboostWrites) {
  auto files = Build({{3, 12}});
  std::vector<std::string> names;
  names.reserve(files.size());
  for (const auto& [path, bytes] : files) names.push_back(path);
  EXPECT_EQ(names, (std::vector<std::string>{"MLmodel", "conda.yaml", "input_example.json",
                                             "model.json", "python_env.yaml", "requirements.txt",
                                             "serving_input_example.json"}));
  EXPECT_EQ(files["model.json"], kModelJson);  // the booster goes in unchanged
}

TEST(XgboostModelArtifacts, MLmodelDescribesBothFlavorsTheSignatureAndTheExample) {
  auto files = Build({{3, 12}, {1, 2}});
  size_t size = kModelJson.size() + files["input_example.json"].size() +
                files["serving_input_example.json"].size();
  EXPECT_EQ(files["MLmodel"],
            "artifact_path: lead_scoring_xgb_model\n"
            "flavors:\n"
            "  python_function:\n"
            "    data: model.json\n"
            "    env:\n"
            "      conda: conda.yaml\n"
            "      virtualenv: python_env.yaml\n"
            "    loader_module: mlflow.xgboost\n"
            "    python_version: \"3.11.7\"\n"
            "  xgboost:\n"
            "    code: null\n"
            "    data: model.json\n"
            "    model_class: xgboost.core.Booster\n"
            "    model_format: json\n"
            "    xgb_version: \"1.7.6\"\n"
            "is_signature_from_type_hint: false\n"
            "mlflow_version: \"3.17.2\"\n"
            "model_id: null\n"
            "model_size_bytes: " +
                std::to_string(size) +
                "\n"
                "model_uuid: d0c3d8ae75e94daaa2b168a400177727\n"
                "prompts: null\n"
                "run_id: \"9186ca7245ec4ff88ac06c5917597831\"\n"
                "saved_input_example_info:\n"
                "  artifact_path: input_example.json\n"
                "  pandas_orient: split\n"
                "  serving_input_path: serving_input_example.json\n"
                "  type: dataframe\n"
                "signature:\n"
                "  inputs: \"[{\\\"type\\\":\\\"double\\\",\\\"name\\\":\\\"sessions\\\","
                "\\\"required\\\":true},{\\\"type\\\":\\\"double\\\",\\\"name\\\":\\\"page_views"
                "\\\",\\\"required\\\":true}]\"\n"
                "  outputs: \"[{\\\"type\\\":\\\"float\\\",\\\"name\\\":\\\"raw_probability\\\","
                "\\\"required\\\":true}]\"\n"
                "  params: null\n"
                "type_hint_from_example: false\n"
                "utc_time_created: \"2026-11-24 06:46:19.839434\"\n");
}

TEST(XgboostModelArtifacts, MLmodelNamesItsLoggedModelAndCarriesMetadata) {
  XgboostModelOptions options = FixedOptions();
  options.artifact_path = "mlflow-artifacts:/7/models/m-0123/artifacts";
  options.model_id = "m-0123";
  options.model_uuid = "m-0123";
  options.metadata = {{"leadscore.feature_set", "base"}};
  const std::string mlmodel = Build({{3, 12}}, options)["MLmodel"];
  EXPECT_NE(mlmodel.find("artifact_path: \"mlflow-artifacts:/7/models/m-0123/artifacts\"\n"),
            std::string::npos)
      << mlmodel;
  EXPECT_NE(mlmodel.find("model_id: m-0123\n"), std::string::npos) << mlmodel;
  EXPECT_NE(mlmodel.find("model_uuid: m-0123\n"), std::string::npos) << mlmodel;
  EXPECT_NE(mlmodel.find("metadata:\n  leadscore.feature_set: base\n"), std::string::npos)
      << mlmodel;
}

TEST(XgboostModelArtifacts, InputExampleIsAPandasSplitFrameWithLongColumnsAsIntegers) {
  XgboostModelOptions options = FixedOptions();
  options.column_types = {ColumnType::kLong, ColumnType::kDouble};
  auto files = Build({{3, 12.5}, {1, 2}}, options);
  EXPECT_EQ(files["input_example.json"],
            R"({"columns":["sessions","page_views"],"data":[[3,12.5],[1,2.0]]})");
  EXPECT_EQ(json::parse(files["serving_input_example.json"]),
            json::parse(R"({"dataframe_split":{"columns":["sessions","page_views"],
                             "data":[[3,12.5],[1,2.0]]}})"));
  EXPECT_NE(files["MLmodel"].find(R"(\"type\":\"long\",\"name\":\"sessions\")"), std::string::npos);
}

TEST(XgboostModelArtifacts, EnvironmentFilesPinThePythonThatLoadsTheModel) {
  auto files = Build({{3, 12}});
  EXPECT_EQ(files["requirements.txt"],
            "mlflow==3.17.2\nnumpy==2.4.6\npandas==3.1.1\nscikit-learn==1.9.1\nscipy==1.17.1\n"
            "xgboost==1.7.6");
  EXPECT_EQ(files["python_env.yaml"],
            "python: \"3.11.7\"\n"
            "build_dependencies:\n"
            "- pip\n"
            "- setuptools\n"
            "- wheel\n"
            "dependencies:\n"
            "- \"-r requirements.txt\"\n");
  EXPECT_EQ(files["conda.yaml"],
            "channels:\n"
            "- conda-forge\n"
            "dependencies:\n"
            "- python=3.11.7\n"
            "- pip\n"
            "- pip:\n"
            "  - mlflow==3.17.2\n"
            "  - numpy==2.4.6\n"
            "  - pandas==3.1.1\n"
            "  - scikit-learn==1.9.1\n"
            "  - scipy==1.17.1\n"
            "  - xgboost==1.7.6\n"
            "name: mlflow-env\n");
}

// The model's environment must be the one this repository installs (requirements.txt).
TEST(XgboostModelArtifacts, PinsMatchTheRepositoryRequirements) {
  // The runtime freeze and the test freeze together (xgboost is test-only: the engine links
  // Debian's libxgboost; the wheel reads its models in the MLflow tests).
  std::map<std::string, std::string> pins;
  for (const char* file : {"/requirements.txt", "/requirements-test.txt"}) {
    std::ifstream in(std::string(LEADSCORE_SOURCE_DIR) + file);
    ASSERT_TRUE(in) << "cannot read " << file;
    std::string line;
    while (std::getline(in, line)) {
      size_t eq = line.find("==");
      if (eq != std::string::npos) pins[line.substr(0, eq)] = line.substr(eq + 2);
    }
  }
  PythonModelEnvironment env;
  EXPECT_EQ(pins["mlflow"], env.mlflow_version);
  EXPECT_EQ(pins["xgboost"], env.xgboost_version);
  EXPECT_EQ(pins["numpy"], env.numpy_version);
  EXPECT_EQ(pins["pandas"], env.pandas_version);
  EXPECT_EQ(pins["scikit-learn"], env.scikit_learn_version);
  EXPECT_EQ(pins["scipy"], env.scipy_version);
}

TEST(XgboostModelArtifacts, RejectFeatureNamesTheModelWasNotTrainedOn) {
  auto files = BuildXgboostModelArtifacts(kModelJson, {"page_views", "sessions"}, {{1, 2}});
  ASSERT_FALSE(files.ok());
  EXPECT_NE(files.status().message().find("pyfunc would reject every input"), std::string::npos);

  auto three = BuildXgboostModelArtifacts(
      R"({"learner":{"learner_model_param":{"num_feature":"3"}}})", kFeatures, {{1, 2}});
  ASSERT_FALSE(three.ok());
  EXPECT_NE(three.status().message().find("3 features but 2 feature names"), std::string::npos);
}

TEST(XgboostModelArtifacts, RejectBadExampleRowsAndNonXgboostModels) {
  XgboostModelOptions strings;
  strings.column_types = {ColumnType::kString, ColumnType::kLong};
  EXPECT_FALSE(BuildXgboostModelArtifacts(kModelJson, kFeatures, {{1, 2}}, strings).ok());
  EXPECT_FALSE(BuildXgboostModelArtifacts(kModelJson, kFeatures, {}).ok());
  EXPECT_FALSE(BuildXgboostModelArtifacts(kModelJson, kFeatures, {{1}}).ok());
  EXPECT_FALSE(BuildXgboostModelArtifacts(kModelJson, kFeatures, {{1, std::nan("")}}).ok());
  EXPECT_FALSE(BuildXgboostModelArtifacts(kModelJson, {"a", "a"}, {{1, 2}}).ok());
  auto not_xgboost = BuildXgboostModelArtifacts(R"({"trees":[]})", kFeatures, {{1, 2}});
  ASSERT_FALSE(not_xgboost.ok());
  EXPECT_NE(not_xgboost.status().message().find("not XGBoost's JSON model format"),
            std::string::npos);
}

// A server that creates logged model m-1 of experiment 7; AcceptFiles() makes it take the files.
class LogXgboostModelTest : public ::testing::Test {
 protected:
  static constexpr char kApi[] = "/api/2.0/mlflow/";
  static constexpr char kDir[] = "/api/2.0/mlflow-artifacts/artifacts/7/models/m-1/artifacts/";

  void SetUp() override {
    fake_->On("GET /health", 200, "OK");
    fake_->On(std::string("POST ") + kApi + "logged-models", 200,
              R"({"model":{"info":{"model_id":"m-1","experiment_id":"7",
                  "name":"lead_scoring_xgb_model","status":"LOGGED_MODEL_PENDING",
                  "artifact_uri":"mlflow-artifacts:/7/models/m-1/artifacts","source_run_id":"r1"}}})");
    fake_->On(std::string("POST ") + kApi + "runs/outputs", 200, "{}");
    fake_->On(std::string("PATCH ") + kApi + "logged-models/m-1", 200,
              R"({"model":{"info":{"model_id":"m-1"}}})");
  }

  // Every file but `refused`, which gets an HTTP 500.
  void AcceptFiles(const std::string& refused = "") {
    for (const char* name :
         {"MLmodel", "model.json", "input_example.json", "serving_input_example.json",
          "requirements.txt", "python_env.yaml", "conda.yaml"}) {
      fake_->On(std::string("PUT ") + kDir + name, name == refused ? 500 : 200,
                name == refused ? "disk full" : "{}");
    }
  }

  MlflowClient Connect() {
    MlflowOptions options;
    options.tracking_uri = "http://mlflow.test";
    options.transport = fake_;
    options.retries = 0;
    auto client = MlflowClient::Connect(options);
    EXPECT_TRUE(client.ok()) << client.status().message();
    fake_->requests.clear();
    return std::move(client).value();
  }

  std::vector<std::string> Routes() const {
    std::vector<std::string> routes;
    for (const HttpRequest& request : fake_->requests) {
      routes.push_back(FakeHttpTransport::Route(request));
    }
    return routes;
  }

  std::shared_ptr<FakeHttpTransport> fake_ = std::make_shared<FakeHttpTransport>();
  RunInfo run_{"r1", "7", "nightly", "mlflow-artifacts:/7/r1/artifacts"};
};

TEST_F(LogXgboostModelTest, CreatesTheLoggedModelUploadsItsFilesWithMLmodelLastAndFinalizes) {
  AcceptFiles();
  MlflowClient client = Connect();
  XgboostModelOptions options;
  options.params = {{"max_depth", "5"}};
  options.tags = {{"mlflow.user", "ana"}};
  auto model = LogXgboostModel(client, run_, kModelJson, kFeatures, {{3, 12}}, options);
  ASSERT_TRUE(model.ok()) << model.status().message();
  EXPECT_EQ(model.value().model_id, "m-1");
  EXPECT_EQ(model.value().status, "LOGGED_MODEL_READY");

  const std::vector<std::string> routes = Routes();
  ASSERT_EQ(routes.size(), 10u);  // create, outputs, seven files, finalize
  EXPECT_EQ(routes[0], std::string("POST ") + kApi + "logged-models");
  EXPECT_EQ(routes[1], std::string("POST ") + kApi + "runs/outputs");
  EXPECT_EQ(routes[8], std::string("PUT ") + kDir + "MLmodel");
  EXPECT_EQ(routes[9], std::string("PATCH ") + kApi + "logged-models/m-1");
  const json created = json::parse(fake_->requests[0].body);
  EXPECT_EQ(created["experiment_id"], "7");
  EXPECT_EQ(created["name"], "lead_scoring_xgb_model");
  EXPECT_EQ(created["source_run_id"], "r1");
  EXPECT_EQ(created["params"], json::parse(R"([{"key":"max_depth","value":"5"}])"));
  EXPECT_EQ(created["tags"], json::parse(R"([{"key":"mlflow.user","value":"ana"}])"));
  EXPECT_EQ(json::parse(fake_->requests[9].body)["status"], "LOGGED_MODEL_READY");

  const std::string& mlmodel = fake_->requests[8].body;
  EXPECT_NE(mlmodel.find("run_id: r1\n"), std::string::npos) << mlmodel;
  EXPECT_NE(mlmodel.find("model_id: m-1\n"), std::string::npos) << mlmodel;
  EXPECT_NE(mlmodel.find("artifact_path: \"mlflow-artifacts:/7/models/m-1/artifacts\""),
            std::string::npos)
      << mlmodel;
}

TEST_F(LogXgboostModelTest, AFailedUploadMarksTheModelUploadFailed) {
  AcceptFiles("model.json");
  MlflowClient client = Connect();
  auto model = LogXgboostModel(client, run_, kModelJson, kFeatures, {{3, 12}});
  ASSERT_FALSE(model.ok());
  const std::string& message = model.status().message();
  EXPECT_NE(message.find("logging model m-1 of run r1 (marked LOGGED_MODEL_UPLOAD_FAILED)"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("HTTP 500"), std::string::npos) << message;
  EXPECT_EQ(FakeHttpTransport::Route(fake_->requests.back()),
            std::string("PATCH ") + kApi + "logged-models/m-1");
  EXPECT_EQ(json::parse(fake_->requests.back().body)["status"], "LOGGED_MODEL_UPLOAD_FAILED");
  EXPECT_TRUE(fake_->RequestsTo(std::string("PUT ") + kDir + "MLmodel").empty());
}

TEST_F(LogXgboostModelTest, AModelThatCannotBeDescribedCreatesNothing) {
  AcceptFiles();
  MlflowClient client = Connect();
  auto model = LogXgboostModel(client, run_, kModelJson, {"page_views", "sessions"}, {{3, 12}});
  ASSERT_FALSE(model.ok());
  EXPECT_TRUE(fake_->requests.empty());
}

}  // namespace
}  // namespace leadscore
