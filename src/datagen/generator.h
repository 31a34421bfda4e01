// `leadscore generate`: writes the raw layer of docs/sources.md (the GA4 BigQuery export's
// daily event files, HubSpot CRM v3 contacts and deals, and the truth file) following the
// data story of docs/data.md, as exported at an as-of time.
// Output is streamed (memory does not grow with --rows) and atomic: all files appear
// together when everything succeeded, and nothing changes otherwise. After a successful run
// the folder holds only this run's event files: older ga4/events_* files and the retired
// CSV layout (sessions.csv, contacts.csv, deals.csv) are removed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "common/status.h"
#include "datagen/ga4_event_writer.h"
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
  Ga4FileFormat format = Ga4FileFormat::kJsonGzip;  // of the GA4 event files
  int gzip_level = 1;  // zlib level of the GA4 files or Parquet pages (bench/generate)
};

struct GenerateSummary {
  int64_t visitors = 0;
  int64_t leads = 0;     // contacts written (created before as_of)
  int64_t sessions = 0;  // story sessions that started before as_of
  int64_t deals = 0;
  int64_t won = 0;            // closedwon deals at as_of
  int64_t censored = 0;       // deals still open at as_of whose story outcome came later
  int64_t events = 0;         // GA4 event rows, duplicates included
  int64_t duplicates = 0;     // rows written twice
  int64_t event_files = 0;    // ga4/events_YYYYMMDD.{jsonl.gz,parquet} files
  int64_t as_of = 0;          // epoch seconds: the export time; nothing after it is written
  int64_t stale_removed = 0;  // older event / retired CSV files removed after the commit
};

// Ids of the CRM objects: HubSpot-like numeric ids in two distinct ranges.
inline constexpr int64_t kFirstContactId = 1001;     // lead n (1-based) is kFirstContactId + n - 1
inline constexpr int64_t kFirstDealId = 5000000001;  // deal n is kFirstDealId + n - 1

// Fails, writing nothing, on rows <= 0, an unwritable directory, or missing/invalid Olist
// files; messages say which argument or file and what to do.
Result<GenerateSummary> Generate(const GenerateOptions& options);

Result<DataSource> ParseDataSource(const std::string& name);
// "jsonl.gz" or "parquet" (--format).
Result<Ga4FileFormat> ParseGa4FileFormat(const std::string& name);

}  // namespace leadscore
