#include "api/score_response.h"

#include <gtest/gtest.h>

#include <string>

#include "api/json_writer.h"

namespace leadscore::api {
namespace {

TEST(ScoreResponse, PrintsTheSeedServicesBody) {
  std::string out;
  JsonWriter writer(out);
  WriteScoreResponse(writer, 0.84, "high", "3");
  EXPECT_EQ(out, R"({"score":0.84,"label":"high","model_version":"3"})");
}

TEST(ScoreResponse, PrintsWholeAndTinyScoresLikePython) {
  std::string out;
  JsonWriter writer(out);
  writer.BeginArray();
  WriteScoreResponse(writer, 1.0, "high", "run-\"7\"");
  WriteScoreResponse(writer, 2.5e-05, "low", "");
  writer.EndArray();
  EXPECT_EQ(out, R"([{"score":1.0,"label":"high","model_version":"run-\"7\""},)"
                 R"({"score":2.5e-05,"label":"low","model_version":""}])");
}

}  // namespace
}  // namespace leadscore::api
