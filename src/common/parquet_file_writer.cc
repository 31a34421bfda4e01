#include "common/parquet_file_writer.h"

#include <cstring>

namespace leadscore::parquet {
namespace {

constexpr std::string_view kMagic = "PAR1";
// Buffered bytes are summed over the columns every this many rows (not per row: cheap).
constexpr int64_t kCheckEveryRows = 64;

SchemaNode Leaf(std::string name, PhysicalType type, Annotation annotation) {
  SchemaNode node;
  node.name = std::move(name);
  node.type = type;
  node.annotation = annotation;
  return node;
}

}  // namespace

SchemaNode StringField(std::string name) {
  return Leaf(std::move(name), PhysicalType::kByteArray, Annotation::kString);
}
SchemaNode Int64Field(std::string name) {
  return Leaf(std::move(name), PhysicalType::kInt64, Annotation::kNone);
}
SchemaNode DoubleField(std::string name) {
  return Leaf(std::move(name), PhysicalType::kDouble, Annotation::kNone);
}

SchemaNode RecordField(std::string name, std::vector<SchemaNode> fields) {
  SchemaNode node;
  node.name = std::move(name);
  node.children = std::move(fields);
  return node;
}

SchemaNode RepeatedRecordField(std::string name, std::vector<SchemaNode> fields) {
  SchemaNode list;
  list.name = "list";
  list.repetition = Repetition::kRepeated;
  list.children.push_back(RecordField("element", std::move(fields)));
  SchemaNode node;
  node.name = std::move(name);
  node.annotation = Annotation::kList;
  node.children.push_back(std::move(list));
  return node;
}

ParquetSchema::ParquetSchema(const std::vector<SchemaNode>& fields) {
  SchemaElement root;
  root.name = "schema";
  root.num_children = static_cast<int32_t>(fields.size());
  elements_.push_back(root);
  std::vector<std::string> path;
  for (const SchemaNode& field : fields) Flatten(field, path, 0, 0);
}

void ParquetSchema::Flatten(const SchemaNode& node, std::vector<std::string>& path, int definition,
                            int repetition) {
  SchemaElement element;
  element.name = node.name;
  element.type = node.type;
  element.repetition = node.repetition;
  element.num_children = static_cast<int32_t>(node.children.size());
  element.annotation = node.annotation;
  elements_.push_back(element);
  if (node.repetition != Repetition::kRequired) ++definition;
  if (node.repetition == Repetition::kRepeated) ++repetition;
  path.push_back(node.name);
  if (node.children.empty()) {
    columns_.push_back({path, *node.type, definition, repetition});
  }
  for (const SchemaNode& child : node.children) Flatten(child, path, definition, repetition);
  path.pop_back();
}

ParquetFileWriter::ParquetFileWriter(OutputFile& file, const ParquetSchema& schema,
                                     const ParquetWriterOptions& options,
                                     PageCompressor& compressor)
    : file_(file), options_(options), compressor_(compressor) {
  metadata_.schema = schema.elements();
  metadata_.created_by = options_.created_by;
  columns_.reserve(schema.columns().size());
  for (const ColumnDescriptor& descriptor : schema.columns()) columns_.emplace_back(descriptor);
  Write(kMagic);
}

void ParquetFileWriter::Write(std::string_view bytes) {
  file_.WriteThrough(bytes);
  offset_ += static_cast<int64_t>(bytes.size());
}

Status ParquetFileWriter::EndRow() {
  ++open_rows_;
  if (open_rows_ >= options_.row_group_rows) return WriteRowGroup();
  if (open_rows_ % kCheckEveryRows != 0) return Status::Ok();
  size_t buffered = 0;
  for (const ColumnWriter& column : columns_) buffered += column.buffered_bytes();
  return buffered >= options_.row_group_bytes ? WriteRowGroup() : Status::Ok();
}

Status ParquetFileWriter::WriteRowGroup() {
  if (open_rows_ == 0) return Status::Ok();
  RowGroupMetaData group;
  group.num_rows = open_rows_;
  group.file_offset = offset_;
  std::string& chunk = compressor_.chunk_scratch();
  for (ColumnWriter& column : columns_) {
    chunk.clear();
    auto meta = column.WriteChunk(compressor_, offset_, chunk);
    if (!meta.ok()) return meta.status();
    Write(chunk);
    group.total_byte_size += meta.value().total_uncompressed_size;
    group.total_compressed_size += meta.value().total_compressed_size;
    group.columns.push_back(std::move(meta).value());
  }
  metadata_.num_rows += open_rows_;
  SerializeRowGroup(group, metadata_.row_groups);
  ++metadata_.num_row_groups;
  open_rows_ = 0;
  return Status::Ok();
}

Status ParquetFileWriter::Close() {
  LEADSCORE_RETURN_IF_ERROR(WriteRowGroup());
  std::string footer;
  SerializeFileMetaData(metadata_, footer);
  const auto length = static_cast<uint32_t>(footer.size());
  char bytes[4];
  std::memcpy(bytes, &length, 4);  // little-endian (parquet_column_writer.cc asserts it)
  footer.append(bytes, 4);
  footer.append(kMagic);
  Write(footer);
  metadata_.row_groups = std::string();  // frees it: a closed file holds no metadata
  metadata_.num_row_groups = 0;
  return Status::Ok();
}

}  // namespace leadscore::parquet
