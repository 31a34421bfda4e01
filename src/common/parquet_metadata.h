// The parts of Parquet's file metadata (parquet.thrift of apache/parquet-format) that the
// writer produces, and their Thrift compact serialization. Field ids and enum values are
// parquet.thrift's; optional fields the writer never sets are left out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace leadscore::parquet {

enum class PhysicalType : int32_t { kInt64 = 2, kDouble = 5, kByteArray = 6 };
enum class Repetition : int32_t { kRequired = 0, kOptional = 1, kRepeated = 2 };
enum class Encoding : int32_t { kPlain = 0, kRle = 3, kRleDictionary = 8 };
enum class Codec : int32_t { kUncompressed = 0, kGzip = 2 };
enum class PageType : int32_t { kDataPage = 0, kDictionaryPage = 2 };
// The annotation of a node: a UTF-8 string leaf, or a LIST group (both the old
// ConvertedType and the LogicalType are written, for old and new readers).
enum class Annotation { kNone, kString, kList };

struct SchemaElement {
  std::string name;
  std::optional<PhysicalType> type;      // leaves only
  std::optional<Repetition> repetition;  // all but the root
  int32_t num_children = 0;              // groups only (> 0)
  Annotation annotation = Annotation::kNone;
};

struct PageHeader {
  PageType type = PageType::kDataPage;
  int32_t uncompressed_size = 0;
  int32_t compressed_size = 0;
  int32_t num_values = 0;  // data page: level entries (nulls included); dictionary: entries
  Encoding encoding = Encoding::kPlain;  // of the values
};

struct ColumnChunkMetaData {
  PhysicalType type = PhysicalType::kInt64;
  std::vector<Encoding> encodings;
  std::vector<std::string> path;  // path_in_schema, root excluded
  Codec codec = Codec::kUncompressed;
  int64_t num_values = 0;               // level entries, nulls included
  int64_t total_uncompressed_size = 0;  // page headers included
  int64_t total_compressed_size = 0;
  int64_t data_page_offset = 0;
  std::optional<int64_t> dictionary_page_offset;
};

struct RowGroupMetaData {
  std::vector<ColumnChunkMetaData> columns;
  int64_t total_byte_size = 0;  // uncompressed
  int64_t num_rows = 0;
  int64_t file_offset = 0;  // of its first page
  int64_t total_compressed_size = 0;
};

struct FileMetaData {
  std::vector<SchemaElement> schema;  // depth-first, the root first
  int64_t num_rows = 0;
  // The row groups, each already encoded by SerializeRowGroup as it was written: ~2.5 kB a
  // group held until the footer, where ~35 column structs with their heap-allocated paths
  // made an open file's metadata the bulk of `generate`'s memory (2.2 GiB at 10M leads).
  size_t num_row_groups = 0;
  std::string row_groups;
  std::string created_by;
};

// Append the compact-protocol encoding of each structure to `out`. A row group's encoding
// does not depend on what precedes it, so it can be made long before its footer.
void SerializePageHeader(const PageHeader& header, std::string& out);
void SerializeRowGroup(const RowGroupMetaData& group, std::string& out);
void SerializeFileMetaData(const FileMetaData& metadata, std::string& out);

}  // namespace leadscore::parquet
