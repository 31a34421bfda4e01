// A streaming Parquet file writer (https://parquet.apache.org/docs/file-format/): the
// caller puts each row's entries into the leaf columns (Dremel levels: ColumnWriter), then
// EndRow(); a row group is written whenever the buffered columns reach a byte or row bound,
// so the column buffers stay bounded however many rows the file gets (each row group's
// metadata is kept, encoded, ~2.5 kB a group, until Close() writes the footer).
// Output: format version 1, data pages v1, one data page per column chunk, no statistics;
// deterministic bytes. Not thread-safe; the file belongs to an AtomicFileSet, so a failed
// run leaves no partial file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/atomic_files.h"
#include "common/parquet_column_writer.h"
#include "common/parquet_metadata.h"
#include "common/parquet_page_compressor.h"

namespace leadscore::parquet {

// A node of the schema tree: a leaf (type set, no children) or a group.
struct SchemaNode {
  std::string name;
  Repetition repetition = Repetition::kOptional;
  std::optional<PhysicalType> type;
  Annotation annotation = Annotation::kNone;
  std::vector<SchemaNode> children;
};

// Nodes as BigQuery's Parquet export declares them: every field optional; STRING leaves
// annotated UTF-8; a REPEATED RECORD as the standard three-level LIST
// (optional group <name> (LIST) { repeated group list { optional group element {...} } }).
SchemaNode StringField(std::string name);
SchemaNode Int64Field(std::string name);
SchemaNode DoubleField(std::string name);
SchemaNode RecordField(std::string name, std::vector<SchemaNode> fields);
SchemaNode RepeatedRecordField(std::string name, std::vector<SchemaNode> fields);

// The flattened schema: its elements (depth-first) and its leaves with their max levels.
class ParquetSchema {
 public:
  explicit ParquetSchema(const std::vector<SchemaNode>& fields);
  const std::vector<SchemaElement>& elements() const { return elements_; }
  const std::vector<ColumnDescriptor>& columns() const { return columns_; }

 private:
  void Flatten(const SchemaNode& node, std::vector<std::string>& path, int definition,
               int repetition);
  std::vector<SchemaElement> elements_;
  std::vector<ColumnDescriptor> columns_;
};

struct ParquetWriterOptions {
  size_t row_group_bytes = 256 << 10;    // buffered column bytes that close a row group
  int64_t row_group_rows = 1 << 20;      // and the most rows one holds
  std::string created_by = "leadscore";  // no version or time: equal runs, equal bytes
};

class ParquetFileWriter {
 public:
  // Writes the magic at once; `file` and `compressor` must outlive the writer.
  ParquetFileWriter(OutputFile& file, const ParquetSchema& schema,
                    const ParquetWriterOptions& options, PageCompressor& compressor);

  ColumnWriter& column(size_t index) { return columns_[index]; }
  // Ends the row whose entries were just put; may write a row group. Fails only when page
  // compression does.
  Status EndRow();
  // Writes the open row group and the footer; call once, before the set commits.
  Status Close();
  int64_t num_rows() const { return metadata_.num_rows + open_rows_; }

 private:
  Status WriteRowGroup();
  void Write(std::string_view bytes);

  OutputFile& file_;
  ParquetWriterOptions options_;
  PageCompressor& compressor_;
  std::vector<ColumnWriter> columns_;
  FileMetaData metadata_;
  int64_t offset_ = 0;  // bytes written so far
  int64_t open_rows_ = 0;
};

}  // namespace leadscore::parquet
