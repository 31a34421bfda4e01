// Writes a visitor's story sessions as GA4 BigQuery export events (docs/sources.md, "What
// `leadscore generate` writes"): one file per UTC event_date, gzip newline-delimited JSON
// (ga4/events_YYYYMMDD.jsonl.gz) or Parquet (.parquet), opened lazily inside an
// AtomicFileSet. Memory per open day file is bounded (a compressor and buffer, or a Parquet
// row group), whatever the number of visitors.
// Not thread-safe; output depends only on the arguments (byte-identical per seed).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "common/atomic_files.h"
#include "common/parquet_file_writer.h"
#include "datagen/ga4_event_sink.h"
#include "datagen/random.h"
#include "datagen/story.h"

namespace leadscore {

enum class Ga4FileFormat { kJsonGzip, kParquet };

// How the Parquet files are written (bench/generate/results.md measured the defaults).
struct Ga4ParquetOptions {
  parquet::Codec codec = parquet::Codec::kGzip;
  int gzip_level = 1;
  parquet::ParquetWriterOptions writer;
};

struct Ga4WriterOptions {
  std::filesystem::path dir;  // the ga4/ folder
  Ga4FileFormat format = Ga4FileFormat::kJsonGzip;
  GzipOptions gzip;  // JSONL: level chosen by bench/generate
  Ga4ParquetOptions parquet;
  int64_t as_of_us = INT64_MAX;            // events at or after it are not written (export time)
  int64_t last_click_from_us = 0;          // session_traffic_source_last_click on events from then
  uint64_t duplicate_seed = 0;             // which events are written twice
  uint32_t duplicates_per_million = 1000;  // ~0.1 %: the export's exact duplicate rows
};

// The visitor-level facts of a GA4 client (the `_ga` cookie).
struct Ga4Visitor {
  uint64_t client_number = 0;  // the random part of the client id
  std::string user_pseudo_id;  // "1289374650.1496275200": random number, first-visit seconds
  int64_t first_touch_us = 0;  // user_first_touch_timestamp
  size_t first_channel = 0;    // traffic_source: the first session's channel
  size_t device = 0;           // index into the writer's device table
  size_t city = 0;             // index into the writer's city table
};

// Draws the visitor-level facts from `aux` (a stream apart from the story's, so the story's
// draws are unchanged). `first` is the visitor's oldest story session.
Ga4Visitor DrawGa4Visitor(const Session& first, Random& aux);

// A lead's conversion: form_submit and generate_lead close the session `session_index`.
struct Ga4Conversion {
  size_t session_index = SIZE_MAX;  // SIZE_MAX: the visitor never converted
  int64_t created_us = 0;           // the contact's createdate (generate_lead's timestamp)
};

struct Ga4WriteCounts {
  int64_t events = 0;      // rows written, duplicates included
  int64_t duplicates = 0;  // rows written a second time
  int64_t max_timestamp_us = INT64_MIN;
};

class Ga4EventWriter {
 public:
  Ga4EventWriter(AtomicFileSet& files, Ga4WriterOptions options);
  ~Ga4EventWriter();

  // Writes the events of `sessions` (oldest first); fails only when a day file cannot be
  // created (naming it).
  Status WriteVisitor(const Ga4Visitor& visitor, std::span<const Session> sessions,
                      const Ga4Conversion& conversion, Random& aux);

  // Completes the files (Parquet: last row groups and footers); call once, before Commit().
  Status Finish() { return sink_->Finish(); }

  const Ga4WriteCounts& counts() const { return counts_; }
  // The day files opened so far ("events_YYYYMMDD.jsonl.gz" / ".parquet"), for the
  // stale-file sweep.
  std::span<const std::string> file_names() const { return sink_->file_names(); }

 private:
  // Writes one event (and its duplicate, when drawn) unless it falls after the export.
  Status WriteEvent(int64_t timestamp_us, std::string_view name, bool engaged, bool landing,
                    std::span<const Ga4Param> params);
  void BeginSession(const Session& session, uint64_t client_number);

  Ga4WriterOptions options_;
  std::unique_ptr<Ga4EventSink> sink_;
  Ga4WriteCounts counts_;
  uint64_t duplicate_state_;
  std::array<std::string, 7> page_urls_;  // page_location of each page (kPages, the form)
  std::string gclid_;                     // of the current session, or empty
};

}  // namespace leadscore
