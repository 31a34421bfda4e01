// GA4 events as `bq extract --destination_format NEWLINE_DELIMITED_JSON --compression GZIP`
// writes them: one gzip JSONL file per event day, ga4/events_YYYYMMDD.jsonl.gz, NULL fields
// omitted, INT64 values as JSON strings. The visitor's and session's fields are formatted
// once and copied into each event. Memory: one zlib stream and buffer per open day file.
// Not thread-safe.
#pragma once

#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/atomic_files.h"
#include "datagen/ga4_event_sink.h"

namespace leadscore {

class Ga4JsonSink : public Ga4EventSink {
 public:
  Ga4JsonSink(AtomicFileSet& files, std::filesystem::path dir, GzipOptions gzip);

  void BeginVisitor(const Ga4UserFields& user) override;
  void BeginSession(const Ga4SessionFields& session) override;
  Status WriteEvent(const Ga4EventFields& event, int copies) override;
  Status Finish() override { return Status::Ok(); }  // the file set ends the gzip streams
  std::span<const std::string> file_names() const override { return file_names_; }

 private:
  Result<OutputFile*> DayFile(int64_t day);

  AtomicFileSet& files_;
  std::filesystem::path dir_;
  GzipOptions gzip_;
  std::unordered_map<int64_t, OutputFile*> days_;
  std::vector<std::string> file_names_;
  std::string visitor_fields_;     // user_pseudo_id ... platform
  std::string session_params_[2];  // ga_session_id, ga_session_number, session_engaged 0/1
  std::string collected_;          // ,"collected_traffic_source":{...} or empty
  std::string last_click_;         // ,"session_traffic_source_last_click":{...}
};

}  // namespace leadscore
