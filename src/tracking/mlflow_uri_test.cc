#include "tracking/mlflow_uri.h"

#include <gtest/gtest.h>

namespace leadscore {
namespace {

TEST(PercentEncode, KeepsUnreservedAndEncodesTheRest) {
  EXPECT_EQ(PercentEncode("Lead Scoring/ü&x=1"), "Lead%20Scoring%2F%C3%BC%26x%3D1");
  EXPECT_EQ(PercentEncode("a b/c.d", /*keep_slashes=*/true), "a%20b/c.d");
  EXPECT_EQ(PercentEncode("A-z_0.9~"), "A-z_0.9~");
}

TEST(NormalizeTrackingUri, StripsTrailingSlashes) {
  auto uri = NormalizeTrackingUri("http://127.0.0.1:5001//");
  ASSERT_TRUE(uri.ok()) << uri.status().message();
  EXPECT_EQ(uri.value(), "http://127.0.0.1:5001");
  EXPECT_TRUE(NormalizeTrackingUri("https://mlflow.example.com").ok());
}

TEST(NormalizeTrackingUri, RejectsWhatIsNotAnHttpServer) {
  for (const char* bad : {"file:///tmp/mlruns", "none", "http://", "127.0.0.1:5001", ""}) {
    auto uri = NormalizeTrackingUri(bad);
    ASSERT_FALSE(uri.ok()) << bad;
    EXPECT_NE(uri.status().message().find("http(s) URL of an MLflow server"), std::string::npos);
  }
}

TEST(UiUrls, OpenRunsAndLoggedModelsInTheModelTrainingView) {
  EXPECT_EQ(UiRunUrl("http://h:1", "2", "4898adb1"),
            "http://h:1/#/experiments/2/runs/4898adb1?workflowType=machine_learning");
  EXPECT_EQ(UiLoggedModelUrl("http://h:1", "2", "m-99"),
            "http://h:1/#/experiments/2/models/m-99?workflowType=machine_learning");
}

TEST(ApiUrl, JoinsEndpointAndEncodesQueryValues) {
  EXPECT_EQ(ApiUrl("http://h:1", "experiments/get-by-name",
                   {{"experiment_name", "Lead Scoring Optimization"}}),
            "http://h:1/api/2.0/mlflow/experiments/get-by-name?experiment_name=Lead%20Scoring%"
            "20Optimization");
  EXPECT_EQ(ApiUrl("http://h:1", "/model-versions/get", {{"name", "a&b"}, {"version", "2"}}),
            "http://h:1/api/2.0/mlflow/model-versions/get?name=a%26b&version=2");
  EXPECT_EQ(ApiUrl("http://h:1", "runs/create"), "http://h:1/api/2.0/mlflow/runs/create");
}

TEST(JoinArtifactPath, PutsExactlyOneSlashBetween) {
  EXPECT_EQ(JoinArtifactPath("mlflow-artifacts:/1/r/artifacts/", "/m/MLmodel"),
            "mlflow-artifacts:/1/r/artifacts/m/MLmodel");
  EXPECT_EQ(JoinArtifactPath("runs:/r", ""), "runs:/r");
}

TEST(ArtifactProxyUrl, MapsServedArtifactUrisOntoTheProxy) {
  const std::string base = "http://127.0.0.1:5001";
  const std::string proxy = base + "/api/2.0/mlflow-artifacts/artifacts/";
  EXPECT_EQ(ArtifactProxyUrl(base, "mlflow-artifacts:/1/abc/artifacts/m/model.json").value(),
            proxy + "1/abc/artifacts/m/model.json");
  EXPECT_EQ(ArtifactProxyUrl(base, "mlflow-artifacts:///1/abc/x y").value(), proxy + "1/abc/x%20y");
  EXPECT_EQ(ArtifactProxyUrl(base, "mlflow-artifacts://other:9000/1/abc").value(),
            "http://other:9000/api/2.0/mlflow-artifacts/artifacts/1/abc");
  EXPECT_EQ(ArtifactProxyUrl(base, proxy + "1/abc").value(), proxy + "1/abc");
}

TEST(ArtifactProxyUrl, RejectsStorageTheProxyDoesNotServe) {
  for (const char* uri : {"file:///tmp/mlruns/1/abc", "s3://bucket/1/abc", "http://h/other/x"}) {
    auto url = ArtifactProxyUrl("http://127.0.0.1:5001", uri);
    ASSERT_FALSE(url.ok()) << uri;
    EXPECT_NE(url.status().message().find("scripts/run_mlflow_server.sh"), std::string::npos);
  }
}

TEST(RegisteredModelUri, ParsesAliasForm) {
  auto uri = ParseRegisteredModelUri("models:/lead-scoring@champion");
  ASSERT_TRUE(uri.ok()) << uri.status().message();
  EXPECT_EQ(uri.value().name, "lead-scoring");
  EXPECT_EQ(uri.value().alias, "champion");
  EXPECT_EQ(uri.value().version, "");
}

TEST(RegisteredModelUri, ParsesVersionForm) {
  auto uri = ParseRegisteredModelUri("models:/lead-scoring/12");
  ASSERT_TRUE(uri.ok()) << uri.status().message();
  EXPECT_EQ(uri.value().name, "lead-scoring");
  EXPECT_EQ(uri.value().version, "12");
  EXPECT_EQ(uri.value().alias, "");
}

TEST(RegisteredModelUri, RejectsOtherFormsSayingWhatIsAccepted) {
  for (const char* bad : {"runs:/abc/model", "models:/", "models:/lead-scoring", "models:/@x",
                          "models:/m/", "models:/m/v1", "models:/m@", "models:/a/b@c/d"}) {
    auto uri = ParseRegisteredModelUri(bad);
    ASSERT_FALSE(uri.ok()) << bad;
    EXPECT_NE(uri.status().message().find("models:/<name>@<alias>"), std::string::npos) << bad;
  }
}

}  // namespace
}  // namespace leadscore
