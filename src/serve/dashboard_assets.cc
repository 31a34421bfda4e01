#include "serve/dashboard_assets.h"

#include "common/whole_file.h"

namespace leadscore::serve {
namespace {

struct AssetFile {
  const char* name;
  const char* content_type;
  bool from_chart_dir;
};

// Everything the page loads; nothing else of either directory is served.
constexpr AssetFile kAssetFiles[] = {
    {"index.html", "text/html; charset=utf-8", false},
    {"dashboard.js", "text/javascript; charset=utf-8", false},
    {"dashboard.css", "text/css; charset=utf-8", false},
    {"chart.umd.min.js", "text/javascript; charset=utf-8", true},
};

}  // namespace

Result<DashboardAssets> DashboardAssets::Load(const std::filesystem::path& page_dir,
                                              const std::filesystem::path& chart_dir) {
  DashboardAssets assets;
  for (const AssetFile& file : kAssetFiles) {
    const std::filesystem::path path = (file.from_chart_dir ? chart_dir : page_dir) / file.name;
    auto body = ReadWholeFile(path);
    if (!body.ok()) {
      return Status::Error(
          "dashboard file: " + body.status().message() + "; " +
          (file.from_chart_dir
               ? "run scripts/setup (npm ci installs chart.js) or point --chart-dir at "
                 "chart.js/dist"
               : "point --dashboard-dir at the repo's web/dashboard"));
    }
    StaticAsset asset{file.content_type, std::move(body).value()};
    if (std::string_view(file.name) == "index.html") {
      assets.page_ = std::move(asset);
    } else {
      assets.files_[file.name] = std::move(asset);
    }
  }
  return assets;
}

const StaticAsset* DashboardAssets::Find(std::string_view name) const {
  auto it = files_.find(name);
  return it == files_.end() ? nullptr : &it->second;
}

}  // namespace leadscore::serve
