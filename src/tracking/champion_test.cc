#include "tracking/champion.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "model/lead_model.h"
#include "model/xgboost_adapter.h"
#include "tests/file_text.h"
#include "tracking/fake_http_transport.h"

namespace leadscore {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A real booster (one round on four rows), as XGBoost's JSON.
std::string TinyModelJson() {
  std::vector<float> x = {0, 1, 1, 0, 2, 3, 3, 2};
  std::vector<float> y = {0, 1, 0, 1};
  auto data = xgb::DMatrix::FromDense(x, 4, 2);
  EXPECT_TRUE(data.ok() && data.value().SetLabels(y).ok());
  auto booster = xgb::Booster::ForTraining(data.value());
  EXPECT_TRUE(booster.ok());
  EXPECT_TRUE(booster.value().SetParam("objective", "binary:logistic").ok());
  EXPECT_TRUE(booster.value().UpdateOneIter(0, data.value()).ok());
  return booster.value().SaveJson().value();
}

TEST(ChampionHistory, RoundTripsThroughItsTag) {
  std::vector<std::string> history = {"1", "3", "2"};
  EXPECT_EQ(EncodeChampionHistory(history), R"(["1","3","2"])");
  EXPECT_EQ(DecodeChampionHistory(EncodeChampionHistory(history)).value(), history);
  EXPECT_TRUE(DecodeChampionHistory("").value().empty());  // no tag yet
}

TEST(ChampionHistory, RejectsATagThatIsNotAListOfVersions) {
  for (const char* bad : {"3", "[1,2]", "{\"a\":1}", "not json"}) {
    auto history = DecodeChampionHistory(bad);
    ASSERT_FALSE(history.ok()) << bad;
    EXPECT_NE(history.status().message().find("leadscore.champion_history"), std::string::npos);
  }
}

TEST(WithModelVersion, SetsTheBoosterAttributeAndKeepsTheModel) {
  std::string model = TinyModelJson();
  auto stamped = WithModelVersion(model, "7");
  ASSERT_TRUE(stamped.ok()) << stamped.status().message();
  json parsed = json::parse(stamped.value());
  EXPECT_EQ(parsed["learner"]["attributes"]["model_version"], "7");
  json original = json::parse(model);
  EXPECT_EQ(parsed["learner"]["gradient_booster"], original["learner"]["gradient_booster"]);
}

TEST(WithModelVersion, RejectsWhatXgboostCannotLoad) {
  auto stamped = WithModelVersion(R"({"learner":{}})", "7");
  ASSERT_FALSE(stamped.ok());
  EXPECT_NE(stamped.status().message().find("not a loadable XGBoost JSON model"),
            std::string::npos);
}

// The registry of a server where version 1 is champion and version 2 is READY.
class ChampionTest : public ::testing::Test {
 protected:
  static constexpr char kApi[] = "/api/2.0/mlflow/";

  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("leadscore_champion_" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
            std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    model_out_ = dir_ / "lead_scoring_model.json";

    fake_->On("GET /health", 200, "OK");
    fake_->On(Api("GET", "model-versions/get-download-uri"), 200,
              R"({"artifact_uri":"mlflow-artifacts:/7/r2/artifacts/lead_scoring_xgb_model"})");
    fake_->On(
        "GET /api/2.0/mlflow-artifacts/artifacts/7/r2/artifacts/lead_scoring_xgb_model/"
        "model.json",
        200, TinyModelJson());
    fake_->On(Api("POST", "registered-models/set-tag"), 200, "{}");
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string Api(const std::string& method, const std::string& endpoint) {
    return method + " " + kApi + endpoint;
  }

  // The registered model as registered-models/get answers it; every version has `status`.
  void RegistryHas(const std::string& registered_model_json, const std::string& status = "READY") {
    fake_->On(Api("GET", "registered-models/get"), 200, registered_model_json);
    fake_->On(Api("GET", "model-versions/get"), 200,
              json({{"model_version", {{"name", "lead-scoring"}, {"status", status}}}}).dump());
  }

  MlflowClient Connect() {
    MlflowOptions options;
    options.tracking_uri = "http://mlflow.test";
    options.transport = fake_;
    options.retries = 0;
    auto client = MlflowClient::Connect(options);
    EXPECT_TRUE(client.ok()) << client.status().message();
    return std::move(client).value();
  }

  std::vector<std::string> TagValuesSent() const {
    std::vector<std::string> values;
    for (const HttpRequest& r : fake_->RequestsTo(Api("POST", "registered-models/set-tag"))) {
      values.push_back(json::parse(r.body)["value"].get<std::string>());
    }
    return values;
  }

  std::shared_ptr<FakeHttpTransport> fake_ = std::make_shared<FakeHttpTransport>();
  fs::path dir_;
  fs::path model_out_;
};

TEST_F(ChampionTest, PromoteMovesTheAliasRecordsThePreviousChampionAndInstallsTheFile) {
  RegistryHas(R"({"registered_model":{"name":"lead-scoring",
                  "aliases":[{"alias":"champion","version":"1"}]}})");
  fake_->On(Api("POST", "registered-models/alias"), 200, "{}");
  MlflowClient client = Connect();

