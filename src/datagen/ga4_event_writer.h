// Writes a visitor's story sessions as GA4 BigQuery export events (docs/sources.md, "What
// `leadscore generate` writes"): one gzip newline-delimited JSON file per UTC event_date,
// ga4/events_YYYYMMDD.jsonl.gz, opened lazily inside an AtomicFileSet. Memory is one
// compressor and buffer per day file, whatever the number of visitors.
// Not thread-safe; output depends only on the arguments (byte-identical per seed).
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/atomic_files.h"
#include "datagen/random.h"
#include "datagen/story.h"

namespace leadscore {

struct Ga4WriterOptions {
  std::filesystem::path dir;               // the ga4/ folder
  GzipOptions gzip;                        // level chosen by bench/generate
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

  // Writes the events of `sessions` (oldest first); fails only when a day file cannot be
  // created (naming it).
  Status WriteVisitor(const Ga4Visitor& visitor, std::span<const Session> sessions,
                      const Ga4Conversion& conversion, Random& aux);

  const Ga4WriteCounts& counts() const { return counts_; }
  // The day files opened so far ("events_YYYYMMDD.jsonl.gz"), for the stale-file sweep.
  std::span<const std::string> file_names() const { return file_names_; }

 private:
  struct Event {
    int64_t timestamp_us;
    std::string_view name;
    bool engaged;
    bool landing;             // carries collected_traffic_source
    std::string_view params;  // event-specific params, already formatted, may be empty
  };
  Status WriteEvent(const Event& event);
  Result<OutputFile*> DayFile(int64_t day);
  void FormatVisitor(const Ga4Visitor& visitor);
  void FormatSession(const Session& session, uint64_t client_number);

  AtomicFileSet& files_;
  Ga4WriterOptions options_;
  std::unordered_map<int64_t, OutputFile*> days_;
  std::vector<std::string> file_names_;
  Ga4WriteCounts counts_;
  uint64_t duplicate_state_;
  // Formatted once per visitor / session and copied into every event.
  std::string visitor_fields_;     // user_pseudo_id ... platform
  std::string session_params_[2];  // ga_session_id, ga_session_number, session_engaged 0/1
  std::string collected_;          // ,"collected_traffic_source":{...} or empty
  std::string last_click_;         // ,"session_traffic_source_last_click":{...}
  std::string line_;
  std::string scratch_;
};

}  // namespace leadscore
