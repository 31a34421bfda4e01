// The files of GET /dashboard: the page's own HTML, script and style (web/dashboard/ in the
// repo) and Chart.js from its npm package (pinned in package.json, installed by
// scripts/setup), served by leadscore itself: no CDN, works offline. Read once at start-up
// and kept in memory.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "common/status.h"
#include "serve/docs_assets.h"

namespace leadscore::serve {

class DashboardAssets {
 public:
  // Reads the page from `page_dir` (web/dashboard) and Chart.js from `chart_dir`
  // (node_modules/chart.js/dist). Fails naming the missing file and what to run.
  static Result<DashboardAssets> Load(const std::filesystem::path& page_dir,
                                      const std::filesystem::path& chart_dir);

  // The /dashboard page (index.html).
  const StaticAsset& page() const { return page_; }
  // A file under /dashboard/ ("dashboard.js", "chart.umd.min.js", ...); nullptr otherwise.
  const StaticAsset* Find(std::string_view name) const;

 private:
  StaticAsset page_;
  std::map<std::string, StaticAsset, std::less<>> files_;
};

}  // namespace leadscore::serve
