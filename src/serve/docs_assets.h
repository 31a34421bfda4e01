// Swagger UI for GET /docs, from the npm package swagger-ui-dist (pinned in package.json,
// installed by scripts/setup), served by leadscore itself: no CDN, works offline. The
// package's files are read once at start-up and kept in memory.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "common/status.h"

namespace leadscore::serve {

struct StaticAsset {
  std::string content_type;
  std::string body;
};

class DocsAssets {
 public:
  // Reads the Swagger UI files from `dir` (node_modules/swagger-ui-dist). Fails naming the
  // missing file and what to run.
  static Result<DocsAssets> Load(const std::filesystem::path& dir);

  // The /docs page: Swagger UI pointed at /openapi.json, its scripts under /docs/.
  const StaticAsset& page() const { return page_; }
  // A file under /docs/ ("swagger-ui-bundle.js", ...); nullptr for anything else.
  const StaticAsset* Find(std::string_view name) const;

 private:
  StaticAsset page_;
  std::map<std::string, StaticAsset, std::less<>> files_;
};

}  // namespace leadscore::serve
