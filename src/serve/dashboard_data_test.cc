#include "serve/dashboard_data.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/temp_dir_fixture.h"

namespace leadscore::serve {
namespace {

using nlohmann::json;

json ValidData(int leads) {
  return {{"format", kDashboardFormat},
          {"totals", {{"leads", leads}}},
          {"channel_attribution", json::array({{{"channel", "Direct"}, {"leads", leads}}})},
          {"funnel", json::array()},
          {"score_distribution", json::array()}};
}

class DashboardDataTest : public TempDirTest {
 protected:
  // Like scripts/build_dashboard: a temporary file renamed over the path.
  void Write(const std::string& text) {
    const auto temporary = dir_ / "dashboard.json.tmp";
    std::ofstream(temporary) << text;
    std::filesystem::rename(temporary, path());
  }
  std::filesystem::path path() const { return dir_ / "dashboard.json"; }
};

TEST_F(DashboardDataTest, ReadsTheFileAndRereadsItWhenItChanges) {
  Write(ValidData(10).dump());
  DashboardData data(path());
  auto first = data.Current();
  ASSERT_TRUE(first.data) << first.problem;
  EXPECT_EQ((*first.data)["totals"]["leads"], 10);
  EXPECT_TRUE(first.problem.empty());
  Write(ValidData(12345).dump());  // another size, so the change shows even within one tick
  auto second = data.Current();
  ASSERT_TRUE(second.data);
  EXPECT_EQ((*second.data)["totals"]["leads"], 12345);
  EXPECT_EQ((*first.data)["totals"]["leads"], 10) << "an old snapshot stays as it was";
}

TEST_F(DashboardDataTest, AnInvalidNewFileKeepsThePreviousFiguresAndSaysWhy) {
  Write(ValidData(10).dump());
  DashboardData data(path());
  ASSERT_TRUE(data.Current().data);
  json broken = ValidData(10);
  broken.erase("funnel");
  Write(broken.dump() + "   ");
  auto snapshot = data.Current();
  ASSERT_TRUE(snapshot.data);
  EXPECT_EQ((*snapshot.data)["totals"]["leads"], 10);
  EXPECT_NE(snapshot.problem.find("'funnel'"), std::string::npos) << snapshot.problem;
  EXPECT_NE(snapshot.problem.find("scripts/build_dashboard"), std::string::npos);
  EXPECT_NE(snapshot.problem.find("previous"), std::string::npos);
}

TEST_F(DashboardDataTest, AMissingFileOrNoneConfiguredSaysWhatToRun) {
  DashboardData missing(path());
  auto snapshot = missing.Current();
  EXPECT_FALSE(snapshot.data);
  EXPECT_NE(snapshot.problem.find("missing"), std::string::npos) << snapshot.problem;
  EXPECT_NE(snapshot.problem.find("scripts/build_dashboard"), std::string::npos);
  DashboardData none{std::filesystem::path()};
  EXPECT_NE(none.Current().problem.find("--dashboard-data"), std::string::npos);
}

TEST(ValidateDashboardData, NamesTheFieldThatIsWrong) {
  EXPECT_TRUE(ValidateDashboardData(ValidData(1)).ok());
  json wrong_format = ValidData(1);
  wrong_format["format"] = "leadscore-dashboard/0";
  EXPECT_NE(ValidateDashboardData(wrong_format).message().find("'format'"), std::string::npos);
  json not_list = ValidData(1);
  not_list["channel_attribution"] = "Direct";
  EXPECT_NE(ValidateDashboardData(not_list).message().find("'channel_attribution'"),
            std::string::npos);
  json bad_row = ValidData(1);
  bad_row["score_distribution"] = json::array({1});
  EXPECT_NE(ValidateDashboardData(bad_row).message().find("'score_distribution'"),
            std::string::npos);
  EXPECT_FALSE(ValidateDashboardData(json::array()).ok());
}

}  // namespace
}  // namespace leadscore::serve
