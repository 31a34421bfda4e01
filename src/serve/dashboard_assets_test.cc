#include "serve/dashboard_assets.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/whole_file.h"
#include "tests/temp_dir_fixture.h"

namespace leadscore::serve {
namespace {

class DashboardAssetsTest : public TempDirTest {
 protected:
  void WriteFiles() {
    std::filesystem::create_directories(dir_ / "page");
    std::filesystem::create_directories(dir_ / "chart");
    for (const char* name : {"index.html", "dashboard.js", "dashboard.css"}) {
      std::ofstream(dir_ / "page" / name) << "content of " << name;
    }
    std::ofstream(dir_ / "chart" / "chart.umd.min.js") << "content of chart";
  }
};

TEST_F(DashboardAssetsTest, ServesThePageItsFilesAndChartJsOnly) {
  WriteFiles();
  std::ofstream(dir_ / "page" / "secret.txt") << "not an asset";
  auto assets = DashboardAssets::Load(dir_ / "page", dir_ / "chart");
  ASSERT_TRUE(assets.ok()) << assets.status().message();
  EXPECT_EQ(assets.value().page().body, "content of index.html");
  EXPECT_EQ(assets.value().page().content_type, "text/html; charset=utf-8");
  const StaticAsset* chart = assets.value().Find("chart.umd.min.js");
  ASSERT_NE(chart, nullptr);
  EXPECT_EQ(chart->body, "content of chart");
  EXPECT_EQ(chart->content_type, "text/javascript; charset=utf-8");
  ASSERT_NE(assets.value().Find("dashboard.css"), nullptr);
  EXPECT_EQ(assets.value().Find("dashboard.css")->content_type, "text/css; charset=utf-8");
  EXPECT_EQ(assets.value().Find("secret.txt"), nullptr);
  EXPECT_EQ(assets.value().Find("../page/secret.txt"), nullptr);
}

TEST_F(DashboardAssetsTest, AMissingChartPackageNamesTheFileAndTheFix) {
  WriteFiles();
  auto assets = DashboardAssets::Load(dir_ / "page", dir_ / "nowhere");
  ASSERT_FALSE(assets.ok());
  EXPECT_NE(assets.status().message().find("chart.umd.min.js"), std::string::npos);
  EXPECT_NE(assets.status().message().find("scripts/setup"), std::string::npos);
}

TEST(DashboardAssets, TheRepositoryPageReferencesOnlyLocalFiles) {
  // The real page (web/dashboard/), so a CDN link slipped into it fails here.
  auto read =
      ReadWholeFile(std::filesystem::path(LEADSCORE_SOURCE_DIR) / "web/dashboard/index.html");
  ASSERT_TRUE(read.ok()) << read.status().message();
  const std::string& page = read.value();
  EXPECT_EQ(page.find("http://"), std::string::npos);
  EXPECT_EQ(page.find("https://"), std::string::npos);
  EXPECT_NE(page.find("/dashboard/chart.umd.min.js"), std::string::npos);
  EXPECT_NE(page.find("/dashboard/dashboard.js"), std::string::npos);
}

}  // namespace
}  // namespace leadscore::serve
