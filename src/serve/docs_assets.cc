#include "serve/docs_assets.h"

#include "common/whole_file.h"

namespace leadscore::serve {
namespace {

struct AssetFile {
  const char* name;
  const char* content_type;
};

// What the page needs from swagger-ui-dist; nothing else of the package is served.
constexpr AssetFile kAssetFiles[] = {
    {"swagger-ui.css", "text/css; charset=utf-8"},
    {"swagger-ui-bundle.js", "text/javascript; charset=utf-8"},
    {"swagger-ui-standalone-preset.js", "text/javascript; charset=utf-8"},
    {"favicon-32x32.png", "image/png"},
};

// swagger-ui-dist's own index.html loads swagger-initializer.js, which points at the
// Petstore demo; this page configures the bundle inline for our /openapi.json instead.
constexpr const char* kPage = R"(<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>leadscore API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-ui-standalone-preset.js"></script>
  <script>
    window.ui = SwaggerUIBundle({
      url: "/openapi.json",
      dom_id: "#swagger-ui",
      deepLinking: true,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
      layout: "StandaloneLayout"
    });
  </script>
</body>
</html>
)";

}  // namespace

Result<DocsAssets> DocsAssets::Load(const std::filesystem::path& dir) {
  DocsAssets assets;
  assets.page_ = {"text/html; charset=utf-8", kPage};
  for (const AssetFile& file : kAssetFiles) {
    const std::filesystem::path path = dir / file.name;
    auto body = ReadWholeFile(path);
    if (!body.ok()) {
      return Status::Error("Swagger UI file: " + body.status().message() +
                           "; run scripts/setup (npm ci installs swagger-ui-dist) "
                           "or point --docs-dir at swagger-ui-dist");
    }
    assets.files_[file.name] = {file.content_type, std::move(body).value()};
  }
  return assets;
}

const StaticAsset* DocsAssets::Find(std::string_view name) const {
  auto it = files_.find(name);
  return it == files_.end() ? nullptr : &it->second;
}

}  // namespace leadscore::serve
