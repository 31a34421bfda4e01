// GA4 events as `bq extract --destination_format PARQUET` types them: one Parquet file per
// event day, ga4/events_YYYYMMDD.parquet, with the columns of the JSONL format
// (Ga4EventSchema(); docs/sources.md lists it): INT64 for the timestamps and int_value,
// STRING (UTF-8 BYTE_ARRAY) for strings, DOUBLE for float_value/double_value, RECORDs as
// groups, event_params as a three-level LIST, every field optional (NULL = absent).
// Memory per open day file is one row group's buffered columns (bounded by
// Ga4ParquetOptions::writer); the page compressor is shared. Not thread-safe.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/atomic_files.h"
#include "common/parquet_file_writer.h"
#include "common/parquet_page_compressor.h"
#include "datagen/ga4_event_sink.h"
#include "datagen/ga4_event_writer.h"

namespace leadscore {

// The export's columns in the order the JSON writer writes its fields.
parquet::ParquetSchema Ga4EventSchema();

class Ga4ParquetSink : public Ga4EventSink {
 public:
  Ga4ParquetSink(AtomicFileSet& files, std::filesystem::path dir, const Ga4ParquetOptions& options);
  ~Ga4ParquetSink() override;

  void BeginVisitor(const Ga4UserFields& user) override { user_ = user; }
  void BeginSession(const Ga4SessionFields& session) override { session_ = session; }
  Status WriteEvent(const Ga4EventFields& event, int copies) override;
  Status Finish() override;
  std::span<const std::string> file_names() const override { return file_names_; }

 private:
  struct DayFile {
    std::string name;        // events_YYYYMMDD.parquet
    std::string event_date;  // YYYYMMDD
    std::unique_ptr<parquet::ParquetFileWriter> writer;
  };
  Result<DayFile*> Day(int64_t day);
  void PutRow(const Ga4EventFields& event, parquet::ParquetFileWriter& writer,
              std::string_view event_date);

  AtomicFileSet& files_;
  std::filesystem::path dir_;
  Ga4ParquetOptions options_;
  parquet::ParquetSchema schema_;
  parquet::PageCompressor compressor_;
  std::unordered_map<int64_t, DayFile> days_;
  std::vector<std::string> file_names_;
  std::vector<int64_t> day_order_;  // days in the order their files were opened
  Ga4UserFields user_;
  Ga4SessionFields session_;
};

}  // namespace leadscore