  auto change = PromoteChampion(client, "lead-scoring", "2", model_out_);
  ASSERT_TRUE(change.ok()) << change.status().message();
  EXPECT_EQ(change.value().from, "1");
  EXPECT_EQ(change.value().to, "2");
  EXPECT_EQ(TagValuesSent(), std::vector<std::string>{R"(["1"])"});
  auto alias = fake_->RequestsTo(Api("POST", "registered-models/alias"));
  ASSERT_EQ(alias.size(), 1u);
  EXPECT_EQ(json::parse(alias[0].body),
            json({{"name", "lead-scoring"}, {"alias", "champion"}, {"version", "2"}}));
  EXPECT_EQ(json::parse(FileText(model_out_))["learner"]["attributes"]["model_version"], "2");
}

TEST_F(ChampionTest, PromoteUndoesTheHistoryAndKeepsTheFileWhenTheAliasCannotMove) {
  RegistryHas(R"({"registered_model":{"name":"lead-scoring",
                  "aliases":[{"alias":"champion","version":"1"}]}})");
  fake_->On(Api("POST", "registered-models/alias"), 403,
            R"({"error_code":"PERMISSION_DENIED","message":"read-only"})");
  std::ofstream(model_out_) << "previous model";
  MlflowClient client = Connect();

  auto change = PromoteChampion(client, "lead-scoring", "2", model_out_);
  ASSERT_FALSE(change.ok());
  EXPECT_NE(change.status().message().find("nothing was changed"), std::string::npos)
      << change.status().message();
  EXPECT_NE(change.status().message().find("HTTP 403 PERMISSION_DENIED"), std::string::npos);
  EXPECT_EQ(TagValuesSent(), (std::vector<std::string>{R"(["1"])", "[]"}));  // set, then undone
  EXPECT_EQ(FileText(model_out_), "previous model");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(ChampionTest, RollbackGoesBackToTheNewestPreviousChampion) {
  RegistryHas(R"({"registered_model":{"name":"lead-scoring",
                  "tags":[{"key":"leadscore.champion_history","value":"[\"5\",\"2\"]"}],
                  "aliases":[{"alias":"champion","version":"3"}]}})");
  fake_->On(Api("POST", "registered-models/alias"), 200, "{}");
  MlflowClient client = Connect();

  auto change = RollbackChampion(client, "lead-scoring", model_out_);
  ASSERT_TRUE(change.ok()) << change.status().message();
  EXPECT_EQ(change.value().from, "3");
  EXPECT_EQ(change.value().to, "2");
  EXPECT_EQ(TagValuesSent(), std::vector<std::string>{R"(["5"])"});
  EXPECT_EQ(json::parse(FileText(model_out_))["learner"]["attributes"]["model_version"], "2");
}

TEST_F(ChampionTest, RollbackWithoutHistoryFailsAndChangesNothing) {
  RegistryHas(R"({"registered_model":{"name":"lead-scoring",
                  "aliases":[{"alias":"champion","version":"1"}]}})");
  std::ofstream(model_out_) << "previous model";
  MlflowClient client = Connect();

  auto change = RollbackChampion(client, "lead-scoring", model_out_);
  ASSERT_FALSE(change.ok());
  EXPECT_NE(change.status().message().find("no previous champion"), std::string::npos)
      << change.status().message();
  for (const HttpRequest& request : fake_->requests) EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(FileText(model_out_), "previous model");
}

TEST_F(ChampionTest, PromoteRefusesAVersionThatIsNotReady) {
  RegistryHas(R"({"registered_model":{"name":"lead-scoring"}})", "PENDING_REGISTRATION");
  MlflowClient client = Connect();
  auto change = PromoteChampion(client, "lead-scoring", "2", model_out_);
  ASSERT_FALSE(change.ok());
  EXPECT_NE(change.status().message().find("PENDING_REGISTRATION, not READY"), std::string::npos);
  EXPECT_FALSE(fs::exists(model_out_));
}

}  // namespace
}  // namespace leadscore
