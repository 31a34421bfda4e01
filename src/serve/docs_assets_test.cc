#include "serve/docs_assets.h"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/temp_dir_fixture.h"

namespace leadscore::serve {
namespace {

class DocsAssetsTest : public TempDirTest {
 protected:
  void WritePackage() {
    for (const char* name : {"swagger-ui.css", "swagger-ui-bundle.js",
                             "swagger-ui-standalone-preset.js", "favicon-32x32.png"}) {
      std::ofstream(dir_ / name) << "content of " << name;
    }
  }
};

TEST_F(DocsAssetsTest, ServesThePageAndThePackageFilesOnly) {
  WritePackage();
  std::ofstream(dir_ / "secret.txt") << "not an asset";
  auto assets = DocsAssets::Load(dir_);
  ASSERT_TRUE(assets.ok()) << assets.status().message();
  EXPECT_NE(assets.value().page().body.find("url: \"/openapi.json\""), std::string::npos);
  EXPECT_EQ(assets.value().page().body.find("https://"), std::string::npos);  // no CDN
  const StaticAsset* bundle = assets.value().Find("swagger-ui-bundle.js");
  ASSERT_NE(bundle, nullptr);
  EXPECT_EQ(bundle->body, "content of swagger-ui-bundle.js");
  EXPECT_EQ(bundle->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(assets.value().Find("secret.txt"), nullptr);
  EXPECT_EQ(assets.value().Find("../secret.txt"), nullptr);
}

TEST_F(DocsAssetsTest, AMissingPackageNamesTheFileAndTheFix) {
  auto assets = DocsAssets::Load(dir_ / "nowhere");
  ASSERT_FALSE(assets.ok());
  EXPECT_NE(assets.status().message().find("swagger-ui.css"), std::string::npos);
  EXPECT_NE(assets.status().message().find("scripts/setup"), std::string::npos);
}

}  // namespace
}  // namespace leadscore::serve
