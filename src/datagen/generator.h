// `leadscore generate`: writes the raw source tables of docs/raw-data.md (GA4 sessions, CRM
// contacts and deals, and the truth file) following the data story of docs/data.md.
// Output is streamed (memory does not grow with --rows) and atomic: the four files appear
// together when everything succeeded, and nothing changes otherwise.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "common/status.h"
#include "datagen/story.h"

namespace leadscore {

enum class DataSource { kSynthetic, kOlist };

struct GenerateOptions {
  int64_t rows = 93000;  // leads; with kOlist, at most this many of the real leads
  uint64_t seed = 42;
  std::filesystem::path out_dir = "data/raw";
  DataSource source = DataSource::kSynthetic;
  std::filesystem::path olist_dir = "data/olist";  // docs/data.md: where to download it
  StoryParams story;
};

struct GenerateSummary {
  int64_t visitors = 0;
  int64_t leads = 0;
  int64_t sessions = 0;
  int64_t deals = 0;
  int64_t won = 0;
};

// Fails, writing nothing, on rows <= 0, an unwritable directory, or missing/invalid Olist
// files; messages say which argument or file and what to do.
Result<GenerateSummary> Generate(const GenerateOptions& options);

Result<DataSource> ParseDataSource(const std::string& name);

}  // namespace leadscore
